// The dashboard in real headless Chromium (Debian's, driven by
// playwright-core) against the real gateway and the fake upstream: a new
// user goes from the first-run link to a logged, costed first request and
// back to revoking the key, without leaving the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname, extname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { chromium } from 'playwright-core';
import { startFirstRun } from './harness.mjs';
import { auditPage } from './page_checks.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const webDir = join(here, '..', '..', 'web');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGES = ['overview', 'providers', 'souls', 'keys', 'logs', 'cost', 'actors', 'cloudflare', 'settings'];
const PASSWORD = 'a long enough passphrase';

/// The files of web/, by their path under it.
function webFiles(dir = webDir, out = []) {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) webFiles(p, out);
    else out.push(relative(webDir, p).split(sep).join('/'));
  }
  return out;
}

/// OH_WEB_SOURCE=1: the browser gets web/ from this tree instead of the
/// copy embedded in the binary (which a build refreshes), with the gateway's
/// own headers (CSP and all) — for working on the dashboard without a build.
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

/// The dashboard the gateway serves is web/ of this tree (the binary embeds
/// it at build time), unless OH_WEB_SOURCE serves web/ itself: fails at once
/// rather than in timeouts on a page that is not the one in the tree.
async function assertServesThisTree(base) {
  if (process.env.OH_WEB_SOURCE) return;
  const stale = [];
  for (const rel of webFiles()) {
    const res = await fetch(`${base}/dashboard/${rel}`);
    const served = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || !served.equals(readFileSync(join(webDir, rel)))) stale.push(rel);
  }
  assert.deepEqual(stale, [], 'these web/ files differ from what the binary embeds: rebuild it '
    + '(or run with OH_WEB_SOURCE=1 to test web/ as it is)');
}

/// Console errors, page errors, failed and refused requests of a context.
function watch(context) {
  const problems = [];
  context.on('page', (p) => attach(p));
  function attach(page) {
    // Chromium logs every 4xx/5xx answer as a console error too; those are
    // counted once, below, as responses.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`); });
  }
  return {
    take() { return problems.splice(0); },
    assertClean(where) { assert.deepEqual(problems.splice(0), [], `problems on ${where}`); },
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
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never happened: ${what}${last ? ` (${last.message})` : ''}`);
}

/// The key secret the dialog shows once.
async function shownSecret(page) {
  const shown = page.locator('#new-key-secret');
  await shown.waitFor();
  return (await shown.textContent()).trim();
}

async function visit(page, name) {
  await page.goto(`${page.url().split('#')[0]}#/${name}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${name}$`, 'i') }).waitFor();
  // Let the page's first requests finish before judging it.
  await page.waitForLoadState('networkidle');
}

test('dashboard: first run to a costed request and back to revoking the key', async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const stack = await startFirstRun();
  let browser = null;
  t.after(async () => {
    if (browser) await browser.close();
    await stack.stop();
  });
  await assertServesThisTree(stack.base);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await serveWebFromSource(context, stack.base);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.base });
  const watcher = watch(context);
  const page = await context.newPage();
  let secret = '';

  await t.test('the setup link from the terminal sets the password', async () => {
    const link = stack.stderr().match(/(http:\/\/\S+\/dashboard\/\?setup=\S+)/);
    assert.ok(link, `no setup link in:\n${stack.stderr()}`);
    await page.goto(link[1]);
    await page.getByLabel('New password').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill('something else entirely');
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password and continue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    assert.ok(!page.url().includes('setup='), 'the one-time token left the address bar');
    await page.getByRole('heading', { name: 'Getting started' }).waitFor();
    watcher.assertClean('setup');
  });

  await t.test('a provider is added by API key after a connection test', async () => {
    await visit(page, 'providers');
    await page.getByRole('button', { name: 'Add provider' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Type').selectOption('openai');
    await dialog.getByLabel('Name').fill('OpenAI main');
    await dialog.getByLabel('API key').fill('sk-e2e-upstream');
    await dialog.getByLabel('Base URL').fill(`http://127.0.0.1:${stack.fakePort}`);
    await dialog.getByRole('button', { name: 'Test connection' }).click();
    await dialog.getByText(/Connected in .*: 4 models available\./).waitFor();
    await dialog.getByLabel('Default model').selectOption('gpt-4o');
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await page.getByText('Added OpenAI main.').waitFor();
    const row = page.getByRole('row', { name: /OpenAI main/ });
    await row.waitFor();
    await eventually(async () => (await row.getByText('healthy', { exact: true }).count()) > 0, 'the new account probed healthy');
    watcher.assertClean('providers');
  });

  await t.test('a Google sign-in without the Gemini client says so next to the choice', { skip: !!process.env.GEMINI_OAUTH_CLIENT_ID }, async () => {
    const section = page.locator('section', { has: page.getByRole('heading', { name: 'Sign in with a subscription' }) });
    await section.getByRole('radio', { name: /^Google Gemini/ }).check();
    await section.getByRole('button', { name: 'Start sign-in' }).click();
    const error = section.locator('fieldset .error');
    await error.getByText(/^type: a Google login needs GEMINI_OAUTH_CLIENT_ID/).waitFor();
    assert.equal(await section.getByRole('radio', { name: /^Google Gemini/ }).evaluate((el) => document.activeElement === el), true,
      'the focus is on the choice the error is about');
    assert.deepEqual(watcher.take().map((p) => p.replace(/ http\S+/, '')), ['HTTP 400: POST']);
    await section.getByRole('radio', { name: /^Claude/ }).check();
    assert.equal(await error.isHidden(), true, 'a new choice clears the error');
  });

  await t.test('a soul is created and shows its endpoint and snippets', async () => {
    await visit(page, 'souls');
    await page.getByRole('button', { name: 'New soul' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Code Reviewer');
    await dialog.getByLabel('System prompt').fill('You review code carefully.');
    await dialog.getByLabel('Response schema (JSON Schema)').fill('{ not json');
    await dialog.getByRole('button', { name: 'Create soul' }).click();
    await dialog.getByText(/Not valid JSON/).waitFor();
    await dialog.getByLabel('Response schema (JSON Schema)').fill('');
    await dialog.getByRole('button', { name: 'Create soul' }).click();
    await page.getByRole('dialog', { name: 'Use Code Reviewer' }).waitFor();
    await page.getByText('/v1/souls/code-reviewer/chat/completions').first().waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('row', { name: /Code Reviewer/ }).waitFor();
    watcher.assertClean('souls');

    // The API's own error appears next to the field it names.
    await page.getByRole('button', { name: 'New soul' }).click();
    await dialog.getByLabel('Name', { exact: true }).fill('Code Reviewer');
    await dialog.getByLabel('System prompt').fill('Another one.');
    await dialog.getByRole('button', { name: 'Create soul' }).click();
    const slugField = dialog.locator('.field', { has: page.getByLabel('Slug') });
    await slugField.getByText('slug: "code-reviewer" is already used').waitFor();
    assert.equal(await dialog.getByLabel('Slug').getAttribute('aria-invalid'), 'true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const refused = watcher.take();
    assert.deepEqual(refused.map((p) => p.replace(/ http\S+/, '')), ['HTTP 409: POST']);
  });

  await t.test('a key is created, its secret shown once and copied', async () => {
    await visit(page, 'keys');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('e2e-app');
    await dialog.getByLabel('Requests per minute').fill('2.5');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByText('Requests per minute must be a whole number from 1 to 1000000000.').waitFor();
    await dialog.getByLabel('Requests per minute').fill('120');
    await dialog.getByLabel('Daily budget ($)').fill('5');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    secret = await shownSecret(page);
    assert.match(secret, /^ohk_[A-Za-z0-9_-]{20,}$/);
    await page.getByRole('button', { name: 'Copy key' }).click();
    await page.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    // The original's auto-connect: OpenClaw on this machine now uses the key.
    await page.getByRole('button', { name: 'Connect OpenClaw with this key' }).click();
    await page.getByText(/OpenClaw now uses this gateway/).waitFor();
    const openclaw = JSON.parse(readFileSync(join(stack.home, '.openclaw', 'openclaw.json'), 'utf8'));
    assert.equal(openclaw.models.providers.openhinge.baseUrl, `${stack.base}/v1`);
    assert.equal(openclaw.models.providers.openhinge.apiKey, secret);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('row', { name: /e2e-app/ }).getByText('active').waitFor();
    watcher.assertClean('keys');
  });

  await t.test('the OpenAI SDK sends plain, streamed and soul traffic with the key', async () => {
    const client = new OpenAI({ baseURL: `${stack.base}/v1`, apiKey: secret });
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(plain.choices[0].finish_reason, 'stop');
    const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    let text = '';
    let finish = null;
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        text += c.delta?.content || '';
        finish = c.finish_reason || finish;
      }
    }
    assert.ok(text.length > 0, 'the stream carried content');
    assert.equal(finish, 'stop', 'the stream ended cleanly');
    const soul = new OpenAI({ baseURL: `${stack.base}/v1/souls/code-reviewer`, apiKey: secret });
    const viaSoul = await soul.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'review this' }] });
    assert.equal(viaSoul._openhinge.soul, 'code-reviewer');
  });

  await t.test('the traffic shows in Overview, Logs (with detail) and Cost', async () => {
    await visit(page, 'overview');
    // The page updates itself every 5 s; the log writer rolls the day up
    // within a second of each request.
    const today = page.locator('section', { has: page.getByRole('heading', { name: /^Today/ }) });
    await eventually(async () => (await today.locator('.stat', { hasText: 'Requests' }).locator('.value').textContent()) === '3',
      'three requests counted today', 20000);
    const live = page.locator('section', { has: page.getByRole('heading', { name: /^Last \d+ minutes/ }) });
    assert.equal(await live.locator('.stat', { hasText: 'Requests / min' }).locator('.sub').textContent(), '3 requests');
    assert.notEqual(await live.locator('.stat', { hasText: 'Time to first token' }).locator('.value').textContent(), '—');
    const cost = await page.locator('.stat', { hasText: 'Cost' }).locator('.value').textContent();
    assert.match(cost, /^\$0\.\d+$/);
    assert.notEqual(cost, '$0.00');
    assert.equal(await page.getByRole('heading', { name: 'Getting started' }).count(), 0, 'setup is complete');

    await visit(page, 'logs');
    await page.getByLabel('Search').fill('e2e-app');
    await page.getByRole('button', { name: 'Apply' }).click();
    await eventually(async () => (await page.locator('tbody tr').count()) === 3, 'three rows for the key');
    await page.getByText('3 requests · page 1 of 1').waitFor();
    await page.locator('tbody tr').first().click();
    const detail = page.getByRole('dialog', { name: 'Request detail' });
    await detail.getByText('Attempts (1)').waitFor();
    await detail.getByRole('cell', { name: 'OpenAI main' }).waitFor();
    await detail.getByRole('button', { name: 'Close' }).click();

    await visit(page, 'cost');
    const byKey = page.locator('section', { has: page.getByRole('heading', { name: 'By key' }) });
    await byKey.getByRole('cell', { name: 'e2e-app' }).waitFor();
    assert.equal(await byKey.getByRole('row', { name: /e2e-app/ }).getByRole('cell').nth(1).textContent(), '3');
    watcher.assertClean('overview, logs and cost');
  });

  await t.test('a streaming request shows its stage on the Actors page and ends cleanly', async () => {
    await visit(page, 'actors');
    await page.getByLabel('Kind').selectOption('request');
    const client = new OpenAI({ baseURL: `${stack.base}/v1`, apiKey: secret });
    const slow = (async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', stream: true,
        messages: [{ role: 'user', content: 'slowly [[fake chunks=30 interval_ms=150]]' }] });
      let finish = null;
      for await (const chunk of stream) for (const c of chunk.choices) finish = c.finish_reason || finish;
      return finish;
    })();
    const row = page.getByRole('row', { name: /request/ }).filter({ hasText: 'streaming' });
    await row.waitFor({ timeout: 10000 });
    await row.getByText('e2e-app').waitFor();
    assert.equal(await slow, 'stop');
    await page.getByText('No actor of this kind is running.').waitFor({ timeout: 10000 });
    watcher.assertClean('actors while streaming');
  });

  await t.test('the Actors page shows the key actor and its rate window', async () => {
    await visit(page, 'actors');
    await page.getByLabel('Kind').selectOption('api_key');
    const row = page.getByRole('row', { name: /e2e-app/ });
    await row.waitFor();
    await row.getByText('window limit').waitFor();
    assert.equal(await row.locator('dt:text("window limit") + dd').textContent(), '120');
    watcher.assertClean('actors');
  });

  await t.test('an expired session asks to log in again and keeps the page', async () => {
    await visit(page, 'logs');
    const res = await fetch(`${stack.base}/admin/auth/sessions`, { method: 'DELETE', headers: { authorization: `Bearer ${stack.token}` } });
    assert.equal(res.status, 200);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Your session has ended. Log in again to continue.').waitFor();
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    assert.ok(page.url().endsWith('#/logs'));
    const seen = watcher.take();
    assert.ok(seen.length > 0 && seen.every((p) => p.startsWith('HTTP 401')), `only the expected 401s: ${seen}`);
  });

  await t.test('revoking the key turns the SDK away with 401', async () => {
    await visit(page, 'keys');
    const row = page.getByRole('row', { name: /e2e-app/ });
    await row.getByRole('button', { name: 'Revoke e2e-app' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    const client = new OpenAI({ baseURL: `${stack.base}/v1`, apiKey: secret, maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
      (err) => err.status === 401);
    watcher.assertClean('revoke');
  });

  await t.test('reactivating brings the key back; rotating replaces its secret', async () => {
    const ask = (key) => new OpenAI({ baseURL: `${stack.base}/v1`, apiKey: key, maxRetries: 0 })
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] });
    const row = page.getByRole('row', { name: /e2e-app/ });
    await row.getByRole('button', { name: 'Reactivate e2e-app' }).click();
    await row.getByText('active', { exact: true }).waitFor();
    assert.equal((await ask(secret)).choices[0].finish_reason, 'stop');

    await row.getByRole('button', { name: 'Rotate e2e-app' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    const rotated = await shownSecret(page);
    assert.notEqual(rotated, secret);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await assert.rejects(ask(secret), (err) => err.status === 401);
    assert.equal((await ask(rotated)).choices[0].finish_reason, 'stop');
    watcher.assertClean('reactivate and rotate');
  });

  await t.test('every page renders at 1280 and 390 px, light and dark, clean and accessible', async () => {
    for (const [width, scheme] of [[1280, 'light'], [390, 'dark']]) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
      await page.emulateMedia({ colorScheme: scheme });
      for (const name of PAGES) {
        await visit(page, name);
        await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: true });
        assert.deepEqual(await auditPage(page), [], `accessibility of ${name} at ${width} px (${scheme})`);
        watcher.assertClean(`${name} at ${width} px`);
      }
    }
    // Keyboard: the first Tab reaches the skip link, and focus is visible.
    await page.setViewportSize({ width: 1280, height: 900 });
    await visit(page, 'overview');
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      return { text: el.textContent.trim(), outline: getComputedStyle(el).outlineStyle };
    });
    assert.equal(focus.text, 'Skip to content');
    assert.notEqual(focus.outline, 'none');
  });

  await t.test('logging out and a wrong password', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('You are logged out.').waitFor();
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText(/wrong password/i).waitFor();
    const seen = watcher.take();
    assert.deepEqual(seen.map((p) => p.replace(/ http\S+/, '')), ['HTTP 401: POST']);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    watcher.assertClean('login');

    // The admin token opens the dashboard too.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Use the admin token instead' }).click();
    await page.getByLabel('Admin token').fill(stack.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    watcher.assertClean('login with the admin token');
  });
});

test('dashboard: signing in with a subscription, pasting a Claude token, and Claude Code\'s login', async (t) => {
  mkdirSync(artifacts, { recursive: true });
  const stack = await startFirstRun({ oauth: true });
  let browser = null;
  t.after(async () => {
    if (browser) await browser.close();
    await stack.stop();
  });
  await assertServesThisTree(stack.base);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
  await serveWebFromSource(context, stack.base);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.base });
  const watcher = watch(context);
  const page = await context.newPage();
  const section = page.locator('section', { has: page.getByRole('heading', { name: 'Sign in with a subscription' }) });
  const shot = async (name) => {
    // From the top: a full-page capture of a scrolled page paints the sticky bar mid-page.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(artifacts, `subscriptions-${name}.png`), fullPage: true });
  };
  /// What the person's browser does with the sign-in page: the fake logs in
  /// at once and redirects to the gateway's callback address.
  const authorize = async (url) => {
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    return res.headers.get('location');
  };

  const link = stack.stderr().match(/(http:\/\/\S+\/dashboard\/\?setup=\S+)/);
  assert.ok(link, `no setup link in:\n${stack.stderr()}`);
  await page.goto(link[1]);
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set password and continue' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

  await t.test('Claude: the page shows the sign-in address; the address the browser ended on is pasted', async () => {
    await visit(page, 'providers');
    await shot('start');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the subscription choice');
    await section.getByRole('radio', { name: /^Claude/ }).check();
    await section.getByRole('button', { name: 'Start sign-in' }).click();
    const open = section.getByRole('link', { name: /Open the Claude sign-in page/ });
    await open.waitFor();
    const url = await open.getAttribute('href');
    assert.ok(url.startsWith(`http://127.0.0.1:${stack.fakePort}/oauth/authorize?`), url);
    assert.equal(await open.getAttribute('target'), '_blank');
    assert.equal((await section.locator('code.auth-url').textContent()), url, 'the address itself is shown');
    await section.getByRole('button', { name: 'Copy address' }).click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    await section.getByText(/Waiting for the sign-in\. This sign-in page works until/).waitFor();
    await shot('claude-url');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the sign-in in progress');

    // An address of another login is refused next to the box; this one goes on.
    const pasteBox = section.getByLabel('Paste the address your browser ended on');
    await pasteBox.fill(`http://localhost:${stack.callbackPort}/oauth/callback?code=abc&state=not-this-one`);
    await section.getByRole('button', { name: 'Finish sign-in' }).click();
    const pasteField = section.locator('.field', { has: page.getByLabel('Paste the address your browser ended on') });
    await pasteField.getByText('redirect_url: its state belongs to another login; paste the address of this one').waitFor();
    assert.equal(await pasteBox.getAttribute('aria-invalid'), 'true');
    await shot('claude-paste-error');
    assert.deepEqual(watcher.take().map((p) => p.replace(/ http\S+/, '')), ['HTTP 400: POST']);

    const location = await authorize(url);
    assert.ok(location.startsWith(`http://localhost:${stack.callbackPort}/oauth/callback?code=`), location);
    await pasteBox.fill(location);
    await section.getByRole('button', { name: 'Finish sign-in' }).click();
    await section.getByText('Signed in: Claude (Subscription) was added and is listed above.').waitFor();
    const row = page.getByRole('row', { name: /Claude \(Subscription\)/ });
    await row.getByText('Claude (Anthropic) · subscription').waitFor();
    await row.getByText(/^token expires in (59|60) min$/).waitFor();
    await eventually(async () => (await row.getByText('healthy', { exact: true }).count()) > 0, 'the new account probed healthy');
    assert.equal(await section.getByRole('button', { name: 'Start sign-in' }).isVisible(), true, 'the choice is back');
    await shot('claude-done');
    watcher.assertClean('the Claude sign-in');
  });

  await t.test('ChatGPT: a browser on this machine comes back to the gateway and the page notices by itself', async () => {
    await section.getByRole('radio', { name: /^ChatGPT/ }).check();
    await section.getByRole('button', { name: 'Start sign-in' }).click();
    const open = section.getByRole('link', { name: /Open the ChatGPT sign-in page/ });
    await open.waitFor();
    const location = await authorize(await open.getAttribute('href'));
    // The callback listener on the gateway host completes the login.
    const landing = await fetch(location.replace('//localhost:', '//127.0.0.1:')); // it listens on 127.0.0.1
    assert.equal(landing.status, 200);
    assert.match(await landing.text(), /Connected/);
    await section.getByText('Signed in: OpenAI (ChatGPT) was added and is listed above.').waitFor({ timeout: 5000 });
    await page.getByRole('row', { name: /OpenAI \(ChatGPT\)/ }).getByText('OpenAI · subscription').waitFor();
    watcher.assertClean('the ChatGPT sign-in');
  });

  await t.test('Google Gemini: polled every 2 s only while shown, kept across a page change, then cancelled', async () => {
    const polls = [];
    const onRequest = (r) => { if (r.url().includes('/admin/providers/auth/status')) polls.push(Date.now()); };
    page.on('request', onRequest);
    await section.getByRole('radio', { name: /^Google Gemini/ }).check();
    await section.getByRole('button', { name: 'Start sign-in' }).click();
    await section.getByRole('link', { name: /Open the Google Gemini sign-in page/ }).waitFor();
    await eventually(async () => polls.length >= 2, 'two status polls', 6000);
    // Another page: the polling stops.
    await visit(page, 'keys');
    const left = polls.length;
    await new Promise((r) => setTimeout(r, 4500));
    assert.equal(polls.length, left, 'no status poll while another page is shown');
    // Back: the sign-in still waiting is shown again, and polled again.
    await visit(page, 'providers');
    await section.getByRole('link', { name: /Open the Google Gemini sign-in page/ }).waitFor();
    await eventually(async () => polls.length >= left + 2, 'polling again', 6000);
    page.off('request', onRequest);
    await section.getByRole('button', { name: 'Cancel' }).click();
    await page.getByText('Sign-in cancelled.').waitFor();
    await section.getByRole('button', { name: 'Start sign-in' }).waitFor();
    assert.equal(await section.getByRole('link', { name: /sign-in page/ }).count(), 0);
    const latest = await (await fetch(`${stack.base}/admin/providers/auth/status`, { headers: { authorization: `Bearer ${stack.token}` } })).json();
    assert.equal(latest.provider_type, 'gemini');
    assert.equal(latest.status, 'cancelled');
    watcher.assertClean('the cancelled sign-in');
  });

  await t.test('a code the provider refuses is shown next to the box, and the sign-in still waits', async () => {
    await section.getByRole('radio', { name: /^Claude/ }).check();
    await section.getByRole('button', { name: 'Start sign-in' }).click();
    await section.getByRole('link', { name: /Open the Claude sign-in page/ }).waitFor();
    const box = section.getByLabel('Paste the address your browser ended on');
    await box.fill('code_that_was_never_issued');
    await section.getByRole('button', { name: 'Finish sign-in' }).click();
    await section.getByText(/the provider refused the code \(.*authorization code is unknown or already used\); paste the address again/).waitFor();
    // The same login takes another paste: nothing was spent.
    await box.waitFor();
    await shot('refused-code');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the refused code');
    assert.deepEqual(watcher.take().map((p) => p.replace(/ http\S+/, '')), ['HTTP 400: POST']);
    await section.getByRole('button', { name: 'Cancel' }).click();
    await section.getByRole('button', { name: 'Start sign-in' }).waitFor();
  });

  await t.test('a pasted Claude token becomes a subscription account', async () => {
    await section.getByRole('button', { name: 'Paste a Claude token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Paste a Claude token' });
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await dialog.getByText('Paste the token.').waitFor();
    await dialog.getByLabel('Access token').fill('sk-ant-oat01-e2e-pasted');
    await dialog.getByLabel('Name').fill('Claude token');
    await shot('claude-token');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the token dialog');
    await dialog.getByRole('button', { name: 'Add account' }).click();
    await page.getByText('Added Claude token.').waitFor();
    await page.getByRole('row', { name: /Claude token/ }).getByText('Claude (Anthropic) · subscription').waitFor();
    watcher.assertClean('the pasted token');
  });

  await t.test('Claude Code\'s login: copying warns first; following it borrows the file', async () => {
    const expiresAt = Date.now() + 2 * 3600 * 1000;
    mkdirSync(join(stack.home, '.claude'), { recursive: true });
    writeFileSync(join(stack.home, '.claude', '.credentials.json'), JSON.stringify({ claudeAiOauth: {
      accessToken: 'sk-ant-oat01-e2e-claude-code', refreshToken: 'sk-ant-ort01-e2e-claude-code',
      expiresAt, subscriptionType: 'max' } }));
    mkdirSync(join(stack.home, '.codex'), { recursive: true });
    writeFileSync(join(stack.home, '.codex', 'auth.json'), '{ not json');
    const found = page.locator('section', { has: page.getByRole('heading', { name: 'Found on this machine' }) });
    await found.getByRole('button', { name: 'Look again' }).click();
    const cc = found.getByRole('row', { name: /Claude Code/ });
    await cc.getByText(/^max subscription · token expires in 2 h$/).waitFor();
    await cc.getByText(join(stack.home, '.claude', '.credentials.json')).waitFor();
    // A CLI file that cannot be read is listed with why, and offers nothing.
    const codex = found.getByRole('row', { name: /Codex CLI/ });
    await codex.getByText(/^Cannot be read: /).waitFor();
    assert.equal(await codex.getByRole('button').count(), 0);

    await cc.getByRole('button', { name: 'Copy tokens from Claude Code' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy the tokens of Claude Code?' });
    await dialog.getByText(/^Copy takes the tokens over: when the gateway refreshes them, Claude Code on this machine is signed out/).waitFor();
    await shot('copy-warning');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the copy warning');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const before = await (await fetch(`${stack.base}/admin/providers`, { headers: { authorization: `Bearer ${stack.token}` } })).json();
    assert.equal(before.data.length, 3, 'cancelling the copy imported nothing');

    await cc.getByRole('button', { name: 'Follow Claude Code (borrowed)' }).click();
    await page.getByText('Imported Claude (Claude Code).').waitFor();
    const row = page.getByRole('row', { name: /Claude \(Claude Code\)/ });
    await row.getByText('Claude (Anthropic) · borrowed from Claude Code').waitFor();
    await row.getByText(/^token expires in 2 h$/).waitFor();
    const after = await (await fetch(`${stack.base}/admin/providers`, { headers: { authorization: `Bearer ${stack.token}` } })).json();
    const borrowed = after.data.find((p) => p.name === 'Claude (Claude Code)');
    assert.equal(borrowed.auth_mode, 'borrowed');
    // Its edit dialog says where the login comes from and asks for no key.
    await row.getByRole('button', { name: 'Edit Claude (Claude Code)' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Claude (Claude Code)' });
    await edit.getByText(/^This account follows the login of Claude Code on the gateway's machine \(token expires in 2 h\)\./).waitFor();
    assert.equal(await edit.getByLabel('New API key').count(), 0);
    await shot('edit-borrowed');
    assert.deepEqual(await auditPage(page), [], 'accessibility of the edit dialog');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    watcher.assertClean('the Claude Code import');
  });

  await t.test('the providers page with every kind of account, 1280 px light and 390 px dark', async () => {
    for (const [width, scheme] of [[1280, 'light'], [390, 'dark']]) {
      await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
      await page.emulateMedia({ colorScheme: scheme });
      await visit(page, 'providers');
      await shot(`providers-${width}`);
      assert.deepEqual(await auditPage(page), [], `accessibility at ${width} px (${scheme})`);
      await section.getByRole('button', { name: 'Start sign-in' }).click();
      await section.getByRole('link', { name: /sign-in page/ }).waitFor();
      await shot(`flow-${width}`);
      assert.deepEqual(await auditPage(page), [], `accessibility of the sign-in at ${width} px (${scheme})`);
      await section.getByRole('button', { name: 'Cancel' }).click();
      await section.getByRole('button', { name: 'Start sign-in' }).waitFor();
      watcher.assertClean(`providers at ${width} px`);
    }
  });
});

test('dashboard assets: one round trip per asset on reload, security headers, under 300 KB', async (t) => {
  const stack = await startFirstRun();
  t.after(() => stack.stop());
  let total = 0;
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else total += statSync(p).size;
    }
  };
  walk(webDir);
  assert.ok(total < 300 * 1024, `web/ is ${total} bytes`);

  const root = await fetch(`${stack.base}/`, { redirect: 'manual' });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/dashboard/');
  for (const path of ['/dashboard/', '/dashboard/js/app.js', '/dashboard/css/app.css']) {
    const first = await fetch(stack.base + path);
    assert.equal(first.status, 200, path);
    assert.match(first.headers.get('content-security-policy'), /default-src 'self'/);
    assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(first.headers.get('x-frame-options'), 'DENY');
    assert.equal(first.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(first.headers.get('cache-control'), 'no-cache');
    const etag = first.headers.get('etag');
    assert.match(etag, /^"[0-9a-f]{20}"$/);
    await first.arrayBuffer();
    const again = await fetch(stack.base + path, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, `${path} revalidates`);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
  }
  const missing = await fetch(`${stack.base}/dashboard/nope.js`);
  assert.equal(missing.status, 404);
  const post = await fetch(`${stack.base}/dashboard/`, { method: 'POST', body: '{}' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
});
