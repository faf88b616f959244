// The OpenAI Node SDK as a real client of the gateway.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startStack } from './harness.mjs';

let stack;
let client;

before(async () => {
  stack = await startStack();
  client = new OpenAI({ apiKey: stack.key, baseURL: `${stack.base}/v1`, maxRetries: 0 });
});

after(async () => {
  assert.equal(await stack.stop(), 0, 'the gateway exits 0 on SIGTERM');
});

test('non-streaming completion with usage and gateway facts', async () => {
  const res = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
  });
  assert.equal(res.object, 'chat.completion');
  assert.match(res.id, /^chatcmpl-/);
  assert.equal(res.choices[0].message.role, 'assistant');
  assert.equal(res.choices[0].message.content, 'Hello from fake upstream');
  assert.equal(res.choices[0].finish_reason, 'stop');
  assert.ok(res.usage.prompt_tokens > 0);
  assert.equal(res.usage.total_tokens, res.usage.prompt_tokens + res.usage.completion_tokens);
  assert.equal(res._openhinge.provider, 'fake-openai');
});

test('streaming completion assembles text, finish reason and usage', async () => {
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Stream please [[fake chunks=6 interval_ms=5]]' }],
  });
  let text = '';
  let finish = null;
  let usage = null;
  let roleSeen = false;
  const ids = new Set();
  for await (const chunk of stream) {
    ids.add(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      if (choice.delta.role === 'assistant') roleSeen = true;
      text += choice.delta.content ?? '';
      finish = choice.finish_reason ?? finish;
    }
  }
  assert.equal(text, 'Hello from fake upstream');
  assert.equal(finish, 'stop');
  assert.ok(roleSeen);
  assert.equal(ids.size, 1, 'one id for every chunk');
  assert.ok(usage && usage.completion_tokens > 0);
});

test('the SDK stream helper collects the final message', async () => {
  const runner = client.chat.completions.stream({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hi [[fake chunks=3]]' }],
  });
  const final = await runner.finalChatCompletion();
  assert.equal(final.choices[0].message.content, 'Hello from fake upstream');
});

test('tool call round trip, streamed and not', async () => {
  const tools = [{
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  }];
  const messages = [{ role: 'user', content: 'Weather in two cities? [[fake tools=2]]' }];
  const first = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  const calls = first.choices[0].message.tool_calls;
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  assert.equal(calls.length, 2);
  assert.deepEqual(JSON.parse(calls[1].function.arguments), { city: 'City 1' });

  // The same answer streamed: the SDK accumulates argument pieces by index.
  const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages, tools });
  const streamed = await runner.finalChatCompletion();
  const streamedCalls = streamed.choices[0].message.tool_calls;
  assert.equal(streamedCalls.length, 2);
  assert.equal(streamedCalls[0].id, 'call_fake0');
  assert.deepEqual(JSON.parse(streamedCalls[0].function.arguments), { city: 'City 0' });

  // Send the results back; the model answers with text.
  messages.push(first.choices[0].message);
  for (const call of calls) {
    messages.push({ role: 'tool', tool_call_id: call.id, content: '{"temp_c": 21}' });
  }
  const second = await client.chat.completions.create({ model: 'gpt-4o-mini', messages, tools });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.match(second.choices[0].message.content, /temp_c/);
});

test('errors surface as the SDK typed errors with the right status', async () => {
  const bad = new OpenAI({ apiKey: 'ohk_' + 'A'.repeat(43), baseURL: `${stack.base}/v1`, maxRetries: 0 });
  await assert.rejects(
    bad.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.AuthenticationError && err.status === 401);

  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }),
    (err) => err instanceof OpenAI.BadRequestError && err.status === 400 && err.param === 'messages');

  await assert.rejects(
    client.chat.completions.create({ model: 'soul/nobody', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.NotFoundError && err.code === 'soul_not_found');

  const limitedKey = (await stack.admin('POST', '/admin/keys', { name: 'tight', rate_limit_rpm: 1 })).data.key;
  const limited = new OpenAI({ apiKey: limitedKey, baseURL: `${stack.base}/v1`, maxRetries: 0 });
  await limited.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
  await assert.rejects(
    limited.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof OpenAI.RateLimitError && err.status === 429
      && Number(err.headers.get('retry-after')) >= 1);

  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x [[fake status=503]]' }] }),
    (err) => err instanceof OpenAI.APIError && err.status === 502);
});

test('models list includes account models and souls', async () => {
  await stack.admin('POST', '/admin/souls', { name: 'Helper', system_prompt: 'Help.' });
  const ids = [];
  for await (const model of client.models.list()) ids.push(model.id);
  assert.ok(ids.includes('gpt-4o-mini'));
  assert.ok(ids.includes('soul/helper'));
});

test('aborting a stream closes the upstream stream', async () => {
  const controller = new AbortController();
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    stream: true,
    messages: [{ role: 'user', content: 'long [[fake chunks=200 interval_ms=50]]' }],
  }, { signal: controller.signal });
  let n = 0;
  try {
    for await (const _ of stream) {
      if (++n === 3) controller.abort();
    }
  } catch (err) {
    // Depending on timing the SDK ends the iteration or throws an abort.
    assert.ok(err instanceof OpenAI.APIUserAbortError || err.name === 'AbortError', String(err));
  }
  assert.equal(n, 3);
  for (let i = 0; i < 200 && (await stack.stats()).open_streams !== 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal((await stack.stats()).open_streams, 0);
});
