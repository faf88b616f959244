// Start-up, login and first-run setup, and the page router (#/page).
import { api, auth, onLoginNeeded, setSession, hasSession } from './api.js';
import { h, clear, field, form, toast } from './dom.js';
import * as overview from './pages/overview.js';
import * as providers from './pages/providers.js';
import * as souls from './pages/souls.js';
import * as keys from './pages/keys.js';
import * as logs from './pages/logs.js';
import * as cost from './pages/cost.js';
import * as actors from './pages/actors.js';
import * as cloudflare from './pages/cloudflare.js';
import * as settings from './pages/settings.js';

const pages = { overview, providers, souls, keys, logs, cost, actors, cloudflare, settings };
const titles = {
  overview: 'Overview', providers: 'Providers', souls: 'Souls', keys: 'Keys',
  logs: 'Logs', cost: 'Cost', actors: 'Actors', cloudflare: 'Cloudflare', settings: 'Settings',
};

const shell = document.getElementById('shell');
const main = document.getElementById('main');
const authBox = document.getElementById('auth');
let stopPage = null;
let renderToken = 0;

// Nothing fails silently: an error no page handled is shown to the person.
window.addEventListener('unhandledrejection', (ev) => {
  const err = ev.reason;
  toast(err && err.message ? err.message : String(err), 'error');
});
window.addEventListener('error', (ev) => {
  toast(`Something went wrong on this page: ${ev.message}`, 'error');
});

function currentRoute() {
  const m = location.hash.match(/^#\/([a-z]+)(?:\/(.*))?$/);
  const name = m && pages[m[1]] ? m[1] : 'overview';
  return { name, arg: m && m[2] ? decodeURIComponent(m[2]) : '' };
}

async function renderPage() {
  if (stopPage) { stopPage(); stopPage = null; }
  const { name, arg } = currentRoute();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${name}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.getElementById('nav').classList.remove('open');
  document.getElementById('menu-toggle').setAttribute('aria-expanded', 'false');
  document.title = `${titles[name]} · OpenHinge`;
  const token = ++renderToken;
  const container = h('div');
  clear(main).appendChild(container);
  try {
    const stop = await pages[name].render(container, { arg, isCurrent: () => token === renderToken });
    if (token === renderToken) stopPage = typeof stop === 'function' ? stop : null;
    else if (typeof stop === 'function') stop();
  } catch (err) {
    if (token !== renderToken) return;
    clear(container).appendChild(h('div', { class: 'card', role: 'alert' },
      h('h2', { text: `${titles[name]} could not be loaded` }), h('p', { class: 'muted', text: err.message })));
  }
}

// -- login and setup -----------------------------------------------------------

/// Password managers file a password under a user name; the dashboard has
/// one user, so a hidden field names it.
const userNameField = () => h('input', { type: 'text', name: 'username', autocomplete: 'username', value: 'admin', hidden: true });

function showAuth(kind, intro) {
  const box = document.getElementById('auth-form');
  const introEl = document.getElementById('auth-intro');
  shell.hidden = true;
  authBox.hidden = false;
  return new Promise((resolve) => {
    const done = (res) => {
      setSession(res.csrf);
      authBox.hidden = true;
      shell.hidden = false;
      resolve(res);
    };
    if (kind === 'setup') {
      const setupToken = new URLSearchParams(location.search).get('setup') || '';
      introEl.textContent = intro || 'Welcome. Choose the password for this dashboard (10 characters or more).';
      const pw = field({ name: 'password', label: 'New password', kind: 'password', autocomplete: 'new-password', required: true });
      const again = field({ name: 'again', label: 'Repeat the password', kind: 'password', autocomplete: 'new-password', required: true });
      const tokenField = field({ name: 'setup_token', label: 'Setup token or admin token', kind: 'password', value: setupToken,
        hint: 'From the setup link the gateway printed at start, or the admin token file.' });
      const fields = setupToken ? [pw, again] : [pw, again, tokenField];
      const f = form(fields, {
        submitLabel: 'Set password and continue',
        extra: userNameField(),
        onSubmit: async (v) => {
          if (v.password.length < 10) throw Object.assign(new Error('Use at least 10 characters.'), { field: 'password' });
          if (v.password !== v.again) throw Object.assign(new Error('The two passwords differ.'), { field: 'again' });
          const res = await auth.setup({ password: v.password, setup_token: setupToken || v.setup_token });
          history.replaceState(null, '', location.pathname + location.hash);
          done(res);
        },
      });
      clear(box).replaceWith(f.el);
      f.el.id = 'auth-form';
      pw.input.focus();
      return;
    }
    introEl.textContent = intro || 'Log in to manage the gateway.';
    let useToken = false;
    const secret = field({ name: 'secret', label: 'Password', kind: 'password', autocomplete: 'current-password', required: true });
    const toggle = h('button', { type: 'button', class: 'linklike', text: 'Use the admin token instead' });
    const f = form([secret], {
      submitLabel: 'Log in',
      extra: h('p', { class: 'small' }, toggle, userNameField()),
      onSubmit: async (v) => {
        if (!v.secret) throw Object.assign(new Error(useToken ? 'Paste the admin token.' : 'Enter the password.'), { field: 'secret' });
        try {
          done(await auth.login(useToken ? { admin_token: v.secret } : { password: v.secret }));
        } catch (err) {
          err.field = 'secret';
          throw err;
        }
      },
    });
    toggle.addEventListener('click', () => {
      useToken = !useToken;
      secret.el.querySelector('label').textContent = useToken ? 'Admin token' : 'Password';
      secret.input.autocomplete = useToken ? 'off' : 'current-password';
      toggle.textContent = useToken ? 'Use the password instead' : 'Use the admin token instead';
      secret.set('');
      secret.error('');
      secret.input.focus();
    });
    clear(box).replaceWith(f.el);
    f.el.id = 'auth-form';
    secret.input.focus();
  });
}

async function loginFlow(intro) {
  const status = await auth.status();
  const setupLink = new URLSearchParams(location.search).has('setup');
  if (status.setupRequired) return showAuth('setup', setupLink ? null : 'No password is set yet. Use the setup link the gateway printed, or paste the admin token below.');
  return showAuth('login', intro);
}

onLoginNeeded((message) => loginFlow(message));

async function start() {
  document.getElementById('menu-toggle').addEventListener('click', (ev) => {
    const nav = document.getElementById('nav');
    const open = !nav.classList.contains('open');
    nav.classList.toggle('open', open);
    ev.currentTarget.setAttribute('aria-expanded', String(open));
  });
  document.getElementById('logout').addEventListener('click', async () => {
    try { await auth.logout(); } catch { /* already ended: the login follows anyway */ }
    setSession(null);
    if (stopPage) { stopPage(); stopPage = null; }
    clear(main);
    await loginFlow('You are logged out.');
    renderPage();
  });
  window.addEventListener('hashchange', () => { if (!shell.hidden) renderPage(); });

  let status;
  try {
    status = await auth.status();
  } catch (err) {
    document.getElementById('auth-intro').textContent = `The gateway did not answer: ${err.message}`;
    authBox.hidden = false;
    return;
  }
  const setupLink = new URLSearchParams(location.search).has('setup');
  if (status.setupRequired && setupLink) {
    await showAuth('setup');
  } else if (!hasSession()) {
    await loginFlow();
  } else {
    // A stored session: one cheap call tells whether it still lives.
    try {
      await api('GET', '/admin/system/status');
    } catch { /* api() showed the login when needed */ }
    shell.hidden = false;
  }
  if (setupLink) history.replaceState(null, '', location.pathname + location.hash);
  renderPage();
}

start();
