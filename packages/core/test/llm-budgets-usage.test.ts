import type { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminTokenService } from '../src/http/admin-tokens.js';
import { createMetrics } from '../src/http/metrics.js';
import { httpMigrations } from '../src/http/migrations.js';
import { createHttpServer, type HttpServer } from '../src/http/server.js';
import { llmAdminRoutes } from '../src/llm/admin-routes.js';
import { type AiServices, createAiServices } from '../src/llm/ai-services.js';
import { LlmBudgetExceededError } from '../src/llm/errors.js';
import { nextUtcMidnight, parsePriceTable } from '../src/llm/usage.js';
import { type FakeOpenAI, startFakeOpenAI } from '../src/testing/fake-openai.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

// Budgets are checked before any request is sent; usage lands in core_llm_usage per plugin,
// purpose, user, model and day; the admin API reads it back with filters.
describe('LLM budgets, usage ledger and admin API', () => {
  let fake: FakeOpenAI;
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let dataDir: string;
  let now = new Date('2031-05-10T22:00:00Z');
  const opened: AiServices[] = [];

  function services(env: Record<string, string> = {}): AiServices {
    const created = createAiServices({
      crypto: testCrypto(),
      config: aiConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url, ...env }),
      sequelize,
      dataDir,
      logger: silentLogger,
      now: () => now,
    });
    opened.push(created);
    return created;
  }

  const ask = (ai: AiServices, plugin: string, user: string, options: { dailyTokenBudget?: number } = {}) =>
    ai.llmFor(plugin, options.dailyTokenBudget ? options : undefined).chat({
      purpose: `${plugin}.reply`,
      user,
      messages: [{ role: 'user', content: 'hello' }],
    });

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase({ extraMigrations: httpMigrations }));
  });
  afterAll(async () => {
    await fake.close();
    await closeDb();
  });
  beforeEach(async () => {
    fake.reset();
    // Every call costs exactly 100 tokens (70 prompt + 30 completion).
    fake.script({ reply: { content: 'ok', usage: { prompt_tokens: 70, completion_tokens: 30 } } });
    now = new Date('2031-05-10T22:00:00Z');
    await sequelize.query('TRUNCATE core_llm_usage, core_llm_budgets');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  it('refuses a call past the global daily budget before sending anything, and resets at UTC midnight', async () => {
    const ai = services({ LLM_DAILY_TOKEN_BUDGET: '250' });
    await ask(ai, 'memory', 'alice');
    await ask(ai, 'support', 'alice'); // the global budget spans plugins
    await ask(ai, 'memory', 'alice'); // 200 used < 250: still allowed, ends at 300
    const before = fake.chatRequests.length;
    const error = await ask(ai, 'memory', 'alice').catch((e) => e);
    expect(error).toBeInstanceOf(LlmBudgetExceededError);
    expect(error).toMatchObject({ code: 'LLM_BUDGET_EXCEEDED', used: 300, limit: 250, scope: 'global' });
    expect(error.resetsAt.toISOString()).toBe('2031-05-11T00:00:00.000Z');
    expect(fake.chatRequests.length).toBe(before);

    // Other users are unaffected.
    await expect(ask(ai, 'memory', 'bob')).resolves.toMatchObject({ content: 'ok' });
    const status = await ai.llmFor('memory').budget('alice');
    expect(status).toMatchObject({ used: 300, limit: 250, remaining: 0, scope: 'global' });

    // A new UTC day starts from zero.
    now = new Date('2031-05-11T00:00:01Z');
    await expect(ask(ai, 'memory', 'alice')).resolves.toMatchObject({ content: 'ok' });
  });

  it('applies a plugin budget and per-user overrides set by admins', async () => {
    const ai = services();
    await ask(ai, 'memory', 'carol', { dailyTokenBudget: 100 });
    await expect(ask(ai, 'memory', 'carol', { dailyTokenBudget: 100 })).rejects.toMatchObject({
      code: 'LLM_BUDGET_EXCEEDED',
      scope: 'memory',
      limit: 100,
    });
    // The plugin budget does not touch other plugins (no global budget is set).
    await expect(ask(ai, 'support', 'carol')).resolves.toBeTruthy();

    // An admin raises carol's limit in memory.
    await ai.usage.setUserLimit('memory', 'carol', 1000);
    await expect(ask(ai, 'memory', 'carol', { dailyTokenBudget: 100 })).resolves.toBeTruthy();
    expect(await ai.llmFor('memory', { dailyTokenBudget: 100 }).budget('carol')).toMatchObject({
      used: 200,
      limit: 1000,
      remaining: 800,
    });

    // A global override of 0 blocks the user everywhere; removing it restores the defaults.
    await ai.usage.setUserLimit('*', 'carol', 0);
    await expect(ask(ai, 'support', 'carol')).rejects.toMatchObject({ scope: 'global', limit: 0 });
    await ai.usage.setUserLimit('*', 'carol', null);
    await expect(ask(ai, 'support', 'carol')).resolves.toBeTruthy();
    expect(await ai.usage.getUserLimits('carol')).toEqual([{ plugin: 'memory', tokens: 1000 }]);
    await expect(ai.usage.setUserLimit('memory', 'carol', -5)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    // Without a user there is nothing to budget.
    await expect(
      ai
        .llmFor('memory', { dailyTokenBudget: 1 })
        .chat({ purpose: 'job', messages: [{ role: 'user', content: 'x' }] }),
    ).resolves.toBeTruthy();
  });

  it('upserts one usage row per day, plugin, purpose, user and model with cost from LLM_PRICES', async () => {
    const ai = services({ LLM_PRICES: JSON.stringify({ 'gpt-4o-mini': { prompt: 0.15, completion: 0.6 } }) });
    await ask(ai, 'memory', 'dave');
    await ask(ai, 'memory', 'dave');
    now = new Date('2031-05-11T09:00:00Z');
    await ask(ai, 'memory', 'dave');
    await ask(ai, 'support', 'erin');
    fake.fail('server_error', 3);
    await expect(ask(ai, 'support', 'erin')).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE' });

    const rows = await ai.usage.query();
    expect(rows).toHaveLength(3);
    const first = rows.find((r) => r.day === '2031-05-10')!;
    expect(first).toMatchObject({
      plugin: 'memory',
      user: 'dave',
      model: 'gpt-4o-mini',
      calls: 2,
      promptTokens: 140,
      completionTokens: 60,
      totalTokens: 200,
    });
    // 140 * 0.15 / 1e6 + 60 * 0.6 / 1e6
    expect(first.costUsd).toBeCloseTo(0.000057, 9);
    expect(rows.find((r) => r.user === 'erin')).toMatchObject({ calls: 2, errors: 1, totalTokens: 100 });

    const byDay = await ai.usage.query({ groupBy: ['day'] });
    expect(byDay).toEqual([
      expect.objectContaining({ day: '2031-05-11', calls: 3, totalTokens: 200 }),
      expect.objectContaining({ day: '2031-05-10', calls: 2, totalTokens: 200 }),
    ]);
    const filtered = await ai.usage.query({
      plugin: 'memory',
      from: '2031-05-11',
      to: '2031-05-11',
      groupBy: ['plugin'],
    });
    expect(filtered).toEqual([expect.objectContaining({ plugin: 'memory', calls: 1 })]);
    const totals = await ai.usage.query({ groupBy: [] });
    expect(totals).toEqual([expect.objectContaining({ calls: 5, errors: 1, totalTokens: 400 })]);

    expect(await ai.usage.forgetUser('dave')).toBe(2);
    expect(await ai.usage.query({ user: 'dave' })).toEqual([]);
  });

  it('rejects an invalid price table at startup', () => {
    expect(() => parsePriceTable('{not json')).toThrow(/LLM_PRICES is not valid JSON/);
    expect(() => parsePriceTable('{"m": {"prompt": -1, "completion": 1}}')).toThrow(
      /LLM_PRICES must look like/,
    );
    expect(parsePriceTable(undefined)).toEqual({});
    expect(nextUtcMidnight(new Date('2030-12-31T23:59:59Z')).toISOString()).toBe('2031-01-01T00:00:00.000Z');
  });

  describe('admin API at /admin/api/core/llm', () => {
    let server: HttpServer;
    let base: string;
    let adminToken: string;
    let viewerToken: string;
    let ai: AiServices;

    beforeAll(async () => {
      const tokens = new AdminTokenService(sequelize);
      adminToken = (await tokens.create({ name: 'admin', role: 'admin' })).token;
      viewerToken = (await tokens.create({ name: 'viewer', role: 'viewer' })).token;
      ai = createAiServices({
        crypto: testCrypto(),
        config: aiConfig({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url }),
        sequelize,
        dataDir,
        logger: silentLogger,
      });
      server = createHttpServer({
        config: aiConfig(),
        logger: silentLogger,
        metrics: createMetrics({ defaultMetrics: false }),
        adminTokens: tokens,
        plugins: [],
        coreInfo: { plugins: () => [], settings: () => ({}), migrations: () => [] },
        adminRoutes: [llmAdminRoutes(ai)],
        isReady: () => true,
      });
      base = (await server.listen(0, '127.0.0.1')).url;
    });
    afterAll(async () => {
      await server.close();
      await ai.close();
    });

    const call = (path: string, token: string | null, init: RequestInit = {}) =>
      fetch(`${base}/admin/api/core/llm${path}`, {
        ...init,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      });

    it('serves usage with filters and totals to viewers', async () => {
      const llm = ai.llmFor('memory');
      await llm.chat({ purpose: 'memory.reply', user: 'u1', messages: [{ role: 'user', content: 'a' }] });
      await llm.chat({ purpose: 'memory.summary', user: 'u2', messages: [{ role: 'user', content: 'b' }] });
      await ai
        .llmFor('support')
        .chat({ purpose: 'support.answer', user: 'u1', messages: [{ role: 'user', content: 'c' }] });

      expect((await call('/usage', null)).status).toBe(401);
      const all = await call('/usage?groupBy=plugin', viewerToken);
      expect(all.status).toBe(200);
      const body = await all.json();
      expect(body.rows).toEqual([
        expect.objectContaining({ plugin: 'memory', calls: 2, totalTokens: 200 }),
        expect.objectContaining({ plugin: 'support', calls: 1, totalTokens: 100 }),
      ]);
      expect(body.totals).toMatchObject({ calls: 3, totalTokens: 300 });

      const filtered = await (
        await call('/usage?plugin=memory&user=u1&groupBy=day,purpose', viewerToken)
      ).json();
      expect(filtered.rows).toEqual([expect.objectContaining({ purpose: 'memory.reply', calls: 1 })]);
      expect(filtered.rows[0].day).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      const invalid = await call('/usage?from=yesterday&groupBy=colour', viewerToken);
      expect(invalid.status).toBe(422);
      expect((await invalid.json()).error.code).toBe('VALIDATION_FAILED');
    });

    it('lets admins (not viewers) override a user limit', async () => {
      const put = (token: string, body: unknown) =>
        call('/budgets/u9', token, { method: 'PUT', body: JSON.stringify(body) });
      expect((await put(viewerToken, { plugin: 'memory', tokens: 10 })).status).toBe(403);
      expect((await put(adminToken, { plugin: 'memory', tokens: -1 })).status).toBe(422);
      expect((await put(adminToken, { plugin: 'Bad Plugin', tokens: 5 })).status).toBe(422);
      const ok = await put(adminToken, { plugin: 'memory', tokens: 5000 });
      expect(ok.status).toBe(200);
      expect((await ok.json()).limits).toEqual([{ plugin: 'memory', tokens: 5000 }]);
      const read = await (await call('/budgets/u9', viewerToken)).json();
      expect(read).toMatchObject({
        user: 'u9',
        limits: [{ plugin: 'memory', tokens: 5000 }],
        today: { totalTokens: 0 },
      });
      await put(adminToken, { plugin: 'memory', tokens: null });
      expect(await ai.usage.getUserLimits('u9')).toEqual([]);

      const status = await (await call('/status', viewerToken)).json();
      expect(status).toMatchObject({
        offline: false,
        model: 'gpt-4o-mini',
        circuit: 'closed',
        embeddings: 'local-hash-384',
      });
      expect(JSON.stringify(status)).not.toContain('sk-test');
    });
  });
});
