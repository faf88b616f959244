// Settings: general, routing and health (values a flag, the environment
// or the config file fixes are read-only), the password, sessions, the
// admin token, and the audit trail.
import { api, auth, setSession, query } from '../api.js';
import { h, clear, field, form, table, confirmAction, openDialog, fmt, pageHead, button, toast, copyButton, invalid, wholeNumber } from '../dom.js';

const GROUPS = [
  { key: 'general', title: 'General', fields: [
    { name: 'name', label: 'Gateway name', kind: 'text' },
    { name: 'timezone', label: 'Time zone shown in reports', kind: 'text', hint: 'An IANA name such as Europe/Berlin; stored values stay UTC.' }] },
  { key: 'routing', title: 'Routing', fields: [
    { name: 'max_attempts', label: 'Accounts tried per request', kind: 'number', min: 1, max: 10, int: true, hint: 'Fallback moves on to the next account before the first byte.' }] },
  { key: 'health', title: 'Health', fields: [
    { name: 'interval_s', label: 'Health check interval (s)', kind: 'number', min: 5, int: true, hint: 'Model listings only: no generation quota is spent.' },
    { name: 'breaker_failures', label: 'Failures that open a circuit', kind: 'number', min: 1, int: true },
    { name: 'breaker_cooldown_s', label: 'Circuit cool-down (s)', kind: 'number', min: 1, int: true }] },
];

async function settingsGroup(g) {
  const res = await api('GET', `/admin/settings/${g.key}`);
  const readOnly = new Set(res.read_only || []);
  const fields = g.fields.map((d) => field({
    ...d, value: res.data[d.name], readonly: readOnly.has(d.name),
    hint: readOnly.has(d.name) ? `Fixed by ${res.sources[d.name]}; change it there.` : d.hint,
  }));
  const f = form(fields, {
    submitLabel: `Save ${g.title.toLowerCase()}`,
    onSubmit: async (v) => {
      const body = {};
      for (const d of g.fields) {
        if (readOnly.has(d.name)) continue;
        body[d.name] = d.int ? wholeNumber(v, d.name, d.label, d.min ?? 0, d.max ?? 1e9) : v[d.name];
        if (d.int && body[d.name] === null) throw invalid(d.name, `${d.label} is required.`);
      }
      await api('PUT', `/admin/settings/${g.key}`, body);
      toast(`${g.title} settings saved.`);
    },
  });
  return h('section', { class: 'card stack', 'aria-labelledby': `set-${g.key}` }, h('h2', { id: `set-${g.key}`, text: g.title }), f.el);
}

async function passwordSection() {
  const status = await auth.status();
  if (!status.hasPassword) {
    const pw = field({ name: 'password', label: 'New password', kind: 'password', autocomplete: 'new-password' });
    const token = field({ name: 'setup_token', label: 'Admin token', kind: 'password', hint: 'The contents of admin.token in the data directory.' });
    const f = form([pw, token], {
      submitLabel: 'Set password',
      onSubmit: async (v) => {
        if (v.password.length < 10) throw invalid('password', 'Use at least 10 characters.');
        const res = await auth.setup({ password: v.password, setup_token: v.setup_token });
        setSession(res.csrf);
        toast('Password set. Log in with it from now on.');
      },
    });
    return h('section', { class: 'card stack', 'aria-labelledby': 'set-pw' }, h('h2', { id: 'set-pw', text: 'Password' }),
      h('p', { class: 'muted', text: 'No password is set: only the admin token opens the dashboard.' }), f.el);
  }
  const cur = field({ name: 'current_password', label: 'Current password', kind: 'password', autocomplete: 'current-password' });
  const next = field({ name: 'new_password', label: 'New password', kind: 'password', autocomplete: 'new-password', hint: '10 characters or more. Every other session ends.' });
  const again = field({ name: 'again', label: 'Repeat the new password', kind: 'password', autocomplete: 'new-password' });
  const f = form([cur, next, again], {
    submitLabel: 'Change password',
    onSubmit: async (v, formApi) => {
      if (!v.current_password) throw invalid('current_password', 'Enter the current password.');
      if (v.new_password.length < 10) throw invalid('new_password', 'Use at least 10 characters.');
      if (v.new_password !== v.again) throw invalid('again', 'The two passwords differ.');
      const res = await api('POST', '/admin/auth/change-password', { current_password: v.current_password, new_password: v.new_password });
      if (res && res.csrf) setSession(res.csrf);
      for (const x of Object.values(formApi.fields)) x.set('');
      toast('Password changed; other sessions have ended.');
    },
  });
  return h('section', { class: 'card stack', 'aria-labelledby': 'set-pw' }, h('h2', { id: 'set-pw', text: 'Password' }), f.el);
}

function sessionsSection() {
  const box = h('div');
  async function load() {
    const res = await api('GET', '/admin/auth/sessions');
    clear(box).appendChild(table([
      { label: 'Started', value: (s) => fmt.time(s.created_at) },
      { label: 'Last seen', value: (s) => fmt.ago(s.last_seen), cls: 'hide-narrow' },
      { label: 'From', value: (s) => h('div', {}, s.ip || '', h('div', { class: 'small muted', text: s.user_agent || '' })), cls: 'hide-narrow' },
      { label: 'Expires', value: (s) => fmt.time(s.expires_at), cls: 'hide-narrow' },
      { label: 'Action', value: (s) => (s.current ? 'this browser' : button('End', async () => {
        await api('DELETE', `/admin/auth/sessions/${encodeURIComponent(s.id)}`);
        toast('Session ended.');
        await load();
      }, 'danger small', { 'aria-label': `End the session started ${fmt.time(s.created_at)}` })) },
    ], res.data, { empty: 'No browser session (you are using the admin token).' }));
  }
  const endOthers = button('End all other sessions', async () => {
    if (!(await confirmAction('End other sessions', 'Log out every other browser?', 'End them'))) return;
    await api('DELETE', '/admin/auth/sessions');
    toast('Other sessions ended.');
    await load();
  }, 'danger small');
  return { el: h('section', { class: 'card stack', 'aria-labelledby': 'set-sessions' },
    h('div', { class: 'page-head' }, h('h2', { id: 'set-sessions', text: 'Sessions' }), endOthers), box), load };
}

function tokenSection() {
  return h('section', { class: 'card stack', 'aria-labelledby': 'set-token' }, h('h2', { id: 'set-token', text: 'Admin token' }),
    h('p', { class: 'muted', text: 'Scripts and the CLI use the admin token (admin.token in the data directory). Rotating it stops the old one at once.' }),
    h('div', {}, button('Rotate admin token', async () => {
      if (!(await confirmAction('Rotate the admin token', 'Issue a new admin token? Scripts using the old one get 401 until they use the new one.', 'Rotate'))) return;
      const res = await api('POST', '/admin/auth/rotate-token', {});
      await openDialog({ title: 'New admin token', content: h('div', { class: 'stack' },
        h('p', { class: 'callout', text: 'It is also written to admin.token. Copy it now for scripts elsewhere.' }),
        h('div', { class: 'secret' }, h('code', { text: res.token }), copyButton(() => res.token, 'Copy token'))) });
    }, 'danger')));
}

function auditSection() {
  const box = h('div');
  const older = button('Older', () => load(cursor), 'quiet');
  let cursor = null;
  async function load(before) {
    const res = await api('GET', `/admin/audit${query({ limit: 20, before })}`);
    cursor = res.next;
    older.disabled = !res.next;
    clear(box).appendChild(table([
      { label: 'When', value: (a) => fmt.time(a.created_at) },
      { label: 'Who', value: (a) => a.actor },
      { label: 'What', value: (a) => `${a.action} ${a.target_type}` },
      { label: 'Target', value: (a) => h('span', { class: 'mono small', text: a.target_id || '' }), cls: 'hide-narrow' },
      { label: 'Detail', value: (a) => (a.detail && Object.keys(a.detail).length ? JSON.stringify(a.detail) : ''), cls: 'hide-narrow small' },
    ], res.data, { empty: 'No change recorded yet.' }));
  }
  return { el: h('section', { class: 'card stack', 'aria-labelledby': 'set-audit' }, h('h2', { id: 'set-audit', text: 'Audit trail' }), box,
    h('div', { class: 'pager' }, button('Newest', () => load(null), 'quiet'), older)), load };
}

export async function render(root) {
  root.appendChild(pageHead('Settings', 'Changes apply at once, without a restart.'));
  const grid = h('div', { class: 'grid-2' });
  root.appendChild(grid);
  for (const g of GROUPS) grid.appendChild(await settingsGroup(g));
  grid.appendChild(await passwordSection());
  const sessions = sessionsSection();
  const audit = auditSection();
  root.appendChild(h('div', { class: 'stack section' }, sessions.el, tokenSection(), audit.el));
  await Promise.all([sessions.load(), audit.load(null)]);
  return null;
}
