// Starts the real gateway binary and the fake upstream on port 0 and tears
// them down; the binaries come from $OH_BIN_DIR (the build's bin directory).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const binDir = process.env.OH_BIN_DIR;
if (!binDir) throw new Error('set OH_BIN_DIR to the build bin directory');

async function waitForFile(path, child, what) {
  for (let i = 0; i < 3000; i++) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n')) return Number(text.trim());
    }
    if (child.exitCode !== null) throw new Error(`${what} exited early`);
    await sleep(10);
  }
  throw new Error(`${what} did not start`);
}

/// A TCP port nothing listens on right now (the login callback listener's).
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/// The fake upstream, with `--flavor oauth` when asked (the vendors'
/// authorize and token endpoints and the three subscription upstreams).
async function startFake(dir, oauth) {
  const fake = spawn(join(binDir, 'fake_upstream'),
    ['--port-file', join(dir, 'fake.port'), ...(oauth ? ['--flavor', 'oauth'] : [])],
    { stdio: 'ignore' });
  const fakePort = await waitForFile(join(dir, 'fake.port'), fake, 'fake_upstream');
  return { fake, fakePort };
}

/// For an oauth stack: the gateway's config file pointing every authorize,
/// token and subscription URL at the fake, with a callback port of its own,
/// and a Google client (a Gemini login needs one); else no config.
async function oauthEnv(dir, fakePort, oauth) {
  if (!oauth) return { env: { OPENHINGE_CONFIG: '' }, callbackPort: null };
  const callbackPort = await freePort();
  const config = join(dir, 'openhinge.json');
  writeFileSync(config, JSON.stringify({
    oauth: { endpoint_base: `http://127.0.0.1:${fakePort}`, callback_port: callbackPort },
  }));
  return {
    env: {
      OPENHINGE_CONFIG: config,
      GEMINI_OAUTH_CLIENT_ID: 'e2e-gemini-client',
      GEMINI_OAUTH_CLIENT_SECRET: 'e2e-gemini-secret',
    },
    callbackPort,
  };
}

/// SIGTERM to the gateway and the fake, wait for both, remove the scratch
/// directory; answers the gateway's exit code.
async function stopAll(gw, fake, dir) {
  gw.kill('SIGTERM');
  fake.kill('SIGTERM');
  await Promise.all([gw, fake].map((c) =>
    c.exitCode !== null ? null : new Promise((r) => c.once('exit', r))));
  rmSync(dir, { recursive: true, force: true });
  return gw.exitCode;
}

/// The four provider types and a model each lists (the fake's listings).
export const matrix = [
  { type: 'claude', model: 'claude-sonnet-4-6' },
  { type: 'openai', model: 'gpt-4o' },
  { type: 'gemini', model: 'gemini-2.5-flash' },
  { type: 'ollama', model: 'qwen3:8b' },
];

/// `allProviders`: claude, gemini and ollama accounts next to the openai
/// one, all played by the same fake upstream in their own wire formats.
/// `oauth`: the fake runs `--flavor oauth` and the gateway's logins and
/// subscription wires point at it (`callbackPort` is the login callback
/// listener's; `home` an empty HOME of the gateway's own, for CLI logins).
/// `apiKeyAccount: false` leaves out the OpenAI API-key account.
/// `gatewayEnv(fakePort)`: more variables for the gateway's environment.
export async function startStack({ allProviders = false, oauth = false, apiKeyAccount = true,
  gatewayEnv = null } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'openhinge-e2e-'));
  const { fake, fakePort } = await startFake(dir, oauth);
  const { env, callbackPort } = await oauthEnv(dir, fakePort, oauth);
  const home = join(dir, 'home');
  if (oauth) {
    mkdirSync(home, { recursive: true });
    env.HOME = home;
  }
  if (gatewayEnv) Object.assign(env, gatewayEnv(fakePort));
  const gw = spawn(join(binDir, 'openhinge'),
    ['--port', '0', '--data-dir', join(dir, 'data'), '--log-format', 'json'],
    { stdio: 'ignore', env: { ...process.env, ...env } });
  const port = await waitForFile(join(dir, 'data', 'port'), gw, 'openhinge');
  const token = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
  const base = `http://127.0.0.1:${port}`;

  async function admin(method, path, body) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  if (apiKeyAccount) {
    await admin('POST', '/admin/providers', {
      name: 'fake-openai', type: 'openai', base_url: `http://127.0.0.1:${fakePort}`,
      credentials: { api_key: 'sk-e2e-upstream' }, config: { default_model: 'gpt-4o-mini' },
    });
  }
  if (allProviders) {
    for (const { type } of matrix.filter((m) => m.type !== 'openai')) {
      await admin('POST', '/admin/providers', {
        name: `fake-${type}`, type, base_url: `http://127.0.0.1:${fakePort}`,
        ...(type === 'ollama' ? {} : { credentials: { api_key: 'sk-e2e-upstream' } }),
      });
    }
  }
  const key = (await admin('POST', '/admin/keys', { name: 'e2e', rate_limit_rpm: 1000 })).data.key;
  if (allProviders) {
    // Each account's first probe fetches its model list; wait for all.
    for (let i = 0; ; i++) {
      const res = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      const ids = new Set((await res.json()).data.map((m) => m.id));
      if (matrix.every((m) => ids.has(m.model))) break;
      if (i > 500) throw new Error('the accounts never listed their models');
      await sleep(20);
    }
  }

  return {
    base, key, admin, fakePort, callbackPort, home: oauth ? home : null,
    token, dataDir: join(dir, 'data'),
    async stats() {
      return (await fetch(`http://127.0.0.1:${fakePort}/_fake/stats`)).json();
    },
    stop: () => stopAll(gw, fake, dir),
  };
}

/// A gateway on its first run with nothing configured (as a new user finds
/// it) next to the fake upstream; `stderr()` is what the terminal showed,
/// the setup link included. `oauth`: as for startStack (the fake's
/// `--flavor oauth`, the gateway's logins pointing at it).
export async function startFirstRun({ oauth = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'openhinge-e2e-'));
  // A home of its own with an OpenClaw install, for the app-connect step.
  const home = join(dir, 'home');
  mkdirSync(join(home, '.openclaw'), { recursive: true });
  writeFileSync(join(home, '.openclaw', 'openclaw.json'), '{"agents":{"defaults":{}}}\n');
  const { fake, fakePort } = await startFake(dir, oauth);
  const { env, callbackPort } = await oauthEnv(dir, fakePort, oauth);
  const gw = spawn(join(binDir, 'openhinge'),
    ['--port', '0', '--data-dir', join(dir, 'data'), '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env, HOME: home } });
  let stderr = '';
  gw.stderr.setEncoding('utf8');
  gw.stderr.on('data', (chunk) => { stderr += chunk; });
  const port = await waitForFile(join(dir, 'data', 'port'), gw, 'openhinge');
  const token = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
  return {
    base: `http://127.0.0.1:${port}`, fakePort, callbackPort, token, home,
    stderr: () => stderr,
    stop: () => stopAll(gw, fake, dir),
  };
}
