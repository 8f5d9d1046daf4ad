import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AiServices, createAiServices } from '../src/llm/ai-services.js';
import { LlmBudgetExceededError } from '../src/llm/errors.js';
import { type FakeOpenAI, startFakeOpenAI } from '../src/testing/fake-openai.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

// Two instances = two AiServices, each with its own connection pool, on one database: budgets
// are reserved in PostgreSQL before a call and settled after, so concurrent calls on both
// instances never spend past the budget.
describe('LLM budgets reserved across instances', () => {
  let fake: FakeOpenAI;
  let close: () => Promise<void>;
  let pools: Sequelize[];
  let instances: AiServices[];
  const LIMIT = 1000;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const db = await setupAiDatabase();
    close = db.close;
    pools = [db.sequelize, new Sequelize(db.url, { logging: false, pool: { max: 5 } })];
    instances = pools.map((sequelize, i) =>
      createAiServices({
        crypto: testCrypto(),
        config: aiConfig({
          OPENAI_API_KEY: 'sk-test',
          OPENAI_BASE_URL: fake.url,
          LLM_DAILY_TOKEN_BUDGET: String(LIMIT),
        }),
        sequelize,
        dataDir: `${db.dataDir}/${i}`,
        logger: silentLogger,
      }),
    );
  });
  afterAll(async () => {
    for (const ai of instances ?? []) await ai.close();
    await pools?.[1]?.close();
    await fake?.close();
    await close?.();
  });
  beforeEach(() => {
    fake.reset();
    // Each call costs exactly 100 tokens and takes a while, so all of them are in flight at once.
    fake.script({
      reply: { content: 'ok', usage: { prompt_tokens: 80, completion_tokens: 20 } },
      delayMs: 300,
    });
  });

  const call = (index: number, user: string) =>
    instances[index % 2]!.llmFor('memory').chat({
      purpose: 'memory.reply',
      user,
      maxTokens: 100,
      messages: [{ role: 'user', content: 'hello there' }],
    });

  it('30 concurrent calls of one user on two instances never spend past the daily budget', async () => {
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => call(i, 'dora')));
    const answered = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof LlmBudgetExceededError,
    ).length;
    expect(answered + refused).toBe(30);
    // Only the answered calls reached the endpoint: refused ones were stopped before sending.
    expect(fake.chatRequests.length).toBe(answered);
    const used = await instances[0]!.usage.usedToday('dora');
    expect(used.total).toBe(answered * 100);
    expect(used.total).toBeLessThanOrEqual(LIMIT);
    expect(answered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);

    // Settled: nothing stays held, so what is left of the budget can still be spent.
    const [row] = await pools[0]!.query(
      `SELECT spent::int AS spent, reserved::int AS reserved FROM core_llm_budget_ledger WHERE user_id = 'dora' AND scope = '*'`,
      { type: 'SELECT' },
    );
    expect(row).toEqual({ spent: answered * 100, reserved: 0 });
  });

  it('without maxTokens a call holds what is left: concurrent calls go past the budget by one call at most', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        instances[i % 2]!.llmFor('memory').chat({
          purpose: 'memory.reply',
          user: 'finn',
          messages: [{ role: 'user', content: 'hello there' }],
        }),
      ),
    );
    const answered = results.filter((r) => r.status === 'fulfilled').length;
    expect(answered).toBeGreaterThan(0);
    const used = await instances[0]!.usage.usedToday('finn');
    expect(used.total).toBe(answered * 100);
    expect(used.total).toBeLessThanOrEqual(LIMIT + 100);
  });

  it('releases the hold of a call that failed, so it does not eat the budget', async () => {
    fake.reset();
    fake.fail('server_error', 10, { status: 400 });
    await expect(call(0, 'emil')).rejects.toBeTruthy();
    const [row] = await pools[0]!.query(
      `SELECT spent::int AS spent, reserved::int AS reserved FROM core_llm_budget_ledger WHERE user_id = 'emil'`,
      { type: 'SELECT' },
    );
    expect(row).toEqual({ spent: 0, reserved: 0 });
  });
});
