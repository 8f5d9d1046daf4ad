import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import pg from 'pg';
import type { Logger } from 'pino';
import {
  BotStoppingError,
  type ProcessAttempt,
  type ProcessOutcome,
  SESSIONS_NAMESPACE,
} from '../bot/bot-runtime.js';
import { admitPolledUpdate, admitWebhookUpdate } from '../bot/update-intake.js';
import { RATE_LIMIT_NAMESPACE } from '../bot/user-rate-limiter.js';
import type { Crypto } from '../crypto/types.js';
import { poolCloser } from '../db/pool-closer.js';
import { HttpError } from '../http/http-error.js';
import type { Metrics } from '../http/metrics.js';
import type { AdminRouteGroup } from '../http/server.js';
import { ensureWindowTable } from '../kv/kv-window.js';
import { ensureKvTable } from '../kv/postgres-kv-store.js';
import { inboxAdminRoutes } from './inbox-admin-routes.js';
import { InboxWorker } from './inbox-worker.js';
import { IntakeBacklog } from './intake-backlog.js';
import { type PollingIntake, startPollingIntake } from './polling-intake.js';
import { type Clock, UpdateInbox, type UpdateInboxOptions } from './update-inbox.js';

export interface UpdateInboxSettings {
  INBOX_LEASE_SECONDS: number;
  INBOX_MAX_ATTEMPTS: number;
  INBOX_CONCURRENCY: number;
  INBOX_RETENTION_HOURS: number;
  INBOX_POLL_INTERVAL_MS: number;
  INBOX_MAX_PENDING: number;
}

/** What the inbox needs from the bot runtime (a port: no grammY context or Koa types). */
export interface UpdateProcessor {
  processUpdate(update: Update, attempt: ProcessAttempt): Promise<ProcessOutcome>;
}

export interface UpdateInboxServiceOptions {
  databaseUrl: string;
  crypto: Pick<Crypto, 'encrypt' | 'decrypt'>;
  bot: UpdateProcessor;
  logger: Logger;
  settings: UpdateInboxSettings;
  metrics?: Pick<Metrics, 'inboxUpdates'>;
  clock?: Clock;
  /**
   * The KV lives in the inbox's database (PostgreSQL KV on DATABASE_URL): the inbox's own
   * statements then read each leased update's session and count the per-user rate limit
   * (`rateLimit`, with RATE_LIMIT_SCOPE=shared), instead of a round trip each.
   */
  kvInDatabase?: { rateLimit?: { limit: number; windowMs: number } };
}

export interface UpdateInboxService {
  readonly inbox: UpdateInbox;
  readonly worker: InboxWorker;
  /**
   * Webhook intake: validates the update and stores it; resolving means it is durable and
   * Telegram may be answered 200. Malformed: HttpError 400; stopping: 503 (Telegram retries).
   */
  accept(update: unknown): Promise<void>;
  /** Long polling into the inbox (deletes a webhook left behind first). */
  startPolling(api: Api, timeoutSeconds?: number): Promise<void>;
  start(): void;
  /** Stops intake, then handling (in-flight updates finish and are marked done). */
  stop(): Promise<void>;
  adminRoutes(): AdminRouteGroup;
}

/** The durable update inbox of an app: intake (webhook, polling), the worker and the admin API. */
export function createUpdateInboxService(options: UpdateInboxServiceOptions): UpdateInboxService {
  const { settings } = options;
  const log = options.logger.child({ component: 'inbox' });
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 4,
    application_name: 'botloom-inbox',
  });
  pool.on('error', (error) => log.warn({ err: error }, 'idle inbox connection failed'));
  // The send ledger's records are the window in which a crash repeats a reply: keep them
  // out of the queue that webhook intake fills under load.
  const sendsPool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 2,
    application_name: 'botloom-inbox-sends',
  });
  sendsPool.on('error', (error) => log.warn({ err: error }, 'idle inbox connection failed'));
  const endPools = [poolCloser(pool), poolCloser(sendsPool)];
  const folded = options.kvInDatabase;
  const inboxOptions: UpdateInboxOptions = folded
    ? {
        sessions: { keyPrefix: `${SESSIONS_NAMESPACE}:` },
        ...(folded.rateLimit
          ? { rateLimit: { keyPrefix: `${RATE_LIMIT_NAMESPACE}:`, ...folded.rateLimit } }
          : {}),
        prepare: () => kvTablesReady(),
      }
    : {};
  // The inbox's statements name the KV's tables, which the KV creates on first use.
  let kvTables: Promise<void> | undefined;
  const kvTablesReady = () => {
    kvTables ??= Promise.all([ensureKvTable(pool), ensureWindowTable(pool)])
      .then(() => undefined)
      .catch((error) => {
        kvTables = undefined;
        throw error;
      });
    return kvTables;
  };
  const inbox = new UpdateInbox(pool, options.crypto, options.clock, sendsPool, inboxOptions);
  const worker = new InboxWorker({
    inbox,
    handle: (update, attempt) => options.bot.processUpdate(update, attempt),
    logger: options.logger,
    clock: options.clock,
    leaseMs: settings.INBOX_LEASE_SECONDS * 1000,
    maxAttempts: settings.INBOX_MAX_ATTEMPTS,
    concurrency: settings.INBOX_CONCURRENCY,
    pollIntervalMs: settings.INBOX_POLL_INTERVAL_MS,
    retentionMs: settings.INBOX_RETENTION_HOURS * 3_600_000,
    onOutcome: (outcome) => {
      if (outcome !== 'retry') backlog.finished();
      options.metrics?.inboxUpdates.inc({ outcome });
    },
  });
  const backlog = new IntakeBacklog(settings.INBOX_MAX_PENDING, () => inbox.countOpen());
  const store = async (updates: Update[]) => {
    const { stored, leased } = await inbox.accept(updates);
    backlog.stored(stored);
    options.metrics?.inboxUpdates.inc({ outcome: 'stored' }, stored);
    if (updates.length > stored)
      options.metrics?.inboxUpdates.inc({ outcome: 'duplicate' }, updates.length - stored);
    // What the worker leased at intake runs already; the rest waits for a claim.
    if (stored > leased) worker.wake();
  };
  let polling: PollingIntake | undefined;
  let stopping = false;

  return {
    inbox,
    worker,

    async accept(raw) {
      if (stopping) {
        throw new HttpError(503, 'NOT_READY', 'Not accepting updates right now', {
          headers: { 'Retry-After': '5' },
          cause: new BotStoppingError(),
        });
      }
      // A malformed body throws InvalidUpdateError (400); an unknown update type is acknowledged.
      const update = admitWebhookUpdate(raw, log);
      if (update && (await backlog.isFull())) {
        // Not stored, so nothing is lost: Telegram redelivers it after Retry-After.
        throw new HttpError(503, 'BUSY', 'Too many updates waiting; retry later', {
          headers: { 'Retry-After': '2' },
        });
      }
      if (update) await store([update]);
    },

    async startPolling(api, timeoutSeconds) {
      try {
        // A webhook left behind makes getUpdates fail with 409.
        await api.deleteWebhook({ drop_pending_updates: false });
      } catch (error) {
        log.warn({ err: error }, 'deleteWebhook failed before polling');
      }
      polling = startPollingIntake({
        api,
        logger: options.logger,
        timeoutSeconds,
        store: async (updates) => {
          await store(
            updates.map((raw) => admitPolledUpdate(raw, log)).filter((u): u is Update => u !== undefined),
          );
        },
      });
    },

    start() {
      worker.start();
      inbox.setLessee(worker);
    },

    async stop() {
      stopping = true;
      await polling?.stop();
      inbox.setLessee(undefined);
      await worker.stop();
      await Promise.all(endPools.map((end) => end()));
    },

    adminRoutes: () => inboxAdminRoutes({ inbox, wake: () => worker.wake() }),
  };
}
