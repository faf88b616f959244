// Both real SDKs (npm `openai` and `@anthropic-ai/sdk`) against the gateway
// in front of each provider type (SPEC §5.4–§5.6, §10): non-streaming,
// streaming and a tool-call round trip, the full 2×4 matrix.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startStack, matrix } from './harness.mjs';

let stack;
let openai;
let anthropic;

before(async () => {
  stack = await startStack({ allProviders: true });
  openai = new OpenAI({ apiKey: stack.key, baseURL: `${stack.base}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: stack.key, baseURL: stack.base, maxRetries: 0 });
});

after(async () => {
  assert.equal(await stack.stop(), 0, 'the gateway exits 0 on SIGTERM');
});

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

for (const { type, model } of matrix) {
  describe(`OpenAI SDK → ${type}`, () => {
    test('non-streaming', async () => {
      const res = await openai.chat.completions.create({
        model,
        messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Say hello' }],
      });
      assert.equal(res.choices[0].message.content, 'Hello from fake upstream');
      assert.equal(res.choices[0].finish_reason, 'stop');
      assert.ok(res.usage.prompt_tokens > 0 && res.usage.completion_tokens > 0);
      assert.equal(res._openhinge.provider_type, type);
    });

    test('streaming', async () => {
      const stream = await openai.chat.completions.create({
        model,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Stream please [[fake chunks=5]]' }],
      });
      let text = '';
      let finish = null;
      let usage = null;
      for await (const chunk of stream) {
        if (chunk.usage) usage = chunk.usage;
        for (const c of chunk.choices) {
          text += c.delta.content ?? '';
          finish = c.finish_reason ?? finish;
        }
      }
      assert.equal(text, 'Hello from fake upstream');
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.completion_tokens > 0);
    });

    test('tool-call round trip (parallel calls, streamed arguments)', async () => {
      const tools = [{ type: 'function', function: {
        name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.schema } }];
      const messages = [{ role: 'user', content: 'Weather in two cities? [[fake tools=2]]' }];
      const runner = openai.chat.completions.stream({ model, messages, tools });
      const first = await runner.finalChatCompletion();
      const msg = first.choices[0].message;
      assert.equal(first.choices[0].finish_reason, 'tool_calls');
      assert.equal(msg.tool_calls.length, 2);
      assert.deepEqual(msg.tool_calls.map((c) => JSON.parse(c.function.arguments).city),
        ['City 0', 'City 1']);
      messages[0].content = 'Weather in two cities?';
      messages.push(msg);
      for (const call of msg.tool_calls) {
        messages.push({ role: 'tool', tool_call_id: call.id, content: `sunny in ${JSON.parse(call.function.arguments).city}` });
      }
      const second = await openai.chat.completions.create({ model, messages, tools });
      assert.match(second.choices[0].message.content, /^The tool said sunny in City/);
      assert.equal(second.choices[0].finish_reason, 'stop');
    });
  });

  describe(`Anthropic SDK → ${type}`, () => {
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
    });

    test('streaming', async () => {
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
      assert.equal(seen.at(-1), 'message_stop');
      assert.ok(seen.includes('content_block_delta'));
    });

    test('tool-call round trip (streamed input_json_delta)', async () => {
      const tools = [{ name: weatherTool.name, description: weatherTool.description,
        input_schema: weatherTool.schema }];
      const stream = anthropic.messages.stream({
        model,
        max_tokens: 256,
        tools,
        messages: [{ role: 'user', content: 'Weather in two cities? [[fake tools=2]]' }],
      });
      const first = await stream.finalMessage();
      assert.equal(first.stop_reason, 'tool_use');
      const uses = first.content.filter((b) => b.type === 'tool_use');
      assert.equal(uses.length, 2);
      assert.deepEqual(uses.map((u) => u.input.city), ['City 0', 'City 1']);
      const second = await anthropic.messages.create({
        model,
        max_tokens: 256,
        tools,
        messages: [
          { role: 'user', content: 'Weather in two cities?' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: uses.map((u) => ({
            type: 'tool_result', tool_use_id: u.id, content: `sunny in ${u.input.city}` })) },
        ],
      });
      assert.equal(second.content[0].type, 'text');
      assert.match(second.content[0].text, /^The tool said sunny in City/);
      assert.equal(second.stop_reason, 'end_turn');
    });
  });
}

test('Anthropic SDK errors are typed from Anthropic-shaped bodies', async () => {
  const bad = new Anthropic({ apiKey: 'ohk_' + 'x'.repeat(43), baseURL: stack.base, maxRetries: 0 });
  await assert.rejects(
    bad.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    (err) => err instanceof Anthropic.AuthenticationError && err.status === 401);
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 8, messages: [] }),
    (err) => err instanceof Anthropic.BadRequestError && err.error?.error?.type === 'invalid_request_error');
  await assert.rejects(
    anthropic.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 8,
      messages: [{ role: 'user', content: 'x [[fake status=503]]' }] }),
    (err) => err instanceof Anthropic.APIError && err.status === 502);
});

test('Anthropic SDK lists models in Anthropic\'s shape', async () => {
  const ids = [];
  for await (const m of anthropic.models.list()) ids.push(m.id);
  for (const { model } of matrix) assert.ok(ids.includes(model), `${model} listed`);
});
