// Providers: the accounts with their live health, circuit and limit state;
// add by API key (tested before saving), sign in with a subscription (the
// browser login, or a pasted Claude token), import from this machine (keys,
// Ollama, and the logins of Claude Code, Codex and gcloud), edit,
// enable/disable, health checks, delete, bulk actions.
import { api, query } from '../api.js';
import {
  h, clear, field, form, formDialog, openDialog, confirmAction, copyButton, table, badge, healthBadge,
  fmt, pageHead, button, toast, poll, invalid, setOptions, uid, wholeNumber,
} from '../dom.js';

const TYPES = [
  { value: 'claude', label: 'Claude (Anthropic)' },
  { value: 'openai', label: 'OpenAI' },
  { value: 'gemini', label: 'Gemini (Google)' },
  { value: 'ollama', label: 'Ollama (local models)' },
  { value: 'openai_compatible', label: 'OpenAI-compatible (any base URL)' },
];
const typeLabel = (t) => (TYPES.find((x) => x.value === t) || { label: t }).label;

/// The subscriptions a browser login exists for (POST /admin/providers/auth/start).
const SUBSCRIPTIONS = [
  { value: 'claude', label: 'Claude', plan: 'Pro or Max' },
  { value: 'openai', label: 'ChatGPT', plan: 'Plus or Pro' },
  { value: 'gemini', label: 'Google Gemini', plan: 'Google account' },
];
const subscriptionLabel = (t) => (SUBSCRIPTIONS.find((x) => x.value === t) || { label: t }).label;

/// The CLI a borrowed account follows, by its type (as the gateway decides).
const CLI_LABELS = { claude: 'Claude Code', openai: 'Codex CLI', gemini: 'gcloud' };

/// "api key", "subscription", "borrowed from Claude Code".
function authModeText(p) {
  if (p.auth_mode === 'oauth') return 'subscription';
  if (p.auth_mode === 'borrowed') return `borrowed from ${CLI_LABELS[p.type] || 'a CLI'}`;
  return p.credentials_set && p.credentials_set.length ? 'API key' : 'no key';
}

/// "in 5 min", "in 3 h", "in 12 d".
function fromNow(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `in ${Math.max(s, 0)} s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}

/// "token expires in 58 min" / "token expired 3 min ago"; null without one.
function expiryText(iso) {
  if (!iso) return null;
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return null;
  return at > Date.now() ? `token expires ${fromNow(at - Date.now())}` : `token expired ${fmt.ago(iso)}`;
}

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
    hint: 'Higher is tried first.' });
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
  const usesKey = !p.auth_mode || p.auth_mode === 'api_key';
  const expiry = expiryText(p.expiry);
  const fields = [
    usesKey ? null : h('p', { class: 'callout small', text: `${p.auth_mode === 'borrowed'
      ? `This account follows the login of ${CLI_LABELS[p.type] || 'a CLI'} on the gateway's machine`
      : 'This account uses a subscription login'}${expiry ? ` (${expiry})` : ''}. `
      + 'To use another login, sign in again and delete this account.' }),
    field({ name: 'name', label: 'Name', value: p.name }),
    field({ name: 'base_url', label: 'Base URL', value: p.base_url || '' }),
    field({ name: 'priority', label: 'Priority', kind: 'number', step: 1, value: p.priority, hint: 'Higher is tried first.' }),
    field({ name: 'config.default_model', label: 'Default model', kind: 'select',
      options: [{ value: '', label: '(none)' }, ...[...new Set([...(p.models || []), cfg.default_model].filter(Boolean))].map((m) => ({ value: m, label: m }))],
      value: cfg.default_model || '' }),
    field({ name: 'config.max_concurrency', label: 'Max concurrent requests', kind: 'number', min: 0, step: 1, value: cfg.max_concurrency ?? '', hint: 'Empty or 0: no limit.' }),
    field({ name: 'config.timeout_ms', label: 'Request timeout (ms)', kind: 'number', min: 1, step: 1, value: cfg.timeout_ms ?? '' }),
    field({ name: 'config.stream_timeout_ms', label: 'Stream idle timeout (ms)', kind: 'number', min: 1, step: 1, value: cfg.stream_timeout_ms ?? '' }),
    usesKey ? field({ name: 'credentials.api_key', label: 'New API key', kind: 'password', hint: 'Leave empty to keep the stored key.' }) : null,
    field({ name: 'is_enabled', label: 'Enabled', kind: 'checkbox', value: p.is_enabled }),
  ].filter(Boolean);
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

// -- subscriptions -------------------------------------------------------------

/// A pasted Claude subscription token (`claude setup-token`): POST
/// /admin/providers/claude-oauth.
function claudeTokenDialog(onSaved) {
  const fields = [
    field({ name: 'access_token', label: 'Access token', kind: 'password', required: true,
      hint: 'Run "claude setup-token" where Claude Code is signed in and paste the token it prints (sk-ant-oat01-…).' }),
    field({ name: 'refresh_token', label: 'Refresh token (optional)', kind: 'password',
      hint: 'With one, the gateway renews the access token itself. Without, the account stops at the token\'s expiry.' }),
    field({ name: 'expires_at', label: 'Token expires (optional)', kind: 'datetime' }),
    field({ name: 'name', label: 'Name', value: 'Claude (Subscription)' }),
  ];
  return formDialog('Paste a Claude token', fields, async (v) => {
    const token = v.access_token.trim();
    if (!token) throw invalid('access_token', 'Paste the token.');
    const body = { access_token: token };
    if (v.refresh_token.trim()) body.refresh_token = v.refresh_token.trim();
    if (v.expires_at) {
      const at = new Date(v.expires_at).getTime();
      if (Number.isNaN(at)) throw invalid('expires_at', 'Not a date and time.');
      body.expires_at = at;
    }
    if (v.name.trim()) body.name = v.name.trim();
    const res = await api('POST', '/admin/providers/claude-oauth', body);
    toast(`Added ${res.data.name}.`);
    onSaved();
  }, { submitLabel: 'Add account' });
}

const FLOW_KEY = 'openhinge.login';

/// "Sign in with a subscription": choose Claude, ChatGPT or Google Gemini,
/// open the sign-in page the gateway made, and either let the gateway's
/// callback notice the login (polled every 2 s) or paste the address the
/// browser ended on. Returns {el, stop}.
function subscriptionSection(onAdded, isCurrent) {
  const titleId = uid('subs-title');
  const el = h('section', { class: 'card section', 'aria-labelledby': titleId });
  const notice = h('div', { class: 'notice', role: 'status' });
  let flow = null; // the login shown: the start answer
  let timer = null;
  let stopped = false;

  // The choice.
  const choiceError = h('span', { class: 'error', id: uid('subs-error'), hidden: true });
  const radios = SUBSCRIPTIONS.map((s, i) => {
    const id = uid(`subs-${s.value}`);
    const input = h('input', { type: 'radio', id, name: 'subscription', value: s.value, checked: i === 0,
      'aria-describedby': choiceError.id });
    input.addEventListener('change', () => showChoiceError(''));
    return { s, input, el: h('label', { class: 'choice', for: id }, input, h('span', {}, h('strong', { text: s.label }),
      h('span', { class: 'small muted', text: ` ${s.plan}` }))) };
  });
  const startButton = button('Start sign-in', () => start(), '');
  const choice = h('div', { class: 'stack' },
    h('fieldset', { class: 'field choices' }, h('legend', { text: 'Subscription' }), h('div', { class: 'row' }, radios.map((r) => r.el)), choiceError),
    h('div', { class: 'row' }, startButton, button('Paste a Claude token', () => { say(null, ''); claudeTokenDialog(onAdded); }, 'secondary')));
  function showChoiceError(message) {
    choiceError.textContent = message || '';
    choiceError.hidden = !message;
  }

  // The login under way.
  const panel = h('div', { class: 'stack login-flow' });

  el.append(
    h('h2', { id: titleId, text: 'Sign in with a subscription' }),
    h('p', { class: 'muted', text: 'Use a Claude, ChatGPT or Google Gemini subscription instead of an API key. '
      + 'The gateway keeps the tokens and renews them itself.' }),
    notice, choice, panel);
  panel.hidden = true;

  function say(kind, text) {
    clear(notice);
    if (text) notice.appendChild(h('p', { class: kind === 'error' ? 'callout bad' : 'callout ok', text }));
  }

  function stopPolling() {
    if (timer) { clearInterval(timer); timer = null; }
  }

  /// After the panel went away with the focus in it, the focus goes to the
  /// start button (never taken from elsewhere on the page).
  function refocus() {
    if (!document.activeElement || document.activeElement === document.body) startButton.focus();
  }

  function forget() {
    stopPolling();
    flow = null;
    sessionStorage.removeItem(FLOW_KEY);
    clear(panel);
    panel.hidden = true;
    choice.hidden = false;
  }

  async function start() {
    const type = (radios.find((r) => r.input.checked) || radios[0]).s.value;
    showChoiceError('');
    say(null, '');
    startButton.disabled = true;
    try {
      const res = await api('POST', '/admin/providers/auth/start', { type });
      if (stopped) return;
      show(res);
    } catch (err) {
      showChoiceError(err.message);
      radios.find((r) => r.input.checked).input.focus();
    } finally {
      startButton.disabled = false;
    }
  }

  /// The panel for the login `f` (a start answer: it has the auth_url).
  function show(f) {
    flow = f;
    sessionStorage.setItem(FLOW_KEY, JSON.stringify(f));
    choice.hidden = true;
    panel.hidden = false;
    clear(panel);
    const label = subscriptionLabel(f.provider_type);
    const status = h('p', { class: 'small', role: 'status' });
    const paste = field({ name: 'redirect_url', label: 'Paste the address your browser ended on',
      placeholder: 'http://localhost:…/callback?code=…&state=…',
      hint: 'The whole address from the browser\'s address bar after signing in (or the code the page shows).' });
    const f2 = form([paste], {
      submitLabel: 'Finish sign-in',
      cancel: () => cancel(),
      onSubmit: async (v) => {
        const pasted = v.redirect_url.trim();
        if (!pasted) throw invalid('redirect_url', 'Paste the address your browser ended on.');
        status.textContent = 'Finishing the sign-in…';
        let done;
        try {
          done = await api('POST', '/admin/providers/auth/complete', { flow_id: f.flow_id, redirect_url: pasted });
        } catch (err) {
          // A refused code leaves the login waiting for another paste; a
          // login that ended says so when it is checked.
          await check().catch(() => {});
          if (flow === f) status.textContent = waitingText(f);
          if (!err.field) err.field = 'redirect_url';
          throw err;
        }
        finished(done);
      },
    });
    const link = h('a', { href: f.auth_url, target: '_blank', rel: 'noopener noreferrer', class: 'button' },
      `Open the ${label} sign-in page`, h('span', { class: 'sr-only', text: ' (opens in a new tab)' }));
    const addressId = uid('auth-url');
    panel.append(
      h('h3', { text: `Signing in with ${label}` }),
      h('ol', { class: 'steps' },
        h('li', {}, `Open the sign-in page and log in with your ${label} account.`,
          h('div', { class: 'row login-link' }, link, copyButton(() => f.auth_url, 'Copy address')),
          h('p', { class: 'small muted' }, h('span', { id: addressId, text: 'Sign-in address: ' }),
            h('code', { class: 'auth-url', 'aria-labelledby': addressId, text: f.auth_url }))),
        h('li', { text: f.callback_listening
          ? 'When the browser runs on this machine, the gateway notices the sign-in by itself and this page updates. '
            + 'On another machine the browser ends on a page that does not load: copy that page\'s address and paste it below.'
          : 'The browser then ends on a page that does not load: copy that page\'s address and paste it below.' })),
      status, f2.el);
    status.textContent = waitingText(f);
    stopPolling();
    timer = setInterval(async () => {
      try {
        await check();
      } catch (err) {
        // Said where the person looks, and tried again at the next tick.
        if (flow === f) status.textContent = `The gateway could not be asked about the sign-in (${err.message}). Trying again…`;
      }
    }, 2000);
  }

  function waitingText(f) {
    return `Waiting for the sign-in. This sign-in page works until ${new Date(f.expires_at).toLocaleTimeString()}.`;
  }

  /// One status poll; ends the login when the gateway says it ended.
  async function check() {
    const f = flow;
    if (!f) return;
    if (stopped || !isCurrent()) { stopPolling(); return; }
    let res;
    try {
      res = await api('GET', `/admin/providers/auth/status${query({ flow_id: f.flow_id })}`);
    } catch (err) {
      if (err.status !== 404) throw err;
      res = { status: 'error', error: 'the gateway no longer knows this sign-in (was it restarted?)' };
    }
    if (flow !== f || stopped) return;
    if (res.status === 'complete') finished(res);
    else if (res.status === 'exchanging') panel.querySelector('[role="status"]').textContent = 'Finishing the sign-in…';
    else if (res.status !== 'pending') ended(res);
  }

  function finished(res) {
    if (!flow) return;
    const name = (res.provider && res.provider.name) || subscriptionLabel(res.provider_type);
    forget();
    say('ok', `Signed in: ${name} was added and is listed above.`);
    toast(`Signed in: added ${name}.`);
    refocus();
    onAdded();
  }

  function ended(res) {
    const why = { cancelled: 'The sign-in was cancelled.', expired: 'The sign-in page expired (it works 5 minutes).' }[res.status]
      || `The sign-in failed: ${res.error || 'no reason given'}.`;
    const type = flow && flow.provider_type;
    forget();
    say('error', `${why} Start again to get a new sign-in page.`);
    const r = radios.find((x) => x.s.value === type);
    if (r) r.input.checked = true;
    refocus();
  }

  async function cancel() {
    const f = flow;
    if (!f) return;
    try {
      await api('POST', '/admin/providers/auth/cancel', { flow_id: f.flow_id });
    } catch (err) {
      if (err.status !== 400) throw err;
      // Over already (the callback finished it, or it expired): say how it ended.
      await check();
      if (flow !== f) return;
    }
    forget();
    say(null, '');
    toast('Sign-in cancelled.');
    refocus();
  }

  /// A login started before leaving the page is shown again while it waits.
  async function resume() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(FLOW_KEY) || 'null'); } catch { saved = null; }
    if (!saved || !saved.flow_id || !saved.auth_url) return;
    try {
      const res = await api('GET', `/admin/providers/auth/status${query({ flow_id: saved.flow_id })}`);
      if (res.status === 'pending' || res.status === 'exchanging') show(saved);
      else sessionStorage.removeItem(FLOW_KEY);
    } catch {
      sessionStorage.removeItem(FLOW_KEY);
    }
  }

  return { el, resume, stop: () => { stopped = true; stopPolling(); } };
}

// -- import from this machine ----------------------------------------------------

const CLI_SOURCES = new Set(['claude_code', 'codex', 'gcloud_adc']);

function sourceLabel(d) {
  if (d.label) return d.label;
  if (d.source === 'ollama') return 'Ollama';
  if (d.source.startsWith('env:')) return `${d.source.slice(4)} (environment)`;
  return d.source;
}

function detectDetails(d) {
  if (CLI_SOURCES.has(d.source)) {
    if (!d.found) return h('span', { class: 'form-error small', text: `Cannot be read: ${d.error || 'unknown format'}` });
    const parts = [];
    if (d.subscription_type) parts.push(`${d.subscription_type} subscription`);
    const expiry = expiryText(d.expires_at);
    if (expiry) parts.push(expiry);
    return h('div', {}, parts.length ? h('div', { text: parts.join(' · ') }) : null, h('div', { class: 'small muted mono path', text: d.path }));
  }
  if (d.models && d.models.length) return d.models.slice(0, 4).join(', ') + (d.models.length > 4 ? ` +${d.models.length - 4}` : '');
  return d.source.startsWith('env:') ? 'API key in the gateway\'s environment' : '—';
}

async function detectSection(onImported) {
  const titleId = uid('detect-title');
  const box = h('section', { class: 'card', 'aria-labelledby': titleId });
  const body = h('div', { class: 'stack' });
  const again = button('Look again', () => load(), 'secondary small');
  box.append(h('div', { class: 'card-head' }, h('h2', { id: titleId, text: 'Found on this machine' }), again), body);

  async function importIt(ev, d, mode, extra = {}) {
    const b = ev.currentTarget;
    b.disabled = true;
    try {
      const r = await api('POST', '/admin/providers/import', { source: d.source, ...(mode ? { mode } : {}), ...extra });
      toast(`Imported ${(r.data && r.data.name) || sourceLabel(d)}.`);
      onImported();
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      b.disabled = false;
    }
  }

  async function copyTokens(ev, d) {
    const b = ev.currentTarget;
    if (d.copy_warning) {
      const ok = await openDialog({
        title: `Copy the tokens of ${d.label}?`,
        content: h('div', { class: 'stack' },
          h('p', { class: 'callout warn', text: capitalise(d.copy_warning) }),
          h('p', { class: 'small muted', text: `"Follow ${d.label} (borrowed)" reads ${d.path} instead and never renews its tokens.` })),
        actions: [{ label: 'Cancel', value: false, kind: 'quiet' }, { label: 'Copy tokens', value: true, kind: 'danger' }],
      });
      if (!ok) { b.focus(); return; }
    }
    await importIt({ currentTarget: b }, d, 'copy', d.copy_warning ? { acknowledge_sign_out: true } : {});
  }

  function actions(d) {
    if (CLI_SOURCES.has(d.source)) {
      if (!d.found) return null;
      return h('div', { class: 'row-actions' },
        button(`Follow ${d.label} (borrowed)`, (ev) => importIt(ev, d, 'borrowed'), 'secondary small'),
        button('Copy tokens', (ev) => copyTokens(ev, d), 'secondary small', { 'aria-label': `Copy tokens from ${d.label}` }));
    }
    return button('Import', (ev) => importIt(ev, d, null), 'secondary small', { 'aria-label': `Import ${sourceLabel(d)}` });
  }

  async function load() {
    again.disabled = true;
    clear(body).appendChild(h('p', { class: 'muted', text: 'Looking for Ollama, provider keys and CLI logins on this machine…' }));
    try {
      const res = await api('GET', '/admin/providers/detect');
      clear(body);
      // A CLI file that cannot be read is shown (with why); Ollama only when it answered.
      const shown = res.data.filter((d) => d.found || CLI_SOURCES.has(d.source));
      if (!shown.length) {
        body.appendChild(h('p', { class: 'muted', text: 'Nothing to import: no Ollama answered, no provider key is set in the gateway\'s environment, '
          + 'and no Claude Code, Codex or gcloud login was found in its home directory.' }));
        return;
      }
      body.appendChild(h('p', { class: 'small muted', text: 'A CLI login can be followed (borrowed: the gateway reads the CLI\'s file and the CLI keeps renewing it) '
        + 'or its tokens copied (the gateway renews them itself).' }));
      body.appendChild(table([
        { label: 'Source', value: (d) => sourceLabel(d) },
        { label: 'Type', value: (d) => typeLabel(d.type), cls: 'hide-narrow' },
        { label: 'Details', value: detectDetails },
        { label: 'Import', value: actions },
      ], shown, { caption: 'Found on this machine' }));
    } catch (err) {
      clear(body).appendChild(h('p', { class: 'form-error', text: `Detection failed: ${err.message}` }));
    } finally {
      again.disabled = false;
    }
  }

  await load();
  return box;
}

function capitalise(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
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
  const subscriptions = subscriptionSection(() => refresh(), isCurrent);
  root.appendChild(subscriptions.el);
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
    const rows = res.data;
    // The stored expiry is written at a refresh; until then the account
    // actor's live state has it (a new login, a CLI's file).
    const live = new Map();
    if (rows.some((p) => p.auth_mode && p.auth_mode !== 'api_key' && !p.token_expires_at)) {
      try {
        const actors = await api('GET', `/admin/actors${query({ kind: 'provider_account' })}`);
        for (const a of actors.data) if (a.state && a.state.token_expires_at) live.set(a.id, a.state.token_expires_at);
      } catch { /* the expiry is shown when known */ }
    }
    if (!isCurrent()) return;
    for (const p of rows) p.expiry = p.token_expires_at || live.get(p.id) || null;
    for (const id of [...selected]) if (!rows.some((p) => p.id === id)) selected.delete(id);
    clear(list).appendChild(table([
      { label: 'Select', value: (p) => {
        const cb = h('input', { type: 'checkbox', 'aria-label': `Select ${p.name}`, checked: selected.has(p.id) });
        cb.addEventListener('change', () => { if (cb.checked) selected.add(p.id); else selected.delete(p.id); renderBulk(); });
        return cb;
      } },
      { label: 'Name', cls: 'name-cell', value: (p) => h('div', {}, h('strong', { text: p.name }),
        h('div', { class: 'small muted', text: `${typeLabel(p.type)} · ${authModeText(p)}` }),
        p.expiry ? h('div', { class: 'small muted', title: fmt.time(p.expiry), text: expiryText(p.expiry) }) : null) },
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
    ], rows, { empty: 'No provider yet. Add one with its API key, sign in with a subscription, or import what this machine has below.' }));
    renderBulk();
  }

  await refresh();
  await subscriptions.resume();
  detect.appendChild(await detectSection(refresh));
  // A live update never pulls the focus away from a control in the table.
  const stopPoll = poll(() => (list.contains(document.activeElement) ? null : refresh()), 5000);
  return () => { stopPoll(); subscriptions.stop(); };
}
