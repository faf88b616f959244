// Cloudflare (SPEC §12): the API token (stored encrypted, write-only), one
// button for the whole tunnel setup with each step's outcome, and
// cloudflared's live status with start and stop. The tunnel reaches only
// the public listener (/v1 and /health): the admin API and this dashboard
// stay local.
import { api } from '../api.js';
import { h, clear, field, form, badge, fmt, pageHead, button, toast, poll, invalid, uid } from '../dom.js';

/// The setup's steps in the order they run (the API leaves out the ones a
/// failure kept from running at all, such as start).
const STEPS = [
  { step: 'zone', label: 'Zone' },
  { step: 'tunnel', label: 'Tunnel' },
  { step: 'ingress', label: 'Route (ingress)' },
  { step: 'dns', label: 'DNS record' },
  { step: 'token', label: 'Run token' },
  { step: 'start', label: 'Start cloudflared' },
];
const STEP_KIND = { found: 'ok', unchanged: 'ok', done: 'ok', created: 'info', updated: 'info', failed: 'bad', skipped: 'neutral' };
const STATE_KIND = { running: 'ok', backoff: 'warn', stopping: 'warn', stopped: 'neutral', failed: 'bad' };
const STATE_TEXT = {
  running: 'cloudflared is running.',
  backoff: 'cloudflared ended and is started again shortly.',
  stopping: 'cloudflared is stopping.',
  stopped: 'cloudflared is not running.',
  failed: 'cloudflared could not be started.',
};
const TOKEN_PAGE = 'https://dash.cloudflare.com/profile/api-tokens';

/// "45 s", "12 min 5 s", "3 h 20 min", "2 d 4 h".
function duration(s) {
  if (s === null || s === undefined) return '—';
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/// A pasted address ("https://api.example.com/v1") as its hostname.
function hostnameOf(text) {
  return text.trim().replace(/^[a-z]+:\/\//i, '').replace(/[/?#].*$/, '').replace(/\.$/, '').toLowerCase();
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/// The shared state: the stored settings (never holding a secret: the API
/// answers only api_token_set) and who wants to know when they change.
function store(settings) {
  const listeners = [];
  return {
    settings,
    onChange(fn) { listeners.push(fn); },
    async reload() {
      this.settings = await api('GET', '/admin/settings/cloudflare');
      for (const fn of listeners) fn(this.settings);
    },
  };
}

// -- 1. the API token ------------------------------------------------------------

function tokenSection(state) {
  const titleId = uid('cf-token');
  const status = h('p', { class: 'row', role: 'status' });
  const result = h('div', { class: 'stack', role: 'status' });
  const fixed = (state.settings.read_only || []).includes('api_token');
  const tokenField = field({ name: 'api_token', label: 'API token', kind: 'password', readonly: fixed,
    hint: fixed ? `Fixed by ${state.settings.sources.api_token}; change it there.`
      : 'Stored encrypted and never shown again, not even here.' });
  const testButton = button('Test', null, 'secondary');

  function showStatus(s) {
    const stored = s.data.api_token_set;
    clear(status).append(stored ? badge('stored', 'ok') : badge('none', 'warn'),
      h('span', { text: stored ? 'A token is stored. Paste a new one to replace it.' : 'No token yet.' }));
    tokenField.el.querySelector('label').textContent = stored ? 'New token (replaces the stored one)' : 'API token';
  }

  function say(kind, text, extra) {
    clear(result).append(h('p', { class: kind === 'bad' ? 'form-error' : kind === 'ok' ? '' : 'muted', text }), extra || null);
  }

  /// Lists the zones the typed token (else the stored one) reaches.
  async function test(typed) {
    say('muted', 'Asking Cloudflare which zones the token reaches…');
    let res;
    try {
      res = await api('POST', '/admin/cloudflare/zones', typed ? { api_token: typed } : {});
    } catch (err) {
      if (err.field === 'api_token' && !typed) throw err;
      // Cloudflare's 401/403 arrive as 400 CLOUDFLARE; a 502 is Cloudflare not answering.
      say('bad', err.status === 400 && err.code === 'CLOUDFLARE' ? `Cloudflare refused the token: ${err.message}` : `The test failed: ${err.message}`);
      return false;
    }
    const zones = res.data || [];
    if (!zones.length) {
      say('bad', 'The token works but reaches no active zone. Give it Zone · DNS · Edit on the zone of your hostname.');
      return true;
    }
    say('ok', `The token works and reaches ${fmt.count(zones.length, 'zone')}:`,
      h('ul', { class: 'cf-zones' }, zones.map((z) => h('li', {},
        h('strong', { text: z.name }),
        z.account_name ? h('span', { class: 'muted', text: ` · ${z.account_name}` }) : null,
        z.status && z.status !== 'active' ? [' ', badge(z.status, 'warn')] : null))));
    return true;
  }

  const f = form([tokenField], {
    submitLabel: 'Save token',
    onSubmit: async (v) => {
      const token = v.api_token.trim();
      if (!token) throw invalid('api_token', 'Paste the API token first.');
      await api('PUT', '/admin/settings/cloudflare', { api_token: token });
      tokenField.set('');
      await state.reload();
      toast('Cloudflare API token saved.');
      await test('');
    },
  });
  f.el.querySelector('.actions').prepend(testButton);
  testButton.addEventListener('click', async () => {
    f.clearErrors();
    const typed = tokenField.get().trim();
    if (!typed && !state.settings.data.api_token_set) {
      f.fail(invalid('api_token', 'Paste a token to test, or save one first.'));
      return;
    }
    testButton.disabled = true;
    try {
      await test(typed);
    } catch (err) {
      f.fail(err);
    } finally {
      testButton.disabled = false;
    }
  });
  if (fixed) { f.submit.disabled = true; }

  showStatus(state.settings);
  state.onChange(showStatus);
  return h('section', { class: 'card stack', 'aria-labelledby': titleId },
    h('h2', { id: titleId, text: '1. Cloudflare API token' }),
    status,
    h('p', { class: 'small muted' }, 'Create one under ',
      h('a', { href: TOKEN_PAGE, target: '_blank', rel: 'noopener noreferrer' }, 'My Profile → API Tokens',
        h('span', { class: 'sr-only', text: ' (opens in a new tab)' })),
      ' with two permissions: Zone · DNS · Edit and Account · Cloudflare Tunnel · Edit.'),
    f.el, result);
}

// -- 2. hostname and the setup -------------------------------------------------

/// The steps, each with its badge and detail; the failed one's detail is
/// the error shown above the list, so it is not repeated.
function stepList(data) {
  const byStep = new Map((data.steps || []).map((s) => [s.step, s]));
  const known = new Set(STEPS.map((s) => s.step));
  const rows = [...STEPS.map((s) => ({ ...s, ...(byStep.get(s.step) || { status: 'skipped', detail: '' }) })),
    ...(data.steps || []).filter((s) => !known.has(s.step)).map((s) => ({ ...s, label: s.step }))];
  return h('ol', { class: 'cf-steps', 'aria-label': 'Setup steps' }, rows.map((s) => h('li', { 'data-step': s.step },
    badge(s.status, STEP_KIND[s.status] || 'neutral'),
    h('div', {}, h('strong', { text: s.label }),
      s.detail && s.status !== 'failed' ? h('div', { class: 'small muted cf-detail', text: s.detail }) : null))));
}

function outcomeView(data, error, hostname) {
  const created = data.created || [];
  const failed = (data.steps || []).find((s) => s.status === 'failed');
  const failedLabel = failed && (STEPS.find((s) => s.step === failed.step) || { label: failed.step }).label;
  return h('div', { class: 'stack cf-outcome' },
    error
      ? h('div', { class: 'callout bad', role: 'alert' },
        h('strong', { text: failed ? `The setup stopped at the ${failedLabel} step: ` : 'The setup stopped: ' }),
        h('span', { class: 'cf-error', text: failed && failed.detail ? failed.detail : error }))
      : h('p', { class: 'callout ok', role: 'status', text: `Done: https://${hostname} reaches this gateway's /v1 once cloudflared has connected (see the status below).` }),
    stepList(data),
    created.length
      ? h('div', { class: 'stack cf-created' },
        h('p', { class: 'small', text: error ? 'Created before it stopped (kept: the next run continues from it):' : 'Created by this run:' }),
        h('ul', {}, created.map((c) => h('li', { class: 'mono small', text: c }))))
      : h('p', { class: 'small muted', text: error ? 'Nothing was created before it stopped.' : 'Nothing new was created: everything was already in place.' }),
    error ? h('p', { class: 'small muted', text: 'Fix the cause and run the setup again: it reuses what exists and changes only what differs.' }) : null);
}

function setupSection(state, onDone) {
  const titleId = uid('cf-setup');
  const s = state.settings.data;
  const hostname = field({ name: 'hostname', label: 'Hostname', value: s.hostname || '', placeholder: 'api.example.com',
    hint: 'The address apps will use, in a zone the token reaches.' });
  const tunnelName = field({ name: 'tunnel_name', label: 'Tunnel name (optional)', value: s.tunnel_name || '', placeholder: 'openhinge',
    hint: 'Default openhinge. A tunnel of this name is reused.' });
  const progress = h('p', { class: 'small muted', role: 'status', hidden: true });
  const outcome = h('div', { hidden: true });
  const tell = (text) => { progress.textContent = text; progress.hidden = !text; };
  const f = form([hostname, tunnelName], {
    submitLabel: 'Set up tunnel',
    onSubmit: async (v) => {
      const host = hostnameOf(v.hostname);
      if (!host) throw invalid('hostname', 'Enter the hostname, such as api.example.com.');
      if (!DNS_NAME.test(host)) throw invalid('hostname', 'Not a hostname: use letters, digits, hyphens and dots, such as api.example.com.');
      if (!state.settings.data.api_token_set) throw new Error('Save the Cloudflare API token first (section 1).');
      hostname.set(host);
      const body = { hostname: host };
      if (v.tunnel_name.trim()) body.tunnel_name = v.tunnel_name.trim();
      clear(outcome).hidden = true;
      tell(`Setting up ${host}: finding the zone, the tunnel, the route and the DNS record, then starting cloudflared…`);
      f.submit.textContent = 'Setting up…';
      try {
        const res = await api('POST', '/admin/cloudflare/setup', body);
        outcome.appendChild(outcomeView(res.data, null, host));
        outcome.hidden = false;
        toast(`Tunnel set up for ${host}.`);
      } catch (err) {
        // A failed run still reports its steps (and what it created).
        if (!err.data || !err.data.steps) throw err;
        outcome.appendChild(outcomeView(err.data, err.message, host));
        outcome.hidden = false;
      } finally {
        tell('');
        f.submit.textContent = 'Set up tunnel';
        await onDone();
      }
    },
  });
  return h('section', { class: 'card stack', 'aria-labelledby': titleId },
    h('h2', { id: titleId, text: '2. Hostname and tunnel' }),
    h('p', { class: 'small muted', text: 'One button does the whole setup: finds the zone, finds or creates the tunnel, routes the hostname '
      + 'to this gateway, creates the DNS record and starts cloudflared. Running it again is safe.' }),
    f.el, progress, outcome);
}

// -- 3. live status ----------------------------------------------------------------

function statusSection(state, isCurrent) {
  const titleId = uid('cf-status');
  const route = h('div', { class: 'cf-route' });
  const stateLine = h('p', { class: 'row' });
  const facts = h('dl', { class: 'kv cf-facts' });
  const lastError = h('div');
  const notice = h('div', { role: 'status' });
  const edge = h('p', { class: 'small', role: 'status' });
  lastError.hidden = true;
  notice.hidden = true;
  edge.hidden = true;
  let last = null;
  let busy = false;

  const startButton = button('Start', () => act('start'), '');
  const stopButton = button('Stop', () => act('stop'), 'danger');
  const edgeButton = button('Check at Cloudflare', () => checkEdge(), 'secondary');

  function showRoute(s) {
    const d = s.data;
    clear(route);
    if (!d.hostname || !d.public_port) {
      route.append(h('p', { class: 'muted', text: d.api_token_set ? 'No route yet: run the setup above.' : 'No route yet: save a token and run the setup above.' }));
    } else {
      route.append(h('p', { class: 'cf-route-line' },
        h('code', { text: `https://${d.hostname}` }), ' → ', h('code', { text: `127.0.0.1:${d.public_port}` }),
        h('span', { class: 'muted', text: ' (only /v1 and /health)' })));
    }
    route.append(h('p', { class: 'small muted', text: 'The tunnel reaches only /v1 and /health: the admin API and this dashboard stay local.' }));
  }

  function sync() {
    const st = last ? last.state : 'stopped';
    // Start needs a completed setup (the run token it fetches).
    startButton.disabled = busy || st === 'running' || st === 'stopping' || !state.settings.data.tunnel_token_set;
    stopButton.disabled = busy || !(st === 'running' || st === 'backoff');
  }

  function show(local) {
    // Cloudflare's view was of another moment: not kept next to a new state.
    if (last && (last.state !== local.state || last.pid !== local.pid)) tellEdge('', '');
    last = local;
    const st = local.state || (local.running ? 'running' : 'stopped');
    clear(stateLine).append(badge(st, STATE_KIND[st] || 'neutral'), h('span', { text: STATE_TEXT[st] || '' }));
    const d = state.settings.data;
    const rows = [
      ['Process', local.pid ? `pid ${local.pid}` : '—'],
      ['Connections', fmt.int(local.connections ?? 0)],
      ['Up for', duration(local.uptime_s)],
      ['Restarts', fmt.int(local.restarts ?? 0)],
      st === 'backoff' ? ['Next start in', fmt.ms(local.next_start_in_ms)] : null,
      ['On gateway start', d.enabled && d.tunnel_token_set ? 'the tunnel starts too' : 'the tunnel stays off'],
      ['cloudflared', local.cloudflared_path || '—'],
    ].filter(Boolean);
    clear(facts).append(...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
    clear(lastError);
    lastError.hidden = !local.last_error;
    if (local.last_error) {
      lastError.append(h('div', { class: `callout ${st === 'failed' ? 'bad' : 'warn'} cf-error` },
        h('strong', { text: 'Last error: ' }), h('span', { text: local.last_error })));
    }
    sync();
  }

  async function refresh() {
    const res = await api('GET', '/admin/cloudflare/local-status');
    if (!isCurrent()) return;
    show(res.data);
  }

  function say(kind, text) {
    clear(notice);
    notice.hidden = !text;
    if (text) notice.append(h('p', { class: `callout ${kind}`, text }));
  }

  async function act(what) {
    busy = true;
    sync();
    say('', '');
    try {
      const res = await api('POST', `/admin/cloudflare/${what}`, {});
      show(res.data);
      toast(what === 'start' ? 'cloudflared started.' : 'cloudflared is stopping.');
    } catch (err) {
      await refresh().catch(() => {}); // the next poll reports a gateway that does not answer
      const verb = what === 'start' ? 'Start' : 'Stop';
      say('bad', last && last.last_error === err.message ? `${verb} failed: see the last error above.` : `${verb} failed: ${err.message}`);
    } finally {
      busy = false;
      try {
        await state.reload();
      } catch (err) {
        toast(`The settings could not be read again: ${err.message}`, 'error');
      }
      sync();
    }
  }

  function tellEdge(kind, text) {
    edge.className = `small ${kind === 'bad' ? 'form-error' : kind === 'busy' ? 'muted' : ''}`;
    edge.textContent = text;
    edge.hidden = !text;
  }

  async function checkEdge() {
    if (!state.settings.data.tunnel_id) {
      tellEdge('bad', 'No tunnel yet: run the setup first.');
      return;
    }
    edgeButton.disabled = true;
    tellEdge('busy', 'Asking Cloudflare…');
    try {
      const t = (await api('POST', '/admin/cloudflare/tunnel-status', {})).data;
      const n = (t.connections || []).length;
      tellEdge('ok', `Cloudflare sees tunnel ${t.name} as ${t.status || 'unknown'}, with ${fmt.count(n, 'connection')}.`);
    } catch (err) {
      tellEdge('bad', `Cloudflare could not be asked: ${err.message}`);
    } finally {
      edgeButton.disabled = false;
    }
  }

  showRoute(state.settings);
  state.onChange((s) => { showRoute(s); if (last) show(last); });
  const el = h('section', { class: 'card stack section', 'aria-labelledby': titleId },
    h('div', { class: 'card-head' }, h('h2', { id: titleId, text: '3. Tunnel status' }),
      h('span', { class: 'small muted', text: 'Updated every 2 seconds' })),
    route, stateLine, facts, lastError, notice,
    h('div', { class: 'row' }, startButton, stopButton, edgeButton), edge);
  return { el, refresh };
}

export async function render(root, { isCurrent }) {
  const state = store(await api('GET', '/admin/settings/cloudflare'));
  root.appendChild(pageHead('Cloudflare',
    'Publish this gateway\'s /v1 API at a hostname of yours through a Cloudflare Tunnel: no open port, no certificate to manage.'));
  const status = statusSection(state, isCurrent);
  const afterSetup = async () => {
    try {
      await Promise.all([state.reload(), status.refresh()]);
    } catch (err) {
      toast(`The page could not be brought up to date: ${err.message}`, 'error');
    }
  };
  root.appendChild(h('div', { class: 'grid-2 cf-grid' }, tokenSection(state), setupSection(state, afterSetup)));
  root.appendChild(status.el);
  await status.refresh();
  return poll(status.refresh, 2000);
}
