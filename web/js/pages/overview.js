// Overview: live traffic of the last hour from GET /admin/overview (the
// actors' own counters), today's totals, and first steps for a new install.
import { api } from '../api.js';
import { h, clear, fmt, pageHead, snippet, poll } from '../dom.js';
import { barChart, lineChart, legend } from '../charts.js';

function stat(label, value, sub) {
  return h('div', { class: 'card stat' }, h('div', { class: 'label', text: label }),
    h('div', { class: 'value', text: value }), sub ? h('div', { class: 'sub', text: sub }) : null);
}

function hhmm(iso) {
  const d = new Date(iso);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function gettingStarted(status) {
  const steps = [
    { done: status.providers > 0, text: 'Add a provider account (a Claude, ChatGPT or Gemini subscription, an API key, or a local Ollama)', href: '#/providers' },
    { done: status.souls > 0, text: 'Optionally create a soul: a persona with its own endpoint', href: '#/souls' },
    { done: status.api_keys > 0, text: 'Create an ohk_ key for your app', href: '#/keys' },
    { done: status.total_requests > 0, text: 'Send a first request with any OpenAI SDK', href: null },
  ];
  if (steps.every((s) => s.done)) return null;
  const base = `${location.origin}/v1`;
  return h('section', { class: 'callout section', 'aria-labelledby': 'gs-title' },
    h('h2', { id: 'gs-title', text: 'Getting started' }),
    h('ol', { class: 'steps' }, steps.map((s) => h('li', { class: s.done ? 'done' : '' },
      s.href && !s.done ? h('a', { href: s.href, text: s.text }) : s.text, s.done ? ' (done)' : ''))),
    h('p', { class: 'small', text: `Point an OpenAI SDK at ${base} with your ohk_ key:` }),
    snippet(`curl ${base}/chat/completions \\\n  -H "Authorization: Bearer ohk_..." -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`, 'First request'));
}

export async function render(root, { isCurrent }) {
  root.appendChild(pageHead('Overview', 'The last hour, live. Updated every 5 seconds.'));
  const body = h('div');
  root.appendChild(body);

  async function refresh() {
    const [ov, status] = await Promise.all([api('GET', '/admin/overview'), api('GET', '/admin/system/status')]);
    if (!isCurrent()) return;
    const d = ov.data;
    const live = d.live;
    const series = d.series;
    const labels = [hhmm(series[0].t), hhmm(series[series.length - 1].t)];
    clear(body);
    const gs = gettingStarted(status);
    if (gs) body.appendChild(gs);
    body.appendChild(h('section', { class: 'section', 'aria-labelledby': 'now-title' },
      h('h2', { id: 'now-title', text: `Last ${live.minutes} minutes` }),
      h('div', { class: 'cards' },
        stat('Requests / min', live.requests_per_min.toFixed(1), fmt.count(live.requests, 'request')),
        stat('Errors', fmt.int(live.errors), live.requests ? `${fmt.pct(live.error_rate)} of requests` : 'no traffic'),
        stat('Latency p50 / p95', live.latency_p50_ms === null ? '—' : `${fmt.ms(live.latency_p50_ms)}`,
          live.latency_p95_ms === null ? 'no traffic' : `p95 ${fmt.ms(live.latency_p95_ms)}`),
        stat('Time to first token', live.ttft_p50_ms === null ? '—' : fmt.ms(live.ttft_p50_ms),
          live.ttft_p95_ms === null ? 'no streams' : `p95 ${fmt.ms(live.ttft_p95_ms)}`),
        stat('Open streams', fmt.int(d.open_streams), `${fmt.count(d.in_flight, 'request')} in flight`),
        stat('Providers healthy', `${d.providers.healthy} / ${d.providers.total}`,
          d.providers.down ? `${d.providers.down} down` : d.providers.circuit_not_closed ? `${d.providers.circuit_not_closed} circuit open` : 'all reachable'))));
    body.appendChild(h('section', { class: 'section', 'aria-labelledby': 'today-title' },
      h('h2', { id: 'today-title', text: `Today (${d.today.date}, UTC)` }),
      h('div', { class: 'cards' },
        stat('Requests', fmt.int(d.today.requests), fmt.count(d.today.errors, 'error')),
        stat('Tokens in', fmt.int(d.today.input_tokens)),
        stat('Tokens out', fmt.int(d.today.output_tokens)),
        stat('Cost', fmt.micros(d.today.cost_micros)))));
    const perMin = barChart({ label: 'Requests per minute, errors in orange', values: series.map((m) => m.requests),
      stacked: series.map((m) => m.errors), xLabels: labels, empty: 'No requests in the last hour' });
    const lat = lineChart({ label: 'Latency p50 and p95 per minute in milliseconds', xLabels: labels, formatY: (v) => fmt.ms(v),
      series: [{ values: series.map((m) => m.latency_p50_ms) }, { values: series.map((m) => m.latency_p95_ms) }], empty: 'No requests in the last hour' });
    body.appendChild(h('section', { class: 'charts' },
      h('div', { class: 'card' }, h('h3', { text: 'Requests per minute' }), perMin,
        legend([{ label: 'requests', series: 1 }, { label: 'errors', series: 2 }])),
      h('div', { class: 'card' }, h('h3', { text: 'Latency' }), lat,
        legend([{ label: 'p50', series: 1 }, { label: 'p95', series: 2 }]))));
    body.appendChild(h('p', { class: 'small muted section',
      text: `OpenHinge ${status.version} · up ${Math.round(status.uptime / 60)} min · ${status.memory.rss} MB resident · ${fmt.count(status.total_requests, 'request')} through keys in all` }));
  }

  await refresh();
  return poll(refresh, 5000);
}
