import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAppSignals, createSignalService, type SignalService } from '../src/signals/index.js';
import { PostgresSignalTransport } from '../src/signals/postgres-transport.js';
import { defineSignal, SIGNAL_PAYLOAD_LIMIT_BYTES, type SignalMeta } from '../src/signals/types.js';
import { createTestDatabase, type TestDatabase, testRedisUrl } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });
const redisUrl = testRedisUrl();
if (!redisUrl) console.warn('signals.test.ts: TEST_REDIS_URL is not set, the Redis signal tests are skipped');

/** Waits for a condition with a wide limit: delivery takes as long as the busy machine needs. */
async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

// Unique per run: Redis channels are shared by every test run on the server.
const suffix = randomBytes(4).toString('hex');
const ticketChanged = defineSignal(`test.ticket.${suffix}`, z.object({ ticketId: z.number().int() }));
const blob = defineSignal(`test.blob.${suffix}`, z.object({ data: z.string() }));

interface Received<T> {
  payload: T;
  meta: SignalMeta;
}

const backends: Array<{ name: string; skip: boolean; make: (id: string) => SignalService }> = [
  {
    name: 'PostgreSQL LISTEN/NOTIFY',
    skip: false,
    make: (id) => createAppSignals({ databaseUrl: database.url, logger, instanceId: id }),
  },
  {
    name: 'Redis pub/sub',
    skip: !redisUrl,
    make: (id) => createAppSignals({ kvUrl: redisUrl, databaseUrl: database.url, logger, instanceId: id }),
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip)(`signals over ${backend.name}`, () => {
    let a: SignalService;
    let b: SignalService;
    beforeAll(() => {
      a = backend.make('instance-a');
      b = backend.make('instance-b');
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('reaches the subscribers of both instances, each told whether it sent the signal', async () => {
      expect(a.backend).toBe(backend.name.startsWith('Redis') ? 'redis' : 'postgres');
      const onA: Received<{ ticketId: number }>[] = [];
      const onB: Received<{ ticketId: number }>[] = [];
      const offA = await a.subscribe(ticketChanged, (payload, meta) => void onA.push({ payload, meta }));
      const offB = await b.subscribe(ticketChanged, (payload, meta) => void onB.push({ payload, meta }));
      await a.publish(ticketChanged, { ticketId: 7 });
      await b.publish(ticketChanged, { ticketId: 8 });
      await until(() => onA.length === 2 && onB.length === 2, 'both signals on both instances');
      const byTicket = (list: Received<{ ticketId: number }>[]) =>
        Object.fromEntries(list.map((r) => [r.payload.ticketId, r.meta.fromThisInstance]));
      expect(byTicket(onA)).toEqual({ 7: true, 8: false });
      expect(byTicket(onB)).toEqual({ 7: false, 8: true });
      await offA();
      await offB();
    });

    it('stops calling a handler once it unsubscribed, and keeps the other handlers', async () => {
      const kept: number[] = [];
      const dropped: number[] = [];
      const offKept = await b.subscribe(ticketChanged, (p) => void kept.push(p.ticketId));
      const offDropped = await b.subscribe(ticketChanged, (p) => void dropped.push(p.ticketId));
      await a.publish(ticketChanged, { ticketId: 1 });
      await until(() => kept.length === 1 && dropped.length === 1, 'the first signal');
      await offDropped();
      await a.publish(ticketChanged, { ticketId: 2 });
      // Both handlers of a channel run on the same incoming message: once `kept` has it, `dropped` would have too.
      await until(() => kept.length === 2, 'the second signal');
      expect(dropped).toEqual([1]);
      await offKept();
    });

    it('carries payloads up to the limit and refuses larger ones before sending', async () => {
      const got: number[] = [];
      const off = await b.subscribe(blob, (p) => void got.push(p.data.length));
      const fits = 'x'.repeat(SIGNAL_PAYLOAD_LIMIT_BYTES - 200);
      await a.publish(blob, { data: fits });
      await until(() => got.length === 1, 'the large signal');
      expect(got).toEqual([fits.length]);
      await expect(a.publish(blob, { data: 'x'.repeat(SIGNAL_PAYLOAD_LIMIT_BYTES) })).rejects.toMatchObject({
        code: 'SIGNAL_PAYLOAD_TOO_LARGE',
        kind: 'invalid_input',
      });
      // Multi-byte text counts in bytes, not characters.
      await expect(
        a.publish(blob, { data: 'я'.repeat(Math.ceil(SIGNAL_PAYLOAD_LIMIT_BYTES / 2)) }),
      ).rejects.toMatchObject({ code: 'SIGNAL_PAYLOAD_TOO_LARGE' });
      await expect(a.publish(ticketChanged, { ticketId: 'seven' } as never)).rejects.toMatchObject({
        code: 'SIGNAL_PAYLOAD_INVALID',
      });
      await off();
    });

    it('isolates handler failures', async () => {
      const got: number[] = [];
      const offBad = await b.subscribe(ticketChanged, () => {
        throw new Error('handler bug');
      });
      const offGood = await b.subscribe(ticketChanged, (p) => void got.push(p.ticketId));
      await a.publish(ticketChanged, { ticketId: 3 });
      await until(() => got.length === 1, 'the signal after a failing handler');
      await a.publish(ticketChanged, { ticketId: 4 });
      await until(() => got.length === 2, 'the next signal');
      await offBad();
      await offGood();
    });
  });
}

describe('signals over PostgreSQL after the listening connection is lost', () => {
  it('reconnects, listens again, reports the gap, and delivers later signals', async () => {
    const application = `botloom-signals-test-${suffix}`;
    const publisher = createAppSignals({ databaseUrl: database.url, logger, instanceId: 'publisher' });
    const listener = createSignalService({
      transport: new PostgresSignalTransport(database.url, logger, application),
      logger,
      instanceId: 'listener',
    });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const got: number[] = [];
      let gaps = 0;
      await listener.subscribe(ticketChanged, (p) => void got.push(p.ticketId), { onGap: () => gaps++ });
      await publisher.publish(ticketChanged, { ticketId: 1 });
      await until(() => got.length === 1, 'the signal before the connection loss');

      // What a PostgreSQL restart or a dropped connection does to the listening session.
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = $1 AND query ILIKE 'LISTEN%'`,
        [application],
      );
      expect(rowCount).toBe(1);
      await until(() => gaps === 1, 'the reconnection');

      await publisher.publish(ticketChanged, { ticketId: 2 });
      await until(() => got.length === 2, 'the signal after the reconnection');
      expect(got).toEqual([1, 2]);
    } finally {
      await admin.end();
      await Promise.all([publisher.close(), listener.close()]);
    }
  });
});
