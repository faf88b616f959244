// Cost: spend by day (chart) and by key, soul, provider and model, from
// the daily rollup (a few rows per day, whatever the log's size).
import { api, query } from '../api.js';
import { h, clear, field, table, fmt, pageHead } from '../dom.js';
import { barChart } from '../charts.js';

const BREAKDOWNS = [
  { path: 'by-key', title: 'By key', name: (r) => r.name || r.api_key_id || '(no key)' },
  { path: 'by-soul', title: 'By soul', name: (r) => r.soul_name || r.name || r.soul_id || '(no soul)' },
  { path: 'by-provider', title: 'By provider', name: (r) => r.name || r.provider_id || '(none)' },
  { path: 'by-model', title: 'By model', name: (r) => r.model || r.name || '(unknown)' },
];

function breakdownTable(b, rows) {
  // The by-soul report keeps the original's shape (requests and cost only):
  // columns no row carries are left out rather than shown empty.
  const has = (field) => rows.some((r) => r[field] !== undefined);
  return table([
    { label: b.title.replace('By ', '').replace(/^./, (c) => c.toUpperCase()), value: b.name },
    { label: 'Requests', value: (r) => fmt.int(r.requests), cls: 'num' },
    has('errors') ? { label: 'Errors', value: (r) => fmt.int(r.errors), cls: 'num hide-narrow' } : null,
    has('input_tokens') ? { label: 'Tokens in', value: (r) => fmt.int(r.input_tokens), cls: 'num hide-narrow' } : null,
    has('output_tokens') ? { label: 'Tokens out', value: (r) => fmt.int(r.output_tokens), cls: 'num hide-narrow' } : null,
    { label: 'Cost', value: (r) => fmt.dollars(r.cost_cents), cls: 'num' },
  ].filter(Boolean), [...rows].sort((a, b2) => b2.cost_micros - a.cost_micros || b2.requests - a.requests), { empty: 'No requests in this period.' });
}

/// Every day of the period, zero where nothing was spent.
function fillDays(from, to, rows) {
  const byDate = new Map(rows.map((r) => [r.date, r]));
  const out = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d.setUTCDate(d.getUTCDate() + 1)) {
    const key = d.toISOString().slice(0, 10);
    out.push(byDate.get(key) || { date: key, requests: 0, cost_cents: 0, input_tokens: 0, output_tokens: 0 });
  }
  return out;
}

export async function render(root, { isCurrent }) {
  const days = field({ name: 'days', label: 'Period', kind: 'select', value: '30',
    options: [{ value: '7', label: 'Last 7 days' }, { value: '30', label: 'Last 30 days' }, { value: '90', label: 'Last 90 days' }, { value: '365', label: 'Last 365 days' }] });
  days.set('30');
  root.appendChild(pageHead('Cost', 'Spend from the per-model price table, in UTC days.'));
  root.appendChild(h('div', { class: 'toolbar' }, days.el));
  const body = h('div');
  root.appendChild(body);

  async function load() {
    const q = query({ days: days.get() });
    const [report, ...parts] = await Promise.all([api('GET', `/admin/cost/report${q}`), ...BREAKDOWNS.map((b) => api('GET', `/admin/cost/${b.path}${q}`))]);
    if (!isCurrent()) return;
    const series = fillDays(report.from, report.to, report.data);
    const total = series.reduce((a, r) => ({ requests: a.requests + r.requests, cost: a.cost + r.cost_cents, tin: a.tin + r.input_tokens, tout: a.tout + r.output_tokens }), { requests: 0, cost: 0, tin: 0, tout: 0 });
    clear(body);
    body.appendChild(h('div', { class: 'cards' },
      ...[['Cost', fmt.dollars(total.cost)], ['Requests', fmt.int(total.requests)], ['Tokens in', fmt.int(total.tin)], ['Tokens out', fmt.int(total.tout)]]
        .map(([l, v]) => h('div', { class: 'card stat' }, h('div', { class: 'label', text: l }), h('div', { class: 'value', text: v })))));
    body.appendChild(h('div', { class: 'card section' }, h('h2', { text: 'Cost per day' }),
      barChart({ label: `Cost per day from ${report.from} to ${report.to}`, values: series.map((r) => r.cost_cents), wide: true,
        xLabels: [report.from, report.to], formatY: (v) => fmt.dollars(v), empty: 'No spend in this period' })));
    const grid = h('div', { class: 'grid-2 section' });
    BREAKDOWNS.forEach((b, i) => grid.appendChild(h('section', { class: 'stack' }, h('h2', { text: b.title }), breakdownTable(b, parts[i].data))));
    body.appendChild(grid);
  }
  days.input.addEventListener('change', () => { load(); });
  await load();
  return null;
}
