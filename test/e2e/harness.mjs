// Starts the real gateway binary and the fake upstream on port 0 and tears
// them down; the binaries come from $OH_BIN_DIR (the build's bin directory).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
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
export async function startStack({ allProviders = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'openhinge-e2e-'));
  const fake = spawn(join(binDir, 'fake_upstream'), ['--port-file', join(dir, 'fake.port')],
    { stdio: 'ignore' });
  const fakePort = await waitForFile(join(dir, 'fake.port'), fake, 'fake_upstream');
  const gw = spawn(join(binDir, 'openhinge'),
    ['--port', '0', '--data-dir', join(dir, 'data'), '--log-format', 'json'],
    { stdio: 'ignore', env: { ...process.env, OPENHINGE_CONFIG: '' } });
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

  await admin('POST', '/admin/providers', {
    name: 'fake-openai', type: 'openai', base_url: `http://127.0.0.1:${fakePort}`,
    credentials: { api_key: 'sk-e2e-upstream' }, config: { default_model: 'gpt-4o-mini' },
  });
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
    base, key, admin, fakePort,
    async stats() {
      return (await fetch(`http://127.0.0.1:${fakePort}/_fake/stats`)).json();
    },
    stop: () => stopAll(gw, fake, dir),
  };
}

/// A gateway on its first run with nothing configured (as a new user finds
/// it) next to the fake upstream; `stderr()` is what the terminal showed,
/// the setup link included.
export async function startFirstRun() {
  const dir = mkdtempSync(join(tmpdir(), 'openhinge-e2e-'));
  // A home of its own with an OpenClaw install, for the app-connect step.
  const home = join(dir, 'home');
  mkdirSync(join(home, '.openclaw'), { recursive: true });
  writeFileSync(join(home, '.openclaw', 'openclaw.json'), '{"agents":{"defaults":{}}}\n');
  const fake = spawn(join(binDir, 'fake_upstream'), ['--port-file', join(dir, 'fake.port')],
    { stdio: 'ignore' });
  const fakePort = await waitForFile(join(dir, 'fake.port'), fake, 'fake_upstream');
  const gw = spawn(join(binDir, 'openhinge'),
    ['--port', '0', '--data-dir', join(dir, 'data'), '--log-format', 'json'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENHINGE_CONFIG: '', HOME: home } });
  let stderr = '';
  gw.stderr.setEncoding('utf8');
  gw.stderr.on('data', (chunk) => { stderr += chunk; });
  const port = await waitForFile(join(dir, 'data', 'port'), gw, 'openhinge');
  const token = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
  return {
    base: `http://127.0.0.1:${port}`, fakePort, token, home,
    stderr: () => stderr,
    stop: () => stopAll(gw, fake, dir),
  };
}
