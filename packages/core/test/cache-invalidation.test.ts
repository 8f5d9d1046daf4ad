import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AnyPlugin } from '../src/plugin/types.js';
import { createCacheInvalidation, defineInvalidation } from '../src/signals/cache-invalidation.js';
import { PostgresSignalTransport } from '../src/signals/postgres-transport.js';
import { createSignalService, type SignalService } from '../src/signals/signal-service.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { eventually, type Instances, startInstances } from './helpers/instances.js';
import { quietLogger } from './helpers/quiet-logger.js';

describe('createCacheInvalidation between two instances', () => {
  let db: TestDatabase;
  const services: SignalService[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('botloom_invalidation');
    for (let i = 0; i < 2; i++) {
      services.push(
        createSignalService({
          transport: new PostgresSignalTransport(db.url, quietLogger()),
          logger: quietLogger(),
        }),
      );
    }
  });
  afterAll(async () => {
    for (const s of services) await s.close();
    await db?.drop();
  });

  it('reloads the changed keys on the other instance only; too many keys mean everything', async () => {
    const channel = defineInvalidation('test.scripts');
    const seen: Array<{ at: string; keys: string[] | null }> = [];
    const [a, b] = await Promise.all(
      services.map((signals, i) =>
        createCacheInvalidation({
          signals,
          channel,
          reload: (keys) => {
            seen.push({ at: i === 0 ? 'A' : 'B', keys });
          },
        }),
      ),
    );
    await a!.invalidate(['script:7']);
    await eventually('B to reload script 7', async () => (seen.length > 0 ? true : undefined));
    await a!.invalidate(Array.from({ length: 31 }, (_, i) => `script:${i}`));
    await b!.invalidate();
    await eventually('three reloads', async () => (seen.length >= 3 ? true : undefined));
    expect(seen[0]).toEqual({ at: 'B', keys: ['script:7'] });
    // Signals of two publishers come in any order.
    expect(seen.slice(1)).toEqual(
      expect.arrayContaining([
        { at: 'B', keys: null },
        { at: 'A', keys: null },
      ]),
    );
    expect(seen).toHaveLength(3);
    await a!.close();
    await b!.close();
  });
});

describe('runtime settings changed on one instance apply on the other', () => {
  let instances: Instances;
  const ADMIN = 'invalidation-admin-token-0123456789';
  const LimitConfig = z.object({ limit: z.coerce.number().int().min(1).max(100).default(5) });
  const limits = (): AnyPlugin => ({
    id: 'limits',
    version: '1.0.0',
    core: '^0.1.0',
    config: LimitConfig,
    runtimeSettings: ['limit'],
    bot({ composer, config }) {
      composer.command('limit', (ctx) =>
        ctx.reply(`limit is ${(config as z.output<typeof LimitConfig>).limit}`),
      );
    },
  });
  beforeAll(async () => {
    instances = await startInstances({
      count: 2,
      plugins: () => [limits()],
      config: { BOTLOOM_ADMIN_TOKEN: ADMIN, RATE_LIMIT_PER_MINUTE: 1000 },
    });
  }, 120_000);
  afterAll(async () => {
    await instances?.stop();
  });

  const setting = (index: number, method: 'PUT' | 'DELETE', value?: number) =>
    fetch(`${instances.apps[index]!.url}/admin/api/core/panel/settings/runtime/limits/limit`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: value === undefined ? undefined : JSON.stringify({ value }),
    });

  /** Asks instance `index` for /limit until it answers `expected` (each ask is a new update). */
  const limitOn = (index: number, expected: string) =>
    eventually(`instance ${index} to answer "${expected}"`, async () => {
      const update = instances.telegram.textUpdate('/limit', {
        id: 6060,
        first_name: 'Lev',
        language_code: 'en',
      });
      expect(await instances.deliver(index, update)).toBe(200);
      await instances.waitHandled([update.update_id]);
      const last = instances.telegram.sent.filter((m) => Number(m.chat_id) === 6060).at(-1);
      return last?.text === expected ? true : undefined;
    });

  it('an admin sets it through A, B answers with it; a reset through B reaches A', async () => {
    await limitOn(1, 'limit is 5');
    expect((await setting(0, 'PUT', 9)).status).toBe(200);
    await limitOn(1, 'limit is 9');
    expect((await setting(1, 'DELETE')).status).toBe(200);
    await limitOn(0, 'limit is 5');
  });
});
