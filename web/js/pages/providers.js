// Providers: the accounts with their live health, circuit and limit state;
// add by API key (tested before saving), import from this machine, edit,
// enable/disable, health checks, delete, bulk actions.
import { api } from '../api.js';
import {
  h, clear, field, formDialog, confirmAction, table, badge, healthBadge,
  fmt, pageHead, button, toast, poll, invalid, setOptions, wholeNumber,
} from '../dom.js';

const TYPES = [
  { value: 'claude', label: 'Claude (Anthropic)' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'gemini', label: 'Gemini (Google)' },
  { value: 'ollama', label: 'Ollama (local models)' },
  { value: 'openai_compatible', label: 'OpenAI-compatible (any base URL)' },
];
const typeLabel = (t) => (TYPES.find((x) => x.value === t) || { label: t }).label;

function circuitBadge(p) {
  const c = p.health && p.health.circuit;
  if (!c || c === 'closed') return badge('closed', 'ok');
  return badge(c.replace('_', '-'), c === 'open' ? 'bad' : 'warn');
}

function limitText(p) {
  const until = p.health && p.health.limited_until;
  if (!until || new Date(until) < new Date()) return 'none';
  return `until ${new Date(until).toLocaleTimeString()}`;
}

/// The add form: probe with the credentials, choose a model, save.
function addDialog(onSaved) {
  const type = field({ name: 'type', label: 'Type', kind: 'select', options: TYPES, value: 'openai' });
  const name = field({ name: 'name', label: 'Name', placeholder: 'e.g. OpenAI work account', required: true });
  const apiKey = field({ name: 'credentials.api_key', label: 'API key', kind: 'password', autocomplete: 'off',
    hint: 'Stored encrypted; never shown again.' });
  const baseUrl = field({ name: 'base_url', label: 'Base URL', placeholder: 'default for the type',
    hint: 'Only for a proxy, a self-hosted endpoint or Ollama on another machine.' });
  const priority = field({ name: 'priority', label: 'Priority', kind: 'number', value: 0, step: 1,
    hint: 'Lower is tried first.' });
  const model = field({ name: 'config.default_model', label: 'Default model', kind: 'select', options: [{ value: '', label: 'Test the connection to list models' }] });
  const probeResult = h('p', { class: 'small', role: 'status' });
  const testButton = button('Test connection', null, 'secondary');
  const syncType = () => {
    const t = type.get();
    apiKey.el.hidden = t === 'ollama';
    if (!name.get() || TYPES.some((x) => name.get() === x.label)) name.set(typeLabel(t));
  };
  type.input.addEventListener('change', syncType);
  syncType();
  testButton.addEventListener('click', async () => {
    probeResult.textContent = 'Testing…';
    testButton.disabled = true;
    try {
      const body = { type: type.get() };
      if (baseUrl.get()) body.base_url = baseUrl.get();
      if (apiKey.get()) body.api_key = apiKey.get();
      const res = await api('POST', '/admin/providers/probe', body);
      const ok = res.health && res.health.status === 'healthy';
      probeResult.textContent = ok
        ? `Connected in ${fmt.ms(res.health.latency_ms)}: ${res.models.length} models available.`
        : `Not reachable: ${(res.health && res.health.message) || 'no answer'}`;
      if (res.models.length) {
        setOptions(model.input, res.models.map((m) => ({ value: m, label: m })));
      }
    } catch (err) {
      probeResult.textContent = `Test failed: ${err.message}`;
    } finally {
      testButton.disabled = false;
    }
  });
  return formDialog('Add a provider', [type, name, apiKey, baseUrl, priority, model], async (v) => {
    if (!v.name.trim()) throw invalid('name', 'Give the account a name.');
    if (v.type !== 'ollama' && !v['credentials.api_key']) throw invalid('credentials.api_key', 'Paste the API key of this account.');
    const body = { name: v.name.trim(), type: v.type, priority: wholeNumber(v, 'priority', 'Priority', -1000000, 1000000) || 0 };
    if (v.base_url) body.base_url = v.base_url.trim();
    if (v['credentials.api_key']) body.credentials = { api_key: v['credentials.api_key'].trim() };
    if (v['config.default_model']) body.config = { default_model: v['config.default_model'] };
    const res = await api('POST', '/admin/providers', body);
    toast(`Added ${res.data.name}.`);
    onSaved();
  }, { submitLabel: 'Add provider', extra: h('div', { class: 'row' }, testButton, probeResult) });
}

function editDialog(p, onSaved) {
  const cfg = p.config || {};
  const fields = [
    field({ name: 'name', label: 'Name', value: p.name }),
    field({ name: 'base_url', label: 'Base URL', value: p.base_url || '' }),
    field({ name: 'priority', label: 'Priority', kind: 'number', step: 1, value: p.priority, hint: 'Lower is tried first.' }),
    field({ name: 'config.default_model', label: 'Default model', kind: 'select',
      options: [{ value: '', label: '(none)' }, ...[...new Set([...(p.models || []), cfg.default_model].filter(Boolean))].map((m) => ({ value: m, label: m }))],
      value: cfg.default_model || '' }),
    field({ name: 'config.max_concurrency', label: 'Max concurrent requests', kind: 'number', min: 0, step: 1, value: cfg.max_concurrency ?? '', hint: 'Empty or 0: no limit.' }),
    field({ name: 'config.timeout_ms', label: 'Request timeout (ms)', kind: 'number', min: 1, step: 1, value: cfg.timeout_ms ?? '' }),
    field({ name: 'config.stream_timeout_ms', label: 'Stream idle timeout (ms)', kind: 'number', min: 1, step: 1, value: cfg.stream_timeout_ms ?? '' }),
    field({ name: 'credentials.api_key', label: 'New API key', kind: 'password', hint: 'Leave empty to keep the stored key.' }),
    field({ name: 'is_enabled', label: 'Enabled', kind: 'checkbox', value: p.is_enabled }),
  ];
  return formDialog(`Edit ${p.name}`, fields, async (v) => {
    if (!v.name.trim()) throw invalid('name', 'The name cannot be empty.');
    const config = {};
    for (const [k, label] of [['config.max_concurrency', 'Max concurrent requests'], ['config.timeout_ms', 'Request timeout'], ['config.stream_timeout_ms', 'Stream idle timeout']]) {
      const n = wholeNumber(v, k, label, k.endsWith('concurrency') ? 0 : 1, 86400000);
      config[k.slice(7)] = n;
    }
    config.default_model = v['config.default_model'] || null;
    const body = { name: v.name.trim(), base_url: v.base_url.trim() || null, priority: wholeNumber(v, 'priority', 'Priority', -1000000, 1000000) || 0, is_enabled: v.is_enabled, config };
    if (v['credentials.api_key']) body.credentials = { api_key: v['credentials.api_key'].trim() };
    await api('PATCH', `/admin/providers/${encodeURIComponent(p.id)}`, body);
    toast(`Saved ${v.name.trim()}.`);
    onSaved();
  });
}

async function detectSection(onImported) {
  const box = h('div', { class: 'card' }, h('p', { class: 'muted', text: 'Looking for Ollama and provider keys on this machine…' }));
  try {
    const res = await api('GET', '/admin/providers/detect');
    clear(box);
    const found = res.data.filter((d) => d.found);
    box.appendChild(h('h2', { text: 'Found on this machine' }));
    if (!found.length) {
      box.appendChild(h('p', { class: 'muted', text: 'Nothing to import: no Ollama answered and no provider key is set in the gateway\'s environment.' }));
      return box;
    }
    box.appendChild(table([
      { label: 'Source', value: (d) => d.source },
      { label: 'Type', value: (d) => typeLabel(d.type) },
      { label: 'Models', value: (d) => (d.models && d.models.length ? d.models.slice(0, 4).join(', ') + (d.models.length > 4 ? ` +${d.models.length - 4}` : '') : '—') },
      { label: 'Import', value: (d) => button('Import', async (ev) => {
        ev.currentTarget.disabled = true;
        try {
          const r = await api('POST', '/admin/providers/import', { source: d.source });
          toast(`Imported ${(r.data && r.data.name) || d.source}.`);
          onImported();
        } catch (err) {
          toast(err.message, 'error');
          ev.target.disabled = false;
        }
      }, 'secondary small', { 'aria-label': `Import ${d.source}` }) },
    ], found));
  } catch (err) {
    clear(box).appendChild(h('p', { class: 'form-error', text: `Detection failed: ${err.message}` }));
  }
  return box;
}

export async function render(root, { isCurrent }) {
  const selected = new Set();
  const list = h('div');
  const bulkBar = h('div', { class: 'row', hidden: true });
  const addButton = button('Add provider', () => addDialog(refresh));
  const checkAll = button('Check health of all', async (ev) => {
    ev.currentTarget.disabled = true;
    try {
      const res = await api('POST', '/admin/providers/health', {});
      const ok = res.data.filter((r) => r.status === 'healthy').length;
      toast(`Health checked: ${ok} of ${res.data.length} healthy.`);
      await refresh();
    } finally {
      ev.target.disabled = false;
    }
  }, 'secondary');
  root.appendChild(pageHead('Providers', 'The accounts requests are sent to, tried by priority and health. Updated every 5 seconds.', checkAll, addButton));
  root.appendChild(bulkBar);
  root.appendChild(list);
  const detect = h('div', { class: 'section' });
  root.appendChild(detect);

  async function bulk(action) {
    const ids = [...selected];
    if (action === 'delete' && !(await confirmAction('Delete providers', `Delete ${ids.length} provider account(s)? Souls that use them fall back to other accounts.`))) return;
    const res = await api('POST', '/admin/providers/bulk', { action, ids });
    toast(`${action}: ${res.affected} account(s).`);
    if (action === 'delete') selected.clear();
    await refresh();
  }

  function renderBulk() {
    clear(bulkBar);
    bulkBar.hidden = selected.size === 0;
    bulkBar.appendChild(h('span', { class: 'muted', text: `${selected.size} selected:` }));
    for (const [label, action, kind] of [['Enable', 'enable', 'secondary small'], ['Disable', 'disable', 'secondary small'], ['Check health', 'health', 'secondary small'], ['Delete', 'delete', 'danger small']]) {
      bulkBar.appendChild(button(label, () => bulk(action), kind));
    }
    bulkBar.classList.add('toolbar');
  }

  async function refresh() {
    const res = await api('GET', '/admin/providers');
    if (!isCurrent()) return;
    const rows = res.data;
    for (const id of [...selected]) if (!rows.some((p) => p.id === id)) selected.delete(id);
    clear(list).appendChild(table([
      { label: 'Select', value: (p) => {
        const cb = h('input', { type: 'checkbox', 'aria-label': `Select ${p.name}`, checked: selected.has(p.id) });
        cb.addEventListener('change', () => { if (cb.checked) selected.add(p.id); else selected.delete(p.id); renderBulk(); });
        return cb;
      } },
      { label: 'Name', value: (p) => h('div', {}, h('strong', { text: p.name }), h('div', { class: 'small muted', text: `${typeLabel(p.type)} · ${p.auth_mode}` })) },
      { label: 'Priority', value: (p) => String(p.priority), cls: 'num hide-narrow' },
      { label: 'Status', value: (p) => (p.is_enabled ? healthBadge(p.health && p.health.status) : badge('disabled', 'neutral')) },
      { label: 'Circuit', value: circuitBadge, cls: 'hide-narrow' },
      { label: 'Rate limited', value: limitText, cls: 'hide-narrow' },
      { label: 'In flight', value: (p) => String(p.in_flight ?? 0), cls: 'num hide-narrow' },
      { label: 'Latency', value: (p) => fmt.ms(p.health && p.health.latency_ms), cls: 'num hide-narrow' },
      { label: 'Models', value: (p) => String((p.models || []).length), cls: 'num hide-narrow' },
      { label: 'Last error', value: (p) => (p.health && p.health.last_error) || '', cls: 'hide-narrow small' },
      { label: 'Actions', value: (p) => h('div', { class: 'row-actions' },
        button('Edit', () => editDialog(p, refresh), 'secondary small', { 'aria-label': `Edit ${p.name}` }),
        button('Check', async () => {
          const r = await api('POST', `/admin/providers/${encodeURIComponent(p.id)}/health`, {});
          toast(`${p.name}: ${r.status}${r.message ? ` (${r.message})` : ''}, ${fmt.ms(r.latency_ms)}.`, r.status === 'healthy' ? 'ok' : 'error');
          await refresh();
        }, 'secondary small', { 'aria-label': `Check health of ${p.name}` }),
        button(p.is_enabled ? 'Disable' : 'Enable', async () => {
          await api('PATCH', `/admin/providers/${encodeURIComponent(p.id)}`, { is_enabled: !p.is_enabled });
          toast(`${p.name} ${p.is_enabled ? 'disabled' : 'enabled'}.`);
          await refresh();
        }, 'secondary small', { 'aria-label': `${p.is_enabled ? 'Disable' : 'Enable'} ${p.name}` }),
        button('Delete', async () => {
          if (!(await confirmAction('Delete provider', `Delete ${p.name}? Its stored credentials are removed.`))) return;
          await api('DELETE', `/admin/providers/${encodeURIComponent(p.id)}`);
          toast(`Deleted ${p.name}.`);
          await refresh();
        }, 'danger small', { 'aria-label': `Delete ${p.name}` })) },
    ], rows, { empty: 'No provider yet. Add one with its API key, or import what this machine has below.' }));
    renderBulk();
  }

  await refresh();
  detect.appendChild(await detectSection(refresh));
  // A live update never pulls the focus away from a control in the table.
  return poll(() => (list.contains(document.activeElement) ? null : refresh()), 5000);
}
