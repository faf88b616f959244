// The admin API from the browser: the session cookie plus the CSRF token
// (SPEC §9.1). A 401 asks the person to log in again and then repeats the
// request, so an expired session never loses the page they were on.

const CSRF_KEY = 'openhinge.csrf';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `request failed with status ${status}`);
    this.status = status;
    this.code = e.code || e.type || null;
    this.field = e.field || e.param || null;
    /// What else the answer carried (a failed tunnel setup reports its
    /// steps in `data`).
    this.data = body && body.data !== undefined ? body.data : null;
  }
}

let loginHandler = null;
let pendingLogin = null;

/// `fn()` shows the login and resolves once a new session exists.
export function onLoginNeeded(fn) {
  loginHandler = fn;
}

export function setSession(csrf) {
  if (csrf) localStorage.setItem(CSRF_KEY, csrf);
  else localStorage.removeItem(CSRF_KEY);
}

export function hasSession() {
  return !!localStorage.getItem(CSRF_KEY);
}

async function send(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const csrf = localStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    const e = new ApiError(0, { error: { message: `The gateway did not answer (${err.message}). Is it running?` } });
    throw e;
  }
  const text = await res.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch { json = { error: { message: text.slice(0, 200) } }; }
  }
  if (!res.ok) {
    const err = new ApiError(res.status, json);
    const retry = res.headers.get('retry-after');
    if (res.status === 429 && retry) err.message += ` Try again in ${retry} s.`;
    throw err;
  }
  return json;
}

/// One admin call; on 401 (no or expired session) the login is shown and
/// the call is made again once.
export async function api(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (err) {
    const authFailed = err.status === 401
      || (err.status === 403 && /CSRF/i.test(err.message));
    if (!authFailed || !loginHandler || /^\/admin\/auth\/(status|login|setup)$/.test(path)) throw err;
    if (!pendingLogin) pendingLogin = loginHandler('Your session has ended. Log in again to continue.').finally(() => { pendingLogin = null; });
    await pendingLogin;
    return send(method, path, body);
  }
}

/// Public auth calls: never trigger the login loop.
export const auth = {
  status: () => send('GET', '/admin/auth/status'),
  login: (body) => send('POST', '/admin/auth/login', body),
  setup: (body) => send('POST', '/admin/auth/setup', body),
  logout: () => send('POST', '/admin/auth/logout', {}),
};

/// `?a=1&b=2` from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
