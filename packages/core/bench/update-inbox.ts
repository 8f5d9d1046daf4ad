/**
 * Update inbox benchmark: the cost per update of the durable path (store in PostgreSQL, lease,
 * handle, mark done) against the direct in-memory path (the update handed straight to the
 * bot pipeline, as before the inbox), measured in the same process on the same runtime.
 * Two handlers: a no-op (pure overhead) and one reply to a local Bot API over HTTP.
 *
 *   npm run bench:inbox -w @botloom/core
 *   DATABASE_URL=postgres://... npx tsx --conditions=botloom-source packages/core/bench/update-inbox.ts --updates 2000
 *
 * PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (a scratch database is created on that server
 * and dropped afterwards), else an embedded PostgreSQL in a temporary directory.
 * Options: --updates (per path and handler), --chats, --concurrency.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import pino from 'pino';
import { Sequelize } from 'sequelize';
import { type BotPluginEntry, createBotRuntime } from '../src/bot/bot-runtime.js';
import { createAesGcmCrypto } from '../src/crypto/aes-gcm.js';
import { coreMigrations } from '../src/db/core-migrations.js';
import { Migrator } from '../src/db/migrator.js';
import { createMetrics } from '../src/http/metrics.js';
import { createI18n } from '../src/i18n/create-i18n.js';
import { InboxWorker } from '../src/inbox/inbox-worker.js';
import { UPDATE_INBOX_TABLE } from '../src/inbox/migrations.js';
import { UpdateInbox } from '../src/inbox/update-inbox.js';
import { createKvFactory } from '../src/kv/kv-factory.js';
import { FakeBotApi, textUpdate } from '../test/support/fake-bot-api.js';
import { scratchDatabase } from './support/scratch-database.js';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '2000' },
    chats: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
  },
});
const UPDATES = Number(values.updates);
const CHATS = Number(values.chats);
const CONCURRENCY = Number(values.concurrency);
const logger = pino({ level: 'silent' });

/** Runs `task` over `items` with at most `limit` at once. */
async function pooled<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

let nextUpdateId = 1;
function makeUpdates(count: number) {
  return Array.from({ length: count }, (_, i) =>
    textUpdate(`m${i}`, { id: 1000 + (i % CHATS) }, nextUpdateId++),
  );
}

async function main() {
  const database = await scratchDatabase();
  const sequelize = new Sequelize(database.url, { logging: false });
  await new Migrator({ sequelize, logger, sources: [{ pluginId: 'core', migrations: coreMigrations }] }).up();
  await sequelize.close();
  const pool = new pg.Pool({ connectionString: database.url, max: 8 });
  const api = await new FakeBotApi().start();
  const crypto = createAesGcmCrypto(randomBytes(32));
  const kv = createKvFactory({ url: 'memory://', databaseUrl: 'memory://', logger });

  const handlers: Record<string, BotPluginEntry> = {
    'no-op handler': { id: 'noop', commands: [], setup: (c) => c.on('message:text', () => {}) },
    'one reply': {
      id: 'reply',
      commands: [],
      setup: (c) => c.on('message:text', (ctx) => ctx.reply(`got ${ctx.message.text}`)),
    },
  };

  console.log(
    `update inbox benchmark: ${UPDATES} updates per run, ${CHATS} chats, concurrency ${CONCURRENCY}`,
  );
  const rows: Array<Record<string, string>> = [];
  try {
    for (const [name, plugin] of Object.entries(handlers)) {
      const runtime = createBotRuntime({
        token: api.token,
        apiRoot: api.apiRoot,
        logger,
        kv,
        i18n: createI18n({ sources: [], logger }),
        rateLimitPerMinute: 1_000_000,
        crypto,
        metrics: createMetrics({ defaultMetrics: false }),
        plugins: [plugin],
        floodControl: false,
      });
      await runtime.init();
      const inbox = new UpdateInbox(pool, crypto);
      const worker = new InboxWorker({
        inbox,
        handle: (update, attempt) => runtime.processUpdate(update, attempt),
        logger,
        leaseMs: 120_000,
        maxAttempts: 3,
        concurrency: CONCURRENCY,
        pollIntervalMs: 1000,
        retentionMs: 3_600_000,
      });

      const direct = async (count: number) => {
        const updates = makeUpdates(count);
        const started = performance.now();
        await pooled(updates, CONCURRENCY, (u) => runtime.handleWebhookUpdate(u));
        return (performance.now() - started) / count;
      };
      // As the app runs it: each update stored on its own (one webhook request each) while
      // the worker handles from the inbox; the clock stops when the last one is marked done.
      const intakeLatencies: number[] = [];
      const throughInbox = async (count: number) => {
        const updates = makeUpdates(count);
        const started = performance.now();
        worker.start();
        await pooled(updates, CONCURRENCY, async (u) => {
          const t = performance.now();
          await inbox.accept([u]);
          intakeLatencies.push(performance.now() - t);
          worker.wake();
        });
        for (;;) {
          const counts = await inbox.counts();
          if (counts.pending + counts.leased === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await worker.stop();
        return (performance.now() - started) / count;
      };

      await direct(Math.min(200, UPDATES)); // warm-up of both paths
      await throughInbox(Math.min(200, UPDATES));
      intakeLatencies.length = 0;
      const directMs = await direct(UPDATES);
      const inboxMs = await throughInbox(UPDATES);
      const sorted = [...intakeLatencies].sort((a, b) => a - b);
      const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      rows.push({
        handler: name,
        'direct ms/update': directMs.toFixed(3),
        'inbox ms/update': inboxMs.toFixed(3),
        ratio: `${(inboxMs / directMs).toFixed(2)}x`,
        'store p50 ms': p(0.5).toFixed(2),
        'store p95 ms': p(0.95).toFixed(2),
      });
      await pool.query(`DELETE FROM ${UPDATE_INBOX_TABLE}`);
      await runtime.stop();
    }
    console.table(rows);
    console.log('store p50/p95: time from receiving an update to it being durable (before the webhook 200).');
  } finally {
    await kv.close();
    await api.close();
    await pool.end();
    await database.close();
  }
}

await main();
