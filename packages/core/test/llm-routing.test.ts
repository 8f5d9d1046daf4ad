import { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { resolveCoreConfig } from '../src/config/resolve-config.js';
import { Migrator } from '../src/db/migrator.js';
import { AdminTokenService } from '../src/http/admin-tokens.js';
import { createMetrics } from '../src/http/metrics.js';
import { httpMigrations } from '../src/http/migrations.js';
import { createHttpServer } from '../src/http/server.js';
import { llmAdminRoutes } from '../src/llm/admin-routes.js';
import { type AiServices, type AiServicesOptions, createAiServices } from '../src/llm/ai-services.js';
import { LlmNoLocalProviderError, LlmUnavailableError } from '../src/llm/errors.js';
import { llmMigrations } from '../src/llm/migrations.js';
import { parseLlmProvidersConfig } from '../src/llm/providers.js';
import { type FakeOpenAI, startFakeOpenAI } from '../src/testing/fake-openai.js';
import { createTestDatabase } from '../src/testing/test-database.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

// Several providers, each a fake OpenAI server: routing by plugin and purpose, fallback on an
// outage, private calls kept on local providers, usage and cost per provider, structured
// output on a provider without json_schema, and the admin status.
describe('LLM providers, routing and fallback', () => {
  let openai: FakeOpenAI;
  let anthropic: FakeOpenAI;
  let local: FakeOpenAI;
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let dataDir: string;
  const opened: AiServices[] = [];

  function providers(overrides: Record<string, Record<string, unknown>> = {}) {
    return {
      openai: {
        baseUrl: openai.url,
        apiKey: 'sk-openai-secret-key',
        model: 'gpt-4o-mini',
        prices: { 'gpt-4o-mini': { prompt: 1, completion: 2 } },
        timeoutMs: 20_000,
        ...overrides.openai,
      },
      anthropic: {
        baseUrl: anthropic.url,
        apiKey: 'sk-ant-secret-key',
        model: 'claude-haiku',
        prices: { '*': { prompt: 10, completion: 20 } },
        timeoutMs: 20_000,
        ...overrides.anthropic,
      },
      ollama: {
        baseUrl: local.url,
        model: 'llama3',
        local: true,
        timeoutMs: 20_000,
        ...overrides.ollama,
      },
    };
  }

  const ROUTES = {
    default: ['openai', 'anthropic'],
    'support/answer': ['anthropic', 'openai'],
    'memory/summarize': { private: true },
  };

  function services(
    env: { providers?: unknown; routes?: unknown } = {},
    extra: Partial<AiServicesOptions> = {},
  ): AiServices {
    const created = createAiServices({
      crypto: testCrypto(),
      config: aiConfig({
        LLM_PROVIDERS: JSON.stringify(env.providers ?? providers()),
        LLM_ROUTES: JSON.stringify(env.routes ?? ROUTES),
      }),
      sequelize,
      dataDir,
      logger: silentLogger,
      retry: { baseDelayMs: 10, maxDelayMs: 40, maxRetries: 1 },
      // Long reset: an open circuit stays open for the whole test, whatever the machine's speed.
      circuit: { volumeThreshold: 3, resetTimeoutMs: 600_000 },
      ...extra,
    });
    opened.push(created);
    return created;
  }

  const ask = (text: string) => [{ role: 'user' as const, content: text }];
  const purposes = (fake: FakeOpenAI) => fake.chatRequests.map((r) => r.purpose);

  beforeAll(async () => {
    openai = await startFakeOpenAI({ defaultReply: 'from openai' });
    anthropic = await startFakeOpenAI({ defaultReply: 'from anthropic' });
    local = await startFakeOpenAI({ defaultReply: 'from local', rejectJsonSchema: true });
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase({ extraMigrations: httpMigrations }));
  });
  afterAll(async () => {
    await Promise.all([openai.close(), anthropic.close(), local.close()]);
    await closeDb();
  });
  beforeEach(async () => {
    for (const fake of [openai, anthropic, local]) fake.reset();
    await sequelize.query('TRUNCATE core_llm_usage, core_llm_budgets');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('routes by plugin and purpose, with the default for the rest, each on its own model', async () => {
    const ai = services();
    const support = await ai
      .llmFor('support')
      .chat({ purpose: 'support.answer', messages: ask('Where is my order?') });
    expect(support).toMatchObject({
      content: 'from anthropic',
      provider: 'anthropic',
      model: 'claude-haiku',
    });

    const insight = await ai
      .llmFor('segmentation')
      .chat({ purpose: 'segmentation.insight', messages: ask('Summarise the segment') });
    expect(insight).toMatchObject({ content: 'from openai', provider: 'openai', model: 'gpt-4o-mini' });

    const summary = await ai
      .llmFor('memory')
      .chat({ purpose: 'memory.summarize', messages: ask('My diary entry') });
    expect(summary).toMatchObject({ content: 'from local', provider: 'ollama', model: 'llama3' });

    expect(purposes(anthropic)).toEqual(['support.answer']);
    expect(purposes(openai)).toEqual(['segmentation.insight']);
    expect(purposes(local)).toEqual(['memory.summarize']);

    // Streaming follows the same routes.
    const stream = ai.llmFor('support').stream({ purpose: 'support.answer', messages: ask('Hi') });
    let text = '';
    for await (const chunk of stream.chunks) text += chunk;
    expect(text).toBe('from anthropic');
    expect((await stream.result).provider).toBe('anthropic');
  });

  it('moves to the next provider on an outage and loses no call; the open circuit is skipped', async () => {
    const ai = services();
    anthropic.fail('server_error', 1000, { endpoint: 'chat' });
    const llm = ai.llmFor('support');
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(
        await llm.chat({ purpose: 'support.answer', user: `u${i}`, messages: ask(`question ${i}`) }),
      );
    }
    expect(answers.map((a) => a.content)).toEqual(Array(6).fill('from openai'));
    expect(answers.every((a) => a.provider === 'openai')).toBe(true);
    // Every question reached the fallback provider, in order.
    expect(openai.chatRequests.map((r) => r.body.messages.at(-1).content)).toEqual(
      Array.from({ length: 6 }, (_, i) => `question ${i}`),
    );

    const status = ai.providerStatus();
    const anthropicStatus = status.providers.find((p) => p.name === 'anthropic')!;
    expect(anthropicStatus.circuit).toBe('open');
    expect(anthropicStatus.stats.errorRate).toBe(1);
    // Once open, the broken provider is no longer called at all.
    const callsWhenOpen = anthropic.chatRequests.length;
    await llm.chat({ purpose: 'support.answer', messages: ask('one more') });
    expect(anthropic.chatRequests.length).toBe(callsWhenOpen);
    expect(status.providers.find((p) => p.name === 'openai')).toMatchObject({
      circuit: 'closed',
      stats: { errorRate: 0, errors: 0 },
    });

    // A stream opens on the fallback provider too.
    const stream = llm.stream({ purpose: 'support.answer', messages: ask('stream please') });
    let text = '';
    for await (const chunk of stream.chunks) text += chunk;
    expect(text).toBe('from openai');

    // When every provider of the route is down, the caller gets LLM_UNAVAILABLE.
    openai.fail('server_error', 1000, { endpoint: 'chat' });
    await expect(
      llm.chat({ purpose: 'support.answer', messages: ask('nobody home') }),
    ).rejects.toBeInstanceOf(LlmUnavailableError);
  });

  it('does not fall back on a refusal (4xx): that is the request, not the provider', async () => {
    const ai = services();
    anthropic.fail('server_error', 1, { status: 400, endpoint: 'chat' });
    await expect(
      ai.llmFor('support').chat({ purpose: 'support.answer', messages: ask('bad request') }),
    ).rejects.toMatchObject({ code: 'LLM_REQUEST_FAILED' });
    expect(openai.chatRequests).toHaveLength(0);
  });

  it('keeps private calls on local providers: never to the cloud, a clear error when no local one answers', async () => {
    const ai = services();
    // The local provider is down: the private call fails clearly instead of going to the cloud.
    local.fail('server_error', 1000, { endpoint: 'chat' });
    const memory = ai.llmFor('memory');
    const failure = await memory
      .chat({ purpose: 'memory.summarize', messages: ask('my medical history') })
      .catch((error) => error);
    expect(failure).toBeInstanceOf(LlmNoLocalProviderError);
    expect(failure).toBeInstanceOf(LlmUnavailableError);
    expect(failure.code).toBe('LLM_NO_LOCAL_PROVIDER');
    const stream = memory.stream({ purpose: 'memory.summarize', messages: ask('my medical history') });
    await expect(stream.result).rejects.toMatchObject({ code: 'LLM_NO_LOCAL_PROVIDER' });
    await expect(
      memory.structured({
        purpose: 'memory.summarize',
        schema: z.object({ summary: z.string() }),
        messages: ask('my medical history'),
      }),
    ).rejects.toMatchObject({ code: 'LLM_NO_LOCAL_PROVIDER' });
    expect(local.chatRequests.length).toBeGreaterThan(0);

    // A request marked private in code, from a plugin routed to the cloud, goes local too
    // (fresh services: the local provider's circuit opened above).
    local.reset();
    const healthy = services();
    const flagged = await healthy
      .llmFor('support')
      .chat({ purpose: 'support.answer', private: true, messages: ask('my passport number') });
    expect(flagged.provider).toBe('ollama');
    const privatePlugin = await healthy
      .llmFor('support', { private: true })
      .chat({ purpose: 'support.answer', messages: ask('my address') });
    expect(privatePlugin.provider).toBe('ollama');

    // No local provider configured at all: fails before anything is sent.
    const cloudOnly = services({
      providers: { openai: providers().openai, anthropic: providers().anthropic },
      routes: { memory: { private: true } },
    });
    const noLocal = await cloudOnly
      .llmFor('memory')
      .chat({ purpose: 'memory.summarize', messages: ask('my secrets') })
      .catch((error) => error);
    expect(noLocal).toBeInstanceOf(LlmNoLocalProviderError);
    expect(noLocal.message).toMatch(/no local LLM provider is configured/);

    // Whatever happened above, the cloud providers never saw a private purpose or text.
    const cloudTexts = [...openai.chatRequests, ...anthropic.chatRequests].map((r) => JSON.stringify(r.body));
    expect(purposes(openai)).not.toContain('memory.summarize');
    expect(purposes(anthropic)).not.toContain('memory.summarize');
    for (const secret of ['medical history', 'passport number', 'my address', 'my secrets']) {
      expect(cloudTexts.join('\n')).not.toContain(secret);
    }
  });

  it('refuses a private route that names a cloud provider, and unknown provider names', () => {
    const config = (routes: unknown) =>
      aiConfig({ LLM_PROVIDERS: JSON.stringify(providers()), LLM_ROUTES: JSON.stringify(routes) });
    expect(() =>
      parseLlmProvidersConfig(config({ memory: { providers: ['ollama', 'openai'], private: true } })),
    ).toThrow(/private but names the cloud provider "openai"/);
    expect(() => parseLlmProvidersConfig(config({ support: ['mistral'] }))).toThrow(
      /names provider "mistral", which LLM_PROVIDERS does not define/,
    );
    expect(() => parseLlmProvidersConfig(aiConfig({ LLM_PROVIDERS: '{"x": {"baseUrl": 1}}' }))).toThrow(
      /LLM_PROVIDERS: expected/,
    );
  });

  it('keeps the single-endpoint settings as a one-provider setup; loopback counts as local', () => {
    const single = parseLlmProvidersConfig(
      aiConfig({
        OPENAI_API_KEY: 'sk-x',
        OPENAI_BASE_URL: 'https://api.groq.com/openai/v1',
        LLM_MODEL: 'llama3-70b',
      }),
    );
    expect(single.providers).toEqual([
      expect.objectContaining({ name: 'default', model: 'llama3-70b', local: false, embeddings: true }),
    ]);
    const ollama = parseLlmProvidersConfig(aiConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }));
    expect(ollama.providers[0]).toMatchObject({ name: 'default', local: true });
    expect(parseLlmProvidersConfig(aiConfig({})).providers).toEqual([]);
  });

  it('masks provider keys in the settings table', () => {
    const { rows } = resolveCoreConfig(
      { env: { LLM_PROVIDERS: JSON.stringify(providers()) }, dotenv: {} },
      {},
    );
    const row = rows.find((r) => r.name === 'LLM_PROVIDERS')!;
    expect(String(row.value)).not.toContain('sk-openai-secret-key');
    expect(String(row.value)).not.toContain('sk-ant-secret-key');
    expect(String(row.value)).toContain('"apiKey":"********"');
    expect(String(row.value)).toContain(openai.url);
  });

  it('records the answering provider in usage, with cost from its own price table', async () => {
    const ai = services();
    const usage = { usage: { prompt_tokens: 1000, completion_tokens: 500 } };
    openai.script({ reply: { content: 'priced', ...usage } });
    anthropic.script({ reply: { content: 'priced', ...usage } });
    local.script({ reply: { content: 'free', ...usage } });
    await ai.llmFor('segmentation').chat({ purpose: 'segmentation.insight', user: 'u1', messages: ask('a') });
    await ai.llmFor('support').chat({ purpose: 'support.answer', user: 'u1', messages: ask('b') });
    await ai.llmFor('support').chat({ purpose: 'support.answer', user: 'u2', messages: ask('c') });
    await ai.llmFor('memory').chat({ purpose: 'memory.summarize', user: 'u1', messages: ask('d') });

    const rows = await ai.usage.query({ groupBy: ['provider'] });
    expect(rows).toEqual([
      expect.objectContaining({ provider: 'anthropic', calls: 2, totalTokens: 3000, costUsd: 0.04 }),
      expect.objectContaining({ provider: 'ollama', calls: 1, totalTokens: 1500, costUsd: 0 }),
      expect.objectContaining({ provider: 'openai', calls: 1, totalTokens: 1500, costUsd: 0.002 }),
    ]);
    const onlyOpenai = await ai.usage.query({ provider: 'openai', groupBy: ['plugin', 'model'] });
    expect(onlyOpenai).toEqual([
      expect.objectContaining({ plugin: 'segmentation', model: 'gpt-4o-mini', calls: 1 }),
    ]);
    // Budgets count tokens across providers.
    expect(await ai.usage.usedToday('u1')).toEqual({ total: 4500, plugin: 0 });
  });

  it('gets structured output from a provider without json_schema through json_object and validation', async () => {
    const ai = services();
    const schema = z.object({ summary: z.string().min(3), mood: z.enum(['calm', 'tense']) });
    local.script({
      match: { purpose: 'memory.summarize' },
      reply: (request) =>
        request.responseFormat?.type === 'json_object' && request.system.includes('"mood"')
          ? { content: { summary: 'a quiet week', mood: 'calm' } }
          : { content: 'no' },
    });
    const first = await ai
      .llmFor('memory')
      .structured({ purpose: 'memory.summarize', schema, messages: ask('summarise my week') });
    expect(first).toMatchObject({ data: { summary: 'a quiet week', mood: 'calm' }, provider: 'ollama' });
    // The refused json_schema attempt, then json_object with the schema in a system message.
    expect(local.chatRequests.map((r) => [r.status, r.body.response_format?.type])).toEqual([
      [400, 'json_schema'],
      [200, 'json_object'],
    ]);

    // The provider is remembered as json_object-only; a wrong answer gets one repair round.
    local.reset();
    local.script({
      match: { purpose: 'memory.summarize' },
      reply: { content: { summary: 'x', mood: 'happy' } },
      times: 1,
    });
    local.script({
      match: { purpose: 'memory.summarize' },
      reply: { content: { summary: 'better', mood: 'tense' } },
    });
    const repaired = await ai
      .llmFor('memory')
      .structured({ purpose: 'memory.summarize', schema, messages: ask('again') });
    expect(repaired.data).toEqual({ summary: 'better', mood: 'tense' });
    expect(local.chatRequests.map((r) => r.body.response_format?.type)).toEqual([
      'json_object',
      'json_object',
    ]);
  });

  it('shows each provider with its circuit, latency and error rate at /admin/api/core/llm/status', async () => {
    const ai = services();
    await ai.llmFor('support').chat({ purpose: 'support.answer', messages: ask('hi') });
    const tokens = new AdminTokenService(sequelize);
    const viewer = (await tokens.create({ name: 'viewer-status', role: 'viewer' })).token;
    const server = createHttpServer({
      config: aiConfig(),
      logger: silentLogger,
      metrics: createMetrics({ defaultMetrics: false }),
      adminTokens: tokens,
      plugins: [],
      coreInfo: { plugins: () => [], settings: () => ({}), migrations: () => [] },
      adminRoutes: [llmAdminRoutes(ai)],
      isReady: () => true,
    });
    try {
      const base = (await server.listen(0, '127.0.0.1')).url;
      const response = await fetch(`${base}/admin/api/core/llm/status`, {
        headers: { authorization: `Bearer ${viewer}` },
      });
      expect(response.status).toBe(200);
      const body = await response.json();
      expect(body.offline).toBe(false);
      expect(body.providers.map((p: any) => [p.name, p.local, p.circuit])).toEqual([
        ['openai', false, 'closed'],
        ['anthropic', false, 'closed'],
        ['ollama', true, 'closed'],
      ]);
      const anthropicStatus = body.providers[1];
      expect(anthropicStatus.stats).toMatchObject({ attempts: 1, errors: 0, errorRate: 0 });
      expect(anthropicStatus.stats.latencyMsAvg).toEqual(expect.any(Number));
      expect(body.routes['memory/summarize']).toEqual({ providers: [], private: true });
      expect(JSON.stringify(body)).not.toContain('secret-key');
    } finally {
      await server.close();
    }
  });

  it('migration 0402 reverts by merging the providers of one model back into one row', async () => {
    const db = await createTestDatabase('botloom_llm_down');
    const other = { sequelize: new Sequelize(db.url, { logging: false }) };
    const migrator = new Migrator({
      sequelize: other.sequelize,
      logger: silentLogger,
      sources: [{ pluginId: 'core', migrations: llmMigrations }],
    });
    await migrator.up();
    try {
      const insert = (provider: string, calls: number) =>
        other.sequelize.query(
          `INSERT INTO core_llm_usage (day, plugin, purpose, user_id, model, provider, calls, errors, prompt_tokens,
             completion_tokens, latency_ms_total, cost_usd, updated_at)
           VALUES ('2030-01-01', 'p', 'p.x', 'u', 'm', :provider, :calls, 0, 10, 5, 100, 0.5, now())`,
          { replacements: { provider, calls } },
        );
      await insert('openai', 2);
      await insert('groq', 3);
      await migrator.down({ plugin: 'core', to: '0402-llm-usage-provider' });
      const [rows] = await other.sequelize.query(
        'SELECT calls::int, prompt_tokens::int, cost_usd::float FROM core_llm_usage',
      );
      expect(rows).toEqual([{ calls: 5, prompt_tokens: 20, cost_usd: 1 }]);
      await migrator.up();
      const [after] = await other.sequelize.query('SELECT provider, calls::int FROM core_llm_usage');
      expect(after).toEqual([{ provider: '', calls: 5 }]);
    } finally {
      await other.sequelize.close();
      await db.drop();
    }
  });
});
