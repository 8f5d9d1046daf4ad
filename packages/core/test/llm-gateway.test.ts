import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics } from '../src/http/metrics.js';
import { type AiServices, type AiServicesOptions, createAiServices } from '../src/llm/ai-services.js';
import {
  LlmRateLimitedError,
  LlmRequestError,
  LlmStructuredOutputError,
  LlmUnavailableError,
} from '../src/llm/errors.js';
import { type FakeOpenAI, startFakeOpenAI } from '../src/testing/fake-openai.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

// The gateway against the fake OpenAI server through the real `openai` client: retries,
// Retry-After, timeouts, the circuit breaker, the concurrency cap, structured output with
// repair, streaming and usage rows in PostgreSQL.
describe('Llm gateway against the fake OpenAI server', () => {
  let fake: FakeOpenAI;
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let dataDir: string;
  const opened: AiServices[] = [];

  function services(env: Record<string, string> = {}, extra: Partial<AiServicesOptions> = {}): AiServices {
    const created = createAiServices({
      crypto: testCrypto(),
      config: aiConfig({
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: fake.url,
        LLM_MODEL: 'gpt-4o-mini',
        LLM_MODEL_FAST: 'gpt-4o-nano',
        // Wide: a request to the local fake must never time out just because the machine is busy.
        LLM_TIMEOUT_MS: '20000',
        ...env,
      }),
      sequelize,
      dataDir,
      logger: silentLogger,
      retry: { baseDelayMs: 20, maxDelayMs: 80 },
      ...extra,
    });
    opened.push(created);
    return created;
  }

  async function usageRows() {
    const [rows] = await sequelize.query(
      'SELECT plugin, purpose, user_id, model, calls, errors, prompt_tokens::int, completion_tokens::int FROM core_llm_usage ORDER BY purpose, model',
    );
    return rows as Array<Record<string, any>>;
  }

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase());
  });
  afterAll(async () => {
    await fake.close();
    await closeDb();
  });
  beforeEach(async () => {
    fake.reset();
    await sequelize.query('TRUNCATE core_llm_usage, core_llm_budgets');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('gives a user another pseudonym under another ENCRYPTION_KEY, the same one under the same key', async () => {
    const userSent = async (crypto: ReturnType<typeof testCrypto>) => {
      fake.script({ match: { purpose: 'memory.reply' }, reply: 'Hello.' });
      await services({}, { crypto })
        .llmFor('memory')
        .chat({ purpose: 'memory.reply', user: '42', messages: [{ role: 'user', content: 'Hi' }] });
      return fake.chatRequests.at(-1)!.body.user as string;
    };
    const first = await userSent(testCrypto());
    expect(await userSent(testCrypto())).toBe(first);
    const otherKey = await userSent(testCrypto(Buffer.alloc(32, 9)));
    expect(otherKey).toMatch(/^[0-9a-f]{32}$/);
    expect(otherKey).not.toBe(first);
  });

  it('chats through the endpoint, sends the purpose header and a pseudonymous user, records usage', async () => {
    fake.script({ match: { purpose: 'memory.reply' }, reply: 'Hello from the model.' });
    const metrics = createMetrics({ defaultMetrics: false });
    const ai = services({}, { metrics });
    const llm = ai.llmFor('memory');
    expect(llm.offline).toBe(false);
    const result = await llm.chat({
      purpose: 'memory.reply',
      user: '42',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi there!' },
      ],
      temperature: 0.2,
      maxTokens: 50,
    });
    expect(result).toMatchObject({ content: 'Hello from the model.', model: 'gpt-4o-mini', offline: false });
    const request = fake.chatRequests[0]!;
    expect(request.headers['x-botloom-purpose']).toBe('memory.reply');
    expect(request.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 50 });
    expect(request.body.user).toMatch(/^[0-9a-f]{32}$/);
    expect(request.body.user).not.toContain('42');
    // Keyed by the app's key: not the unkeyed hash anyone could compute for every Telegram id.
    expect(request.body.user).not.toBe(createHash('sha256').update('botloom:42').digest('hex').slice(0, 32));

    const fast = await llm.chat({
      purpose: 'memory.title',
      fast: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(fast.model).toBe('gpt-4o-nano');

    const rows = await usageRows();
    expect(rows).toEqual([
      expect.objectContaining({
        plugin: 'memory',
        purpose: 'memory.reply',
        user_id: '42',
        model: 'gpt-4o-mini',
        calls: 1,
        errors: 0,
      }),
      expect.objectContaining({
        plugin: 'memory',
        purpose: 'memory.title',
        user_id: '',
        model: 'gpt-4o-nano',
        calls: 1,
      }),
    ]);
    expect(rows[0]!.prompt_tokens).toBe(result.usage.promptTokens);
    expect(rows[0]!.completion_tokens).toBe(result.usage.completionTokens);
    const counted = await metrics.llmCalls.get();
    expect(counted.values.find((v) => v.labels.purpose === 'memory.reply')?.labels.status).toBe('ok');
  });

  it('retries a 429 after the Retry-After seconds the server asked for', async () => {
    fake.fail('rate_limit', 1, { retryAfter: 1 });
    const llm = services().llmFor('support');
    const started = Date.now();
    const result = await llm.chat({ purpose: 'support.answer', messages: [{ role: 'user', content: 'hi' }] });
    const elapsed = Date.now() - started;
    expect(result.content).toBeTruthy();
    expect(fake.chatRequests.map((r) => r.status)).toEqual([429, 200]);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it('prefers retry-after-ms and gives up on a Retry-After longer than it will wait', async () => {
    // Retry-After alone (3600 s) would make the call give up at once, so a success proves that
    // retry-after-ms was the one obeyed; the elapsed time shows it was waited for.
    fake.fail('rate_limit', 1, { retryAfter: 3600, retryAfterMs: 300 });
    const llm = services().llmFor('support');
    const started = Date.now();
    await expect(
      llm.chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] }),
    ).resolves.toMatchObject({
      offline: false,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.chatRequests.map((r) => r.status)).toEqual([429, 200]);

    fake.reset();
    fake.fail('rate_limit', 1, { retryAfter: 3600 });
    const error = await llm
      .chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LlmRateLimitedError);
    expect(error.code).toBe('LLM_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('retries 5xx, dropped connections and timeouts with backoff, then succeeds', async () => {
    fake.fail('server_error', 1, { status: 502 });
    fake.fail('disconnect', 1);
    const llm = services({ LLM_MAX_RETRIES: '3' }).llmFor('support');
    await expect(
      llm.chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] }),
    ).resolves.toMatchObject({
      offline: false,
    });
    expect(fake.chatRequests.map((r) => r.fault ?? 'ok')).toEqual(['server_error', 'disconnect', 'ok']);

    // The timeout is waited for once; the request after it has the same 2 s, far more than
    // the local fake needs even on a busy machine.
    fake.reset();
    fake.fail('timeout', 1);
    const impatient = services({ LLM_MAX_RETRIES: '3', LLM_TIMEOUT_MS: '2000' }).llmFor('support');
    await impatient.chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.chatRequests.map((r) => r.fault ?? 'ok')).toEqual(['timeout', 'ok']);
  });

  it('fails with LLM_UNAVAILABLE when retries run out, and records the error', async () => {
    fake.fail('server_error', 3);
    const llm = services({ LLM_MAX_RETRIES: '2' }).llmFor('support');
    const error = await llm
      .chat({ purpose: 'support.answer', user: '7', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect(error.code).toBe('LLM_UNAVAILABLE');
    expect(fake.chatRequests).toHaveLength(3);
    const rows = await usageRows();
    expect(rows).toEqual([
      expect.objectContaining({ purpose: 'support.answer', calls: 1, errors: 1, prompt_tokens: 0 }),
    ]);
  });

  it('does not retry a request the endpoint refuses (4xx)', async () => {
    fake.fail('server_error', 1, { status: 400 });
    const llm = services().llmFor('support');
    const error = await llm
      .chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect(error.status).toBe(400);
    expect(fake.chatRequests).toHaveLength(1);
  });

  it('opens the circuit after an outage, fails fast, half-opens after resetTimeout and closes on success', async () => {
    // The open phase below is one in-process call: 3 s before the half-open trial is a wide margin.
    const ai = services({ LLM_MAX_RETRIES: '0' }, { circuit: { volumeThreshold: 3, resetTimeoutMs: 3_000 } });
    const halfOpen = () =>
      expect.poll(() => ai.circuitState(), { timeout: 30_000, interval: 50 }).toBe('half-open');
    const llm = ai.llmFor('support');
    const ask = () => llm.chat({ purpose: 'p', messages: [{ role: 'user', content: 'hi' }] });
    fake.fail('server_error', 100);
    for (let i = 0; i < 3; i += 1) await expect(ask()).rejects.toBeInstanceOf(LlmUnavailableError);
    expect(fake.chatRequests).toHaveLength(3);
    expect(ai.circuitState()).toBe('open');

    // Open: no request reaches the endpoint, the call fails without one.
    const fast = await ask().catch((e) => e);
    expect(fast).toBeInstanceOf(LlmUnavailableError);
    expect(fast.message).toMatch(/circuit is open/);
    expect(fake.chatRequests).toHaveLength(3);

    // Half-open: one trial call; it fails, so the circuit opens again.
    await halfOpen();
    await expect(ask()).rejects.toBeInstanceOf(LlmUnavailableError);
    expect(fake.chatRequests).toHaveLength(4);
    expect(ai.circuitState()).toBe('open');

    // The endpoint recovers: the next trial succeeds and closes the circuit.
    fake.reset();
    await halfOpen();
    await expect(ask()).resolves.toMatchObject({ offline: false });
    expect(ai.circuitState()).toBe('closed');
    await expect(ask()).resolves.toMatchObject({ offline: false });
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('keeps at most LLM_MAX_CONCURRENCY requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    fake.script({
      reply: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        // The first answers wait until two requests are in flight together (however slowly the
        // second comes), then a little longer, so a third would show up if the cap let it through.
        const deadline = Date.now() + 30_000;
        while (peak < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 50));
        inFlight -= 1;
        return 'done';
      },
    });
    const llm = services({ LLM_MAX_CONCURRENCY: '2' }).llmFor('support');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        llm.chat({ purpose: 'p', messages: [{ role: 'user', content: `q${i}` }] }),
      ),
    );
    expect(results.every((r) => r.content === 'done')).toBe(true);
    expect(peak).toBe(2);
    expect(fake.chatRequests).toHaveLength(6);
  });

  describe('structured output', () => {
    const Ticket = z.object({
      title: z.string().min(1),
      priority: z.enum(['low', 'high']),
      tags: z.array(z.string()),
    });

    it('sends a strict json_schema and returns the validated object', async () => {
      fake.script({ reply: { content: { title: 'Car broke down', priority: 'high', tags: ['car'] } } });
      const llm = services().llmFor('support');
      const result = await llm.structured({
        purpose: 'support.triage',
        schema: Ticket,
        schemaName: 'ticket',
        messages: [{ role: 'user', content: 'My rental car broke down on the highway' }],
      });
      expect(result.data).toEqual({ title: 'Car broke down', priority: 'high', tags: ['car'] });
      expect(result.offline).toBe(false);
      const format = fake.chatRequests[0]!.body.response_format;
      expect(format.type).toBe('json_schema');
      expect(format.json_schema).toMatchObject({ name: 'ticket', strict: true });
      expect(format.json_schema.schema.required).toEqual(['title', 'priority', 'tags']);
    });

    it('repairs an invalid answer once by sending the validation error back', async () => {
      fake.script({ reply: 'Sure! Here is the ticket: {"title": ""}', times: 1 });
      fake.script({
        match: { user: 'does not match' },
        reply: { content: { title: 'Fixed', priority: 'low', tags: [] } },
      });
      const llm = services().llmFor('support');
      const result = await llm.structured({
        purpose: 'support.triage',
        schema: Ticket,
        messages: [{ role: 'user', content: 'Triage this' }],
      });
      expect(result.data).toEqual({ title: 'Fixed', priority: 'low', tags: [] });
      expect(fake.chatRequests).toHaveLength(2);
      const repair = fake.chatRequests[1]!.body.messages;
      expect(repair.at(-2)).toEqual({
        role: 'assistant',
        content: 'Sure! Here is the ticket: {"title": ""}',
      });
      expect(repair.at(-1).content).toMatch(/does not match the required JSON schema: not valid JSON/);
      // Both calls count: usage is the sum.
      const rows = await usageRows();
      expect(rows[0]).toMatchObject({ calls: 2, errors: 0 });
      expect(result.usage.totalTokens).toBe(rows[0]!.prompt_tokens + rows[0]!.completion_tokens);
    });

    it('fails with LLM_INVALID_OUTPUT when the repaired answer is still invalid', async () => {
      fake.script({ reply: { content: { title: 'x', priority: 'urgent', tags: [] } } });
      const llm = services().llmFor('support');
      const error = await llm
        .structured({
          purpose: 'support.triage',
          schema: Ticket,
          messages: [{ role: 'user', content: 'Triage' }],
        })
        .catch((e) => e);
      expect(error).toBeInstanceOf(LlmStructuredOutputError);
      expect(error.code).toBe('LLM_INVALID_OUTPUT');
      expect(error.issues.join(' ')).toMatch(/priority/);
      expect(error.lastOutput).toContain('urgent');
      expect(fake.chatRequests).toHaveLength(2);
      expect(fake.chatRequests[1]!.body.messages.at(-1).content).toMatch(/priority: Invalid enum value/);
    });
  });

  describe('streaming', () => {
    it('yields deltas and resolves the result with the usage the endpoint reported', async () => {
      const text = 'One two three four five six seven eight nine ten.';
      fake.script({ reply: { content: text, usage: { prompt_tokens: 33, completion_tokens: 12 } } });
      const llm = services().llmFor('memory');
      const { chunks, result } = llm.stream({
        purpose: 'memory.reply',
        user: '5',
        messages: [{ role: 'user', content: 'count' }],
      });
      const deltas: string[] = [];
      for await (const delta of chunks) deltas.push(delta);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe(text);
      const final = await result;
      expect(final).toMatchObject({
        content: text,
        offline: false,
        usage: { promptTokens: 33, completionTokens: 12, totalTokens: 45 },
      });
      expect(fake.chatRequests[0]!.body).toMatchObject({
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(await usageRows()).toEqual([
        expect.objectContaining({
          purpose: 'memory.reply',
          user_id: '5',
          prompt_tokens: 33,
          completion_tokens: 12,
        }),
      ]);
    });

    it('retries opening the stream and reports a final failure through both chunks and result', async () => {
      fake.fail('server_error', 1);
      const llm = services({ LLM_MAX_RETRIES: '1' }).llmFor('memory');
      const first = llm.stream({ purpose: 'p', messages: [{ role: 'user', content: 'x' }] });
      expect((await first.result).content).toBeTruthy();
      expect(fake.chatRequests).toHaveLength(2);

      fake.fail('server_error', 2);
      const second = llm.stream({ purpose: 'p', messages: [{ role: 'user', content: 'x' }] });
      const iterate = async () => {
        for await (const _ of second.chunks) {
          // nothing arrives
        }
      };
      await expect(iterate()).rejects.toBeInstanceOf(LlmUnavailableError);
      await expect(second.result).rejects.toBeInstanceOf(LlmUnavailableError);
    });
  });

  it('uses OpenAI-compatible embeddings when EMBEDDING_MODEL is set', async () => {
    const ai = services({ EMBEDDING_MODEL: 'text-embedding-3-small' });
    const [a, b] = await ai.embeddings.embedDocuments(['first text', 'second text']);
    expect(a).toHaveLength(256);
    expect(ai.embeddings.dimensions).toBe(256);
    expect(ai.embeddings.model).toBe('text-embedding-3-small');
    expect(a).not.toEqual(b);
    const embeddingRequests = fake.requests.filter((r) => r.path === '/v1/embeddings');
    expect(embeddingRequests).toHaveLength(1);
    expect(embeddingRequests[0]!.body.input).toEqual(['first text', 'second text']);
    const rows = await usageRows();
    expect(rows).toEqual([expect.objectContaining({ plugin: 'core', purpose: 'core.embeddings', calls: 1 })]);
  });

  it('rejects malformed requests before calling the endpoint', async () => {
    const llm = services().llmFor('support');
    await expect(llm.chat({ purpose: 'p', messages: [] })).rejects.toMatchObject({ code: 'LLM_BAD_REQUEST' });
    await expect(llm.chat({ purpose: '', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject(
      {
        code: 'LLM_BAD_REQUEST',
      },
    );
    await expect(
      llm.chat({ purpose: 'p', messages: [{ role: 'tool' as any, content: 'x' }] }),
    ).rejects.toMatchObject({ code: 'LLM_BAD_REQUEST' });
    expect(fake.chatRequests).toHaveLength(0);
  });
});
