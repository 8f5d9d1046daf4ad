import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FAKE_REPLY, type FakeOpenAI, startFakeOpenAI } from '../src/testing/fake-openai.js';

// The fake server must be indistinguishable from an OpenAI-compatible endpoint for the real
// `openai` client: these tests drive it only through that client (and raw fetch for errors).
describe('fake OpenAI-compatible server', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    // Wide: a local request must not time out because the machine is busy (the timeout test sets its own).
    client = new OpenAI({ apiKey: 'test-key', baseURL: fake.url, maxRetries: 0, timeout: 20_000 });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('answers chat completions with the default reply and realistic usage', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say something about the weather in Lisbon today, please.' },
      ],
    });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe(DEFAULT_FAKE_REPLY);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const usage = completion.usage!;
    expect(usage.prompt_tokens).toBeGreaterThan(10);
    expect(usage.completion_tokens).toBe(Math.ceil(DEFAULT_FAKE_REPLY.length / 4));
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(fake.chatRequests).toHaveLength(1);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer ***');
  });

  it('matches scripted rules by last user message, system prompt and purpose header, in order', async () => {
    fake.script({ match: { purpose: 'support.answer' }, reply: 'purpose rule' });
    fake.script({ match: { user: /refund/i }, reply: 'user rule', times: 1 });
    fake.script({ match: { system: 'pirate' }, reply: 'Arr!' });
    const ask = (content: string, options: { system?: string; purpose?: string } = {}) =>
      client.chat.completions
        .create(
          {
            model: 'gpt-4o-mini',
            messages: [
              ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
              { role: 'user', content: 'earlier question' },
              { role: 'assistant', content: 'earlier answer' },
              { role: 'user', content },
            ],
          },
          options.purpose ? { headers: { 'X-Botloom-Purpose': options.purpose } } : {},
        )
        .then((c) => c.choices[0]!.message.content);

    expect(await ask('hello', { purpose: 'support.answer' })).toBe('purpose rule');
    expect(await ask('I want a REFUND')).toBe('user rule');
    // `times: 1` used up: the next refund question falls through to the default.
    expect(await ask('I want a refund')).toBe(DEFAULT_FAKE_REPLY);
    expect(await ask('hi', { system: 'Talk like a pirate.' })).toBe('Arr!');
    expect(fake.chatRequests.map((r) => r.purpose)).toEqual(['support.answer', '', '', '']);
    expect(fake.chatRequests[1]!.reply).toBe('user rule');
  });

  it('answers json_schema requests with the scripted object or a schema-shaped default', async () => {
    const responseFormat = {
      type: 'json_schema' as const,
      json_schema: {
        name: 'ticket',
        strict: true,
        schema: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            priority: { type: 'string', enum: ['low', 'high'] },
            tags: { type: 'array', items: { type: 'string' } },
            score: { type: 'number' },
          },
          required: ['title', 'priority', 'tags', 'score'],
          additionalProperties: false,
        },
      },
    };
    const unscripted = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'classify' }],
      response_format: responseFormat,
    });
    expect(JSON.parse(unscripted.choices[0]!.message.content!)).toEqual({
      title: '',
      priority: 'low',
      tags: [],
      score: 0,
    });

    fake.script({
      match: { user: 'classify' },
      reply: { content: { title: 'Broken car', priority: 'high', tags: ['car'], score: 1 } },
    });
    const scripted = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'classify' }],
      response_format: responseFormat,
    });
    expect(JSON.parse(scripted.choices[0]!.message.content!)).toMatchObject({
      title: 'Broken car',
      priority: 'high',
    });
    expect(fake.chatRequests[1]!.body.response_format.json_schema.name).toBe('ticket');

    const jsonObject = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'anything' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(jsonObject.choices[0]!.message.content!)).toEqual({});
  });

  it('returns tool calls', async () => {
    fake.script({
      match: { user: 'weather' },
      reply: { toolCalls: [{ name: 'get_weather', arguments: { city: 'Lisbon' } }] },
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather in Lisbon?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls![0]!.function.name).toBe('get_weather');
    expect(JSON.parse(choice.message.tool_calls![0]!.function.arguments)).toEqual({ city: 'Lisbon' });
  });

  it('streams in OpenAI chunk format with usage when asked', async () => {
    const text = 'Streaming works one small piece after another until the end.';
    fake.script({ reply: text });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const deltas: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta?.content) deltas.push(choice.delta.content);
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(text);
    expect(finish).toBe('stop');
    expect(usage!.completion_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('serves deterministic embeddings and the model list', async () => {
    const a = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['red apple', 'red apple', 'stock market'],
    });
    expect(a.data).toHaveLength(3);
    expect(a.data[0]!.embedding).toHaveLength(256);
    expect(a.data[0]!.embedding).toEqual(a.data[1]!.embedding);
    const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(dot(a.data[0]!.embedding, a.data[0]!.embedding)).toBeCloseTo(1, 5);
    expect(dot(a.data[0]!.embedding, a.data[2]!.embedding)).toBeLessThan(0.5);
    expect(a.usage.prompt_tokens).toBeGreaterThan(0);

    const sized = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'x',
      dimensions: 64,
    });
    expect(sized.data[0]!.embedding).toHaveLength(64);

    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain('gpt-4o-mini');
  });

  it('injects 429 with Retry-After, 5xx, disconnects and timeouts', async () => {
    fake.fail('rate_limit', 1, { retryAfter: 7, retryAfterMs: 1500 });
    const rateLimited = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(rateLimited.headers['retry-after']).toBe('7');
    expect(rateLimited.headers['retry-after-ms']).toBe('1500');

    fake.fail('server_error', 1, { status: 503 });
    const unavailable = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(unavailable).toBeInstanceOf(OpenAI.InternalServerError);
    expect(unavailable.status).toBe(503);

    fake.fail('disconnect', 1);
    const dropped = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(dropped).toBeInstanceOf(OpenAI.APIConnectionError);

    fake.fail('timeout', 1, { endpoint: 'embeddings' });
    // The chat endpoint is unaffected by an embeddings fault.
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    ).resolves.toBeTruthy();
    const started = Date.now();
    const timedOut = await client.embeddings
      .create({ model: 'm', input: 'x' }, { timeout: 300 })
      .catch((e) => e);
    expect(timedOut).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(fake.faults).toHaveLength(0);
    expect(fake.requests.map((r) => r.fault ?? 'ok')).toEqual([
      'rate_limit',
      'server_error',
      'disconnect',
      'ok',
      'timeout',
    ]);
  });

  it('rejects bad requests the way the API does', async () => {
    const noMessages = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini' }),
    });
    expect(noMessages.status).toBe(400);
    expect((await noMessages.json()).error.type).toBe('invalid_request_error');
    const badJson = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    const unknown = await fetch(`${fake.url}/nothing`);
    expect(unknown.status).toBe(404);
  });

  it('enforces an API key when configured', async () => {
    const secured = await startFakeOpenAI({ apiKey: 'sk-right' });
    try {
      const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: secured.url, maxRetries: 0 });
      await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      const right = new OpenAI({ apiKey: 'sk-right', baseURL: secured.url, maxRetries: 0 });
      await expect(right.models.list()).resolves.toBeTruthy();
    } finally {
      await secured.close();
    }
  });
});
