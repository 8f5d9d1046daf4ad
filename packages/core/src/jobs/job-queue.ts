import { isDeepStrictEqual } from 'node:util';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { poolCloser } from '../db/pool-closer.js';
import type { Resolve } from '../di/tokens.js';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import type { ErrorReporter } from '../errors/error-reporter.js';
import { stringsOf } from '../errors/scrub-report.js';
import type { JobContext, JobDefinition } from '../plugin/types.js';
import { ReadyQueuesPoller } from './ready-queues-poller.js';
import type { Jobs, SendJobOptions } from './types.js';

export interface JobQueueOptions {
  databaseUrl: string;
  logger: Logger;
  /** PostgreSQL schema of pg-boss's tables. */
  schema?: string;
  /**
   * How often the instance asks for new jobs: one statement for all its queues, which wakes the
   * workers of the queues with a job ready. Default 2 s (pg-boss minimum 0.5 s).
   */
  pollingIntervalSeconds?: number;
  /**
   * Each worker's own polling, a fallback behind that poll and the wake-up on a local send.
   * Default 300 s (26 queues polled each minute were still 0.4 statements a second).
   */
  workerPollingIntervalSeconds?: number;
  /** How long `stop()` waits for running jobs before failing them (they are retried later). Default 10 s. */
  stopTimeoutMs?: number;
  /** Connections in pg-boss's pool. Default 5. */
  poolMax?: number;
  /** Error tracking of failed jobs (Sentry; off when absent). The job's data is cut out of reports. */
  errorReporter?: ErrorReporter;
}

interface RegisteredJob {
  pluginId: string;
  queue: string;
  definition: JobDefinition;
  resolve: Resolve;
  services: () => unknown;
  logger: Logger;
}

const JOB_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * The pg-boss queue of a plugin's job: `<plugin>.<job>`. Plugin ids and job names are
 * restricted to letters, digits, `_` and `-`, which pg-boss accepts; anything else is mapped
 * to `_` so a stray character can never produce an invalid name.
 */
export function queueNameOf(pluginId: string, jobName: string): string {
  const safe = (part: string) => part.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${safe(pluginId)}.${safe(jobName)}`;
}

/**
 * Durable jobs and cron over pg-boss on the app's PostgreSQL. Jobs survive restarts; with
 * several instances on one database each job runs once (pg-boss fetches with SKIP LOCKED).
 */
export class JobQueue {
  private readonly boss: PgBoss;
  private readonly logger: Logger;
  private readonly jobs = new Map<string, RegisteredJob>();
  private readonly pollingIntervalSeconds: number;
  private readonly workerPollingIntervalSeconds: number;
  private readonly stopTimeoutMs: number;
  private readonly schema: string;
  private readonly databaseUrl: string;
  private readonly errorReporter?: ErrorReporter;
  /** Own small pool for what pg-boss cannot do alone (locks, transactions). */
  private ownPool?: pg.Pool;
  private endOwnPool?: () => Promise<void>;
  /** This instance's pg-boss worker of each queue. */
  private readonly workerIds = new Map<string, string>();
  private poller?: ReadyQueuesPoller;
  private state: 'idle' | 'starting' | 'started' | 'stopped' = 'idle';
  /** pg-boss's own start, begun early by `prestart()`; `start()` awaits it. */
  private bossStarting?: Promise<unknown>;

  constructor(options: JobQueueOptions) {
    this.logger = options.logger.child({ component: 'jobs' });
    this.schema = options.schema ?? 'botloom_jobs';
    if (!/^[a-z_][a-z0-9_]{0,49}$/.test(this.schema)) {
      throw new BootError('INVALID_JOBS_SCHEMA', `Invalid job queue schema name "${this.schema}"`);
    }
    this.databaseUrl = options.databaseUrl;
    this.errorReporter = options.errorReporter;
    this.pollingIntervalSeconds = options.pollingIntervalSeconds ?? 2;
    this.workerPollingIntervalSeconds = Math.max(
      options.workerPollingIntervalSeconds ?? 300,
      this.pollingIntervalSeconds,
    );
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: this.schema,
      application_name: 'botloom-jobs',
      max: options.poolMax ?? 5,
    });
    this.boss.on('error', (error) => {
      // pg-boss's pool may still hold idle connections while the database shuts down after
      // us; "terminating connection" then is the expected end, not a failure.
      if (this.state === 'stopped' && (error as { code?: string }).code === '57P01') return;
      this.logger.error({ err: error }, 'job queue error');
    });
  }

  /** Declares a plugin's jobs. Call for every plugin before `start()`. */
  register(
    pluginId: string,
    jobs: JobDefinition[],
    resolve: Resolve,
    logger: Logger,
    services: () => unknown = () => undefined,
  ): void {
    if (this.state !== 'idle') {
      throw new BotloomError(
        'JOBS_ALREADY_STARTED',
        `Jobs of "${pluginId}" registered after the job queue started`,
      );
    }
    for (const definition of jobs) {
      if (!JOB_NAME_PATTERN.test(definition.name ?? '')) {
        throw new BootError(
          'INVALID_JOB',
          `Plugin "${pluginId}" declares job "${definition.name}": job names use letters, digits, "_" and "-"`,
        );
      }
      if (typeof definition.handler !== 'function') {
        throw new BootError('INVALID_JOB', `Job "${pluginId}.${definition.name}" has no handler`);
      }
      const queue = queueNameOf(pluginId, definition.name);
      if (this.jobs.has(queue)) {
        throw new BootError('DUPLICATE_JOB', `Job "${queue}" is declared twice`);
      }
      this.jobs.set(queue, {
        pluginId,
        queue,
        definition,
        resolve,
        services,
        logger: logger.child({ job: queue }),
      });
    }
  }

  /**
   * Begins pg-boss's own start (its schema check, maintenance and cron monitor: a few round
   * trips and a pool) ahead of `start()`, which awaits it: the app's boot calls this as the
   * queue is made, so that work overlaps the boot steps until the job workers' step. Its
   * failure surfaces in `start()`.
   */
  prestart(): void {
    if (this.state !== 'idle' || this.bossStarting) return;
    this.bossStarting = this.boss.start();
    this.bossStarting.catch(() => {});
  }

  /** Starts pg-boss (creating its schema on first use), the queues, the workers and cron schedules. */
  async start(): Promise<void> {
    if (this.state !== 'idle')
      throw new BotloomError('JOBS_ALREADY_STARTED', 'The job queue was already started');
    this.state = 'starting';
    try {
      await (this.bossStarting ?? this.boss.start());
      const [schedules, queues] = await Promise.all([this.boss.getSchedules(), this.boss.getQueues()]);
      if (this.queuesToWrite(queues).length > 0) {
        await this.underSetupLock(async () => {
          // Read again under the lock: another instance may have written them meanwhile.
          await this.writeQueues(this.queuesToWrite(await this.boss.getQueues()));
        });
      }
      await this.setUpSchedules(schedules);
      await this.startWorkers();
    } catch (error) {
      this.state = 'idle';
      await this.boss.stop({ graceful: false, close: true }).catch(() => {});
      throw error;
    }
    this.state = 'started';
    this.poller = new ReadyQueuesPoller({
      schema: this.schema,
      queues: [...this.workerIds.keys()],
      intervalMs: this.pollingIntervalSeconds * 1000,
      query: (text, values) => this.boss.getDb().executeSql(text, values),
      onReady: (queues) => {
        for (const queue of queues) this.wake(queue);
      },
      logger: this.logger,
    });
    this.poller.start();
    this.logger.info({ jobs: [...this.jobs.keys()] }, 'job queue started');
  }

  /**
   * Creating queue partitions from two instances at once deadlocks inside pg-boss: instances
   * take turns under a session advisory lock. Taken only when a queue is new or changed (a
   * start after an upgrade), not at every start: it costs a connection of its own.
   */
  private async underSetupLock(fn: () => Promise<void>): Promise<void> {
    const lockKey = `botloom_jobs:setup:${this.schema}`;
    const lockClient = await this.pool().connect();
    try {
      await lockClient.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
      await fn();
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
      lockClient.release();
    }
  }

  private async closeOwnPool(): Promise<void> {
    await this.endOwnPool?.();
    this.ownPool = undefined;
    this.endOwnPool = undefined;
  }

  private pool(): pg.Pool {
    if (!this.ownPool) {
      this.ownPool = new pg.Pool({
        connectionString: this.databaseUrl,
        max: 2,
        application_name: 'botloom-jobs',
      });
      this.ownPool.on('error', (error) =>
        this.logger.warn({ err: error }, 'idle job queue connection failed'),
      );
      this.endOwnPool = poolCloser(this.ownPool);
    }
    return this.ownPool;
  }

  /** The registered jobs' queues that are new, or whose retry/expiry settings changed, with the options to write. */
  private queuesToWrite(queues: PgBoss.QueueResult[]): Array<{ queue: string; options: PgBoss.Queue }> {
    const existingQueues = new Map(queues.map((q) => [q.name, q]));
    const out: Array<{ queue: string; options: PgBoss.Queue }> = [];
    for (const { definition, queue } of this.jobs.values()) {
      // pg-boss validates every key that is present, so leave out the unset ones.
      const options: PgBoss.Queue = { name: queue };
      if (definition.retryLimit !== undefined) options.retryLimit = definition.retryLimit;
      if (definition.retryDelaySeconds !== undefined) options.retryDelay = definition.retryDelaySeconds;
      if (definition.expireInSeconds !== undefined) options.expireInSeconds = definition.expireInSeconds;
      const existing = existingQueues.get(queue);
      const upToDate =
        existing?.policy === 'standard' &&
        (['retryLimit', 'retryDelay', 'expireInSeconds'] as const).every(
          (key) => options[key] === undefined || existing[key] === options[key],
        );
      if (!upToDate) out.push({ queue, options });
    }
    return out;
  }

  /** One queue at a time (pg-boss creates partitions): two round trips per written queue. */
  private async writeQueues(toWrite: Array<{ queue: string; options: PgBoss.Queue }>): Promise<void> {
    for (const { queue, options } of toWrite) {
      await this.boss.createQueue(queue, options);
      // createQueue keeps an existing queue as it is; apply changed retry/expiry settings.
      await this.boss.updateQueue(queue, options);
    }
  }

  /**
   * Cron schedules: written when new or changed, removed when a job lost its cron. Independent
   * rows, written together, and before the workers start, whose first fetches would otherwise
   * queue ahead of them in pg-boss's small pool.
   */
  private async setUpSchedules(schedules: PgBoss.Schedule[]): Promise<void> {
    // The rows as pg-boss reads them back (its type leaves out the timezone column).
    const existing = new Map(schedules.map((s) => [s.name, s as PgBoss.Schedule & { timezone?: string }]));
    const options = { tz: 'UTC' };
    await Promise.all(
      [...this.jobs.values()].map(({ definition, queue }) => {
        const current = existing.get(queue);
        if (definition.cron) {
          const data = (definition.cronData ?? {}) as object;
          const unchanged =
            current?.cron === definition.cron &&
            current.timezone === options.tz &&
            isDeepStrictEqual(current.data ?? {}, data) &&
            isDeepStrictEqual(current.options ?? {}, options);
          return unchanged ? undefined : this.boss.schedule(queue, definition.cron, data, { ...options });
        }
        // The job lost its cron since the last run: stop scheduling it.
        if (current) return this.boss.unschedule(queue);
        return undefined;
      }),
    );
  }

  private async startWorkers(): Promise<void> {
    for (const job of this.jobs.values()) {
      // pg-boss waits out the polling interval after every fetch, even one that found a job:
      // a busy queue would run one job per interval. After a job the worker is told to fetch
      // again at once, so a backlog drains at the handlers' speed. An idle worker sleeps long:
      // the ready-queues poll (see start) or a local send wakes it.
      const workerId = await this.boss.work<object>(
        job.queue,
        {
          batchSize: 1,
          includeMetadata: true,
          pollingIntervalSeconds: this.workerPollingIntervalSeconds,
        },
        async ([received]) => {
          if (!received) return;
          await this.runJob(job, received);
          this.wake(job.queue);
        },
      );
      this.workerIds.set(job.queue, workerId);
    }
  }

  /** Makes this instance's worker of `queue` fetch now (or right after the job it is running). */
  private wake(queue: string): void {
    const workerId = this.workerIds.get(queue);
    if (workerId) this.boss.notifyWorker(workerId);
  }

  /**
   * Stops taking new jobs and waits for running ones up to the stop timeout; jobs still
   * running then are marked failed (and retried by whichever instance runs next).
   */
  async stop(): Promise<void> {
    if (this.state === 'idle' || this.state === 'stopped') {
      const prestarted = this.state === 'idle' && this.bossStarting;
      this.state = 'stopped';
      // A boot that failed between `prestart()` and `start()`: pg-boss started on its own.
      if (prestarted) {
        await prestarted.catch(() => {});
        await this.boss.stop({ graceful: false, close: true }).catch(() => {});
      }
      await this.closeOwnPool();
      return;
    }
    this.state = 'stopped';
    await this.poller?.stop();
    await this.boss.stop({ graceful: true, wait: true, close: true, timeout: this.stopTimeoutMs });
    await this.closeOwnPool();
    this.logger.info('job queue stopped');
  }

  /** The plugin-scoped `Jobs` service (DI token `Tokens.Jobs`). */
  forPlugin(pluginId: string): Jobs {
    const queueFor = (name: string): string => {
      const queue = queueNameOf(pluginId, name);
      if (!this.jobs.has(queue)) {
        throw new BotloomError(
          'UNKNOWN_JOB',
          `Plugin "${pluginId}" has no job "${name}" (declare it in the manifest's jobs)`,
        );
      }
      return queue;
    };
    return {
      send: async (name, data, options = {}) => {
        const queue = queueFor(name);
        this.assertStarted();
        const id =
          options.singletonKey !== undefined
            ? await this.sendSingleton(queue, data, options)
            : await this.boss.send(queue, data, toSendOptions(options));
        // A job due now runs here at once rather than at the next poll (a delayed one is found
        // by the poll once it is due).
        if (id && options.startAfter === undefined) this.wake(queue);
        return id;
      },
      cancel: async (name, id) => {
        const queue = queueFor(name);
        this.assertStarted();
        await this.boss.cancel(queue, id);
      },
    };
  }

  /** Cron schedules known to pg-boss (all instances), for status pages and tests. */
  async schedules(): Promise<Array<{ name: string; cron: string }>> {
    this.assertStarted();
    return (await this.boss.getSchedules()).map((s) => ({ name: s.name, cron: s.cron }));
  }

  /** A job's current state as stored by pg-boss, or null when unknown. */
  async jobState(queue: string, id: string): Promise<{ state: string; retryCount: number } | null> {
    this.assertStarted();
    const job = await this.boss.getJobById(queue, id);
    return job ? { state: job.state, retryCount: job.retryCount } : null;
  }

  private assertStarted(): void {
    if (this.state !== 'started') {
      throw new BotloomError(
        'JOBS_NOT_STARTED',
        'The job queue is not running (jobs can be sent after the app started)',
      );
    }
  }

  /**
   * pg-boss's standard queues ignore a bare singletonKey, so "one queued job per key" is
   * enforced here: check and insert in one transaction under an advisory lock on the key.
   */
  private async sendSingleton(queue: string, data: object, options: SendJobOptions): Promise<string | null> {
    const client = await this.pool().connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `botloom_jobs:${queue}:${options.singletonKey}`,
      ]);
      const { rowCount } = await client.query(
        `SELECT 1 FROM ${this.schema}.job WHERE name = $1 AND singleton_key = $2 AND state IN ('created', 'retry') LIMIT 1`,
        [queue, options.singletonKey],
      );
      let id: string | null = null;
      if (!rowCount) {
        id = await this.boss.send(queue, data, {
          ...toSendOptions(options),
          db: { executeSql: (text, values) => client.query(text, values) },
        });
      }
      await client.query('COMMIT');
      return id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async runJob(job: RegisteredJob, received: PgBoss.JobWithMetadata<object>): Promise<void> {
    const attempt = received.retryCount + 1;
    const logger = job.logger.child({ jobId: received.id, attempt });
    const ctx: JobContext = {
      id: received.id,
      name: job.queue,
      logger,
      resolve: job.resolve,
      services: job.services(),
      attempt,
    };
    const started = Date.now();
    try {
      await job.definition.handler(received.data, ctx);
      logger.debug({ ms: Date.now() - started }, 'job done');
    } catch (error) {
      const willRetry = received.retryCount < received.retryLimit;
      logger.error(
        { err: error, ms: Date.now() - started, retryLimit: received.retryLimit, willRetry },
        willRetry ? 'job failed, will retry' : 'job failed, no retries left',
      );
      if (this.errorReporter?.enabled) {
        this.errorReporter.report(error, {
          source: 'job',
          plugin: job.pluginId,
          job: job.queue,
          correlationId: received.id,
          attempt,
          sensitive: stringsOf(received.data),
        });
      }
      throw error;
    }
  }
}

function toSendOptions(options: SendJobOptions): PgBoss.SendOptions {
  const result: PgBoss.SendOptions = {};
  if (options.startAfter !== undefined) result.startAfter = options.startAfter;
  if (options.singletonKey !== undefined) result.singletonKey = options.singletonKey;
  if (options.retryLimit !== undefined) result.retryLimit = options.retryLimit;
  return result;
}
