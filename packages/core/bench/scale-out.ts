/**
 * Scale-out benchmark: updates per second handled by 1 and by 3 app processes on the same
 * machine and the same PostgreSQL, and the p50/p95 handling latency (webhook POST sent →
 * reply received by the Bot API). Each process is test/support/scale-app.ts in webhook mode;
 * updates go round-robin, as a load balancer would send them.
 *
 * Telegram's limits are RELAXED here: the fake Bot API answers at once and applies no flood
 * limits, and the app's outgoing flood control is off. A real bot may send ~30 messages/s in
 * total, so this measures handling capacity, not what Telegram would let one bot send.
 *
 *   npm run bench:scale -w @botloom/core
 *   TEST_DATABASE_URL=postgres://... npx tsx --conditions=botloom-source packages/core/bench/scale-out.ts --updates 1200
 *
 * PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (a scratch database per run, dropped after),
 * else an embedded PostgreSQL. Options: --updates, --users, --in-flight, --instances (e.g. 1,3).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FakeBotApi, textUpdate } from '../test/support/fake-bot-api.js';
import { scratchDatabase } from './support/scratch-database.js';

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '1200' },
    users: { type: 'string', default: '120' },
    'in-flight': { type: 'string', default: '16' },
    instances: { type: 'string', default: '1,3' },
  },
});
const UPDATES = Number(values.updates);
const USERS = Number(values.users);
const IN_FLIGHT = Number(values['in-flight']);
const COUNTS = values.instances.split(',').map(Number);
const SECRET = 'bench-secret';
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function start(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=botloom-source', 'test/support/scale-app.ts'],
    {
      cwd: packageDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /READY (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`an instance exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function run(instances: number) {
  const database = await scratchDatabase();
  const api = await new FakeBotApi().start();
  const dirs: string[] = [];
  const children: Array<{ child: ChildProcess; url: string }> = [];
  const key = randomBytes(32).toString('hex');
  try {
    for (let i = 0; i < instances; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'botloom-bench-instance-'));
      dirs.push(dir);
      children.push(
        await start({
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: database.url,
          BOTLOOM_DATA_DIR: dir,
          ENCRYPTION_KEY: key,
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.apiRoot,
          WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
          WEBHOOK_SECRET: SECRET,
          RATE_LIMIT_PER_MINUTE: '1000000',
          ...(process.env.TEST_REDIS_URL ? { KV_URL: process.env.TEST_REDIS_URL } : {}),
        }),
      );
    }
    let updateId = 1;
    let turn = 0;
    const post = async (update: unknown) => {
      const target = children[turn++ % children.length]!;
      const res = await fetch(`${target.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    };
    const replied = (count: number) =>
      api.waitFor(() => api.calls.filter((c) => c.method === 'sendMessage').length >= count, 300_000);
    // Warm-up: connections, JIT, the first queries.
    const warm = Array.from({ length: 60 }, (_, i) =>
      textUpdate(`w${i}`, { id: 900 + (i % 30) }, updateId++),
    );
    await Promise.all(warm.map(post));
    await replied(warm.length);

    const before = api.calls.length;
    const sentAt = new Map<string, number>();
    const updates = Array.from({ length: UPDATES }, (_, i) => {
      const text = `m${i}`;
      return { text, update: textUpdate(text, { id: 10_000 + (i % USERS) }, updateId++) };
    });
    const started = performance.now();
    const repliesNow = () => api.calls.filter((c) => c.method === 'sendMessage').length - warm.length;
    let next = 0;
    // Closed loop: at most IN_FLIGHT updates sent and not yet answered, so the latency is the
    // handling time at that load, not the time spent queued behind a backlog.
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < updates.length) {
          const item = updates[next++]!;
          sentAt.set(`reply:${item.text}`, Date.now());
          await post(item.update);
          const mine = next;
          await api.waitFor(() => repliesNow() >= mine - IN_FLIGHT, 300_000);
        }
      }),
    );
    await replied(warm.length + UPDATES);
    const seconds = (performance.now() - started) / 1000;
    const latencies = api.calls
      .slice(before)
      .filter((c) => c.method === 'sendMessage' && sentAt.has(String(c.payload.text)))
      .map((c) => c.at - sentAt.get(String(c.payload.text))!)
      .sort((a, b) => a - b);
    return {
      instances,
      perSecond: UPDATES / seconds,
      p50: percentile(latencies, 0.5),
      p95: percentile(latencies, 0.95),
    };
  } finally {
    for (const { child } of children) child.kill('SIGKILL');
    await api.close();
    await database.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(
    `Scale-out: ${UPDATES} updates from ${USERS} users, at most ${IN_FLIGHT} updates unanswered at a time, round-robin; ` +
      `handler: one reply per update. Telegram limits RELAXED: the fake Bot API applies no flood limits and ` +
      `the app's flood control is off (Telegram would allow ~30 messages/s per bot).`,
  );
  const results = [];
  for (const count of COUNTS) results.push(await run(count));
  console.log('| instances | updates/s | p50 handling ms | p95 handling ms |');
  console.log('|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.instances} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p95} |`);
  }
  if (results.length >= 2) {
    const first = results[0]!;
    const last = results.at(-1)!;
    console.log(
      `${last.instances} vs ${first.instances} instances: ${(last.perSecond / first.perSecond).toFixed(2)}x updates/s ` +
        `(one machine with ${(await import('node:os')).cpus().length} cores and one PostgreSQL: instances share the CPU)`,
    );
  }
}

await main();
