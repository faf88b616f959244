// Logs: every request, filtered and searched on the server, paged by
// cursor; a row opens its detail with each upstream attempt; the same
// filters export as CSV.
import { api, query } from '../api.js';
import { h, clear, field, openDialog, table, badge, fmt, pageHead, toast } from '../dom.js';

const STATUSES = ['', 'success', 'error', 'cancelled', 'rate_limited', 'budget_exceeded', 'denied'];

function statusBadge(s) {
  const kind = { success: 'ok', error: 'bad', denied: 'bad', cancelled: 'neutral' }[s] || 'warn';
  return badge(s, kind);
}

function detail(row) {
  const kv = (pairs) => h('dl', { class: 'kv' }, pairs.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v === null || v === undefined || v === '' ? '—' : v)]));
  const attempts = row.attempts || [];
  return h('div', { class: 'stack' },
    kv([
      ['Request id', h('code', { text: row.request_id })],
      ['Client request id', row.client_request_id],
      ['Time', fmt.time(row.created_at)],
      ['Status', h('span', {}, statusBadge(row.status), ` HTTP ${row.http_status}`)],
      ['Key', row.key_name],
      ['Soul', row.soul_name ? `${row.soul_name} (v${row.soul_version})` : null],
      ['Provider', row.provider_name ? `${row.provider_name} (${row.provider_type})` : null],
      ['Endpoint', `${row.endpoint}${row.stream ? ', streamed' : ''}`],
      ['Model', row.model_requested && row.model && row.model !== row.model_requested ? `${row.model_requested} → ${row.model}` : row.model || row.model_requested],
      ['Tokens', `${fmt.int(row.input_tokens)} in, ${fmt.int(row.output_tokens)} out${row.cache_read_tokens ? `, ${fmt.int(row.cache_read_tokens)} cache read` : ''}${row.reasoning_tokens ? `, ${fmt.int(row.reasoning_tokens)} reasoning` : ''}`],
      ['Cost', fmt.dollars(row.cost_cents)],
      ['Latency', fmt.ms(row.latency_ms)],
      ['Time to first token', row.ttft_ms === null ? null : fmt.ms(row.ttft_ms)],
      ['Error', row.error_code ? `${row.error_code}: ${row.error_message || ''}` : null],
      ['Client', `${row.client_ip || ''} ${row.user_agent || ''}`.trim()],
    ]),
    h('h3', { text: `Attempts (${attempts.length})` }),
    table([
      { label: '#', value: (a) => String(attempts.indexOf(a) + 1), cls: 'num' },
      { label: 'Provider', value: (a) => a.provider || a.provider_id },
      { label: 'Status', value: (a) => String(a.status) },
      { label: 'Latency', value: (a) => fmt.ms(a.latency_ms), cls: 'num' },
      { label: 'Error', value: (a) => a.error || '' },
    ], attempts, { empty: 'No upstream attempt: the request ended at the gateway.' }));
}

export async function render(root, { isCurrent }) {
  const [keys, souls, providers] = await Promise.all([api('GET', '/admin/keys'), api('GET', '/admin/souls'), api('GET', '/admin/providers')]);
  const opt = (rows) => [{ value: '', label: 'All' }, ...rows.map((r) => ({ value: r.id, label: r.name }))];
  const f = {
    search: field({ name: 'search', label: 'Search', kind: 'search', placeholder: 'request id, model, error, key or soul name', cls: 'wide' }),
    status: field({ name: 'status', label: 'Status', kind: 'select', options: STATUSES.map((s) => ({ value: s, label: s || 'All' })) }),
    api_key_id: field({ name: 'api_key_id', label: 'Key', kind: 'select', options: opt(keys.data) }),
    soul_id: field({ name: 'soul_id', label: 'Soul', kind: 'select', options: opt(souls.data) }),
    provider_id: field({ name: 'provider_id', label: 'Provider', kind: 'select', options: opt(providers.data) }),
    endpoint: field({ name: 'endpoint', label: 'Endpoint', kind: 'select', options: [{ value: '', label: 'All' }, 'chat', 'messages', 'models', 'count_tokens'] }),
    stream: field({ name: 'stream', label: 'Streamed', kind: 'select', options: [{ value: '', label: 'Either' }, { value: 'true', label: 'Streamed' }, { value: 'false', label: 'Not streamed' }] }),
    from: field({ name: 'from', label: 'From (UTC day)', kind: 'date' }),
    to: field({ name: 'to', label: 'To (UTC day)', kind: 'date' }),
  };
  const exportLink = h('a', { class: 'button secondary', href: '#', download: 'openhinge-logs.csv', text: 'Export CSV' });
  root.appendChild(pageHead('Logs', 'Every request through the gateway, newest first.', exportLink));
  // Search and status always; the other filters fold away on a phone.
  const more = h('details', { class: 'more-filters', open: window.innerWidth >= 760 },
    h('summary', { text: 'More filters' }),
    h('div', { class: 'toolbar' }, [f.api_key_id, f.soul_id, f.provider_id, f.endpoint, f.stream, f.from, f.to].map((x) => x.el)));
  const toolbar = h('form', { class: 'stack', role: 'search' },
    h('div', { class: 'toolbar' }, f.search.el, f.status.el, h('button', { class: 'button', type: 'submit', text: 'Apply' })), more);
  const summary = h('p', { class: 'small muted', role: 'status' });
  const list = h('div');
  const prev = h('button', { type: 'button', class: 'button quiet', text: 'Newer' });
  const next = h('button', { type: 'button', class: 'button quiet', text: 'Older' });
  root.append(toolbar, summary, list, h('div', { class: 'pager' }, prev, next));

  // Cursor paging: `after` of each page visited, to go back.
  let cursors = [null];
  let nextCursor = null;

  function filters() {
    const out = {};
    for (const [k, x] of Object.entries(f)) out[k] = x.get();
    if (out.search) out.search = out.search.trim();
    return out;
  }

  async function load() {
    const params = { ...filters(), per_page: 50, after: cursors[cursors.length - 1] };
    let res;
    try {
      res = await api('GET', `/admin/cost/logs/query${query(params)}`);
    } catch (err) {
      const target = err.field && f[err.field];
      if (target) { target.error(err.message); return; }
      throw err;
    }
    if (!isCurrent()) return;
    nextCursor = res.next;
    prev.disabled = cursors.length <= 1;
    next.disabled = !res.next;
    const page = cursors.length;
    summary.textContent = res.total === 0 ? '' : `${res.total_is_estimate ? 'About ' : ''}${fmt.int(res.total)} requests · page ${page} of ${fmt.int(res.pages)}`;
    exportLink.href = `/admin/cost/logs/export${query({ ...filters(), format: 'csv' })}`;
    clear(list).appendChild(table([
      { label: 'Time', value: (r) => h('span', { class: 'nowrap small', text: fmt.time(r.created_at) }) },
      { label: 'Status', value: (r) => statusBadge(r.status) },
      { label: 'Key', value: (r) => r.key_name || '' },
      { label: 'Soul', value: (r) => r.soul_name || '', cls: 'hide-narrow' },
      { label: 'Provider', value: (r) => r.provider_name || '', cls: 'hide-narrow' },
      { label: 'Model', value: (r) => r.model || r.model_requested || '', cls: 'hide-narrow' },
      { label: 'Tokens', value: (r) => `${fmt.int(r.input_tokens)} / ${fmt.int(r.output_tokens)}`, cls: 'num hide-narrow' },
      { label: 'Cost', value: (r) => fmt.dollars(r.cost_cents), cls: 'num' },
      { label: 'Latency', value: (r) => fmt.ms(r.latency_ms), cls: 'num hide-narrow' },
      { label: 'Stream', value: (r) => (r.stream ? 'yes' : 'no'), cls: 'hide-narrow' },
    ], res.data, {
      empty: 'No request matches. Requests appear here a second after they finish.',
      onRow: async (r) => {
        const d = await api('GET', `/admin/logs/${encodeURIComponent(r.request_id)}`);
        openDialog({ title: 'Request detail', content: detail(d.data) });
      },
    }));
  }

  toolbar.addEventListener('submit', (ev) => {
    ev.preventDefault();
    cursors = [null];
    load().catch((err) => toast(err.message, 'error'));
  });
  next.addEventListener('click', () => { if (nextCursor) { cursors.push(nextCursor); load(); } });
  prev.addEventListener('click', () => { if (cursors.length > 1) { cursors.pop(); load(); } });
  await load();
  return null;
}
