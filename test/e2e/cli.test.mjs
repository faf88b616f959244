// The `openhinge` command line end to end (issue #21, SPEC §13.2): every
// command of the real binary against the real gateway and the fake
// upstream. Client commands run as a script would — no terminal, NO_COLOR —
// so tables are plain text; `--json` output goes through `jq` (printed once
// more with `jq .` / `jq -c`, fields picked with jq expressions). The exit
// codes: 0 ok, 1 the API's error (its message on stderr), 2 usage or
// configuration, 3 no gateway. Two commands need a terminal and run in
// tmux: `provider login` (pasting the address the browser ends on) and
// `logs --follow` (until Ctrl-C).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startStack, freePort } from './harness.mjs';

const bin = join(process.env.OH_BIN_DIR, 'openhinge');
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let stack;
let scratch; // a directory of this file's own (cwd of every CLI run)
let adminToken; // changes when `admin rotate-token` runs
const today = new Date().toISOString().slice(0, 10);

before(async () => {
  // `oauth`: the fake plays the vendors' login pages (provider login,
  // add-claude) and the gateway has a HOME of its own (connect openclaw);
  // the environment gives `provider import` an Ollama (the fake) and an
  // OpenAI key, and no other key.
  stack = await startStack({
    oauth: true,
    gatewayEnv: (fakePort) => ({
      OLLAMA_HOST: `http://127.0.0.1:${fakePort}`,
      OPENAI_API_KEY: 'sk-e2e-from-env',
      ANTHROPIC_API_KEY: '',
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: '',
    }),
  });
  adminToken = stack.token;
  scratch = mkdtempSync(join(tmpdir(), 'openhinge-cli-e2e-'));
});

after(async () => {
  tmuxKillServer();
  rmSync(scratch, { recursive: true, force: true });
  assert.equal(await stack.stop(), 0, 'the gateway exits 0 on SIGTERM');
});

// ---------------------------------------------------------------------------
// Helpers

/// The caller's environment without any OPENHINGE_* or Claude setting, and
/// without colour.
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('OPENHINGE_') && k !== 'CLAUDE_CONFIG_DIR') env[k] = v;
  env.NO_COLOR = '1';
  return env;
}

/// Runs `openhinge ...args` without a terminal. The gateway comes from
/// OPENHINGE_URL and OPENHINGE_ADMIN_TOKEN unless `target: false`; `env`
/// adds to (or, with undefined values, removes from) the environment;
/// `input` is written to stdin. Answers {code, stdout, stderr}.
function cli(args, { env = {}, input = '', target = true, timeoutMs = 30_000 } = {}) {
  const full = {
    ...cleanEnv(),
    ...(target ? { OPENHINGE_URL: stack.base, OPENHINGE_ADMIN_TOKEN: adminToken } : {}),
  };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete full[k];
    else full[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: full, cwd: scratch, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { stdout += c; });
    child.stderr.setEncoding('utf8').on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // a command that never reads stdin
    child.stdin.end(input);
  });
}

function describeRun(r) {
  return `openhinge ${r.args.join(' ')} → exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n` +
    `stdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

/// `cli` that must exit with `code`; answers the run.
async function expectExit(code, args, opts) {
  const r = await cli(args, opts);
  assert.equal(r.code, code, describeRun(r));
  return r;
}

const ok = (args, opts) => expectExit(0, args, opts);

/// Runs jq on `text`; answers its stdout.
function jq(filter, text, flags = []) {
  const r = spawnSync('jq', [...flags, filter], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `jq ${filter} failed: ${r.stderr}\non: ${text}`);
  return r.stdout;
}

/// `openhinge ...args --json` (exit 0) through jq: `jq .` and `jq -c .`
/// must read the same value Node reads. Answers {value, text, q(filter)},
/// q giving `jq -r filter`'s output lines joined (trimmed).
async function cliJson(args, opts) {
  const r = await ok([...args, '--json'], opts);
  const value = JSON.parse(r.stdout);
  assert.deepEqual(JSON.parse(jq('.', r.stdout)), value, 'jq . reads what the CLI printed');
  const compact = jq('.', r.stdout, ['-c']);
  assert.equal(compact.trim().split('\n').length, 1, 'jq -c prints one line');
  assert.deepEqual(JSON.parse(compact), value, 'jq -c reads what the CLI printed');
  return { value, text: r.stdout, q: (filter) => jq(filter, r.stdout, ['-r']).trim() };
}

/// A plain-text table: the line starting with `firstHeader` gives the
/// columns (headers are separated by two or more spaces); every later line
/// is a row object keyed by header.
function parseTable(text, firstHeader) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith(firstHeader));
  assert.ok(at >= 0, `no table headed ${firstHeader} in:\n${text}`);
  const header = lines[at];
  const cols = [];
  const re = /(\S+(?: \S+)*)/g;
  for (let m; (m = re.exec(header));) cols.push({ name: m[1], start: m.index });
  return lines.slice(at + 1).filter((l) => l.trim()).map((line) => {
    const row = {};
    cols.forEach((c, i) => {
      row[c.name] = line.slice(c.start, i + 1 < cols.length ? cols[i + 1].start : undefined).trim();
    });
    return row;
  });
}

/// The "name  value" lines of a `show` command.
function parsePairs(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+(?: \S+)*)\s{2,}(.*)$/.exec(line);
    if (m) out[m[1]] = m[2].trim();
  }
  return out;
}

/// The admin API with the current admin token.
async function api(method, path, body) {
  const res = await fetch(stack.base + path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  return { status: res.status, json };
}

async function providers() {
  const { status, json } = await api('GET', '/admin/providers');
  assert.equal(status, 200);
  return json.data;
}

/// A chat request through the gateway with an ohk_ key (to the fake).
async function chat(key, { path = '/v1/chat/completions', model = 'gpt-4o', content = 'Say hello' } = {}) {
  const res = await fetch(stack.base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...(model ? { model } : {}), messages: [{ role: 'user', content }] }),
  });
  const body = await res.json();
  return { status: res.status, requestId: res.headers.get('x-request-id'), body };
}

/// Polls `probe` (answering a truthy value when done) for up to `ms`.
async function waitFor(probe, what, ms = 10_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/// The log rows of a key, once `n` of them are written (batches).
async function logRowsOf(keyId, n) {
  return waitFor(async () => {
    const { json } = await api('GET', `/admin/cost/logs/query?per_page=200&api_key_id=${keyId}`);
    return json.data.length >= n ? json.data : null;
  }, `${n} log rows of key ${keyId}`);
}

function b64(text) {
  return Buffer.from(text).toString('base64');
}

function claudeCredentials({ access, refresh, expiresAt, plan = 'max' }) {
  return JSON.stringify({
    claudeAiOauth: { accessToken: access, refreshToken: refresh, expiresAt, subscriptionType: plan,
      scopes: ['user:inference', 'user:profile'] },
  });
}

// tmux: a server of this process's own (killed in `after`).
const tmuxSocket = `oh-cli-test-${process.pid}`;
let tmuxConf;
let tmuxSocketPath; // known once the server runs; removed with it

function tmux(...args) {
  if (!tmuxConf) {
    tmuxConf = join(scratch, 'tmux.conf');
    writeFileSync(tmuxConf, 'set -g history-limit 5000\n');
  }
  const r = spawnSync('tmux', ['-L', tmuxSocket, '-f', tmuxConf, ...args], { encoding: 'utf8', env: cleanEnv() });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function tmuxKillServer() {
  spawnSync('tmux', ['-L', tmuxSocket, 'kill-server'], { encoding: 'utf8' });
  if (tmuxSocketPath) rmSync(tmuxSocketPath, { force: true });
}

const shellQuote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`;

/// Starts `openhinge ...args` in a new 250×50 tmux session `name` (a real
/// terminal), with the gateway's URL and admin token in its environment.
/// A shell around it prints "[exit N]" when it ends (130 after Ctrl-C):
/// tmux itself does not always reap a pane's process promptly, the shell
/// does. Its `trap : INT` leaves SIGINT at its default for the CLI.
function startInTmux(name, args) {
  const run = ['env', `OPENHINGE_URL=${stack.base}`, `OPENHINGE_ADMIN_TOKEN=${adminToken}`, bin, ...args];
  const command = `bash -c ${shellQuote('trap : INT; "$@"; echo "[exit $?]"; sleep 600')} oh ${run.map(shellQuote).join(' ')}`;
  tmux('new-session', '-d', '-s', name, '-x', '250', '-y', '50', command);
  tmuxSocketPath ??= tmux('display-message', '-p', '-t', name, '#{socket_path}').trim();
}

/// The pane's text, wrapped lines joined, scrollback included.
const paneText = (name) => tmux('capture-pane', '-p', '-J', '-S', '-', '-t', name);

/// The CLI's exit status once it ended, else null.
const exitOf = (text) => /\[exit (\d+)\]$/m.exec(text)?.[1] ?? null; // after a "^C" echo too

/// Waits (up to `ms`) until `match(text)` is truthy for the pane's text;
/// throws with the pane on timeout.
async function waitForPane(name, match, what, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const text = paneText(name);
    const got = match(text);
    if (got) return got;
    if (Date.now() > end) throw new Error(`the pane never showed ${what}; it shows:\n${text}`);
    await sleep(100);
  }
}

/// Waits until the CLI in the pane ended; answers its exit status.
const waitForExit = (name) => waitForPane(name, exitOf, 'the command ending ([exit N])');

// ---------------------------------------------------------------------------

describe('help', () => {
  /// The command paths `openhinge help` lists ("provider list", "status").
  async function listedCommands() {
    const r = await ok(['help'], { target: false });
    const paths = [];
    for (const line of r.stdout.split('\n')) {
      const m = /^ {2}([a-z][a-z-]*(?: [a-z][a-z-]*)?) {2,}\S/.exec(line);
      if (m) paths.push(m[1]);
    }
    return paths;
  }

  test('`openhinge help` lists every command with the exit codes', async () => {
    const r = await ok(['help'], { target: false });
    assert.match(r.stdout, /^Usage: openhinge <command> \[options\]/m);
    assert.match(r.stdout, /Exit codes: 0 ok, 1 the gateway answered with an error/);
    const paths = await listedCommands();
    for (const p of ['status', 'provider list', 'provider add-claude', 'soul add', 'key rotate', 'logs', 'cost',
      'actors', 'settings set', 'admin rotate-token', 'connect openclaw', 'tunnel status', 'completion', 'version'])
      assert.ok(paths.includes(p), `help lists ${p}: ${paths}`);
    assert.ok(paths.length >= 45, `${paths.length} commands`);
    assert.equal(new Set(paths).size, paths.length, 'each command once');
  });

  test('`<command> --help` for every listed command: usage line and examples, same as `help <command>`', async () => {
    for (const path of await listedCommands()) {
      const words = path.split(' ');
      const r = await ok([...words, '--help'], { target: false });
      assert.equal(r.stderr, '', path);
      const usage = new RegExp(`^Usage: openhinge ${path}(?: |$)`, 'm');
      assert.match(r.stdout, usage, `${path} --help has a usage line`);
      assert.match(r.stdout, new RegExp(`^Examples?:\\n {2}openhinge ${path}\\b`, 'm'),
        `${path} --help has an example section:\n${r.stdout}`);
      const viaHelp = await ok(['help', ...words], { target: false });
      assert.equal(viaHelp.stdout, r.stdout, `help ${path} = ${path} --help`);
    }
  });

  test("no command's own option hides a gateway or configuration option", async () => {
    for (const path of await listedCommands()) {
      const r = await ok([...path.split(' '), '--help'], { target: false });
      const section = (title) => {
        const m = new RegExp(`^${title}:\\n((?: {2}.*\\n)+)`, 'm').exec(r.stdout);
        return m ? [...m[1].matchAll(/^ {2}(--[a-z-]+)/gm)].map((x) => x[1]) : [];
      };
      const own = section('Options');
      for (const shared of [...section('Gateway options'), ...section('Configuration options')])
        assert.ok(!own.includes(shared), `'${path}' has its own ${shared} next to the gateway's ${shared}`);
    }
  });

  test('a group: `help provider` and `provider --help` list its commands', async () => {
    const a = await ok(['help', 'provider'], { target: false });
    const b = await ok(['provider', '--help'], { target: false });
    assert.equal(a.stdout, b.stdout);
    for (const sub of ['list', 'show', 'add', 'update', 'delete', 'probe', 'health', 'models', 'login', 'import',
      'add-claude', 'export-claude'])
      assert.match(a.stdout, new RegExp(`^ {2}provider ${sub} `, 'm'));
  });

  test('`help --markdown` is the committed docs/cli.md', {
    skip: !existsSync(join(repoRoot, 'docs', 'cli.md')) && 'docs/cli.md is not committed',
  }, async () => {
    const r = await ok(['help', '--markdown'], { target: false });
    assert.equal(r.stdout, readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8'));
  });

  test('`help` of an unknown command: exit 2 with a suggestion', async () => {
    const r = await expectExit(2, ['help', 'provdier'], { target: false });
    assert.match(r.stderr, /no command 'provdier'\. Did you mean 'provider'\?/);
  });

  test('`version` prints the version the gateway reports', async () => {
    const r = await ok(['version'], { target: false });
    const m = /^openhinge (\d+\.\d+\.\d+\S*)\n$/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const status = await cliJson(['status']);
    assert.equal(status.q('.version'), m[1]);
  });
});

describe('usage errors exit 2', () => {
  test('a wrong command suggests the right one', async () => {
    const r = await expectExit(2, ['provdier', 'list']);
    assert.match(r.stderr, /unknown command 'provdier'\. Did you mean 'provider'\?/);
    assert.equal(r.stdout, '');
    const sub = await expectExit(2, ['key', 'shw', 'abc']);
    assert.match(sub.stderr, /unknown command 'key shw'\. Did you mean 'key show'\?/);
  });

  test('a group without its command lists the commands', async () => {
    const r = await expectExit(2, ['provider']);
    assert.match(r.stderr, /'provider' needs a command: list, show, add, update, delete, probe, health, models, login, import, add-claude, export-claude/);
  });

  test('a command without its operands says what it needs', async () => {
    const r = await expectExit(2, ['key', 'show']);
    assert.match(r.stderr, /'key show' needs <id>/);
    const required = await expectExit(2, ['key', 'create']);
    assert.match(required.stderr, /'key create' needs --name NAME/);
    const extra = await expectExit(2, ['version', 'extra']);
    assert.match(extra.stderr, /'version' takes no operands, but got 'extra'/);
  });

  test('an unknown flag: "Did you mean" when close, the help otherwise', async () => {
    const close = await expectExit(2, ['key', 'create', '--name', 'x', '--fromat', 'openai']);
    assert.match(close.stderr, /'key create' has no option --fromat\. Did you mean '--format'\?/);
    const far = await expectExit(2, ['key', 'list', '--zzzzzz']);
    assert.match(far.stderr, /'key list' has no option --zzzzzz\. See 'openhinge help key list'/);
    assert.doesNotMatch(far.stderr, /Did you mean/);
  });

  test('a flag without its value, a switch with one', async () => {
    const r = await expectExit(2, ['key', 'create', '--name']);
    assert.match(r.stderr, /--name needs a value \(NAME\)/);
    const sw = await expectExit(2, ['key', 'list', '--json=yes']);
    assert.match(sw.stderr, /--json takes no value/);
  });

  test('a value outside the choices', async () => {
    const r = await expectExit(2, ['key', 'create', '--name', 'x', '--format', 'xml']);
    assert.match(r.stderr, /--format must be one of openai, anthropic, openclaw, not 'xml'/);
    const near = await expectExit(2, ['cost', '--by', 'modl']);
    assert.match(near.stderr, /--by must be one of day, key, soul, provider, model, not 'modl'\. Did you mean 'model'\?/);
    const num = await expectExit(2, ['key', 'create', '--name', 'x', '--rpm', 'lots']);
    assert.match(num.stderr, /--rpm must be a whole number/);
  });

  test('values the command checks itself', async () => {
    const login = await expectExit(2, ['provider', 'login', 'ollama']);
    assert.match(login.stderr, /browser login exists for claude, openai \(ChatGPT\) and gemini accounts, not 'ollama'/);
    const expiry = await expectExit(2, ['key', 'create', '--name', 'x', '--expires', 'someday']);
    assert.match(expiry.stderr, /--expires must be a date/);
    const timeout = await expectExit(2, ['status', '--client-timeout', '0']);
    assert.match(timeout.stderr, /--client-timeout must be a number of seconds above 0/);
  });

  test('contradicting switches', async () => {
    const r = await expectExit(2, ['provider', 'update', 'abc', '--enable', '--disable']);
    assert.match(r.stderr, /--enable and --disable contradict each other/);
  });
});

describe('the gateway and its admin token', () => {
  test('from OPENHINGE_URL and OPENHINGE_ADMIN_TOKEN', async () => {
    const keys = await cliJson(['key', 'list']);
    assert.ok(keys.value.some((k) => k.name === 'e2e'));
  });

  test('from --url and --token, after the command and before it', async () => {
    const env = { OPENHINGE_URL: undefined, OPENHINGE_ADMIN_TOKEN: undefined };
    const after = await cliJson(['key', 'list', '--url', stack.base, '--token', adminToken], { env });
    const before = await ok(['--url', stack.base, '--token', adminToken, 'key', 'list', '--json'], { env });
    assert.deepEqual(JSON.parse(before.stdout), after.value);
    const eq = await ok([`--url=${stack.base}`, `--token=${adminToken}`, 'status'], { env });
    assert.match(eq.stdout, new RegExp(`^Gateway ${stack.base}$`, 'm'));
  });

  test('flags win over the environment', async () => {
    const r = await ok(['status', '--token', adminToken], { env: { OPENHINGE_ADMIN_TOKEN: 'oha_wrong' } });
    assert.match(r.stdout, /Status\s+running/);
  });

  test('from --data-dir alone: its port file and admin.token', async () => {
    const r = await cliJson(['status', '--data-dir', stack.dataDir], { target: false });
    assert.equal(r.q('.status'), 'running');
    const before = await ok(['--data-dir', stack.dataDir, 'key', 'list'], { target: false });
    assert.ok(parseTable(before.stdout, 'ID').some((row) => row.NAME === 'e2e'));
  });

  test('a wrong token: exit 1 with the API\'s message', async () => {
    const r = await expectExit(1, ['key', 'list', '--token', 'wrong']);
    assert.match(r.stderr, /^openhinge: invalid admin token/m);
    assert.equal(r.stdout, '');
    // --json also prints the API's error body on stdout.
    const j = await expectExit(1, ['key', 'list', '--token', 'wrong', '--json']);
    assert.match(jq('.error.message', j.stdout, ['-r']), /^invalid admin token/);
  });

  test('an API error: exit 1 with its message; --json prints the error body', async () => {
    const r = await expectExit(1, ['provider', 'show', 'nosuchid']);
    assert.match(r.stderr, /^openhinge: provider nosuchid not found$/m);
    const j = await expectExit(1, ['provider', 'show', 'nosuchid', '--json']);
    assert.equal(jq('.error.message', j.stdout, ['-r']).trim(), 'provider nosuchid not found');
  });

  test('no gateway at the URL: exit 3', async () => {
    const port = await freePort();
    const r = await expectExit(3, ['status', '--url', `http://127.0.0.1:${port}`]);
    assert.match(r.stderr, new RegExp(`no gateway answers at http://127\\.0\\.0\\.1:${port}`));
    const env = await expectExit(3, ['key', 'list'], { env: { OPENHINGE_URL: `http://127.0.0.1:${port}` } });
    assert.match(env.stderr, /no gateway answers/);
  });

  test('configuration the CLI cannot use: exit 2', async () => {
    const bad = await expectExit(2, ['status', '--url', 'ftp://127.0.0.1:1']);
    assert.match(bad.stderr, /must start with http:\/\/ or https:\/\//);
    const empty = mkdtempSync(join(scratch, 'empty-data-'));
    const none = await expectExit(2, ['status', '--data-dir', empty], { target: false });
    assert.match(none.stderr, /no admin token: pass --token, set OPENHINGE_ADMIN_TOKEN/);
  });
});

describe('status', () => {
  test('table and --json', async () => {
    const r = await ok(['status']);
    assert.match(r.stdout, new RegExp(`^Gateway ${stack.base}$`, 'm'));
    const pairs = parsePairs(r.stdout);
    assert.equal(pairs.Status, 'running');
    assert.match(pairs.Uptime, /^\d+d \d\dh \d\dm \d\ds$/);
    const j = await cliJson(['status']);
    assert.equal(j.q('.status'), 'running');
    assert.equal(Number(j.q('.providers')), (await providers()).length);
    assert.equal(pairs.Providers, j.q('.providers'));
    assert.equal(pairs['API keys'], j.q('.api_keys'));
  });
});

describe('provider', () => {
  const fake = () => `http://127.0.0.1:${stack.fakePort}`;
  let id; // cli-openai

  test('add (table output), then list, show', async () => {
    const r = await ok(['provider', 'add', '--name', 'cli-openai', '--type', 'openai', '--base-url', `${fake()}/v1`,
      '--key', 'sk-e2e-upstream', '--model', 'gpt-4o', '--priority', '5']);
    const m = /^Added openai account 'cli-openai' \(([0-9a-f]+)\)\.$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    id = m[1];
    assert.match(r.stdout, new RegExp(`openhinge provider health ${id}`));

    const row = parseTable((await ok(['provider', 'list'])).stdout, 'ID').find((x) => x.ID === id);
    assert.ok(row, 'the account is listed');
    assert.equal(row.NAME, 'cli-openai');
    assert.equal(row.TYPE, 'openai');
    assert.equal(row.AUTH, 'api_key');
    assert.equal(row.PRI, '5');
    assert.equal(row.ENABLED, 'yes');
    assert.equal(row.MODEL, 'gpt-4o');

    const list = await cliJson(['provider', 'list']);
    assert.equal(list.q(`.[] | select(.id == "${id}") | .base_url`), `${fake()}/v1`);

    const show = await ok(['provider', 'show', id]);
    const pairs = parsePairs(show.stdout);
    assert.equal(pairs.name, 'cli-openai');
    assert.equal(pairs['config.default_model'], 'gpt-4o');
    assert.equal(pairs.credentials_set, 'api_key');
    assert.doesNotMatch(show.stdout, /sk-e2e-upstream/, 'the key is never shown');
    const j = await cliJson(['provider', 'show', id]);
    assert.equal(j.q('.priority'), '5');
    assert.equal(j.q('.credentials_set | join(",")'), 'api_key');
    assert.doesNotMatch(j.text, /sk-e2e-upstream/);
  });

  test('add --json; an account type without --key is refused (exit 2)', async () => {
    const j = await cliJson(['provider', 'add', '--name', 'cli-openai-2', '--type', 'openai', '--base-url', fake(),
      '--key', 'sk-e2e-upstream']);
    assert.equal(j.q('.type'), 'openai');
    assert.equal(j.q('.auth_mode'), 'api_key');
    assert.ok((await providers()).some((p) => p.id === j.value.id && p.name === 'cli-openai-2'));
    const r = await expectExit(2, ['provider', 'add', '--name', 'nokey', '--type', 'openai']);
    assert.match(r.stderr, /openai accounts need --key/);
    const t = await expectExit(2, ['provider', 'add', '--name', 'x', '--type', 'mistral', '--key', 'k']);
    assert.match(t.stderr, /--type must be one of claude, openai, gemini, ollama, not 'mistral'/);
  });

  test('update changes only the given fields', async () => {
    const r = await ok(['provider', 'update', id, '--priority', '9', '--disable', '--name', 'cli-renamed']);
    assert.match(r.stdout, new RegExp(`^Updated 'cli-renamed' \\(${id}\\)\\.$`, 'm'));
    let p = (await providers()).find((x) => x.id === id);
    assert.equal(p.priority, 9);
    assert.equal(p.is_enabled, false);
    assert.equal(p.config.default_model, 'gpt-4o', 'untouched');
    const j = await cliJson(['provider', 'update', id, '--enable', '--name', 'cli-openai']);
    assert.equal(j.q('.is_enabled'), 'true');
    p = (await providers()).find((x) => x.id === id);
    assert.equal(p.is_enabled, true);
    assert.equal(p.name, 'cli-openai');
    const nothing = await expectExit(2, ['provider', 'update', id]);
    assert.match(nothing.stderr, /nothing to update/);
    const missing = await expectExit(1, ['provider', 'update', 'nosuchid', '--priority', '1']);
    assert.match(missing.stderr, /not found/);
  });

  test('probe tests a key without saving it', async () => {
    const before = (await providers()).length;
    const r = await ok(['provider', 'probe', '--type', 'openai', '--key', 'sk-e2e-upstream', '--base-url', `${fake()}/v1`]);
    assert.match(r.stdout, /^Status: +healthy \(\d+ ms\)$/m);
    const models = parseTable(r.stdout, 'MODEL').map((x) => x.MODEL);
    assert.deepEqual(models.sort(), ['fake-model', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini']);
    const j = await cliJson(['provider', 'probe', '--type', 'openai', '--key', 'sk-e2e-upstream', '--base-url', fake()]);
    assert.equal(j.q('.health.status'), 'healthy');
    assert.equal(j.q('.models | index("gpt-4o") != null'), 'true');
    assert.equal((await providers()).length, before, 'nothing was saved');
    // Nothing listens there: the probe answers, unhealthy, and exits 1.
    const down = await cli(['provider', 'probe', '--type', 'openai', '--key', 'k', '--base-url',
      `http://127.0.0.1:${await freePort()}`]);
    assert.equal(down.code, 1, describeRun(down));
    assert.match(down.stdout, /^Status: +(down|error|unhealthy)/m);
  });

  test('health of one, of several, of all', async () => {
    const one = await ok(['provider', 'health', id]);
    const rows = parseTable(one.stdout, 'ID');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].ID, id);
    assert.equal(rows[0].STATUS, 'healthy');
    assert.equal(rows[0].MODELS, '4');
    const j = await cliJson(['provider', 'health', id]);
    assert.equal(j.q('length'), '1');
    assert.equal(j.q('.[0].status'), 'healthy');

    const openaiIds = (await providers()).filter((p) => p.type === 'openai').map((p) => p.id);
    const several = await cliJson(['provider', 'health', ...openaiIds]);
    assert.deepEqual(several.value.map((x) => x.id), openaiIds);

    const all = await cliJson(['provider', 'health']);
    const ids = (await providers()).map((p) => p.id).sort();
    assert.deepEqual(all.q('[.[].id] | sort | join(",")'), ids.join(','));
    assert.equal(all.q(`.[] | select(.id == "${id}") | .status`), 'healthy');
    const table = parseTable((await ok(['provider', 'health'])).stdout, 'ID');
    assert.equal(table.length, ids.length);
  });

  test("models lists the fake's models", async () => {
    const r = await ok(['provider', 'models', id]);
    assert.deepEqual(parseTable(r.stdout, 'MODEL').map((x) => x.MODEL).sort(),
      ['fake-model', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini']);
    const j = await cliJson(['provider', 'models', id]);
    assert.equal(j.q('[.[].id] | sort | join(",")'), 'fake-model,gpt-4.1,gpt-4o,gpt-4o-mini');
  });

  test('import: the detections, an Ollama and an env key; unknown or unset sources are API errors', async () => {
    const table = parseTable((await ok(['provider', 'import'])).stdout, 'SOURCE');
    const ollama = table.find((x) => x.SOURCE === 'ollama');
    assert.ok(ollama, 'Ollama (the fake) is detected');
    assert.equal(ollama.FOUND, 'yes');
    assert.equal(ollama['WHERE / NOTE'], fake());
    assert.ok(table.some((x) => x.SOURCE === 'env:OPENAI_API_KEY' && x.FOUND === 'yes'));
    const found = await cliJson(['provider', 'import']);
    assert.equal(found.q('.[] | select(.source == "ollama") | .models | index("qwen3:8b") != null'), 'true');
    assert.equal(found.q('[.[] | select(.source == "env:ANTHROPIC_API_KEY")] | length'), '0');

    const r = await ok(['provider', 'import', 'ollama', '--name', 'cli-ollama']);
    const m = /^Imported 'cli-ollama' \(([0-9a-f]+), ollama, api_key\)\.$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const acct = (await providers()).find((p) => p.id === m[1]);
    assert.equal(acct.base_url, fake());

    const env = await cliJson(['provider', 'import', 'env:OPENAI_API_KEY', '--name', 'openai-env']);
    assert.equal(env.q('.type'), 'openai');
    assert.equal(env.q('.credentials_set | join(",")'), 'api_key');

    // Both at once (the env account would talk to the real OpenAI).
    const del = await ok(['provider', 'delete', m[1], env.value.id]);
    assert.match(del.stdout, /^Deleted 2 of 2 accounts\.$/m);
    const left = (await providers()).map((p) => p.id);
    assert.ok(!left.includes(m[1]) && !left.includes(env.value.id));

    const unset = await expectExit(1, ['provider', 'import', 'env:ANTHROPIC_API_KEY']);
    assert.match(unset.stderr, /ANTHROPIC_API_KEY is not set in the gateway's environment/);
    const bogus = await expectExit(1, ['provider', 'import', 'bogus']);
    assert.match(bogus.stderr, /source: must be claude_code, codex, gcloud_adc, ollama/);
  });

  test('delete one, several at once; unknown ids exit 1', async () => {
    const made = [];
    for (const name of ['del-a', 'del-b', 'del-c'])
      made.push((await cliJson(['provider', 'add', '--name', name, '--type', 'ollama', '--base-url', fake()])).value.id);
    const one = await ok(['provider', 'delete', made[0]]);
    assert.match(one.stdout, new RegExp(`^Deleted provider ${made[0]}\\.$`, 'm'));
    const two = await cliJson(['provider', 'delete', made[1], made[2]]);
    assert.equal(two.q('.affected'), '2');
    const left = (await providers()).map((p) => p.id);
    for (const m of made) assert.ok(!left.includes(m), `${m} is gone`);
    const missing = await expectExit(1, ['provider', 'delete', made[0]]);
    assert.match(missing.stderr, /not found/);
    const several = await expectExit(1, ['provider', 'delete', made[1], made[2]]);
    assert.match(several.stderr, /2 of the ids named no account/);
  });

  test('add-claude with --access-token and with the exported credentials', async () => {
    const r = await ok(['provider', 'add-claude', '--access-token', 'sk-ant-oat01-e2e-pasted', '--name', 'claude-pasted']);
    const m = /^Added the Claude subscription account 'claude-pasted' \(([0-9a-f]+)\)/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const pasted = (await providers()).find((p) => p.id === m[1]);
    assert.equal(pasted.type, 'claude');
    assert.equal(pasted.auth_mode, 'oauth');
    assert.ok(pasted.credentials_set.includes('oauth_token'), pasted.credentials_set);

    const expiresAt = Date.now() + 3_600_000;
    const creds = b64(claudeCredentials({ access: 'sk-ant-oat01-e2e-b64', refresh: 'sk-ant-ort01-e2e-b64', expiresAt }));
    const j = await cliJson(['provider', 'add-claude', '--credentials', creds, '--name', 'claude-b64']);
    const acct = (await providers()).find((p) => p.name === 'claude-b64');
    assert.ok(acct, JSON.stringify(j.value));
    assert.equal(acct.auth_mode, 'oauth');
    assert.ok(acct.credentials_set.includes('refresh_token'), acct.credentials_set);

    const neither = await expectExit(2, ['provider', 'add-claude']);
    assert.match(neither.stderr, /give --credentials .* or --access-token/);
    const garbage = await expectExit(2, ['provider', 'add-claude', '--credentials', '%%%not-base64%%%']);
    assert.match(garbage.stderr, /--credentials is not base64/);
  });

  test('export-claude prints an add-claude command that works against the gateway', async () => {
    const dir = mkdtempSync(join(scratch, 'claude-config-'));
    const expiresAt = Date.now() + 7_200_000;
    writeFileSync(join(dir, '.credentials.json'),
      claudeCredentials({ access: 'sk-ant-oat01-e2e-exported', refresh: 'sk-ant-ort01-e2e-exported', expiresAt }));
    const r = await ok(['provider', 'export-claude'], { target: false, env: { CLAUDE_CONFIG_DIR: dir } });
    assert.match(r.stderr, /Claude Code login from .*\.credentials\.json \(max\)/);
    const m = /^openhinge (provider add-claude --\S+ (\S+))\n$/.exec(r.stdout);
    assert.ok(m, `one command on stdout: ${r.stdout}`);
    const decoded = JSON.parse(Buffer.from(m[2], 'base64').toString('utf8'));
    assert.equal(decoded.claudeAiOauth.accessToken, 'sk-ant-oat01-e2e-exported');

    // Run exactly what it printed, against the gateway (target from the env).
    const added = await ok(m[1].split(' '));
    assert.match(added.stdout, /^Added the Claude subscription account 'Claude \(max\)'/m);
    const acct = (await providers()).find((p) => p.name === 'Claude (max)');
    assert.ok(acct, 'the exported login is an account now');
    assert.equal(acct.type, 'claude');
    assert.ok(acct.credentials_set.includes('refresh_token'));

    const none = await expectExit(1, ['provider', 'export-claude'],
      { target: false, env: { CLAUDE_CONFIG_DIR: mkdtempSync(join(scratch, 'no-claude-')) } });
    assert.match(none.stderr, /no Claude Code login on this machine/);
  });
});

describe('soul', () => {
  let helperId;

  test('add from files (system prompt and schema), then list and show by slug and by id', async () => {
    const prompt = join(scratch, 'prompt.txt');
    writeFileSync(prompt, 'You are terse.\nAnswer in JSON.');
    const schemaFile = join(scratch, 'schema.json');
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    writeFileSync(schemaFile, JSON.stringify(schema));
    const r = await ok(['soul', 'add', '--name', 'Helper Bot', '--system-prompt-file', prompt, '--schema-file', schemaFile,
      '--model', 'gpt-4o', '--temperature', '0.3', '--description', 'answers briefly']);
    const m = /^Created soul 'Helper Bot' \(([0-9a-f]+)\)\.$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    helperId = m[1];
    assert.match(r.stdout, new RegExp(`^Endpoint: POST ${stack.base}/v1/souls/helper-bot/chat/completions$`, 'm'));

    const { json } = await api('GET', `/admin/souls/${helperId}`);
    assert.equal(json.data.system_prompt, 'You are terse.\nAnswer in JSON.');
    const stored = json.data.response_schema;
    assert.deepEqual(typeof stored === 'string' ? JSON.parse(stored) : stored, schema);

    const row = parseTable((await ok(['soul', 'list'])).stdout, 'ID').find((x) => x.ID === helperId);
    assert.equal(row.SLUG, 'helper-bot');
    assert.equal(row.MODEL, 'gpt-4o');
    assert.equal(row.TEMP, '0.3');
    assert.equal(row.ENDPOINT, '/v1/souls/helper-bot/chat/completions');
    const list = await cliJson(['soul', 'list']);
    assert.equal(list.q('.[] | select(.slug == "helper-bot") | .id'), helperId);

    const bySlug = await cliJson(['soul', 'show', 'helper-bot']);
    const byId = await cliJson(['soul', 'show', helperId]);
    assert.deepEqual(bySlug.value, byId.value);
    assert.equal(bySlug.q('.temperature'), '0.3');
    const pairs = parsePairs((await ok(['soul', 'show', 'helper-bot'])).stdout);
    assert.equal(pairs.slug, 'helper-bot');
    assert.equal(pairs.description, 'answers briefly');
    const missing = await expectExit(1, ['soul', 'show', 'no-such-soul']);
    assert.match(missing.stderr, /no soul with the id or slug 'no-such-soul'/);
  });

  test('bad input files and missing prompt: exit 2, nothing created', async () => {
    const before = (await api('GET', '/admin/souls')).json.data.length;
    const bad = join(scratch, 'bad-schema.json');
    writeFileSync(bad, '{"type": "object",');
    const r = await expectExit(2, ['soul', 'add', '--name', 'Bad', '--system-prompt', 'x', '--schema-file', bad]);
    assert.match(r.stderr, /--schema-file: .*bad-schema\.json is not JSON/);
    const nofile = await expectExit(2, ['soul', 'add', '--name', 'Bad', '--system-prompt-file', join(scratch, 'nope.txt')]);
    assert.match(nofile.stderr, /--system-prompt-file: /);
    const noprompt = await expectExit(2, ['soul', 'add', '--name', 'Bad']);
    assert.match(noprompt.stderr, /needs --system-prompt TEXT or --system-prompt-file FILE/);
    const both = await expectExit(2, ['soul', 'add', '--name', 'Bad', '--system-prompt', 'a', '--system-prompt-file', bad]);
    assert.match(both.stderr, /not both/);
    assert.equal((await api('GET', '/admin/souls')).json.data.length, before);
  });

  test('update by slug and by id; an empty value clears a field', async () => {
    const r = await ok(['soul', 'update', 'helper-bot', '--temperature', '1.1', '--model', '']);
    assert.match(r.stdout, /^Updated soul 'Helper Bot' \(version 2\)\.$/m);
    let soul = (await api('GET', `/admin/souls/${helperId}`)).json.data;
    assert.equal(soul.temperature, 1.1);
    assert.equal(soul.model, null);
    const j = await cliJson(['soul', 'update', helperId, '--disable', '--model', 'gpt-4o']);
    assert.equal(j.q('.is_enabled'), 'false');
    assert.equal(j.q('.version'), '3');
    soul = (await api('GET', `/admin/souls/${helperId}`)).json.data;
    assert.equal(soul.is_enabled, false);
    assert.equal(soul.model, 'gpt-4o');
    await ok(['soul', 'update', 'helper-bot', '--enable']);
    const nothing = await expectExit(2, ['soul', 'update', 'helper-bot']);
    assert.match(nothing.stderr, /nothing to update/);
    const missing = await expectExit(1, ['soul', 'update', 'no-such-soul', '--temperature', '1']);
    assert.match(missing.stderr, /no soul with the id or slug/);
  });

  test('a soul made by the CLI answers at its endpoint', async () => {
    await ok(['soul', 'add', '--name', 'Chatty', '--system-prompt', 'Be brief.', '--model', 'gpt-4o']);
    const res = await chat(stack.key, { path: '/v1/souls/chatty/chat/completions', model: null });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.choices[0].message.content, 'Hello from fake upstream');
  });

  test('delete by slug and by id at once', async () => {
    await ok(['soul', 'add', '--name', 'Temp One', '--system-prompt', 'x']);
    const two = await cliJson(['soul', 'add', '--name', 'Temp Two', '--system-prompt', 'x']);
    const r = await ok(['soul', 'delete', 'temp-one', two.value.id]);
    assert.match(r.stdout, /^Deleted soul temp-one\.$/m);
    assert.match(r.stdout, new RegExp(`^Deleted soul ${two.value.id}\\.$`, 'm'));
    const slugs = (await api('GET', '/admin/souls')).json.data.map((s) => s.slug);
    assert.ok(!slugs.includes('temp-one') && !slugs.includes('temp-two'), slugs.join());
    const three = await cliJson(['soul', 'add', '--name', 'Temp Three', '--system-prompt', 'x']);
    const j = await cliJson(['soul', 'delete', 'temp-three']);
    assert.equal(j.q('.deleted[0]'), three.value.id);
    const missing = await expectExit(1, ['soul', 'delete', 'temp-three']);
    assert.match(missing.stderr, /no soul with the id or slug 'temp-three'/);
  });
});

describe('key', () => {
  let id;
  let secret;

  test('create prints the secret once, and the key works', async () => {
    const r = await ok(['key', 'create', '--name', 'cli-key', '--rpm', '100', '--daily-budget', '5', '--expires', '30d']);
    const m = /^Created key 'cli-key' \(([0-9a-f]+)\)\. Its secret is shown only this once:\n\n {2}(ohk_\S+)\n/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    [, id, secret] = m;
    assert.match(r.stdout, new RegExp(`curl ${stack.base}/v1/chat/completions`));
    const res = await chat(secret);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.choices[0].message.content, 'Hello from fake upstream');

    const j = await cliJson(['key', 'create', '--name', 'cli-key-json', '--format', 'anthropic', '--souls', 'helper-bot,chatty']);
    assert.match(j.q('.key'), /^ohk_/);
    assert.equal(j.q('.api_format'), 'anthropic');
    const souls = (await api('GET', '/admin/souls')).json.data;
    assert.deepEqual(j.value.soul_ids.sort(),
      souls.filter((s) => ['helper-bot', 'chatty'].includes(s.slug)).map((s) => s.id).sort());
    const anth = await fetch(`${stack.base}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': j.value.key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.notEqual(anth.status, 401, 'the --json secret is a working key');
    const bad = await expectExit(2, ['key', 'create', '--name', 'x', '--souls', 'no-such-soul']);
    assert.match(bad.stderr, /--souls: no soul with the id or slug 'no-such-soul'/);
  });

  test('list and show never show the secret again', async () => {
    const list = await ok(['key', 'list']);
    assert.ok(!list.stdout.includes(secret));
    const row = parseTable(list.stdout, 'ID').find((x) => x.ID === id);
    assert.equal(row.NAME, 'cli-key');
    assert.equal(row.STATE, 'active');
    assert.equal(row.RPM, '100');
    assert.equal(row.TODAY.split('/')[1], '$5.00');
    assert.equal(row.KEY, `${secret.slice(0, 12)}…${secret.slice(-4)}`);
    const j = await cliJson(['key', 'list']);
    assert.equal(j.q(`.[] | select(.id == "${id}") | .daily_budget_cents`), '500');
    assert.equal(j.q('[.[] | select(has("key"))] | length'), '0');
    const show = await ok(['key', 'show', id]);
    assert.ok(!show.stdout.includes(secret));
    assert.equal(parsePairs(show.stdout).rate_limit_rpm, '100');
    const sj = await cliJson(['key', 'show', id]);
    assert.equal(sj.q('.name'), 'cli-key');
    assert.ok(Date.parse(sj.value.expires_at) > Date.now() + 29 * 86_400_000, sj.value.expires_at);
  });

  test('update changes the limits', async () => {
    const r = await ok(['key', 'update', id, '--rpm', '600', '--expires', 'never', '--monthly-budget', '20']);
    assert.match(r.stdout, new RegExp(`^Updated key 'cli-key' \\(${id}\\)\\.$`, 'm'));
    const k = (await api('GET', `/admin/keys/${id}`)).json.data;
    assert.equal(k.rate_limit_rpm, 600);
    assert.equal(k.expires_at, null);
    assert.equal(k.monthly_budget_cents, 2000);
    assert.equal(k.daily_budget_cents, 500, 'untouched');
    const nothing = await expectExit(2, ['key', 'update', id]);
    assert.match(nothing.stderr, /nothing to update/);
    const badExpiry = await expectExit(2, ['key', 'update', id, '--expires', 'someday']);
    assert.match(badExpiry.stderr, /--expires must be a date/);
  });

  test('revoke stops the key (401), reactivate lets it work again', async () => {
    const r = await ok(['key', 'revoke', id]);
    assert.match(r.stdout, new RegExp(`^Revoked key ${id}\\.$`, 'm'));
    assert.equal((await chat(secret)).status, 401);
    const row = parseTable((await ok(['key', 'list'])).stdout, 'ID').find((x) => x.ID === id);
    assert.equal(row.STATE, 'revoked');
    await cliJson(['key', 'reactivate', id]);
    const res = await chat(secret);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  test('rotate replaces the secret: the old one fails, the new one works', async () => {
    const r = await ok(['key', 'rotate', id]);
    const m = /^Rotated key 'cli-key' \([0-9a-f]+\)\. Its secret is shown only this once:\n\n {2}(ohk_\S+)\n/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    const rotated = m[1];
    assert.notEqual(rotated, secret);
    assert.equal((await chat(secret)).status, 401, 'the old secret stops at once');
    assert.equal((await chat(rotated)).status, 200);
    const j = await cliJson(['key', 'rotate', id]);
    assert.notEqual(j.q('.key'), rotated);
    assert.equal((await chat(rotated)).status, 401);
    secret = j.value.key;
    assert.equal((await chat(secret)).status, 200);
  });

  test('delete several at once; an unknown id exits 1', async () => {
    const a = (await cliJson(['key', 'create', '--name', 'del-a'])).value;
    const b = (await cliJson(['key', 'create', '--name', 'del-b'])).value;
    const r = await ok(['key', 'delete', a.id, b.id]);
    assert.match(r.stdout, new RegExp(`^Deleted key ${a.id}\\.\\nDeleted key ${b.id}\\.$`, 'm'));
    for (const k of [a, b]) {
      assert.equal((await api('GET', `/admin/keys/${k.id}`)).status, 404);
      assert.equal((await chat(k.key)).status, 401);
    }
    const c = (await cliJson(['key', 'create', '--name', 'del-c'])).value;
    const j = await cliJson(['key', 'delete', c.id]);
    assert.equal(j.q('.deleted[0]'), c.id);
    const missing = await expectExit(1, ['key', 'delete', c.id]);
    assert.match(missing.stderr, new RegExp(`key ${c.id} not found`));
    const show = await expectExit(1, ['key', 'show', c.id]);
    assert.match(show.stderr, /not found/);
  });
});

describe('logs', () => {
  let key; // {id, key} of this section's own
  const ids = []; // request ids, oldest first

  before(async () => {
    key = (await cliJson(['key', 'create', '--name', 'logs-key'])).value;
    for (let i = 0; i < 3; i++) {
      const res = await chat(key.key, { content: `request ${i}` });
      assert.equal(res.status, 200);
      ids.push(res.requestId);
    }
    await ok(['key', 'revoke', key.id]);
    const denied = await chat(key.key);
    assert.equal(denied.status, 401);
    ids.push(denied.requestId);
    await ok(['key', 'reactivate', key.id]);
    await logRowsOf(key.id, 4);
  });

  test('the table: newest first, with a count', async () => {
    const r = await ok(['logs', '--key', key.id]);
    const rows = parseTable(r.stdout, 'REQUEST').filter((x) => /^[0-9a-f]{16}$/.test(x.REQUEST));
    assert.deepEqual(rows.map((x) => x.REQUEST), [...ids].reverse());
    assert.deepEqual(rows.map((x) => x.STATUS), ['denied', 'success', 'success', 'success']);
    const logged = await logRowsOf(key.id, 4);
    assert.equal(rows[1].PROVIDER, logged[1].provider_name);
    assert.equal(rows[1].MODEL, 'gpt-4o');
    assert.equal(rows[1].KEY, 'logs-key');
    assert.match(r.stdout, /^4 of 4 matching rows, newest first\.$/m);
  });

  test('--json is the page: rows, total and the next cursor', async () => {
    const j = await cliJson(['logs', '--key', key.id]);
    assert.equal(j.q('.total'), '4');
    assert.equal(j.q('[.data[].request_id] | join(",")'), [...ids].reverse().join(','));
    assert.equal(j.q('[.data[].api_key_id] | unique | join(",")'), key.id);
  });

  test('filters: --status, --key, --limit with --after', async () => {
    const denied = await cliJson(['logs', '--key', key.id, '--status', 'denied']);
    assert.equal(denied.q('[.data[].request_id] | join(",")'), ids[3]);
    assert.equal(denied.q('.data[0].http_status'), '401');
    const success = await cliJson(['logs', '--key', key.id, '--status', 'success']);
    assert.equal(success.q('.data | length'), '3');

    const first = await cliJson(['logs', '--key', key.id, '--limit', '2']);
    assert.equal(first.q('.data | length'), '2');
    const next = first.q('.next');
    assert.ok(next && next !== 'null', 'a next cursor');
    const table = await ok(['logs', '--key', key.id, '--limit', '2']);
    assert.match(table.stdout, new RegExp(`^Older rows: add --after ${next}$`, 'm'));
    const second = await cliJson(['logs', '--key', key.id, '--limit', '2', '--after', next]);
    assert.equal([...first.value.data, ...second.value.data].map((r) => r.request_id).join(','),
      [...ids].reverse().join(','));
    const bad = await expectExit(2, ['logs', '--limit', '0']);
    assert.match(bad.stderr, /--limit must be a whole number from 1 to 200/);
  });

  test('one row in full by its request id, with its upstream attempts', async () => {
    const r = await ok(['logs', ids[0]]);
    const pairs = parsePairs(r.stdout);
    assert.equal(pairs.request_id, ids[0]);
    assert.equal(pairs.status, 'success');
    assert.equal(pairs.api_key_id, key.id);
    assert.match(r.stdout, /^Attempts$/m);
    const attempts = parseTable(r.stdout.slice(r.stdout.indexOf('\nAttempts\n')), '#');
    assert.equal(attempts.length, 1);
    const j = await cliJson(['logs', ids[0]]);
    assert.equal(j.q('.request_id'), ids[0]);
    assert.equal(j.q('.attempts | length'), '1');
    const missing = await expectExit(1, ['logs', 'ffffffffffffffff']);
    assert.match(missing.stderr, /no request with id ffffffffffffffff/);
    const usage = await expectExit(2, ['logs', ids[0], '--follow']);
    assert.match(usage.stderr, /a row id shows one row/);
  });

  test("the attempts table names the account and the attempt's HTTP status", async () => {
    const r = await ok(['logs', ids[0]]);
    const [attempt] = parseTable(r.stdout.slice(r.stdout.indexOf('\nAttempts\n')), '#');
    const account = (await logRowsOf(key.id, 4)).find((x) => x.request_id === ids[0]).provider_name;
    assert.match(account, /openai/);
    assert.equal(attempt.PROVIDER, account, `attempts table:\n${r.stdout}`);
    assert.equal(attempt.HTTP, '200', `attempts table:\n${r.stdout}`);
  });

  test('--export csv: a header and every matching row', async () => {
    const r = await ok(['logs', '--export', 'csv', '--key', key.id]);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^id,request_id,/);
    const cols = lines[0].split(',');
    const at = cols.indexOf('request_id');
    assert.equal(lines.length, 5, r.stdout);
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[at]).sort(), [...ids].sort());
    const denied = await ok(['logs', '--export', 'csv', '--key', key.id, '--status', 'denied']);
    assert.equal(denied.stdout.trim().split('\n').length, 2);
  });

  test('--export ndjson: one JSON row per line (jq -c reads each)', async () => {
    const r = await ok(['logs', '--export', 'ndjson', '--key', key.id]);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 4);
    assert.deepEqual(jq('.', r.stdout, ['-c']).trim().split('\n').map((l) => JSON.parse(l)),
      lines.map((l) => JSON.parse(l)));
    assert.deepEqual(jq('.request_id', r.stdout, ['-r']).trim().split('\n').sort(), [...ids].sort());
  });

  test('--follow --json without a terminal: new rows as NDJSON until SIGINT', async () => {
    const env = { ...cleanEnv(), OPENHINGE_URL: stack.base, OPENHINGE_ADMIN_TOKEN: adminToken };
    const child = spawn(bin, ['logs', '--follow', '--json', '--key', key.id, '--limit', '0'],
      { env, cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c) => { out += c; });
    const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
    try {
      await sleep(1500); // it has read the newest rows and polls now
      const res = await chat(key.key, { content: 'followed' });
      assert.equal(res.status, 200);
      await waitFor(() => out.includes(res.requestId), `the followed row ${res.requestId} (got: ${out})`);
      const rows = out.trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(rows.map((x) => x.request_id), [res.requestId], '--limit 0: only the new row');
      ids.push(res.requestId);
    } finally {
      child.kill('SIGINT');
    }
    const { code, signal } = await exited;
    assert.ok(signal === 'SIGINT' || code === 130, `ended by SIGINT (code ${code}, signal ${signal})`);
  });
});

describe('cost', () => {
  test('by day (the default): today has the requests', async () => {
    const r = await ok(['cost']);
    const row = parseTable(r.stdout, 'DATE').find((x) => x.DATE === today);
    assert.ok(row, r.stdout);
    assert.ok(Number(row.REQUESTS) >= 5, row.REQUESTS);
    assert.match(r.stdout, /^Total \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d: \d+ requests/m);
    const j = await cliJson(['cost']);
    assert.equal(j.q(`.data[] | select(.date == "${today}") | .requests`), row.REQUESTS);
    assert.equal(j.q('.to'), today);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(j.q('.from'), from, 'the last 30 days by default');
  });

  test('--by key and --days', async () => {
    const logsKey = (await api('GET', '/admin/keys')).json.data.find((k) => k.name === 'logs-key');
    const byKey = await cliJson(['cost', '--by', 'key', '--days', '7']);
    assert.equal(byKey.q(`.data[] | select(.api_key_id == "${logsKey.id}") | "\\(.requests) \\(.errors)"`), '5 1');
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(byKey.q('.from'), from);
    const keyRow = parseTable((await ok(['cost', '--by', 'key', '--days', '7'])).stdout, 'KEY')
      .find((x) => x.KEY === 'logs-key');
    assert.equal(keyRow?.REQUESTS, '5');
    assert.equal(keyRow.ERRORS, '1');
    const bad = await expectExit(2, ['cost', '--days', '0']);
    assert.match(bad.stderr, /--days must be a whole number from 1/);
  });

  test('--by provider and --by model', async () => {
    const provider = await cliJson(['cost', '--by', 'provider']);
    const busiest = provider.q('[.data[] | select(.provider_id != null)] | max_by(.requests) | "\\(.name) \\(.requests)"');
    const [name, requests] = busiest.split(' ');
    assert.ok((await providers()).some((p) => p.name === name && p.type === 'openai'), busiest);
    const byProvider = parseTable((await ok(['cost', '--by', 'provider'])).stdout, 'PROVIDER');
    assert.equal(byProvider.find((x) => x.PROVIDER === name)?.REQUESTS, requests, JSON.stringify(byProvider));
    const byModel = await cliJson(['cost', '--by', 'model', '--days', '1']);
    assert.ok(Number(byModel.q('.data[] | select(.model == "gpt-4o") | .requests')) >= 5);
    assert.equal(byModel.q('.from'), today);
    const modelRow = parseTable((await ok(['cost', '--by', 'model'])).stdout, 'MODEL').find((x) => x.MODEL === 'gpt-4o');
    assert.ok(Number(modelRow?.REQUESTS) >= 5);
  });

  test('--by soul names each soul', async () => {
    const bySoul = await cliJson(['cost', '--by', 'soul']);
    assert.equal(bySoul.q('.data[] | select(.slug == "chatty") | .requests'), '1');
    const soulRows = parseTable((await ok(['cost', '--by', 'soul'])).stdout, 'SOUL');
    assert.ok(soulRows.some((x) => ['Chatty', 'chatty'].includes(x.SOUL) && x.REQUESTS === '1'),
      `the soul is named in the table: ${JSON.stringify(soulRows)}`);
  });
});

describe('actors', () => {
  test('--kind api_key, and one actor by id', async () => {
    const keys = (await api('GET', '/admin/keys')).json.data;
    const j = await cliJson(['actors', '--kind', 'api_key']);
    assert.equal(j.q('[.data[].kind] | unique | join(",")'), 'api_key');
    assert.equal(j.q('[.data[].id] | sort | join(",")'), keys.map((k) => k.id).sort().join(','));
    const rows = parseTable((await ok(['actors', '--kind', 'api_key'])).stdout, 'KIND');
    const logsKey = keys.find((k) => k.name === 'logs-key');
    const row = rows.find((x) => x.ID === logsKey.id);
    assert.equal(row?.KIND, 'api_key');
    assert.equal(row.NAME, 'logs-key');

    const all = await cliJson(['actors']);
    assert.ok(Number(all.q('[.data[] | select(.kind == "provider_account")] | length')) >= 2);

    const one = parsePairs((await ok(['actors', logsKey.id])).stdout);
    assert.equal(one.kind, 'api_key');
    assert.equal(one['state.name'], 'logs-key');
    const oneJson = await cliJson(['actors', logsKey.id]);
    assert.equal(oneJson.q('.data.id // .id'), logsKey.id);
    const missing = await expectExit(1, ['actors', 'nosuchactor']);
    assert.match(missing.stderr, /no live actor with id nosuchactor/);
    const kind = await expectExit(2, ['actors', '--kind', 'api_keys']);
    assert.match(kind.stderr, /Did you mean 'api_key'\?/);
  });
});

describe('settings', () => {
  test('show all, show a group with where each value comes from', async () => {
    const rows = parseTable((await ok(['settings', 'show'])).stdout, 'SETTING');
    assert.ok(rows.some((x) => x.SETTING === 'health.interval_s'), JSON.stringify(rows));
    const all = await cliJson(['settings', 'show']);
    assert.equal(all.q('.health.interval_s | type'), 'number');
    const health = parseTable((await ok(['settings', 'show', 'health'])).stdout, 'SETTING');
    const interval = health.find((x) => x.SETTING === 'health.interval_s');
    assert.equal(interval.VALUE, all.q('.health.interval_s'));
    assert.equal(interval.FROM, 'default');
  });

  test('set health.interval_s 45, then read it back', async () => {
    const r = await ok(['settings', 'set', 'health.interval_s', '45']);
    assert.match(r.stdout, /^Set health\.interval_s = 45\.$/m);
    const j = await cliJson(['settings', 'show', 'health']);
    assert.equal(j.q('.data.interval_s'), '45');
    assert.notEqual(j.q('.sources.interval_s'), 'default');
    const row = parseTable((await ok(['settings', 'show', 'health'])).stdout, 'SETTING')
      .find((x) => x.SETTING === 'health.interval_s');
    assert.equal(row.VALUE, '45');
    assert.equal((await api('GET', '/admin/settings/health')).json.data.interval_s, 45);
    const text = await cliJson(['settings', 'set', 'general.name', 'Team gateway']);
    assert.equal(text.q('.name'), 'Team gateway');
  });

  test('a bad setting: exit 1 with the API\'s message; a bad name: exit 2', async () => {
    const unknown = await expectExit(1, ['settings', 'set', 'health.bogus', '1']);
    assert.match(unknown.stderr, /health\.bogus: unknown setting/);
    const value = await expectExit(1, ['settings', 'set', 'health.interval_s', 'often']);
    assert.match(value.stderr, /health\.interval_s: must be/);
    const group = await expectExit(1, ['settings', 'show', 'nogroup']);
    assert.match(group.stderr, /no settings named "nogroup"/);
    const name = await expectExit(2, ['settings', 'set', 'interval', '1']);
    assert.match(name.stderr, /name the setting as group\.field/);
    assert.equal((await api('GET', '/admin/settings/health')).json.data.interval_s, 45, 'unchanged');
  });
});

describe('admin', () => {
  const first = 'first-password-e2e';
  const second = 'second-password-e2e';

  async function login(password, ua = 'e2e-browser/1.0') {
    const res = await fetch(`${stack.base}/admin/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': ua },
      body: JSON.stringify({ password }),
    });
    return res.status;
  }

  test('password --stdin: set the first one, then change it', async () => {
    const set = await ok(['admin', 'password', '--stdin'], { input: `${first}\n` });
    assert.match(set.stdout, /^Dashboard password set\./m);
    assert.equal(await login(first), 200);

    const wrong = await expectExit(1, ['admin', 'password', '--stdin'], { input: `not-the-password\n${second}\n` });
    assert.match(wrong.stderr, /the current password is wrong/);
    assert.equal(await login(first), 200, 'unchanged');

    const change = await cliJson(['admin', 'password', '--stdin'], { input: `${first}\n${second}\n` });
    assert.equal(change.q('.ok'), 'true');
    assert.equal(await login(second), 200);
    const short = await expectExit(2, ['admin', 'password', '--stdin'], { input: `${second}\n` });
    assert.match(short.stderr, /expected a password on standard input/);
  });

  test("a wrong current password is not blamed on the admin token", async () => {
    const wrong = await expectExit(1, ['admin', 'password', '--stdin'], { input: `not-the-password\n${first}\n` });
    assert.match(wrong.stderr, /the current password is wrong/);
    assert.doesNotMatch(wrong.stderr, /check the admin token/, wrong.stderr);
  });

  test('sessions: list, end one, end all', async () => {
    assert.equal(await login(second, 'e2e-browser/A'), 200);
    assert.equal(await login(second, 'e2e-browser/B'), 200);
    const rows = parseTable((await ok(['admin', 'sessions'])).stdout, 'ID');
    const a = rows.find((x) => x.BROWSER === 'e2e-browser/A');
    assert.ok(a && rows.some((x) => x.BROWSER === 'e2e-browser/B'), JSON.stringify(rows));
    assert.equal(a.IP, '127.0.0.1');
    const j = await cliJson(['admin', 'sessions']);
    assert.equal(j.q('.[] | select(.user_agent == "e2e-browser/A") | .id'), a.ID);

    const one = await ok(['admin', 'sessions', '--revoke', a.ID]);
    assert.match(one.stdout, new RegExp(`^Session ${a.ID} was signed out\\.$`, 'm'));
    const after = await cliJson(['admin', 'sessions']);
    assert.equal(after.q(`[.[] | select(.id == "${a.ID}")] | length`), '0');
    const missing = await expectExit(1, ['admin', 'sessions', '--revoke', 'nosuchsession']);
    assert.match(missing.stderr, /no session with id nosuchsession/);

    const all = await ok(['admin', 'sessions', '--revoke-all']);
    assert.match(all.stdout, /^Every dashboard session was signed out\.$/m);
    assert.deepEqual((await cliJson(['admin', 'sessions'])).value, []);
    assert.match((await ok(['admin', 'sessions'])).stdout, /^No dashboard sessions\.$/m);
  });

  test('audit: who changed what', async () => {
    const key = (await api('GET', '/admin/keys')).json.data.find((k) => k.name === 'cli-key');
    const j = await cliJson(['admin', 'audit', '--limit', '200']);
    assert.equal(j.q(`[.[] | select(.target_type == "api_key" and .target_id == "${key.id}") | .action] | sort | unique | join(",")`),
      'create,reactivate,revoke,rotate,update');
    assert.equal(j.q('[.[] | select(.target_type == "settings" and .target_id == "health")] | length != 0'), 'true');
    const rows = parseTable((await ok(['admin', 'audit', '--limit', '3'])).stdout, 'TIME');
    assert.equal(rows.length, 3);
    assert.ok(rows.every((x) => x.WHO && x.ACTION), JSON.stringify(rows));
    assert.equal((await cliJson(['admin', 'audit', '--limit', '1'])).q('length'), '1');
  });

  test('audit --limit above what the API serves is a usage error (exit 2), like every other bad value', async () => {
    const r = await cli(['admin', 'audit', '--limit', '201']);
    assert.equal(r.code, 2, describeRun(r));
    assert.match(r.stderr, /--limit must be a whole number from 1 to 200/);
  });
});

describe('connect openclaw', () => {
  const configPath = () => join(stack.home, '.openclaw', 'openclaw.json');
  const keyNames = async () => (await api('GET', '/admin/keys')).json.data.map((k) => k.name);

  test('without OpenClaw on the gateway\'s machine: exit 1, and no key left behind', async () => {
    const before = await keyNames();
    const r = await expectExit(1, ['connect', 'openclaw']);
    assert.match(r.stderr, /OpenClaw is not installed for the gateway's user \(.*\.openclaw\/openclaw\.json is missing\)/);
    assert.deepEqual(await keyNames(), before, 'a failed connect leaves no OpenClaw key behind');
  });

  test('writes the gateway and a key of its own into openclaw.json; --disconnect removes it', async () => {
    mkdirSync(dirname(configPath()), { recursive: true });
    writeFileSync(configPath(), '{}\n');
    const r = await ok(['connect', 'openclaw', '--key-name', 'OpenClaw-e2e']);
    assert.match(r.stdout, /^OpenClaw now uses this gateway/m);
    const written = JSON.parse(readFileSync(configPath(), 'utf8'));
    const entry = written.models.providers.openhinge;
    assert.equal(entry.baseUrl, `${stack.base}/v1`);
    assert.match(entry.apiKey, /^ohk_/);
    assert.ok(entry.models.some((m) => m.id === 'gpt-4o'));
    assert.ok((await keyNames()).includes('OpenClaw-e2e'));
    const res = await chat(entry.apiKey);
    assert.equal(res.status, 200, 'OpenClaw\'s key works');

    const off = await ok(['connect', 'openclaw', '--disconnect']);
    assert.match(off.stdout, /^OpenClaw no longer uses this gateway\.$/m);
    assert.equal(JSON.parse(readFileSync(configPath(), 'utf8')).models?.providers?.openhinge, undefined);
  });

  test('--key uses an existing key; a key the gateway does not accept is refused', async () => {
    const own = (await cliJson(['key', 'create', '--name', 'openclaw-own'])).value;
    const j = await cliJson(['connect', 'openclaw', '--key', own.key]);
    assert.equal(j.q('.ok'), 'true');
    assert.equal(j.q('.base_url'), `${stack.base}/v1`);
    assert.equal(JSON.parse(readFileSync(configPath(), 'utf8')).models.providers.openhinge.apiKey, own.key);
    const bad = await expectExit(1, ['connect', 'openclaw', '--key', 'ohk_not-a-key']);
    assert.match(bad.stderr, /api_key: not a usable ohk_ key of this gateway/);
  });
});

describe('tunnel', () => {
  test('before any setup: status says stopped, start and setup say what is missing', async () => {
    const st = await ok(['tunnel', 'status']);
    assert.match(st.stdout, /^State\s+stopped$/m);
    const j = await cliJson(['tunnel', 'status']);
    assert.equal(j.q('.state'), 'stopped');
    assert.equal(j.q('.running'), 'false');
    const start = await expectExit(1, ['tunnel', 'start']);
    assert.match(start.stderr, /no tunnel is set up yet: run the setup first \(openhinge tunnel setup --hostname/);
    const setup = await expectExit(1, ['tunnel', 'setup', '--hostname', 'api.example.com']);
    assert.match(setup.stderr, /api_token: no Cloudflare API token/);
    const bad = await expectExit(1, ['tunnel', 'setup', '--hostname', 'not a host']);
    assert.match(bad.stderr, /hostname: must be a DNS name/);
    await expectExit(2, ['tunnel', 'setup']);
  });
});

describe('completion', () => {
  let script;

  before(async () => {
    const r = await ok(['completion', 'bash'], { target: false });
    script = join(scratch, 'openhinge.bash');
    writeFileSync(script, r.stdout);
  });

  /// COMPREPLY for the words typed so far (the last one being completed).
  function complete(...words) {
    const quoted = words.map(shellQuote).join(' ');
    const r = spawnSync('bash', ['-c',
      `source "$1"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _openhinge; printf '%s\\n' "\${COMPREPLY[@]}"`,
      'complete', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean);
  }

  test('the script is valid bash', () => {
    const r = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(script, 'utf8'), /^complete -F _openhinge openhinge$/m);
  });

  test('commands, subcommands, flags and choices complete', () => {
    assert.deepEqual(complete('openhinge', 'prov'), ['provider']);
    assert.deepEqual(complete('openhinge', 'key', 'rot'), ['rotate']);
    assert.deepEqual(complete('openhinge', 'key', 'create', '--for'), ['--format']);
    assert.deepEqual(complete('openhinge', 'key', 'create', '--format', '').sort(), ['anthropic', 'openai', 'openclaw']);
    assert.deepEqual(complete('openhinge', 'logs', '--export', ''), ['csv', 'ndjson']);
    assert.deepEqual(complete('openhinge', 'provider', 'login', ''), ['claude', 'openai', 'gemini']);
  });

  test('a shell other than bash: exit 2', async () => {
    const r = await expectExit(2, ['completion', 'fish'], { target: false });
    assert.match(r.stderr, /bash only/);
  });
});

describe('in a terminal (tmux)', () => {
  test('provider login claude: a wrong paste is not accepted, the right one signs in', async () => {
    startInTmux('login', ['provider', 'login', 'claude', '--name', 'claude-tmux']);
    const authUrl = await waitForPane('login',
      (t) => /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/.exec(t)?.[1], 'the authorize URL');
    assert.match(authUrl, /code_challenge_method=S256/);
    await waitForPane('login', (t) => t.includes('paste the address it ends on'), 'the paste prompt');

    // The browser: the fake signs in at once and sends it to the callback
    // address; it is not followed, so the gateway waits for the paste.
    const res = await fetch(authUrl, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location');
    assert.match(location, /[?&]code=[^&]+&state=/);

    tmux('send-keys', '-t', 'login', '-l', location.replace(/code=[^&]+/, 'code=not-the-code'));
    tmux('send-keys', '-t', 'login', 'Enter');
    await waitForPane('login', (t) => t.includes('Not accepted'), '"Not accepted" for the wrong paste');
    await sleep(1500);
    assert.equal(exitOf(paneText('login')), null, 'the CLI keeps waiting after a wrong paste');
    assert.doesNotMatch(paneText('login'), /Signed in/);

    tmux('send-keys', '-t', 'login', '-l', location);
    tmux('send-keys', '-t', 'login', 'Enter');
    const id = await waitForPane('login',
      (t) => /Signed in\. Added the claude subscription account 'claude-tmux' \(([0-9a-f]+)\)/.exec(t)?.[1],
      '"Signed in"');
    assert.equal(await waitForExit('login'), '0', paneText('login'));
    const acct = (await providers()).find((p) => p.id === id);
    assert.ok(acct, 'the account exists');
    assert.equal(acct.name, 'claude-tmux');
    assert.equal(acct.type, 'claude');
    assert.equal(acct.auth_mode, 'oauth');
  });

  test('logs --follow prints new rows until Ctrl-C', async () => {
    const key = (await cliJson(['key', 'create', '--name', 'follow-key'])).value;
    startInTmux('follow', ['logs', '--follow', '--key', key.id]);
    await waitForPane('follow', (t) => /^REQUEST +TIME +STATUS/m.test(t), 'the header');
    await sleep(1200); // past its first read
    const made = [];
    for (let i = 0; i < 3; i++) {
      const res = await chat(key.key, { content: `follow ${i}` });
      assert.equal(res.status, 200);
      made.push(res.requestId);
    }
    const text = await waitForPane('follow', (t) => made.every((id) => t.includes(id)) && t,
      `the request ids ${made.join(', ')}`);
    const at = made.map((id) => text.indexOf(id));
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'oldest first');
    for (const id of made)
      assert.match(text, new RegExp(`^${id} .* success +200 +chat .*follow-key`, 'm'));
    assert.equal(exitOf(paneText('follow')), null, 'still following');

    tmux('send-keys', '-t', 'follow', 'C-c');
    assert.equal(await waitForExit('follow'), '130', 'ended by the SIGINT');
  });
});

describe('admin rotate-token (last: the old token stops working)', () => {
  test('the printed token works, the old one exits 1, admin.token holds the new one', async () => {
    const old = adminToken;
    const r = await ok(['admin', 'rotate-token']);
    const fresh = r.stdout.trim();
    assert.match(fresh, /^oha_\S+$/, r.stdout);
    assert.match(r.stderr, /The old token stopped working/);
    assert.equal(readFileSync(join(stack.dataDir, 'admin.token'), 'utf8').trim(), fresh);

    const stale = await expectExit(1, ['key', 'list'], { env: { OPENHINGE_ADMIN_TOKEN: old } });
    assert.match(stale.stderr, /invalid admin token/);
    await ok(['key', 'list', '--token', fresh]);
    adminToken = fresh;
    await ok(['status', '--data-dir', stack.dataDir], { target: false });

    const j = await cliJson(['admin', 'rotate-token']);
    const newer = j.q('.token');
    assert.match(newer, /^oha_/);
    assert.notEqual(newer, fresh);
    assert.equal(readFileSync(join(stack.dataDir, 'admin.token'), 'utf8').trim(), newer);
    assert.equal((await cli(['status'])).code, 1, 'the token of a moment ago is dead too');
    adminToken = newer;
    await ok(['status']);
  });
});
