/**
 * Idle load of the reference app: what it asks PostgreSQL, and what CPU it spends, while no
 * update arrives (job pollers, cron, inbox polling, signals). Starts the app as the hot-path
 * bench does (server database, a fake Bot API, webhook mode), waits for it to settle, then
 * counts over a window: round trips per second by kind (every pg query the process sent),
 * transactions per second from pg_stat_database, the app's CPU and its PostgreSQL backends' CPU.
 *
 *   npx tsx --conditions=botloom-source bench/idle-queries.ts [--seconds 60] [--settle 15]
 *     [--app-dirs DIR,DIR] [--rounds 1]
 *
 * `--app-dirs`: reference app folders of other checkouts (e.g. a worktree at an older commit),
 * measured one after the other in each round, for before/after figures from one run.
 * Needs TEST_DATABASE_URL, DATABASE_URL or BENCH_DATABASE_URL (a scratch database per run).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { backendCpu, xacts } from '../../../packages/core/bench/support/pg-stats.js';
import { FakeBotApi } from '../../../packages/core/test/support/fake-bot-api.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    settle: { type: 'string', default: '15' },
    'app-dirs': { type: 'string' },
    rounds: { type: 'string', default: '1' },
  },
});
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!serverUrl)
  throw new Error('Set TEST_DATABASE_URL (a PostgreSQL server): the idle bench counts its queries');
const WINDOW_S = Number(values.seconds);
const SETTLE_S = Number(values.settle);

interface Stats {
  queries: number;
  transactions: number;
  cpuMs: number;
  shapes: Array<[string, number]>;
}

interface Measured {
  queriesPerSecond: number;
  xactsPerSecond: number;
  appCpuMsPerSecond: number;
  pgCpuMsPerSecond: number;
  shapes: Array<[string, number]>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function measure(dir: string): Promise<Measured> {
  const api = await new FakeBotApi().start();
  const database = `botloom_idle_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${database}"`));
  const url = new URL(serverUrl!);
  url.pathname = `/${database}`;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-idle-'));
  const statsModule = path.resolve(dir, '../../packages/core/bench/support/process-stats.mjs');
  let child: ChildProcess | undefined;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=botloom-source', '--import', statsModule, 'src/main.ts'],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          PORT: '0',
          HOST: '127.0.0.1',
          DATABASE_URL: url.toString(),
          BOTLOOM_DATA_DIR: dataDir,
          ENCRYPTION_KEY: randomBytes(32).toString('hex'),
          TELEGRAM_BOT_TOKEN: api.token,
          TELEGRAM_API_ROOT: api.apiRoot,
          WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
          WEBHOOK_SECRET: 'idle-secret',
          BENCH_QUERY_SHAPES: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      },
    );
    const waiters: Array<(s: Stats) => void> = [];
    child.on('message', (message) => waiters.shift()?.(message as Stats));
    const stats = (reset = false) =>
      new Promise<Stats>((resolve) => {
        waiters.push(resolve);
        child!.send(reset ? 'reset' : 'stats');
      });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (/HTTP:\s+http:\/\/\S+/.test(output)) resolve();
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.on('exit', (code) =>
        reject(new Error(`the app exited (${code}) before it was ready:\n${output}`)),
      );
    });
    await sleep(SETTLE_S * 1000);
    const before = await stats(true);
    const xactsBefore = await xacts(admin, database);
    const cpuBefore = await backendCpu(admin, database);
    await sleep(WINDOW_S * 1000);
    const after = await stats();
    const cpuAfter = await backendCpu(admin, database);
    // Backend statistics reach pg_stat_database when a backend goes idle (at most ~1 s later).
    await sleep(1500);
    const xactsAfter = await xacts(admin, database);
    let pgCpu = 0;
    for (const [pid, ms] of cpuAfter) pgCpu += ms - (cpuBefore.get(pid) ?? 0);
    return {
      queriesPerSecond: (after.queries - before.queries) / WINDOW_S,
      xactsPerSecond: (xactsAfter - xactsBefore) / WINDOW_S,
      appCpuMsPerSecond: (after.cpuMs - before.cpuMs) / WINDOW_S,
      pgCpuMsPerSecond: pgCpu / WINDOW_S,
      shapes: after.shapes,
    };
  } finally {
    await admin.end();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await api.close();
    await withAdmin((a) => a.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    await rm(dataDir, { recursive: true, force: true });
  }
}

const dirs = [appDir, ...(values['app-dirs']?.split(',').filter(Boolean) ?? [])].map((d) => path.resolve(d));
console.log(
  `Idle reference app: ${SETTLE_S} s to settle after the banner, then ${WINDOW_S} s without updates; PostgreSQL server.`,
);
const results = new Map<string, Measured[]>(dirs.map((d) => [d, []]));
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const dir of dirs) {
    const m = await measure(dir);
    results.get(dir)!.push(m);
    console.log(`\n${dir} (round ${round})`);
    console.log(
      `  ${m.queriesPerSecond.toFixed(2)} round trips/s, ${m.xactsPerSecond.toFixed(2)} transactions/s (pg_stat_database), ` +
        `app CPU ${m.appCpuMsPerSecond.toFixed(1)} ms/s, PostgreSQL CPU ${m.pgCpuMsPerSecond.toFixed(1)} ms/s`,
    );
    for (const [shape, count] of m.shapes) console.log(`    ${(count / WINDOW_S).toFixed(2)}/s  ${shape}`);
  }
}
