// Keys: ohk_ keys with souls, limits, budgets and expiry; the secret is
// shown once with a copy button; edit, rotate, revoke, reactivate, delete;
// spend bars against the budgets.
import { api } from '../api.js';
import {
  h, clear, field, formDialog, confirmAction, openDialog, table, badge, bar, fmt, pageHead, button, toast,
  invalid, copyButton, snippet, wholeNumber,
} from '../dom.js';

function keyState(k) {
  if (k.expires_at && new Date(k.expires_at) <= new Date()) return badge('expired', 'warn');
  return k.is_enabled ? badge('active', 'ok') : badge('revoked', 'bad');
}

/// "2027-01-31T12:00" (datetime-local, the person's time zone) ↔ ISO.
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function dollarsToCents(values, name, label) {
  const v = values[name];
  if (v === null || v === undefined) return null;
  if (Number.isNaN(v) || v < 0 || v > 1e9) throw invalid(name, `${label} must be an amount in dollars, 0 or more.`);
  return Math.round(v * 100);
}

function keyForm(k, souls) {
  const soulBoxes = souls.map((s) => field({ name: `soul:${s.id}`, label: s.name, kind: 'checkbox', value: k ? k.soul_ids.includes(s.id) : false }));
  const soulGroup = h('fieldset', { class: 'field' }, h('legend', { class: 'label', text: 'Souls this key may use' }),
    h('span', { class: 'hint', text: souls.length ? 'None checked: every soul and the plain endpoints.' : 'No soul exists yet: the key uses the plain endpoints.' }),
    h('div', { class: 'row' }, soulBoxes.map((b) => b.el)));
  const fields = [
    field({ name: 'name', label: 'Name', value: k ? k.name : '', required: true, placeholder: 'e.g. laptop, ci, billing-service' }),
    field({ name: 'api_format', label: 'Client dialect', kind: 'select', value: k ? k.api_format : 'openai',
      options: [{ value: 'openai', label: 'OpenAI compatible' }, { value: 'anthropic', label: 'Anthropic compatible' }, { value: 'openclaw', label: 'OpenClaw' }],
      hint: 'A label for people: every key can use both dialects.' }),
    field({ name: 'rate_limit_rpm', label: 'Requests per minute', kind: 'number', min: 1, step: 1, value: k ? k.rate_limit_rpm ?? '' : '', hint: 'Empty: unlimited.' }),
    field({ name: 'rate_limit_tpm', label: 'Tokens per minute', kind: 'number', min: 1, step: 1, value: k ? k.rate_limit_tpm ?? '' : '', hint: 'Empty: unlimited.' }),
    field({ name: 'max_concurrency', label: 'Concurrent requests', kind: 'number', min: 1, step: 1, value: k ? k.max_concurrency ?? '' : '', hint: 'Empty: unlimited.' }),
    field({ name: 'daily_budget_cents', label: 'Daily budget ($)', kind: 'number', min: 0, step: 0.01, value: k && k.daily_budget_cents !== null ? k.daily_budget_cents / 100 : '', hint: 'Empty: no budget. UTC days.' }),
    field({ name: 'monthly_budget_cents', label: 'Monthly budget ($)', kind: 'number', min: 0, step: 0.01, value: k && k.monthly_budget_cents !== null ? k.monthly_budget_cents / 100 : '' }),
    field({ name: 'expires_at', label: 'Expires', kind: 'datetime', value: k ? toLocalInput(k.expires_at) : '', hint: 'Your local time. Empty: never.' }),
  ];
  return { fields: [...fields, ...soulBoxes], extra: soulGroup, visible: fields };
}

function bodyFrom(v, souls) {
  if (!v.name.trim()) throw invalid('name', 'Give the key a name, so its requests can be found in the logs.');
  let expires = null;
  if (v.expires_at) {
    const d = new Date(v.expires_at);
    if (Number.isNaN(d.getTime())) throw invalid('expires_at', 'Not a date and time.');
    expires = d.toISOString();
  }
  return {
    name: v.name.trim(),
    api_format: v.api_format,
    rate_limit_rpm: wholeNumber(v, 'rate_limit_rpm', 'Requests per minute', 1, 1e9),
    rate_limit_tpm: wholeNumber(v, 'rate_limit_tpm', 'Tokens per minute', 1, 1e12),
    max_concurrency: wholeNumber(v, 'max_concurrency', 'Concurrent requests', 1, 1e6),
    daily_budget_cents: dollarsToCents(v, 'daily_budget_cents', 'The daily budget'),
    monthly_budget_cents: dollarsToCents(v, 'monthly_budget_cents', 'The monthly budget'),
    expires_at: expires,
    soul_ids: souls.filter((s) => v[`soul:${s.id}`]).map((s) => s.id),
  };
}

/// Apps on this machine the gateway can point at itself with this key
/// (OpenClaw today), as the original's "Auto-Connect".
async function connectButtons(key) {
  const box = h('div', { class: 'row' });
  const res = await api('GET', '/admin/connect/detect');
  for (const app of res.apps.filter((a) => a.detected)) {
    const status = h('span', { class: 'small muted', role: 'status' });
    box.append(button(`Connect ${app.name} with this key`, async (ev) => {
      ev.currentTarget.disabled = true;
      try {
        await api('POST', '/admin/connect', { app: app.id, api_key: key });
        status.textContent = `${app.name} now uses this gateway (${app.configPath}; the old file was copied aside).`;
      } catch (err) {
        status.textContent = `${app.name} was not changed: ${err.message}`;
        ev.target.disabled = false;
      }
    }, 'secondary'), status);
  }
  return box.childElementCount ? h('div', { class: 'stack' }, h('h3', { text: 'Connect an app on this machine' }), box) : null;
}

async function showSecret(title, key) {
  const base = `${location.origin}/v1`;
  const apps = await connectButtons(key);
  const content = h('div', { class: 'stack' },
    h('p', { class: 'callout', text: 'Copy this key now: it is stored only as a hash and cannot be shown again.' }),
    h('div', { class: 'secret' }, h('code', { id: 'new-key-secret', text: key }), copyButton(() => key, 'Copy key')),
    h('h3', { text: 'Try it' }),
    snippet(`curl ${base}/chat/completions \\\n  -H "Authorization: Bearer ${key}" \\\n  -H "Content-Type: application/json" \\\n  -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`, 'curl with the new key'), apps);
  return openDialog({ title, content, actions: [{ label: 'I have copied it', value: true }] });
}

export async function render(root, { isCurrent }) {
  const list = h('div');
  let souls = [];
  root.appendChild(pageHead('Keys', 'The ohk_ keys your apps use, with their limits and spend.',
    button('Create key', async () => {
      const f = keyForm(null, souls);
      let created = null;
      await formDialog('Create a key', f.fields, async (v) => {
        const res = await api('POST', '/admin/keys', bodyFrom(v, souls));
        created = res.data;
      }, { submitLabel: 'Create key', extra: f.extra });
      if (created) {
        await refresh();
        await showSecret(`Key ${created.name} created`, created.key);
      }
    })));
  root.appendChild(list);

  async function act(k, verb, path, message, confirmText) {
    if (confirmText && !(await confirmAction(`${verb} ${k.name}`, confirmText, verb))) return null;
    const res = await api(path === '' ? 'DELETE' : 'POST', `/admin/keys/${encodeURIComponent(k.id)}${path}`, path === '' ? undefined : {});
    toast(message);
    await refresh();
    return res;
  }

  async function refresh() {
    const [keys, soulRes] = await Promise.all([api('GET', '/admin/keys'), api('GET', '/admin/souls')]);
    if (!isCurrent()) return;
    souls = soulRes.data;
    const sname = (id) => (souls.find((s) => s.id === id) || { name: id }).name;
    clear(list).appendChild(table([
      { label: 'Name', value: (k) => h('div', {}, h('strong', { text: k.name }), h('div', { class: 'small muted mono', text: `${k.key_prefix}…${k.last4} · ${k.api_format}` })) },
      { label: 'Status', value: keyState },
      { label: 'Souls', value: (k) => (k.soul_ids.length ? k.soul_ids.map(sname).join(', ') : 'all'), cls: 'hide-narrow' },
      { label: 'Limits', value: (k) => [k.rate_limit_rpm ? `${k.rate_limit_rpm} rpm` : null, k.rate_limit_tpm ? `${fmt.int(k.rate_limit_tpm)} tpm` : null, k.max_concurrency ? `${k.max_concurrency} at once` : null].filter(Boolean).join(' · ') || 'none', cls: 'hide-narrow small' },
      { label: 'Spend today', value: (k) => h('div', { class: 'stack small' }, `${fmt.dollars(k.spent_today_cents)}${k.daily_budget_cents !== null ? ` of ${fmt.dollars(k.daily_budget_cents)}` : ''}`, bar(k.spent_today_cents, k.daily_budget_cents, `Daily budget used by ${k.name}`)) },
      { label: 'Spend this month', value: (k) => h('div', { class: 'stack small' }, `${fmt.dollars(k.spent_month_cents)}${k.monthly_budget_cents !== null ? ` of ${fmt.dollars(k.monthly_budget_cents)}` : ''}`, bar(k.spent_month_cents, k.monthly_budget_cents, `Monthly budget used by ${k.name}`)), cls: 'hide-narrow' },
      { label: 'Requests', value: (k) => fmt.int(k.total_requests), cls: 'num hide-narrow' },
      { label: 'Last used', value: (k) => fmt.ago(k.last_used_at), cls: 'hide-narrow small' },
      { label: 'Expires', value: (k) => (k.expires_at ? fmt.time(k.expires_at) : 'never'), cls: 'hide-narrow small' },
      { label: 'Actions', value: (k) => h('div', { class: 'row-actions' },
        button('Edit', () => {
          const f = keyForm(k, souls);
          return formDialog(`Edit ${k.name}`, f.fields, async (v) => {
            await api('PATCH', `/admin/keys/${encodeURIComponent(k.id)}`, bodyFrom(v, souls));
            toast(`Saved ${v.name.trim()}.`);
            await refresh();
          }, { extra: f.extra });
        }, 'secondary small', { 'aria-label': `Edit ${k.name}` }),
        button('Rotate', async () => {
          const res = await act(k, 'Rotate', '/rotate', `${k.name} rotated: the old secret no longer works.`,
            `Issue a new secret for ${k.name}? The current one stops working at once; the settings stay.`);
          if (res) await showSecret(`New secret for ${k.name}`, res.data.key);
        }, 'secondary small', { 'aria-label': `Rotate ${k.name}` }),
        k.is_enabled
          ? button('Revoke', () => act(k, 'Revoke', '/revoke', `${k.name} revoked.`, `Revoke ${k.name}? Apps using it get 401 until it is reactivated.`), 'danger small', { 'aria-label': `Revoke ${k.name}` })
          : button('Reactivate', () => act(k, 'Reactivate', '/reactivate', `${k.name} reactivated.`), 'secondary small', { 'aria-label': `Reactivate ${k.name}` }),
        button('Delete', () => act(k, 'Delete', '', `Deleted ${k.name}.`, `Delete ${k.name} for good? Its log rows stay.`), 'danger small', { 'aria-label': `Delete ${k.name}` })) },
    ], keys.data, { empty: 'No key yet. Create one for each app, so limits, budgets and logs are per app.' }));
  }
  await refresh();
  return null;
}
