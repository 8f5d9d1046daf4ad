import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Resolve } from '../src/di/tokens.js';
import { JobQueue, queueNameOf } from '../src/jobs/job-queue.js';
import type { JobContext, JobDefinition } from '../src/plugin/types.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });
const resolve: Resolve = () => {
  throw new Error('not used');
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for jobs');
    await sleep(50);
  }
}

describe('JobQueue (pg-boss)', () => {
  let database: TestDatabase;
  const running: JobQueue[] = [];

  function newQueue(workerPollingIntervalSeconds?: number): JobQueue {
    const queue = new JobQueue({
      databaseUrl: database.url,
      logger,
      pollingIntervalSeconds: 0.5,
      workerPollingIntervalSeconds,
      stopTimeoutMs: 2_000,
    });
    running.push(queue);
    return queue;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const queue of running.splice(0)) await queue.stop();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('names queues <plugin>.<job> and maps unsafe characters', () => {
    expect(queueNameOf('support', 'send-reminder')).toBe('support.send-reminder');
    expect(queueNameOf('odd plugin', 'a/b')).toBe('odd_plugin.a_b');
  });

  it('writes a queue only when it is new or its retry/expiry settings changed since the last start', async () => {
    const job = (retryLimit: number): JobDefinition => ({
      name: 'settle',
      retryLimit,
      expireInSeconds: 60,
      async handler() {},
    });
    const settings = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT retry_limit, expire_seconds, updated_on FROM botloom_jobs.queue WHERE name = 'ledger.settle'`,
        );
        return rows[0] as { retry_limit: number; expire_seconds: number; updated_on: Date };
      } finally {
        await client.end();
      }
    };
    const startWith = async (retryLimit: number) => {
      const queue = newQueue();
      queue.register('ledger', [job(retryLimit)], resolve, logger);
      await queue.start();
      await queue.stop();
    };

    await startWith(2);
    const created = await settings();
    expect(created).toMatchObject({ retry_limit: 2, expire_seconds: 60 });
    await startWith(2);
    // Unchanged: not written again.
    expect((await settings()).updated_on).toEqual(created.updated_on);
    await startWith(5);
    expect(await settings()).toMatchObject({ retry_limit: 5, expire_seconds: 60 });
  });

  it('a job sent before a restart runs after the queue restarts', async () => {
    const ranBy: string[] = [];
    const job = (instance: string): JobDefinition<{ text: string }> => ({
      name: 'remind',
      async handler(data, ctx) {
        ranBy.push(`${instance}:${data.text}:${ctx.name}`);
      },
    });

    const before = newQueue();
    before.register('notes', [job('before')], resolve, logger);
    await before.start();
    // Due in an hour, so the first instance cannot run it however slowly it stops; once the
    // second instance is up the job is made due by moving its start time, not by waiting.
    const id = await before.forPlugin('notes').send('remind', { text: 'hello' }, { startAfter: 3600 });
    expect(id).toEqual(expect.any(String));
    await before.stop();
    expect(ranBy).toEqual([]);

    const after = newQueue();
    after.register('notes', [job('after')], resolve, logger);
    await after.start();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const moved = await client.query('UPDATE botloom_jobs.job SET start_after = now() WHERE id = $1', [id]);
      expect(moved.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    await waitFor(() => ranBy.length > 0);
    expect(ranBy).toEqual(['after:hello:notes.remind']);
  });

  it('one poll for all queues wakes the worker of a queue whose job became due; a local send wakes it at once', async () => {
    const ran: string[] = [];
    const jobs = ['first', 'second', 'third'].map(
      (name): JobDefinition => ({
        name,
        async handler(_data, ctx) {
          ran.push(ctx.name);
        },
      }),
    );
    // Workers that would poll once an hour on their own: only the shared poll or a send wakes them.
    const queue = newQueue(3600);
    queue.register('woken', jobs, resolve, logger);
    await queue.start();
    const id = await queue.forPlugin('woken').send('second', {}, { startAfter: 3600 });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('UPDATE botloom_jobs.job SET start_after = now() WHERE id = $1', [id]);
      await waitFor(() => ran.length > 0);
      expect(ran).toEqual(['woken.second']);
      await queue.forPlugin('woken').send('third', {});
      await waitFor(() => ran.length > 1);
      expect(ran).toEqual(['woken.second', 'woken.third']);
    } finally {
      await client.end();
    }
  });

  it('two instances on one database run each job exactly once', async () => {
    const runs: Array<{ instance: string; n: number; id: string }> = [];
    const job = (instance: string): JobDefinition<{ n: number }> => ({
      name: 'count',
      async handler(data, ctx) {
        runs.push({ instance, n: data.n, id: ctx.id });
        await sleep(20);
      },
    });
    const a = newQueue();
    const b = newQueue();
    a.register('counter', [job('a')], resolve, logger);
    b.register('counter', [job('b')], resolve, logger);
    await Promise.all([a.start(), b.start()]);
    const total = 12;
    for (let n = 0; n < total; n++) await (n % 2 ? a : b).forPlugin('counter').send('count', { n });
    await waitFor(() => runs.length >= total);
    // Give a duplicate (if there were one) time to show up.
    await sleep(1_500);
    expect(runs).toHaveLength(total);
    expect(new Set(runs.map((r) => r.n)).size).toBe(total);
    expect(new Set(runs.map((r) => r.id)).size).toBe(total);
  });

  it('retries a failing job per retryLimit and passes the attempt number', async () => {
    const attempts: number[] = [];
    const queue = newQueue();
    queue.register(
      'flaky',
      [
        {
          name: 'once-fails',
          retryLimit: 2,
          retryDelaySeconds: 0,
          async handler(_data: object, ctx: JobContext) {
            attempts.push(ctx.attempt);
            if (ctx.attempt === 1) throw new Error('temporary failure');
          },
        },
      ],
      resolve,
      logger,
    );
    await queue.start();
    const id = await queue.forPlugin('flaky').send('once-fails', {});
    await waitFor(() => attempts.length >= 2);
    expect(attempts).toEqual([1, 2]);
    let state: { state: string; retryCount: number } | null = null;
    const deadline = Date.now() + 20_000;
    while (state?.state !== 'completed' && Date.now() < deadline) {
      state = await queue.jobState('flaky.once-fails', id as string);
      if (state?.state !== 'completed') await sleep(50);
    }
    expect(state).toEqual({ state: 'completed', retryCount: 1 });
  });

  it('registers cron schedules and removes one when the job loses its cron', async () => {
    const first = newQueue();
    first.register(
      'digest',
      [
        { name: 'daily', cron: '0 9 * * *', async handler() {} },
        { name: 'hourly', cron: '0 * * * *', async handler() {} },
      ],
      resolve,
      logger,
    );
    await first.start();
    expect((await first.schedules()).sort((x, y) => x.name.localeCompare(y.name))).toEqual([
      { name: 'digest.daily', cron: '0 9 * * *' },
      { name: 'digest.hourly', cron: '0 * * * *' },
    ]);
    await first.stop();

    const second = newQueue();
    second.register(
      'digest',
      [
        { name: 'daily', cron: '30 8 * * *', async handler() {} },
        { name: 'hourly', async handler() {} },
      ],
      resolve,
      logger,
    );
    await second.start();
    expect(await second.schedules()).toEqual([{ name: 'digest.daily', cron: '30 8 * * *' }]);
  });

  it('rewrites a cron schedule only when it changed, and can be started early by prestart()', async () => {
    const updatedOn = async () => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT cron, updated_on FROM botloom_jobs.schedule WHERE name = 'report.weekly'`,
        );
        return rows[0] as { cron: string; updated_on: Date };
      } finally {
        await client.end();
      }
    };
    const startWith = async (cron: string) => {
      const queue = newQueue();
      queue.prestart();
      queue.register('report', [{ name: 'weekly', cron, async handler() {} }], resolve, logger);
      await queue.start();
      await queue.stop();
    };
    await startWith('0 7 * * 1');
    const first = await updatedOn();
    await startWith('0 7 * * 1');
    expect(await updatedOn()).toEqual(first);
    await startWith('0 8 * * 1');
    expect((await updatedOn()).cron).toBe('0 8 * * 1');

    // Prestarted, never started (a boot that failed in between): stop() still stops pg-boss.
    const abandoned = newQueue();
    abandoned.prestart();
    await abandoned.stop();
  });

  it('keeps only one queued job per singletonKey', async () => {
    const queue = newQueue();
    queue.register('single', [{ name: 'sync', async handler() {} }], resolve, logger);
    await queue.start();
    const jobs = queue.forPlugin('single');
    const ids = await Promise.all([
      jobs.send('sync', {}, { singletonKey: 'user-1', startAfter: 60 }),
      jobs.send('sync', {}, { singletonKey: 'user-1', startAfter: 60 }),
      jobs.send('sync', {}, { singletonKey: 'user-2', startAfter: 60 }),
    ]);
    expect(ids.filter((id) => id !== null)).toHaveLength(2);
  });

  it('rejects unknown jobs, sends before start, bad names and duplicates', async () => {
    const queue = newQueue();
    queue.register('p', [{ name: 'known', async handler() {} }], resolve, logger);
    await expect(queue.forPlugin('p').send('known', {})).rejects.toMatchObject({ code: 'JOBS_NOT_STARTED' });
    expect(() => queue.register('p', [{ name: 'known', async handler() {} }], resolve, logger)).toThrow(
      /twice/,
    );
    expect(() => queue.register('p', [{ name: 'bad name', async handler() {} }], resolve, logger)).toThrow(
      /letters/,
    );
    await queue.start();
    await expect(queue.forPlugin('p').send('unknown', {})).rejects.toMatchObject({ code: 'UNKNOWN_JOB' });
  });
});
