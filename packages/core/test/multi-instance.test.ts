import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testRedisUrl } from '../src/testing/test-database.js';
import { FakeBotApi } from './support/fake-bot-api.js';

/**
 * The crash test: three real app processes (test/support/scale-app.ts, a one-reply echo) in
 * webhook mode on one PostgreSQL (and Redis when TEST_REDIS_URL is set), one fake Bot API;
 * updates go round-robin to the instances, as a load balancer without stickiness would send
 * them, and one instance is killed with SIGKILL mid-load. Rate limits, budgets, vector sync,
 * jobs and the support web app across three processes are checked on the reference app, with
 * every plugin: apps/reference/test/multi-instance.test.ts. Runs only against a PostgreSQL
 * server (TEST_DATABASE_URL): three processes on embedded PostgreSQL would be too slow.
 */
const serverDatabase = Boolean(process.env.TEST_DATABASE_URL);
const redisUrl = testRedisUrl();
if (!serverDatabase) {
  console.warn('multi-instance.test.ts: TEST_DATABASE_URL is not set, the multi-process test is skipped');
} else if (!redisUrl) {
  console.warn('multi-instance.test.ts: TEST_REDIS_URL is not set, the instances share PostgreSQL only');
}

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRET = 'multi-instance-secret';
const USERS = 100;
const MESSAGES_PER_USER = 10;
/** The middle instance is killed once this many load updates got their 200. */
const KILL_AFTER_ACKS = 400;
/** Updates one instance handles at once: at most this many were in flight in the killed one. */
const INBOX_CONCURRENCY = 16;

interface Instance {
  process: ChildProcess;
  url: string;
  alive: boolean;
  output(): string;
}

let db: TestDatabase;
let api: FakeBotApi;
let pool: pg.Pool;
const dirs: string[] = [];
const instances: Instance[] = [];
let nextUpdateId = 1_000_000;

function startInstance(index: number, dataDir: string, encryptionKey: string): Promise<Instance> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=botloom-source', 'test/support/scale-app.ts'],
    {
      cwd: packageDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: db.url,
        ...(redisUrl ? { KV_URL: redisUrl } : {}),
        BOTLOOM_DATA_DIR: dataDir,
        ENCRYPTION_KEY: encryptionKey,
        TELEGRAM_BOT_TOKEN: api.token,
        TELEGRAM_API_ROOT: api.apiRoot,
        WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
        WEBHOOK_SECRET: SECRET,
        // The load, not the limiter, is under test (the limiter across instances: the reference test).
        RATE_LIMIT_PER_MINUTE: '1000000',
        // Leases of the killed process run out after this; the others then finish its updates.
        // Wide, so a live instance stalled on a busy machine keeps the leases it renews.
        INBOX_LEASE_SECONDS: '20',
        INBOX_CONCURRENCY: String(INBOX_CONCURRENCY),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (http:\/\/\S+)/.exec(output);
      if (match) resolve({ process: child, url: match[1]!, alive: true, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code, signal) =>
      reject(new Error(`instance ${index} exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
}

async function deliver(instance: Instance, update: unknown): Promise<number> {
  try {
    const res = await fetch(`${instance.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // refused or reset: the process is gone
  }
}

let turn = 0;
/** The next live instance, round-robin. */
function nextInstance(): Instance {
  for (;;) {
    const instance = instances[turn++ % instances.length]!;
    if (instance.alive) return instance;
  }
}

function message(text: string, from: number, chatId = from): { update_id: number; [key: string]: unknown } {
  const updateId = nextUpdateId++;
  const command = /^\/[a-z]+/.exec(text);
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat:
        chatId > 0
          ? { id: chatId, type: 'private', first_name: 'U' }
          : { id: chatId, type: 'group', title: 'G' },
      from: { id: from, is_bot: false, first_name: 'U', language_code: 'en' },
      text,
      ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command[0].length }] } : {}),
    },
  };
}

async function waitHandled(updateIds: number[], timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM core_update_inbox WHERE update_id = ANY($1::bigint[]) AND status = 'done'`,
      [updateIds],
    );
    if (rows[0]!.n === updateIds.length) return;
    if (Date.now() > until) throw new Error(`only ${rows[0]!.n} of ${updateIds.length} updates were handled`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!serverDatabase)('three app processes behind a round-robin balancer', () => {
  beforeAll(async () => {
    db = await createTestDatabase('botloom_multi');
    api = await new FakeBotApi().start();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const encryptionKey = randomBytes(32).toString('hex');
    // One after another: the first migrates the database.
    for (let i = 0; i < 3; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), `botloom-multi-${i}-`));
      dirs.push(dir);
      instances.push(await startInstance(i, dir, encryptionKey));
    }
  }, 180_000);

  afterAll(async () => {
    for (const instance of instances) {
      if (instance.process.exitCode === null && instance.process.signalCode === null)
        instance.process.kill('SIGKILL');
    }
    await pool?.end();
    await api?.close();
    await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it(`answers ${USERS * MESSAGES_PER_USER} updates from ${USERS} users once each, though one instance is killed mid-load`, async () => {
    interface Sent {
      user: number;
      text: string;
      update: ReturnType<typeof message>;
      status: number;
    }
    const all: Sent[] = [];
    const perUser: Sent[][] = [];
    for (let u = 0; u < USERS; u++) {
      const user = 7000 + u;
      const mine: Sent[] = [];
      for (let m = 0; m < MESSAGES_PER_USER; m++) {
        const text = `u${user}-m${m}`;
        const sent = { user, text, update: message(text, user), status: 0 };
        mine.push(sent);
        all.push(sent);
      }
      perUser.push(mine);
    }
    const victim = instances[1]!;
    let acked = 0;
    const send = async (entry: Sent) => {
      entry.status = await deliver(nextInstance(), entry.update);
      if (entry.status === 200) acked++;
      if (victim.alive && acked >= KILL_AFTER_ACKS) {
        victim.alive = false;
        victim.process.kill('SIGKILL');
      }
    };
    // Each user's messages one after another (as a person types), users in parallel.
    await Promise.all(
      perUser.map(async (mine) => {
        for (const entry of mine) await send(entry);
      }),
    );
    // As Telegram does: whatever did not get a 200 is delivered again, in order per user.
    const redelivered = all.filter((e) => e.status !== 200).length;
    await Promise.all(
      perUser.map(async (mine) => {
        for (const entry of mine) {
          while (entry.status !== 200) await send(entry);
        }
      }),
    );
    await waitHandled(
      all.map((e) => e.update.update_id),
      180_000,
    );
    const count = (e: Sent) => api.textsTo(e.user).filter((t) => t === `reply:${e.text}`).length;
    const lost = all.filter((e) => count(e) === 0);
    const duplicated = all.filter((e) => count(e) > 1);
    const maxCopies = Math.max(...all.map(count));
    const victimIndex = instances.indexOf(victim);
    // Updates handled more than once: those the killed process held, taken over on lease expiry.
    const { rows: takenOver } = await pool.query<{ n: number; recorded: number }>(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM core_update_sends s WHERE s.update_id = ANY($1::bigint[])) AS recorded
       FROM core_update_inbox WHERE update_id = ANY($1::bigint[]) AND attempts > 1`,
      [all.map((e) => e.update.update_id)],
    );
    // A live instance that lost a lease it was still renewing (it stalled past the lease) says so.
    const lostLeases = instances
      .filter((i) => i.alive)
      .map((i) => i.output().split('handled after its lease was lost').length - 1)
      .reduce((a, b) => a + b, 0);
    console.log(
      `[multi-instance] updates: ${all.length} from ${USERS} users over 3 instances; instance ${victimIndex} killed after ${KILL_AFTER_ACKS} acks; ` +
        `redelivered: ${redelivered}; taken over from the killed one: ${takenOver[0]!.n}; replies recorded: ${takenOver[0]!.recorded}; lost: ${lost.length}; answered twice: ${duplicated.length}; leases lost by live instances: ${lostLeases}`,
    );
    expect(lost.map((e) => e.text)).toEqual([]);
    // The instance that takes over an update of the killed one skips the replies recorded in
    // the send ledger. What remains possible: a reply whose request had left the killed process
    // but whose answer (and so its record) had not come back is sent again. So at most one
    // extra copy, and only for updates in flight in the killed process: at most
    // INBOX_CONCURRENCY of them. Here the fake Bot API shares the test's busy event loop, so a
    // request waits up to seconds for its answer and nearly every update in flight at the kill
    // is in that window; the skip itself is shown by update-inbox.test.ts.
    expect(maxCopies).toBeLessThanOrEqual(2);
    expect(lostLeases).toBe(0);
    expect(duplicated.length).toBeLessThanOrEqual(INBOX_CONCURRENCY);
  }, 240_000);
});
