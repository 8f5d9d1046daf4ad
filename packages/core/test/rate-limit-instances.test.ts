import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvFactory, type KvFactory } from '../src/kv/kv-factory.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { createTestDatabase, type TestDatabase, testRedisUrl } from '../src/testing/test-database.js';
import { type Instances, startInstances } from './helpers/instances.js';
import { quietLogger } from './helpers/quiet-logger.js';

const redisUrl = testRedisUrl();
if (!redisUrl) {
  console.warn('rate-limit-instances.test.ts: TEST_REDIS_URL is not set, the Redis window tests are skipped');
}

/** Two KV factories = two instances' own pools or clients on one backend. */
async function hammer(factories: KvFactory[], key: string, hits: number, limit: number) {
  const now = Date.now();
  const decisions = await Promise.all(
    Array.from({ length: hits }, (_, i) =>
      factories[i % factories.length]!.hitWindow('test.window', key, {
        limit,
        windowMs: 60_000,
        now: now + i,
      }),
    ),
  );
  return {
    allowed: decisions.filter((d) => d.allowed).length,
    notices: decisions.filter((d) => !d.allowed && d.notify).length,
    decisions,
  };
}

describe('kv.hitWindow across instances (PostgreSQL)', () => {
  let db: TestDatabase;
  let factories: KvFactory[];
  beforeAll(async () => {
    db = await createTestDatabase('botloom_window');
    factories = [0, 1].map(() => createKvFactory({ databaseUrl: db.url, logger: quietLogger() }));
  });
  afterAll(async () => {
    for (const factory of factories ?? []) await factory.close();
    await db?.drop();
  });

  it('accepts exactly the limit of 60 concurrent hits sent through two instances, and notifies once', async () => {
    const result = await hammer(factories, 'user-1', 60, 7);
    expect(result.allowed).toBe(7);
    expect(result.notices).toBe(1);
  });

  it('serves again once the oldest hit leaves the window, and says when', async () => {
    const [a, b] = factories as [KvFactory, KvFactory];
    const hit = { limit: 2, windowMs: 1000 };
    expect(await a.hitWindow('test.window', 'user-2', { ...hit, now: 10_000 })).toEqual({ allowed: true });
    expect(await b.hitWindow('test.window', 'user-2', { ...hit, now: 10_400 })).toEqual({ allowed: true });
    expect(await a.hitWindow('test.window', 'user-2', { ...hit, now: 10_500 })).toEqual({
      allowed: false,
      notify: true,
      retryAfterMs: 500,
    });
    expect(await b.hitWindow('test.window', 'user-2', { ...hit, now: 10_600 })).toMatchObject({
      allowed: false,
      notify: false,
    });
    // 10 000 left the window at 11 000: one slot again; the next refusal is told again.
    expect(await b.hitWindow('test.window', 'user-2', { ...hit, now: 11_001 })).toEqual({ allowed: true });
    expect(await a.hitWindow('test.window', 'user-2', { ...hit, now: 11_002 })).toMatchObject({
      allowed: false,
      notify: true,
    });
  });
});

describe.skipIf(!redisUrl)('kv.hitWindow across instances (Redis)', () => {
  let factories: KvFactory[];
  const key = `user-${randomBytes(6).toString('hex')}`;
  beforeAll(() => {
    factories = [0, 1].map(() =>
      createKvFactory({ url: redisUrl, databaseUrl: 'postgres://unused', logger: quietLogger() }),
    );
  });
  afterAll(async () => {
    for (const factory of factories ?? []) await factory.close();
  });

  it('accepts exactly the limit of 60 concurrent hits sent through two clients, and notifies once', async () => {
    const result = await hammer(factories, key, 60, 7);
    expect(result.allowed).toBe(7);
    expect(result.notices).toBe(1);
    const refused = result.decisions.find((d) => !d.allowed);
    expect(refused && !refused.allowed && refused.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('per-user rate limit with two app instances on one database', () => {
  let instances: Instances;
  const LIMIT = 5;
  beforeAll(async () => {
    const echo = definePlugin({
      id: 'echo',
      version: '1.0.0',
      core: '^0.1.0',
      bot: ({ composer }) => composer.on('message:text', (ctx) => ctx.reply(`echo:${ctx.message.text}`)),
    });
    instances = await startInstances({
      count: 2,
      plugins: () => [echo],
      config: { RATE_LIMIT_PER_MINUTE: LIMIT },
    });
  }, 120_000);
  afterAll(async () => {
    await instances?.stop();
  });

  it('handles exactly RATE_LIMIT_PER_MINUTE updates of a user whose updates alternate between the instances', async () => {
    const user = { id: 4242, first_name: 'Rita', language_code: 'en' };
    const updates = Array.from({ length: 14 }, (_, i) => instances.telegram.textUpdate(`m${i}`, user));
    // Round-robin, all at once: the two instances decide concurrently.
    const statuses = await Promise.all(updates.map((u, i) => instances.deliver(i % 2, u)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await instances.waitHandled(updates.map((u) => u.update_id));
    const toUser = instances.telegram.sent.filter((m) => Number(m.chat_id) === user.id);
    expect(toUser.filter((m) => m.text.startsWith('echo:'))).toHaveLength(LIMIT);
    // One notice for the burst, not one per instance.
    expect(toUser.filter((m) => !m.text.startsWith('echo:'))).toHaveLength(1);
  });

  it('keeps the windows in PostgreSQL (the KV backend), one row per user', async () => {
    const rows = await instances.query<{ key: string; hits: string[] }>(
      `SELECT key, hits FROM botloom_rate_windows WHERE key = 'core.ratelimit:4242'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hits).toHaveLength(LIMIT);
  });
});
