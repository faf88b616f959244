// The dashboard's Cloudflare page in real headless Chromium against the real
// gateway, `fake_upstream --flavor cloudflare` (the v4 API) and
// `fake_cloudflared` (SPEC §12, §13.1): the token is saved and tested and
// never comes back, the one-button setup shows each step (a failing step
// with what was made before it, a second run that changes nothing), the live
// status follows cloudflared through stop and start, and a missing
// cloudflared shows the install hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { auditPage } from './page_checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const webDir = join(here, '..', '..', 'web');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const binDir = process.env.OH_BIN_DIR;
if (!binDir) throw new Error('set OH_BIN_DIR to the build bin directory');
const PASSWORD = 'a long enough passphrase';
/// The Cloudflare API token the fake accepts: distinctive, so finding it in
/// a page or an answer cannot be a coincidence.
const CF_TOKEN = 'cf-e2e-secret-5c1d7a93e0';
const WRONG_TOKEN = 'cf-e2e-wrong-0b6f2e4c71';

// -- processes ---------------------------------------------------------------------

async function waitForPort(path, child, what) {
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

const exited = (c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)));

/// The fake Cloudflare API and a gateway whose config points at it, with
/// `cloudflaredPath` as its cloudflared. fake_cloudflared (a child of the
/// gateway, inheriting its environment) reports its connections to the fake,
/// so Cloudflare's view of the tunnel follows it.
async function startStack({ cloudflaredPath }) {
  const dir = mkdtempSync(join(tmpdir(), 'openhinge-e2e-cf-'));
  const children = [];
  const stop = async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const fake = spawn(join(binDir, 'fake_upstream'),
      ['--flavor', 'cloudflare', '--cf-token', CF_TOKEN, '--port-file', join(dir, 'cf.port')], { stdio: 'ignore' });
    children.push(fake);
    const cfPort = await waitForPort(join(dir, 'cf.port'), fake, 'fake_upstream');
    const config = join(dir, 'openhinge.json');
    writeFileSync(config, JSON.stringify({ cloudflare: {
      api_base: `http://127.0.0.1:${cfPort}/client/v4`, cloudflared_path: cloudflaredPath } }));
    mkdirSync(join(dir, 'home'));
    const gw = spawn(join(binDir, 'openhinge'),
      ['--port', '0', '--data-dir', join(dir, 'data'), '--config', config, '--log-format', 'json'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OPENHINGE_CONFIG: '', HOME: join(dir, 'home'),
        FAKE_CLOUDFLARED_API: `http://127.0.0.1:${cfPort}` } });
    children.unshift(gw); // stopped first: it ends its cloudflared
    let stderr = '';
    gw.stderr.setEncoding('utf8');
    gw.stderr.on('data', (chunk) => { stderr += chunk; });
    const port = await waitForPort(join(dir, 'data', 'port'), gw, 'openhinge');
    const token = readFileSync(join(dir, 'data', 'admin.token'), 'utf8').trim();
    const base = `http://127.0.0.1:${port}`;
    const cf = `http://127.0.0.1:${cfPort}`;
    return {
      base, token, cf, stderr: () => stderr, stop,
      async admin(method, path, body) {
        const res = await fetch(base + path, { method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, json: await res.json() };
      },
      async fake(method, path) {
        const res = await fetch(cf + path, { method });
        assert.equal(res.status, 200, `${method} ${path}`);
        return res.json();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function alive(pid) {
  try { process.kill(Number(pid), 0); return true; } catch { return false; }
}

// -- the browser (as dashboard.test.mjs does it) -------------------------------------

/// OH_WEB_SOURCE=1: web/ from this tree instead of the copy in the binary,
/// with the gateway's own headers (CSP and all).
async function serveWebFromSource(context, base) {
  if (!process.env.OH_WEB_SOURCE) return;
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };
  await context.route(`${base}/dashboard/**`, async (route) => {
    const rel = new URL(route.request().url()).pathname.slice('/dashboard/'.length) || 'index.html';
    const file = join(webDir, rel);
    if (!file.startsWith(webDir + sep) || !existsSync(file) || statSync(file).isDirectory()) return route.continue();
    const headers = { ...route.request().headers() };
    delete headers['if-none-match'];
    const res = await route.fetch({ headers });
    const out = { ...res.headers(), 'content-type': types[extname(file)] || 'text/plain; charset=utf-8' };
    delete out['content-length'];
    delete out.etag;
    return route.fulfill({ status: 200, headers: out, body: readFileSync(file) });
  });
}

/// Without OH_WEB_SOURCE the binary serves its embedded copy: this page
/// must be in it (else the run tests an older dashboard).
async function assertServesThisPage(base) {
  if (process.env.OH_WEB_SOURCE) return;
  const res = await fetch(`${base}/dashboard/js/pages/cloudflare.js`);
  const served = res.status === 200 ? Buffer.from(await res.arrayBuffer()) : Buffer.alloc(0);
  assert.ok(served.equals(readFileSync(join(webDir, 'js', 'pages', 'cloudflare.js'))),
    'the binary embeds another web/js/pages/cloudflare.js: rebuild it (or run with OH_WEB_SOURCE=1)');
}

/// Console errors, page errors, failed requests and 4xx/5xx answers; and the
/// body of every admin API answer, to search for secrets.
function watch(context) {
  const problems = [];
  const bodies = [];
  context.on('page', (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      const path = new URL(r.url()).pathname;
      if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${path}`);
      if (path.startsWith('/admin/')) {
        bodies.push(r.text().then((text) => ({ path, text }), () => ({ path, text: '' })));
      }
    });
  });
  return {
    take() { return problems.splice(0); },
    assertClean(where) { assert.deepEqual(problems.splice(0), [], `problems on ${where}`); },
    async bodies() { return Promise.all(bodies); },
  };
}

async function eventually(fn, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) { last = err; }
    await sleep(150);
  }
  throw new Error(`never happened: ${what}${last ? ` (${last.message})` : ''}`);
}

async function visit(page, name, heading = name) {
  await page.goto(`${page.url().split('#')[0]}#/${name}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForLoadState('networkidle');
}

async function openBrowser(t, stack) {
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await serveWebFromSource(context, stack.base);
  const watcher = watch(context);
  const page = await context.newPage();
  const link = stack.stderr().match(/(http:\/\/\S+\/dashboard\/\?setup=\S+)/);
  assert.ok(link, `no setup link in:\n${stack.stderr()}`);
  await page.goto(link[1]);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password and continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  return { page, watcher };
}

/// A full-page capture from the top (a scrolled capture paints the sticky
/// bar mid-page), then the accessibility audit of what it shows.
async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, `cloudflare-${name}.png`), fullPage: true });
  assert.deepEqual(await auditPage(page), [], `accessibility of ${name}`);
}

// -- the page's parts ------------------------------------------------------------------

const section = (page, heading) => page.locator('section', { has: page.getByRole('heading', { name: heading }) });

/// The steps as shown: [[step, status, detail]].
async function shownSteps(page) {
  return page.locator('.cf-steps li').evaluateAll((items) => items.map((li) => [
    li.dataset.step, li.querySelector('.badge').textContent,
    (li.querySelector('.cf-detail') || { textContent: '' }).textContent]));
}

/// Neither `secrets` nor anything else secret is in the page's markup or
/// its fields' values.
async function assertNotInPage(page, secrets, where) {
  const html = await page.content();
  const values = await page.evaluate(() => [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n'));
  for (const secret of secrets) {
    assert.ok(!html.includes(secret), `a secret is in the page (${where})`);
    assert.ok(!values.includes(secret), `a secret is in a field (${where})`);
  }
}

/// The live status as shown: {state, Process, Connections, …}.
async function shownStatus(page) {
  const box = section(page, '3. Tunnel status');
  return box.evaluate((el) => {
    const out = { state: el.querySelector('.row .badge')?.textContent };
    const dts = el.querySelectorAll('dl.kv dt');
    for (const dt of dts) out[dt.textContent] = dt.nextElementSibling.textContent;
    return out;
  });
}

test('dashboard Cloudflare page: token, one-button setup with its steps, live status, stop and start', async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const stack = await startStack({ cloudflaredPath: join(binDir, 'fake_cloudflared') });
  t.after(() => stack.stop());
  await assertServesThisPage(stack.base);
  const { page, watcher } = await openBrowser(t, stack);
  const tokenBox = section(page, '1. Cloudflare API token');
  const setupBox = section(page, '2. Hostname and tunnel');
  const statusBox = section(page, '3. Tunnel status');
  let firstPid = null;

  await t.test('the page is in the navigation and starts with nothing set up', async () => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Cloudflare' }).click();
    await page.getByRole('heading', { level: 1, name: 'Cloudflare' }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.title(), 'Cloudflare · OpenHinge');
    await tokenBox.getByText('No token yet.').waitFor();
    await tokenBox.getByText(/Zone · DNS · Edit and Account · Cloudflare Tunnel · Edit/).waitFor();
    await statusBox.getByText('No route yet: save a token and run the setup above.').waitFor();
    await statusBox.getByText('The tunnel reaches only /v1 and /health: the admin API and this dashboard stay local.').waitFor();
    assert.equal((await shownStatus(page)).state, 'stopped');
    assert.equal(await statusBox.getByRole('button', { name: 'Stop' }).isDisabled(), true, 'nothing to stop');
    assert.equal(await statusBox.getByRole('button', { name: 'Start' }).isDisabled(), true, 'nothing set up to start');
    await shot(page, 'empty-1280');
    watcher.assertClean('the empty page');
  });

  await t.test('setting up without a token or hostname says what is missing', async () => {
    await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
    await setupBox.getByText('Enter the hostname, such as api.example.com.').waitFor();
    await setupBox.getByLabel('Hostname').fill('api.example.com');
    await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
    await setupBox.getByText('Save the Cloudflare API token first (section 1).').waitFor();
    await tokenBox.getByRole('button', { name: 'Test' }).click();
    await tokenBox.getByText('Paste a token to test, or save one first.').waitFor();
    watcher.assertClean('the missing token');
  });

  await t.test('a wrong token is refused by Cloudflare; the right one is saved, tested and never shown', async () => {
    await tokenBox.getByLabel('API token').fill(WRONG_TOKEN);
    await tokenBox.getByRole('button', { name: 'Test' }).click();
    await tokenBox.getByText(/^Cloudflare refused the token: listing the zones: Authentication error \(Cloudflare code 10000\)$/).waitFor();
    assert.deepEqual(watcher.take(), ['HTTP 400: POST /admin/cloudflare/zones']);

    await tokenBox.getByLabel('API token').fill(CF_TOKEN);
    await tokenBox.getByRole('button', { name: 'Save token' }).click();
    await page.getByText('Cloudflare API token saved.').waitFor();
    await tokenBox.getByText('A token is stored. Paste a new one to replace it.').waitFor();
    await tokenBox.getByText('The token works and reaches 1 zone:').waitFor();
    await tokenBox.locator('.cf-zones li', { hasText: 'example.com' }).getByText('Fake Account', { exact: false }).waitFor();
    const replace = tokenBox.getByLabel('New token (replaces the stored one)');
    assert.equal(await replace.inputValue(), '', 'the field is emptied and never prefilled');
    assert.equal(await replace.getAttribute('type'), 'password');
    // The stored token tests with an empty field too.
    await tokenBox.getByRole('button', { name: 'Test' }).click();
    await tokenBox.getByText('The token works and reaches 1 zone:').waitFor();
    const stored = await stack.admin('GET', '/admin/settings/cloudflare');
    assert.equal(stored.json.data.api_token_set, true);
    await assertNotInPage(page, [CF_TOKEN, WRONG_TOKEN], 'after saving the token');
    watcher.assertClean('the token');
  });

  await t.test('a failing DNS step shows the error, every step and what was created before it', async () => {
    await stack.fake('POST', '/_fake/cf/fail?step=dns&times=1');
    await setupBox.getByLabel('Hostname').fill('https://API.example.com/v1');
    await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
    const alert = setupBox.locator('.callout.bad[role="alert"]');
    await alert.waitFor();
    assert.match(await alert.textContent(),
      /^The setup stopped at the DNS record step: creating the CNAME failed: An unknown error has occurred \(Cloudflare code 10002\)$/);
    assert.equal(await setupBox.getByLabel('Hostname').inputValue(), 'api.example.com', 'the pasted address became its hostname');
    const steps = await shownSteps(page);
    assert.deepEqual(steps.map(([s, st]) => [s, st]), [
      ['zone', 'found'], ['tunnel', 'created'], ['ingress', 'updated'], ['dns', 'failed'], ['token', 'skipped'], ['start', 'skipped']]);
    assert.match(steps[0][2], /^example\.com \(account [0-9a-f]{32}\)$/);
    assert.equal(steps[3][2], '', 'the failed step\'s detail is the error above, not repeated');
    await setupBox.getByText('Created before it stopped (kept: the next run continues from it):').waitFor();
    const created = await setupBox.locator('.cf-created li').allTextContents();
    assert.equal(created.length, 1);
    assert.match(created[0], /^tunnel openhinge \([0-9a-f-]{36}\)$/);
    assert.equal((await shownStatus(page)).state, 'stopped', 'nothing was started');
    await statusBox.getByText('No route yet: run the setup above.').waitFor();
    await shot(page, 'failed-1280');
    assert.deepEqual(watcher.take(), ['HTTP 502: POST /admin/cloudflare/setup']);
  });

  await t.test('running it again completes every step and the status turns running', async () => {
    await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
    await setupBox.getByText(/^Done: https:\/\/api\.example\.com reaches this gateway's \/v1/).waitFor();
    await page.getByText('Tunnel set up for api.example.com.').waitFor();
    const steps = await shownSteps(page);
    assert.deepEqual(steps.map(([s, st]) => [s, st]), [
      ['zone', 'found'], ['tunnel', 'found'], ['ingress', 'unchanged'], ['dns', 'created'], ['token', 'done'], ['start', 'done']]);
    await setupBox.getByText('Created by this run:').waitFor();
    assert.deepEqual(await setupBox.locator('.cf-created li').allTextContents(), ['CNAME api.example.com']);
    const settings = (await stack.admin('GET', '/admin/settings/cloudflare')).json.data;
    assert.ok(settings.public_port > 0);
    await statusBox.getByText(`127.0.0.1:${settings.public_port}`, { exact: true }).waitFor();
    assert.equal(await statusBox.locator('.cf-route-line').textContent(),
      `https://api.example.com → 127.0.0.1:${settings.public_port} (only /v1 and /health)`);
    // What the summary says holds: the public listener serves /health, not the dashboard.
    assert.equal((await fetch(`http://127.0.0.1:${settings.public_port}/health`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${settings.public_port}/dashboard/`)).status, 404);
    const status = await eventually(async () => {
      const s = await shownStatus(page);
      return s.state === 'running' && s.Connections === '4' ? s : null;
    }, 'running with 4 connections');
    assert.match(status.Process, /^pid \d+$/);
    firstPid = status.Process.slice(4);
    assert.ok(alive(firstPid), 'the pid shown is a live process');
    assert.equal(status['On gateway start'], 'the tunnel starts too');
    assert.equal(status.cloudflared, join(binDir, 'fake_cloudflared'));
    assert.equal(await statusBox.getByRole('button', { name: 'Start' }).isDisabled(), true);
    await statusBox.getByRole('button', { name: 'Check at Cloudflare' }).click();
    await statusBox.getByText(/^Cloudflare sees tunnel openhinge as healthy, with 4 connections\.$/).waitFor();
    await shot(page, 'running-1280');
    await assertNotInPage(page, [CF_TOKEN, WRONG_TOKEN], 'after the setup');
    watcher.assertClean('the setup');
  });

  await t.test('a second run finds everything in place and creates nothing', async () => {
    const before = await stack.fake('GET', '/_fake/cf/state');
    await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
    await setupBox.getByText('Nothing new was created: everything was already in place.').waitFor();
    assert.deepEqual((await shownSteps(page)).map(([s, st]) => [s, st]), [
      ['zone', 'found'], ['tunnel', 'found'], ['ingress', 'unchanged'], ['dns', 'unchanged'], ['token', 'done'], ['start', 'done']]);
    const after = await stack.fake('GET', '/_fake/cf/state');
    assert.equal(after.tunnels.length, before.tunnels.length);
    assert.equal(after.dns_records.length, before.dns_records.length);
    const s = await shownStatus(page);
    assert.equal(s.state, 'running');
    assert.equal(s.Process, `pid ${firstPid}`, 'an unchanged setup leaves the running cloudflared alone');
    watcher.assertClean('the second run');
  });

  await t.test('the status is polled every 2 s only while the page is shown', async () => {
    const polls = [];
    const onRequest = (r) => { if (r.url().endsWith('/admin/cloudflare/local-status')) polls.push(Date.now()); };
    page.on('request', onRequest);
    await eventually(() => polls.length >= 2, 'two polls', 7000);
    const gap = polls[polls.length - 1] - polls[polls.length - 2];
    assert.ok(gap >= 1500 && gap <= 4000, `polled every ${gap} ms`);
    await visit(page, 'keys', 'Keys');
    const left = polls.length;
    await sleep(5000);
    assert.equal(polls.length, left, 'no status poll while another page is shown');
    await visit(page, 'cloudflare', 'Cloudflare');
    await eventually(() => polls.length >= left + 2, 'polling again', 7000);
    page.off('request', onRequest);
    // Back on the page: the stored hostname and tunnel name are prefilled.
    assert.equal(await setupBox.getByLabel('Hostname').inputValue(), 'api.example.com');
    assert.equal(await setupBox.getByLabel('Tunnel name (optional)').inputValue(), 'openhinge');
    watcher.assertClean('polling');
  });

  await t.test('Stop and Start: cloudflared ends and comes back', async () => {
    await statusBox.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('cloudflared is stopping.').first().waitFor();
    await eventually(async () => (await shownStatus(page)).state === 'stopped', 'stopped');
    const stopped = await shownStatus(page);
    assert.equal(stopped.Process, '—');
    assert.equal(stopped.Connections, '0');
    assert.equal(stopped['On gateway start'], 'the tunnel stays off');
    assert.equal(alive(firstPid), false, 'the old cloudflared has ended');
    assert.equal(await statusBox.getByRole('button', { name: 'Stop' }).isDisabled(), true);
    await statusBox.getByRole('button', { name: 'Check at Cloudflare' }).click();
    await statusBox.getByText(/^Cloudflare sees tunnel openhinge as down, with 0 connections\.$/).waitFor();
    await shot(page, 'stopped-1280');

    await statusBox.getByRole('button', { name: 'Start' }).click();
    await page.getByText('cloudflared started.').waitFor();
    const again = await eventually(async () => {
      const s = await shownStatus(page);
      return s.state === 'running' && s.Connections === '4' ? s : null;
    }, 'running again');
    assert.notEqual(again.Process, `pid ${firstPid}`);
    assert.equal(again['On gateway start'], 'the tunnel starts too');
    watcher.assertClean('stop and start');
  });

  await t.test('1280 px light and 390 px dark', async () => {
    for (const [width, scheme] of [[1280, 'light'], [390, 'dark']]) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
      await page.emulateMedia({ colorScheme: scheme });
      await visit(page, 'cloudflare', 'Cloudflare');
      await tokenBox.getByRole('button', { name: 'Test' }).click();
      await tokenBox.getByText('The token works and reaches 1 zone:').waitFor();
      await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();
      await setupBox.getByText('Nothing new was created: everything was already in place.').waitFor();
      await eventually(async () => (await shownStatus(page)).state === 'running', 'running');
      // Nothing wider than the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `the page scrolls sideways at ${width} px`);
      await shot(page, `${width}`);
      watcher.assertClean(`${width} px`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  await t.test('neither the API token nor the tunnel token is ever in the page or an answer', async () => {
    const state = await stack.fake('GET', '/_fake/cf/state');
    const secrets = [CF_TOKEN, WRONG_TOKEN, ...state.tunnels.flatMap((tn) => [tn.token, tn.secret])].filter(Boolean);
    assert.ok(secrets.length >= 4);
    await assertNotInPage(page, secrets, 'at the end');
    const answers = await watcher.bodies();
    assert.ok(answers.some((a) => a.path === '/admin/cloudflare/setup'), 'the setup answers were seen');
    assert.ok(answers.some((a) => a.path === '/admin/settings/cloudflare' && a.text.includes('"api_token_set":true')));
    for (const secret of secrets) {
      const leaking = answers.filter((a) => a.text.includes(secret)).map((a) => a.path);
      assert.deepEqual(leaking, [], 'a secret is in an answer');
    }
  });
});

test('dashboard Cloudflare page: a missing cloudflared shows the install hint', async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const missing = join(tmpdir(), 'openhinge-e2e-no-such-dir', 'cloudflared');
  const stack = await startStack({ cloudflaredPath: missing });
  t.after(() => stack.stop());
  await assertServesThisPage(stack.base);
  const { page, watcher } = await openBrowser(t, stack);
  const tokenBox = section(page, '1. Cloudflare API token');
  const setupBox = section(page, '2. Hostname and tunnel');
  const statusBox = section(page, '3. Tunnel status');
  await visit(page, 'cloudflare', 'Cloudflare');
  await tokenBox.getByLabel('API token').fill(CF_TOKEN);
  await tokenBox.getByRole('button', { name: 'Save token' }).click();
  await tokenBox.getByText('The token works and reaches 1 zone:').waitFor();
  await setupBox.getByLabel('Hostname').fill('api.example.com');
  await setupBox.getByRole('button', { name: 'Set up tunnel' }).click();

  const hint = /cloudflared is not installed \(cloudflare\.cloudflared_path is ".*"\)\. Install it from Cloudflare's Debian repository \(https:\/\/pkg\.cloudflare\.com: add the repository, then `sudo apt install cloudflared`\)/;
  const alert = setupBox.locator('.callout.bad[role="alert"]');
  await alert.waitFor();
  assert.match(await alert.textContent(), /^The setup stopped at the Start cloudflared step: cloudflared is not installed/);
  assert.match(await alert.textContent(), hint);
  const steps = await shownSteps(page);
  assert.deepEqual(steps.map(([s, st]) => [s, st]), [
    ['zone', 'found'], ['tunnel', 'created'], ['ingress', 'updated'], ['dns', 'created'], ['token', 'done'], ['start', 'failed']]);
  assert.deepEqual((await setupBox.locator('.cf-created li').allTextContents()).map((c) => c.split(' (')[0]),
    ['tunnel openhinge', 'CNAME api.example.com']);
  const lastError = statusBox.locator('.cf-error');
  await lastError.waitFor();
  assert.match(await lastError.textContent(), hint);
  assert.equal((await shownStatus(page)).state, 'failed');
  assert.equal((await shownStatus(page)).cloudflared, missing);
  assert.deepEqual(watcher.take(), ['HTTP 503: POST /admin/cloudflare/setup']);

  // Start says the same, where the button is.
  await statusBox.getByRole('button', { name: 'Start' }).click();
  await statusBox.getByText('Start failed: see the last error above.').waitFor();
  assert.equal(watcher.take().length, 1, 'one refused start');
  for (const [width, scheme] of [[1280, 'light'], [390, 'light']]) {
    await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
    await page.emulateMedia({ colorScheme: scheme });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `the page scrolls sideways at ${width} px`);
    await shot(page, `missing-${width}`);
  }
  watcher.assertClean('the missing cloudflared');
});
