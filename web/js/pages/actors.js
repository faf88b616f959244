// Actors: the live /admin/actors table — every key, account, soul and
// in-flight request with its mailbox and state — filtered by kind.
import { api, query } from '../api.js';
import { h, clear, field, table, badge, fmt, pageHead, poll } from '../dom.js';

const KINDS = ['', 'api_key', 'provider_account', 'soul', 'request', 'usage_logger', 'selector', 'registry', 'health_monitor', 'store', 'acceptor'];

/// The state object as "key value" pairs; nested values as compact JSON.
/// A request's key is shown by its name (`keyNames`: id → name).
function stateView(state, keyNames) {
  if (state === 'unresponsive') return badge('unresponsive', 'bad');
  if (!state || typeof state !== 'object') return String(state);
  const skip = new Set(['id', 'name']);
  const items = Object.entries(state).filter(([k]) => !skip.has(k));
  return h('dl', { class: 'kv small' }, items.flatMap(([k, v]) => [
    h('dt', { text: k.replaceAll('_', ' ') }),
    h('dd', { class: 'mono', text: v === null ? '—' : typeof v === 'object' ? JSON.stringify(v)
      : k === 'key' && keyNames.has(v) ? `${keyNames.get(v)} (${v})`
        : k.endsWith('_ms') && typeof v === 'number' && v > 1e12 ? fmt.time(new Date(v).toISOString()) : String(v) }),
  ]));
}

export async function render(root, { isCurrent }) {
  const kind = field({ name: 'kind', label: 'Kind', kind: 'select', options: KINDS.map((k) => ({ value: k, label: k || 'All kinds' })) });
  const auto = field({ name: 'auto', label: 'Refresh every 2 seconds', kind: 'checkbox', value: true });
  const summary = h('p', { class: 'small muted', role: 'status' });
  const list = h('div');
  root.appendChild(pageHead('Actors', 'Each key, provider account, soul and request is an actor with its own state.'));
  root.appendChild(h('div', { class: 'toolbar' }, kind.el, auto.el));
  root.append(summary, list);

  const keyNames = new Map();
  async function refresh() {
    const res = await api('GET', `/admin/actors${query({ kind: kind.get() })}`);
    // Requests name their key by id; look up names for ids not seen yet.
    const unknown = res.data.some((a) => a.kind === 'request' && a.state && a.state.key && !keyNames.has(a.state.key));
    if (unknown) for (const k of (await api('GET', '/admin/keys')).data) keyNames.set(k.id, k.name);
    if (!isCurrent()) return;
    const sys = res.system;
    summary.textContent = `${fmt.int(sys.actors_total)} actors · ${sys.scheduler_threads} scheduler threads · ${sys.io_threads} I/O threads · ${fmt.time(new Date().toISOString())}`;
    clear(list).appendChild(table([
      { label: 'Kind', value: (a) => badge(a.kind, a.kind === 'request' ? 'warn' : 'neutral') },
      { label: 'Name', value: (a) => h('div', {}, h('strong', { text: a.name }), a.id !== a.name ? h('div', { class: 'small muted mono', text: a.id }) : null) },
      { label: 'Mailbox', value: (a) => (a.mailbox === null ? '—' : String(a.mailbox)), cls: 'num' },
      { label: 'Handled', value: (a) => (a.handled === null ? '—' : fmt.int(a.handled)), cls: 'num hide-narrow' },
      { label: 'State', value: (a) => stateView(a.state, keyNames) },
    ], res.data, { empty: 'No actor of this kind is running.' }));
  }
  kind.input.addEventListener('change', () => { refresh(); });
  await refresh();
  return poll(() => (auto.get() ? refresh() : null), 2000);
}
