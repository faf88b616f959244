// Subscription accounts end to end (SPEC §7, docs/subscriptions.md): the
// three accounts are made by the real browser login — start, follow the
// authorize URL as a browser would (the fake logs in at once and redirects),
// paste the address it ends on into complete — and then both real SDKs
// (npm `openai` and `@anthropic-ai/sdk`) talk through each subscription wire:
// Claude as Claude Code, ChatGPT's Codex `responses`, Gemini Code Assist;
// plain, streamed and with a tool call. No API-key account exists, so every
// answer came through a subscription.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startStack } from './harness.mjs';

/// Each subscription wire: the account a login makes, a model it lists,
/// and the upstream paths the fake must see for a plain and a streamed
/// request (ChatGPT's backend is always streamed).
const wires = [
  { type: 'claude', name: 'Claude (Subscription)', model: 'claude-sonnet-4-6',
    plain: '/v1/messages', streamed: '/v1/messages' },
  { type: 'openai', name: 'OpenAI (ChatGPT)', model: 'gpt-5.4-mini',
    plain: '/responses', streamed: '/responses' },
  { type: 'gemini', name: 'Google Gemini', model: 'gemini-2.5-flash',
    plain: '/v1internal:generateContent', streamed: '/v1internal:streamGenerateContent?alt=sse' },
];

let stack;
let openai;
let anthropic;
const accounts = new Map(); // type → {id, name}

before(async () => {
  stack = await startStack({ oauth: true, apiKeyAccount: false });
  openai = new OpenAI({ apiKey: stack.key, baseURL: `${stack.base}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: stack.key, baseURL: stack.base, maxRetries: 0 });
});

after(async () => {
  assert.equal(await stack.stop(), 0, 'the gateway exits 0 on SIGTERM');
});

/// The request the fake saw last went to `path` with a subscription bearer
/// (never the gateway key, never an x-api-key).
async function assertSubscriptionWire(path) {
  const s = await stack.stats();
  assert.equal(s.last_target, path);
  assert.match(s.last_headers.authorization || '', /^Bearer \S+$/);
  assert.ok(!s.last_headers.authorization.includes(stack.key), 'the gateway key never reaches the upstream');
  assert.equal(s.last_headers['x-api-key'], undefined);
}

test('the browser login (start → authorize → paste the address) makes the three subscription accounts', async () => {
  for (const { type, name } of wires) {
    const flow = await stack.admin('POST', '/admin/providers/auth/start', { type });
    assert.equal(flow.status, 'pending');
    assert.equal(flow.provider_type, type);
    assert.equal(flow.callback_listening, true);
    assert.ok(flow.auth_url.startsWith(`http://127.0.0.1:${stack.fakePort}/`), flow.auth_url);
    assert.match(flow.auth_url, /code_challenge_method=S256/);

    // The browser: the fake's authorize page logs in at once and sends it
    // back to the gateway's callback address.
    const res = await fetch(flow.auth_url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const location = res.headers.get('location');
    assert.ok(location.startsWith(`http://localhost:${stack.callbackPort}/`), location);
    assert.match(location, /[?&]code=[^&]+&state=/);

    const done = await stack.admin('POST', '/admin/providers/auth/complete',
      { flow_id: flow.flow_id, redirect_url: location });
    assert.equal(done.status, 'complete');
    assert.equal(done.provider.type, type);
    assert.equal(done.provider.auth_mode, 'oauth');
    assert.equal(done.provider.name, name);
    accounts.set(type, done.provider);

    const status = await stack.admin('GET', `/admin/providers/auth/status?flow_id=${flow.flow_id}`);
    assert.equal(status.status, 'complete');
    assert.equal(status.provider.id, done.provider.id);
  }
  assert.equal((await stack.stats()).token_exchanges, 3, 'one code exchange per login');

  const listed = (await stack.admin('GET', '/admin/providers')).data;
  assert.equal(listed.length, 3);
  for (const p of listed) {
    assert.equal(p.auth_mode, 'oauth');
    assert.equal(p.base_url, `http://127.0.0.1:${stack.fakePort}`);
    assert.ok(p.credentials_set.includes('oauth_token') && p.credentials_set.includes('refresh_token'),
      `${p.name} holds ${p.credentials_set}`);
  }

  // Each account's first probe lists its models; wait for all three.
  for (let i = 0; ; i++) {
    const ids = new Set((await openai.models.list()).data.map((m) => m.id));
    if (wires.every((w) => ids.has(w.model))) break;
    if (i > 500) throw new Error(`the accounts never listed their models: ${[...ids]}`);
    await sleep(20);
  }
});

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

for (const wire of wires) {
  const { type, model } = wire;

  describe(`OpenAI SDK → ${wire.name}`, () => {
    test('non-streaming', async () => {
      const res = await openai.chat.completions.create({
        model,
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
      });
      assert.equal(res.choices[0].message.content, 'Hello from fake upstream');
      assert.equal(res.choices[0].finish_reason, 'stop');
      assert.ok(res.usage.prompt_tokens > 0 && res.usage.completion_tokens > 0);
      assert.equal(res._openhinge.provider_type, type);
      assert.equal(res._openhinge.provider, accounts.get(type).name);
      await assertSubscriptionWire(wire.plain);
    });

    test('streaming ends cleanly', async () => {
      const stream = await openai.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream please [[fake chunks=5]]' }],
      });
      let text = '';
      let finish = null;
      let usage = null;
      let chunks = 0;
      let ended = false;
      for await (const chunk of stream) {
        chunks += 1;
        if (chunk.usage) usage = chunk.usage;
        for (const c of chunk.choices) {
          text += c.delta.content ?? '';
          finish = c.finish_reason ?? finish;
        }
      }
      ended = true; // the iterator finished without throwing ([DONE] seen)
      assert.ok(ended);
      assert.ok(chunks >= 5, `${chunks} chunks`);
      assert.equal(text, 'Hello from fake upstream');
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.completion_tokens > 0, 'usage arrived before the end');
      assert.equal(stream.controller.signal.aborted, false);
      await assertSubscriptionWire(wire.streamed);
    });

    test('tool call: streamed call, then the result answered', async () => {
      const tools = [{ type: 'function', function: {
        name: weather.name, description: weather.description, parameters: weather.schema } }];
      const stream = await openai.chat.completions.create({
        model, tools, stream: true,
        messages: [{ role: 'user', content: 'Weather in one city? [[fake tools=1]]' }],
      });
      const call = { id: '', name: '', args: '' };
      let finish = null;
      for await (const chunk of stream) {
        for (const c of chunk.choices) {
          for (const tc of c.delta.tool_calls ?? []) {
            assert.equal(tc.index, 0);
            call.id ||= tc.id ?? '';
            call.name ||= tc.function?.name ?? '';
            call.args += tc.function?.arguments ?? '';
          }
          finish = c.finish_reason ?? finish;
        }
      }
      assert.equal(finish, 'tool_calls');
      assert.ok(call.id, 'the call has an id');
      assert.equal(call.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.args), { city: 'City 0' });
      await assertSubscriptionWire(wire.streamed);

      const second = await openai.chat.completions.create({
        model, tools,
        messages: [
          { role: 'user', content: 'Weather in one city?' },
          { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function',
            function: { name: call.name, arguments: call.args } }] },
          { role: 'tool', tool_call_id: call.id, content: 'sunny in City 0' },
        ],
      });
      assert.match(second.choices[0].message.content, /^The tool said sunny in City 0/);
      assert.equal(second.choices[0].finish_reason, 'stop');
      await assertSubscriptionWire(wire.plain);
    });
  });

  describe(`Anthropic SDK → ${wire.name}`, () => {
    test('non-streaming', async () => {
      const msg = await anthropic.messages.create({
        model,
        max_tokens: 256,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Say hello' }],
      });
      assert.equal(msg.type, 'message');
      assert.equal(msg.role, 'assistant');
      assert.equal(msg.content[0].type, 'text');
      assert.equal(msg.content[0].text, 'Hello from fake upstream');
      assert.equal(msg.stop_reason, 'end_turn');
      assert.ok(msg.usage.output_tokens > 0);
      await assertSubscriptionWire(wire.plain);
    });

    test('streaming ends cleanly', async () => {
      const stream = anthropic.messages.stream({
        model,
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Stream please [[fake chunks=5]]' }],
      });
      const seen = [];
      let text = '';
      stream.on('text', (delta) => { text += delta; });
      for await (const event of stream) seen.push(event.type);
      const final = await stream.finalMessage();
      assert.equal(text, 'Hello from fake upstream');
      assert.equal(final.content[0].text, 'Hello from fake upstream');
      assert.equal(final.stop_reason, 'end_turn');
      assert.ok(final.usage.output_tokens > 0);
      assert.equal(seen[0], 'message_start');
      assert.equal(seen.at(-2), 'message_delta');
      assert.equal(seen.at(-1), 'message_stop');
      assert.ok(seen.filter((t) => t === 'content_block_delta').length >= 5);
      await assertSubscriptionWire(wire.streamed);
    });

    test('tool call: streamed input_json_delta, then the result answered', async () => {
      const tools = [{ name: weather.name, description: weather.description, input_schema: weather.schema }];
      const stream = anthropic.messages.stream({
        model,
        max_tokens: 256,
        tools,
        messages: [{ role: 'user', content: 'Weather in one city? [[fake tools=1]]' }],
      });
      const seen = [];
      for await (const event of stream) seen.push(event.delta?.type ?? event.type);
      const first = await stream.finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      assert.ok(seen.includes('input_json_delta'), `events: ${seen}`);
      assert.equal(seen.at(-1), 'message_stop');
      const uses = first.content.filter((b) => b.type === 'tool_use');
      assert.equal(uses.length, 1);
      assert.equal(uses[0].name, 'get_weather');
      assert.deepEqual(uses[0].input, { city: 'City 0' });
      await assertSubscriptionWire(wire.streamed);

      const second = await anthropic.messages.create({
        model,
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: 'Weather in one city?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: 'sunny in City 0' }] },
        ],
      });
      assert.equal(second.content[0].type, 'text');
      assert.match(second.content[0].text, /^The tool said sunny in City 0/);
      assert.equal(second.stop_reason, 'end_turn');
      await assertSubscriptionWire(wire.plain);
    });
  });
}

test('the accounts served everything: no failure, no refresh needed', async () => {
  const listed = (await stack.admin('GET', '/admin/providers')).data;
  for (const p of listed) {
    assert.equal(p.health.status, 'healthy', `${p.name}: ${p.health.last_error}`);
    assert.equal(p.health.failures, 0);
  }
  assert.equal((await stack.stats()).refreshes, 0);
});
