import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type App, createApp } from '../../src/app/create-app.js';
import type { AppConfigInput } from '../../src/config/resolve-config.js';
import type { AnyPlugin } from '../../src/plugin/types.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.js';
import { startFakeTelegram } from './fake-telegram.js';
import { quietLogger } from './quiet-logger.js';

export const INSTANCES_WEBHOOK_SECRET = 'instances-webhook-secret';

/**
 * Several app instances in one test process, each with its own pools, KV, signals and data
 * directory, on ONE database and one fake Telegram, in webhook mode: what several processes
 * behind a load balancer share, without the cost of spawning them.
 */
export interface Instances {
  apps: App[];
  db: TestDatabase;
  telegram: Awaited<ReturnType<typeof startFakeTelegram>>;
  /** Posts an update to instance `index`'s webhook; resolves with the HTTP status. */
  deliver(index: number, update: unknown): Promise<number>;
  /** Resolves once every listed update is handled (status `done` in the update inbox). */
  waitHandled(updateIds: number[], timeoutMs?: number): Promise<void>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export async function startInstances(options: {
  count: number;
  plugins: () => readonly AnyPlugin[];
  config?: AppConfigInput;
}): Promise<Instances> {
  const db = await createTestDatabase('botloom_instances');
  const telegram = await startFakeTelegram();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const dirs: string[] = [];
  const apps: App[] = [];
  const encryptionKey = randomBytes(32).toString('hex');
  const stop = async () => {
    for (const app of apps) await app.stop().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await telegram.close();
    await db.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const dataDir = await mkdtemp(path.join(tmpdir(), `botloom-instance-${i}-`));
      dirs.push(dataDir);
      const app = createApp({
        plugins: options.plugins(),
        config: {
          PORT: 0,
          HOST: '127.0.0.1',
          TELEGRAM_BOT_TOKEN: telegram.token,
          TELEGRAM_API_ROOT: telegram.apiRoot,
          WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
          WEBHOOK_SECRET: INSTANCES_WEBHOOK_SECRET,
          ENCRYPTION_KEY: encryptionKey,
          BOTLOOM_DATA_DIR: dataDir,
          ...options.config,
          DATABASE_URL: db.url,
        },
        env: {},
        dotenv: false,
        floodControl: false,
        logger: quietLogger(),
      });
      apps.push(app);
      // One after another: the first runs the migrations.
      await app.start();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) =>
    (await pool.query<T>(sql, params)).rows;
  return {
    apps,
    db,
    telegram,
    query,
    async deliver(index, update) {
      const res = await fetch(`${apps[index]!.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': INSTANCES_WEBHOOK_SECRET,
        },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      return res.status;
    },
    async waitHandled(updateIds, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM core_update_inbox WHERE update_id = ANY($1::bigint[]) AND status = 'done'`,
          [updateIds],
        );
        if (row!.n === updateIds.length) return;
        if (Date.now() > until) throw new Error(`only ${row!.n} of ${updateIds.length} updates were handled`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop,
  };
}

/** Polls `probe` until it returns a value other than undefined (a generous deadline, not a sleep). */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
