// Souls: personas with their own endpoint — every field, the fallback chain
// in order, the response schema, and copyable snippets for the endpoint.
import { api } from '../api.js';
import {
  h, clear, field, formDialog, confirmAction, openDialog, table, badge, pageHead, button, toast, invalid,
  snippet, setOptions, wholeNumber,
} from '../dom.js';

/// An ordered list of provider ids with add, move up and remove.
function chainEditor(providers, initial) {
  const chain = [...initial];
  const list = h('ol');
  const pick = h('select', { id: 'chain-pick', 'aria-label': 'Provider to add to the fallback chain' });
  const name = (id) => (providers.find((p) => p.id === id) || { name: id }).name;
  function draw() {
    clear(list);
    chain.forEach((id, i) => {
      list.appendChild(h('li', {}, h('span', { text: name(id) }),
        i > 0 ? button('Up', () => { [chain[i - 1], chain[i]] = [chain[i], chain[i - 1]]; draw(); }, 'quiet small', { 'aria-label': `Move ${name(id)} up` }) : null,
        button('Remove', () => { chain.splice(i, 1); draw(); }, 'quiet small', { 'aria-label': `Remove ${name(id)} from the chain` })));
    });
    const left = providers.filter((p) => !chain.includes(p.id));
    setOptions(pick, left.map((p) => ({ value: p.id, label: p.name })));
    pick.disabled = addBtn.disabled = left.length === 0;
  }
  const addBtn = button('Add to chain', () => { if (pick.value) { chain.push(pick.value); draw(); } }, 'secondary small');
  const el = h('div', { class: 'field chain' },
    h('span', { class: 'label', id: 'chain-label', text: 'Fallback chain' }),
    h('span', { class: 'hint', text: 'Accounts tried in this order when the soul\'s provider fails. Empty: any healthy account.' }),
    list, h('div', { class: 'row' }, pick, addBtn));
  draw();
  return { el, name: 'fallback_chain', get: () => [...chain], set() {}, error(msg) { if (msg) toast(msg, 'error'); }, input: pick };
}

/// Resolves with the saved soul once its dialog has closed (null: cancelled).
function soulDialog(soul, providers) {
  const s = soul || {};
  const providerOptions = [{ value: '', label: 'Any (by priority and health)' }, ...providers.map((p) => ({ value: p.id, label: p.name }))];
  const fields = [
    field({ name: 'name', label: 'Name', value: s.name || '', required: true }),
    field({ name: 'slug', label: 'Slug', value: s.slug || '', hint: 'The endpoint path: /v1/souls/<slug>/… Empty: made from the name.' }),
    field({ name: 'description', label: 'Description', value: s.description || '' }),
    field({ name: 'system_prompt', label: 'System prompt', kind: 'textarea', rows: 6, value: s.system_prompt || '' }),
    field({ name: 'provider_id', label: 'Provider', kind: 'select', options: providerOptions, value: s.provider_id || '' }),
    field({ name: 'model', label: 'Model', value: s.model || '', hint: 'Empty: the client\'s model, else the provider\'s default.' }),
    field({ name: 'temperature', label: 'Temperature', kind: 'number', min: 0, max: 2, step: 0.1, value: s.temperature ?? '' }),
    field({ name: 'max_tokens', label: 'Max tokens', kind: 'number', min: 1, step: 1, value: s.max_tokens ?? '' }),
    chainEditor(providers, s.fallback_chain || []),
    field({ name: 'strict_chain', label: 'Only the chain (no other accounts)', kind: 'checkbox', value: s.strict_chain }),
    field({ name: 'response_schema', label: 'Response schema (JSON Schema)', kind: 'code', value: s.response_schema ? JSON.stringify(s.response_schema, null, 2) : '',
      hint: 'Optional. Answers are asked to match it and marked schema_valid.' }),
    field({ name: 'is_enabled', label: 'Enabled', kind: 'checkbox', value: soul ? s.is_enabled : true }),
  ];
  return formDialog(soul ? `Edit ${s.name}` : 'New soul', fields, async (v) => {
    if (!v.name.trim()) throw invalid('name', 'Give the soul a name.');
    if (!v.system_prompt.trim()) throw invalid('system_prompt', 'A soul needs its system prompt.');
    if (v.slug && !/^[a-z0-9][a-z0-9-]*$/.test(v.slug)) throw invalid('slug', 'Use lower-case letters, digits and dashes.');
    let schema = null;
    if (v.response_schema.trim()) {
      try { schema = JSON.parse(v.response_schema); } catch (err) { throw invalid('response_schema', `Not valid JSON: ${err.message}`); }
      if (typeof schema !== 'object' || Array.isArray(schema) || schema === null) throw invalid('response_schema', 'A JSON Schema is an object.');
    }
    if (v.temperature !== null && (Number.isNaN(v.temperature) || v.temperature < 0 || v.temperature > 2)) throw invalid('temperature', 'Temperature is between 0 and 2.');
    const body = {
      name: v.name.trim(), description: v.description.trim() || null, system_prompt: v.system_prompt,
      provider_id: v.provider_id || null, model: v.model.trim() || null, temperature: v.temperature,
      max_tokens: wholeNumber(v, 'max_tokens', 'Max tokens', 1, 10000000), fallback_chain: v.fallback_chain,
      strict_chain: v.strict_chain, response_schema: schema, is_enabled: v.is_enabled,
    };
    if (v.slug) body.slug = v.slug;
    const res = soul ? await api('PATCH', `/admin/souls/${encodeURIComponent(s.id)}`, body) : await api('POST', '/admin/souls', body);
    toast(soul ? `Saved ${res.data.name}.` : `Created ${res.data.name}: ${res.data.endpoint}`);
    return res.data;
  }, { submitLabel: soul ? 'Save' : 'Create soul' });
}

export function usageSnippets(soul) {
  const base = location.origin;
  const url = `${base}${soul.endpoint}`;
  const curl = `curl ${url} \\\n  -H "Authorization: Bearer $OPENHINGE_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d '{"messages":[{"role":"user","content":"Hello"}]}'`;
  const node = `import OpenAI from 'openai';\n\nconst client = new OpenAI({\n  baseURL: '${base}/v1/souls/${soul.slug}',\n  apiKey: process.env.OPENHINGE_KEY,\n});\nconst reply = await client.chat.completions.create({\n  model: '${soul.model || 'default'}',\n  messages: [{ role: 'user', content: 'Hello' }],\n});\nconsole.log(reply.choices[0].message.content);`;
  const py = `from openai import OpenAI\n\nclient = OpenAI(base_url="${base}/v1/souls/${soul.slug}", api_key=os.environ["OPENHINGE_KEY"])\nreply = client.chat.completions.create(\n    model="${soul.model || 'default'}",\n    messages=[{"role": "user", "content": "Hello"}],\n)\nprint(reply.choices[0].message.content)`;
  return h('div', { class: 'stack' },
    h('p', {}, 'Endpoint: ', h('code', { text: url })),
    h('p', { class: 'small muted', text: 'Any key allowed to use this soul works; the header X-OpenHinge-Soul: ' + soul.slug + ' on /v1/chat/completions does the same.' }),
    h('h3', { text: 'curl' }), snippet(curl, 'curl example'),
    h('h3', { text: 'Node (openai SDK)' }), snippet(node, 'Node example'),
    h('h3', { text: 'Python (openai SDK)' }), snippet(`import os\n${py}`, 'Python example'));
}

export async function render(root, { isCurrent }) {
  const list = h('div');
  let providers = [];
  root.appendChild(pageHead('Souls', 'Personas with a system prompt, model and provider, each with its own endpoint.',
    button('New soul', async () => {
      const created = await soulDialog(null, providers);
      if (!created) return;
      await refresh();
      await showUse(created);
    })));
  root.appendChild(list);

  function showUse(soul) {
    return openDialog({ title: `Use ${soul.name}`, content: usageSnippets(soul) });
  }

  async function refresh() {
    const [souls, provs] = await Promise.all([api('GET', '/admin/souls'), api('GET', '/admin/providers')]);
    if (!isCurrent()) return;
    providers = provs.data;
    const pname = (id) => (providers.find((p) => p.id === id) || { name: id }).name;
    clear(list).appendChild(table([
      { label: 'Name', value: (s) => h('div', {}, h('strong', { text: s.name }), s.description ? h('div', { class: 'small muted', text: s.description }) : null) },
      { label: 'Endpoint', value: (s) => h('code', { class: 'small', text: s.endpoint }), cls: 'hide-narrow' },
      { label: 'Provider', value: (s) => (s.provider_id ? pname(s.provider_id) : 'any'), cls: 'hide-narrow' },
      { label: 'Model', value: (s) => s.model || 'client\'s', cls: 'hide-narrow' },
      { label: 'Fallback', value: (s) => (s.fallback_chain.length ? s.fallback_chain.map(pname).join(' → ') : ''), cls: 'hide-narrow' },
      { label: 'Schema', value: (s) => (s.response_schema ? badge('yes', 'ok') : ''), cls: 'hide-narrow' },
      { label: 'Status', value: (s) => (s.is_enabled ? badge('enabled', 'ok') : badge('disabled', 'neutral')) },
      { label: 'Actions', value: (s) => h('div', { class: 'row-actions' },
        button('Use', () => showUse(s), 'secondary small', { 'aria-label': `How to use ${s.name}` }),
        button('Edit', async () => { if (await soulDialog(s, providers)) await refresh(); }, 'secondary small', { 'aria-label': `Edit ${s.name}` }),
        button('Delete', async () => {
          if (!(await confirmAction('Delete soul', `Delete ${s.name}? Its endpoint ${s.endpoint} stops working.`))) return;
          await api('DELETE', `/admin/souls/${encodeURIComponent(s.id)}`);
          toast(`Deleted ${s.name}.`);
          await refresh();
        }, 'danger small', { 'aria-label': `Delete ${s.name}` })) },
    ], souls.data, { empty: 'No soul yet. A soul gives an app a persona and its own endpoint; plain /v1/chat/completions works without one.' }));
  }
  await refresh();
  return null;
}
