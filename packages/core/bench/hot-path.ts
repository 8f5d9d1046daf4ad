/**
 * Hot-path benchmark: webhook updates through real processes, against bare grammY + Koa.
 *
 * Targets, each a child process behind its own fake Bot API, driven over HTTP like Telegram:
 * - `baseline`: bare grammY + Koa webhook (support/bare-grammy-app.mjs), no database;
 * - `core`: createApp with one minimal plugin (support/core-minimal-app.mjs): durable inbox,
 *   sessions, rate limit, i18n, chat ownership; core answers /start and /help;
 * - `reference`: the full reference app (apps/reference, all six plugins), command traffic.
 * Each user sends a fixed sequence (/start, /help, a press of the first button of the /start
 * reply, text; the reference app without text), one update at a time; `--in-flight` users are
 * active at once (closed loop). Rounds are interleaved: baseline, core, reference, baseline...
 * An update counts as handled when the Bot API got all its calls (counts learnt per step from a
 * calibration user). Before the measured rounds, one unmeasured warm-up round per target (JIT,
 * connections, caches: a first round ran at less than half the rate of the next ones). Then a burst: `--burst` updates posted at once (open loop) to each target,
 * to show the backpressure bound and the peak RSS under it.
 *
 * Telegram's limits are RELAXED: the fake Bot API answers at once and limits nothing, and the
 * apps' flood control and per-user rate limit are raised out of the way. INBOX_CONCURRENCY is
 * set to the updates in flight (the baseline, too, handles every request at once). This measures handling
 * capacity, not what Telegram lets one bot send (~30 messages/s by default).
 *
 *   npm run bench:hotpath -w @botloom/core [-- --quick] [-- --profile]
 *
 * The targets run as in production: plain `node` on the built JavaScript (dist, as `npm start`
 * does) when it is current, else (or with --source) the TypeScript sources through tsx; the
 * output says which. The baseline runs under the same loader as the others.
 *
 * PostgreSQL: DATABASE_URL or TEST_DATABASE_URL (a scratch database per target, dropped after),
 * else embedded PostgreSQL. Options: --users (per round), --in-flight, --rounds, --burst,
 * --targets (baseline,core,reference), --source (tsx on the sources even when dist is current),
 * --core-at DIR (adds a target `core-at`: the core target of another checkout, e.g. a
 * `git worktree` of main with built dist, for before/after figures in one run), --quick (tiny run: checks that it works), --profile
 * (node --cpu-prof of each target into --profile-dir, default ./.bench-profiles), --queries
 * (PostgreSQL queries per update by kind). The target `core-tcp` (`--targets baseline,core,core-tcp`)
 * is `core` on an embedded PostgreSQL reached over TCP loopback instead of its Unix socket
 * (EMBEDDED_PG_SOCKET=false): the socket's gain, paired round by round.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { staleParts } from '../../../scripts/ensure-built.mjs';
import { FakeBotApi, type RecordedCall } from '../test/support/fake-bot-api.js';
import { backendCpu, xacts } from './support/pg-stats.js';
import { type ScratchDatabase, scratchDatabase } from './support/scratch-database.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    'in-flight': { type: 'string', default: '50' },
    rounds: { type: 'string' },
    burst: { type: 'string' },
    targets: { type: 'string', default: 'baseline,core,reference' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    queries: { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    'profile-dir': { type: 'string', default: '.bench-profiles' },
    'core-at': { type: 'string' },
  },
});
const QUICK = values.quick;
const USERS = Number(values.users ?? (QUICK ? 10 : 250));
const IN_FLIGHT = Number(values['in-flight']);
const ROUNDS = Number(values.rounds ?? (QUICK ? 1 : 3));
const BURST = Number(values.burst ?? (QUICK ? 100 : 5000));
const SECRET = 'bench-secret';
const benchDir = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.resolve(benchDir, '..');
const repoDir = path.resolve(packageDir, '../..');

type Step = 'start' | 'help' | 'press' | 'text';

interface TargetSpec {
  name: 'baseline' | 'core' | 'core-tcp' | 'core-at' | 'reference';
  label: string;
  cwd: string;
  /** Run by plain node on the built JavaScript. */
  builtScript: string;
  /** Run by tsx on the TypeScript sources. */
  sourceScript: string;
  /** The TypeScript projects (repository-relative) whose dist `builtScript` runs. */
  projects: string[] | 'all';
  steps: Step[];
  database: boolean;
  /** Embedded PostgreSQL over TCP instead of its Unix socket (no effect on a server database). */
  tcp?: boolean;
  ready: RegExp;
}

const SPECS: TargetSpec[] = [
  {
    name: 'baseline',
    label: 'bare grammY + Koa',
    cwd: packageDir,
    builtScript: 'bench/support/bare-grammy-app.mjs',
    sourceScript: 'bench/support/bare-grammy-app.mjs',
    projects: [],
    steps: ['start', 'help', 'press', 'text'],
    database: false,
    ready: /READY (http:\/\/\S+)/,
  },
  {
    name: 'core',
    label: 'core pipeline, one minimal plugin',
    cwd: packageDir,
    builtScript: 'bench/support/core-minimal-app.mjs',
    sourceScript: 'bench/support/core-minimal-app.mjs',
    projects: ['packages/core'],
    steps: ['start', 'help', 'press', 'text'],
    database: true,
    ready: /READY (http:\/\/\S+)/,
  },
  {
    name: 'core-tcp',
    label: 'core, embedded PostgreSQL over TCP',
    cwd: packageDir,
    builtScript: 'bench/support/core-minimal-app.mjs',
    sourceScript: 'bench/support/core-minimal-app.mjs',
    projects: ['packages/core'],
    steps: ['start', 'help', 'press', 'text'],
    database: true,
    tcp: true,
    ready: /READY (http:\/\/\S+)/,
  },
  {
    name: 'reference',
    label: 'reference app (six plugins), commands',
    cwd: path.join(repoDir, 'apps/reference'),
    builtScript: 'dist/src/main.js',
    sourceScript: 'src/main.ts',
    projects: 'all',
    steps: ['start', 'help', 'press'],
    database: true,
    ready: /HTTP:\s+(http:\/\/\S+)/,
  },
];

interface Stats {
  queries: number;
  transactions: number;
  cpuMs: number;
  rss: number;
  peakRss: number;
  shapes: Array<[string, number]>;
}

interface Expectation {
  expected: number;
  got: number;
  sentAt: number;
  done: (at: number) => void;
}

/** One running target: its process, its fake Bot API and database, and the update plumbing. */
class Target {
  child!: ChildProcess;
  url!: string;
  api!: FakeBotApi;
  db?: ScratchDatabase;
  dataDir!: string;
  expected: Record<Step, number> = { start: 1, help: 1, press: 1, text: 1 };
  button = 'bench:press';
  nextUpdateId = 1;
  stray = 0;
  private waiting = new Map<number, Expectation>();
  private statsWaiters: Array<(s: Stats) => void> = [];
  output = '';

  constructor(
    readonly spec: TargetSpec,
    readonly built: boolean,
  ) {}

  async start(): Promise<void> {
    this.api = await new FakeBotApi().start();
    this.api.onCall = (call) => this.onCall(call);
    if (this.spec.database)
      this.db = await scratchDatabase(
        `botloom_bench_${this.spec.name}`,
        this.spec.tcp ? { socket: false } : {},
      );
    this.dataDir = await mkdtemp(path.join(tmpdir(), `botloom-bench-${this.spec.name}-`));
    const execArgv = [
      ...(this.built ? [] : ['--import', 'tsx', '--conditions=botloom-source']),
      '--import',
      path.join(benchDir, 'support/process-stats.mjs'),
    ];
    if (values.profile) {
      // One folder per target: every thread writes its own profile (tsx's loader thread too).
      const dir = path.resolve(repoDir, values['profile-dir']!, this.spec.name);
      await mkdir(dir, { recursive: true });
      execArgv.push('--cpu-prof', '--cpu-prof-dir', dir);
    }
    const huge = '1000000';
    const script = this.built ? this.spec.builtScript : this.spec.sourceScript;
    this.child = spawn(process.execPath, [...execArgv, script], {
      cwd: this.spec.cwd,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        PORT: '0',
        HOST: '127.0.0.1',
        ...(this.db ? { DATABASE_URL: this.db.url } : {}),
        BOTLOOM_DATA_DIR: this.dataDir,
        ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        TELEGRAM_BOT_TOKEN: this.api.token,
        TELEGRAM_API_ROOT: this.api.apiRoot,
        WEBHOOK_URL: 'https://bot.example.com/telegram/webhook',
        WEBHOOK_SECRET: SECRET,
        // Telegram's limits relaxed (see the header): handling capacity is measured.
        RATE_LIMIT_PER_MINUTE: huge,
        TELEGRAM_FLOOD_GLOBAL_PER_SECOND: huge,
        TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: huge,
        TELEGRAM_FLOOD_GROUP_PER_MINUTE: huge,
        // Handled at once: at least the updates in flight, as the baseline handles every
        // webhook request at once (the default 16 caps throughput at 16 / handling latency).
        INBOX_CONCURRENCY: String(Math.max(16, IN_FLIGHT)),
        ...(values.queries ? { BENCH_QUERY_SHAPES: '1' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child.on('message', (message) => this.statsWaiters.shift()?.(message as Stats));
    this.url = await new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        this.output = (this.output + chunk.toString()).slice(-20_000);
        const match = this.spec.ready.exec(this.output);
        if (match) resolve(match[1]!);
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      this.child.on('exit', (code) =>
        reject(new Error(`${this.spec.name} exited (${code}) before it was ready:\n${this.output}`)),
      );
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      // SIGINT lets --cpu-prof write its profile (the apps stop on signals).
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill(values.profile ? 'SIGINT' : 'SIGKILL');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await this.api.close();
    await this.db?.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  stats(reset = false): Promise<Stats> {
    return new Promise((resolve) => {
      this.statsWaiters.push(resolve);
      this.child.send(reset ? 'reset' : 'stats');
    });
  }

  private onCall(call: RecordedCall): void {
    const chatId = Number(call.payload.chat_id ?? /^cb(\d+):/.exec(call.payload.callback_query_id)?.[1]);
    const waiting = this.waiting.get(chatId);
    if (!waiting) {
      if (Number.isFinite(chatId)) this.stray++;
      return;
    }
    waiting.got++;
    if (waiting.got >= waiting.expected) {
      this.waiting.delete(chatId);
      waiting.done(call.at);
    }
  }

  update(step: Step, userId: number): unknown {
    const id = this.nextUpdateId++;
    const from = { id: userId, is_bot: false, first_name: 'Ann', language_code: 'en' };
    const chat = { id: userId, type: 'private', first_name: 'Ann' };
    const date = Math.floor(Date.now() / 1000);
    if (step === 'press') {
      return {
        update_id: id,
        callback_query: {
          id: `cb${userId}:${id}`,
          from,
          chat_instance: 'ci',
          data: this.button,
          message: {
            message_id: 1,
            date,
            chat,
            from: { id: 1, is_bot: true, first_name: 'Bot' },
            text: 'menu',
          },
        },
      };
    }
    const text = step === 'text' ? `hello number ${id}` : `/${step}`;
    return {
      update_id: id,
      message: {
        message_id: id,
        date,
        chat,
        from,
        text,
        ...(step === 'text' ? {} : { entities: [{ type: 'bot_command', offset: 0, length: text.length }] }),
      },
    };
  }

  /** POSTs one update like Telegram; answers the HTTP status. */
  async post(update: unknown): Promise<Response> {
    const res = await fetch(`${this.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res;
  }

  /** Sends one step of a user and resolves with its handling latency (POST → its last Bot API call). */
  async send(step: Step, userId: number): Promise<number> {
    const expected = this.expected[step];
    const sentAt = Date.now();
    const handled = new Promise<number>((resolve) => {
      if (expected === 0) return resolve(0);
      this.waiting.set(userId, { expected, got: 0, sentAt, done: (at) => resolve(at - sentAt) });
    });
    for (;;) {
      const res = await this.post(this.update(step, userId));
      if (res.status === 200) break;
      if (res.status !== 503) throw new Error(`${this.spec.name}: webhook answered ${res.status}`);
      await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
    }
    const latency = await handled;
    return expected === 0 ? Date.now() - sentAt : latency;
  }

  /** Learns how many Bot API calls each step makes, and the button to press, from one user. */
  async calibrate(userId: number): Promise<void> {
    for (const step of this.spec.steps) {
      const before = this.api.calls.length;
      await this.post(this.update(step, userId));
      let count = 0;
      let quietSince = Date.now();
      const deadline = Date.now() + 30_000;
      // Quiescence only here, to learn the counts; the measured runs wait for the counts.
      while (Date.now() < deadline) {
        const now = this.api.calls.slice(before).filter((c) => isFor(c, userId)).length;
        if (now !== count) {
          count = now;
          quietSince = Date.now();
        }
        if (count > 0 && Date.now() - quietSince > 600) break;
        await sleep(20);
      }
      this.expected[step] = count;
      if (step === 'start') {
        const markup = this.api.calls
          .slice(before)
          .find((c) => isFor(c, userId) && c.payload.reply_markup?.inline_keyboard)?.payload.reply_markup;
        const data = markup?.inline_keyboard?.flat().find((b: any) => b.callback_data)?.callback_data;
        if (data) this.button = data;
      }
    }
    this.stray = 0;
  }
}

function isFor(call: RecordedCall, userId: number): boolean {
  return (
    Number(call.payload.chat_id) === userId ||
    String(call.payload.callback_query_id ?? '').startsWith(`cb${userId}:`)
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]! : Number.NaN;

interface RunResult {
  updates: number;
  perSecond: number;
  p50: number;
  p95: number;
  cpuMsPerUpdate: number;
  /** This process (the load driver and the target's fake Bot API): the same work for every target. */
  driverCpuMsPerUpdate: number;
  pgCpuMsPerUpdate: number;
  queriesPerUpdate: number;
  transactionsPerUpdate: number;
  peakRssMb: number;
}

let nextUser = 100_000;

async function closedLoop(target: Target, users: number, admin?: pg.Client): Promise<RunResult> {
  const ids = Array.from({ length: users }, () => nextUser++);
  const latencies: number[] = [];
  const before = await target.stats(true);
  const pgBefore = await backendCpu(admin, target.db?.name);
  const started = performance.now();
  const driverBefore = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, users) }, async () => {
      while (next < ids.length) {
        const user = ids[next++]!;
        for (const step of target.spec.steps) latencies.push(await target.send(step, user));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  const after = await target.stats();
  if (values.queries && after.shapes.length) {
    console.log(`  ${target.spec.name}: queries per update by kind`);
    for (const [shape, count] of after.shapes)
      console.log(`    ${(count / (users * target.spec.steps.length)).toFixed(2)}  ${shape}`);
  }
  const pgAfter = await backendCpu(admin, target.db?.name);
  let pgCpu = 0;
  for (const [pid, ms] of pgAfter) pgCpu += ms - (pgBefore.get(pid) ?? 0);
  latencies.sort((a, b) => a - b);
  const n = latencies.length;
  return {
    updates: n,
    perSecond: n / seconds,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    cpuMsPerUpdate: (after.cpuMs - before.cpuMs) / n,
    driverCpuMsPerUpdate: (driver.user + driver.system) / 1000 / n,
    pgCpuMsPerUpdate: pgCpu / n,
    queriesPerUpdate: (after.queries - before.queries) / n,
    transactionsPerUpdate: (after.transactions - before.transactions) / n,
    peakRssMb: after.peakRss / 2 ** 20,
  };
}

interface BurstResult {
  acceptedPerSecond: number;
  handledPerSecond: number;
  busyAnswers: number;
  p50: number;
  peakRssMb: number;
  rssBeforeMb: number;
}

/** `count` updates (one step each: /help, or text for the baseline) posted as fast as 64 connections go. */
async function burst(target: Target, count: number): Promise<BurstResult> {
  const step: Step = 'help';
  const before = await target.stats(true);
  const users = Array.from({ length: count }, () => nextUser++);
  const latencies: number[] = [];
  const handled: Array<Promise<void>> = [];
  let busy = 0;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < users.length) {
        const user = users[next++]!;
        const sentAt = Date.now();
        handled.push(
          new Promise<void>((resolve) => {
            (target as any).waiting.set(user, {
              expected: target.expected[step],
              got: 0,
              sentAt,
              done: (at: number) => {
                latencies.push(at - sentAt);
                resolve();
              },
            });
          }),
        );
        for (;;) {
          const res = await target.post(target.update(step, user));
          if (res.status === 200) break;
          if (res.status !== 503) throw new Error(`${target.spec.name}: webhook answered ${res.status}`);
          busy++;
          await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
        }
      }
    }),
  );
  const acceptSeconds = (performance.now() - started) / 1000;
  await Promise.all(handled);
  const seconds = (performance.now() - started) / 1000;
  const after = await target.stats();
  latencies.sort((a, b) => a - b);
  return {
    acceptedPerSecond: count / acceptSeconds,
    handledPerSecond: count / seconds,
    busyAnswers: busy,
    p50: percentile(latencies, 0.5),
    peakRssMb: after.peakRss / 2 ** 20,
    rssBeforeMb: before.rss / 2 ** 20,
  };
}

/** dist/.tsbuildinfo newer than every file under src (a checkout other than this one). */
function builtIsCurrent(projectDir: string): boolean {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce(
      (latest, entry) =>
        Math.max(
          latest,
          entry.isDirectory()
            ? newest(path.join(dir, entry.name))
            : statSync(path.join(dir, entry.name)).mtimeMs,
        ),
      0,
    );
  const built = path.join(projectDir, 'dist/.tsbuildinfo');
  return existsSync(built) && statSync(built).mtimeMs >= newest(path.join(projectDir, 'src'));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const spread = (xs: number[], digits = 0) =>
  xs.length > 1 ? `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}` : '';

async function main() {
  const wanted = values.targets!.split(',');
  const specs = SPECS.filter((s) => wanted.includes(s.name));
  const coreAt = values['core-at'];
  if (coreAt) {
    const core = SPECS.find((s) => s.name === 'core')!;
    // The same script inside the other checkout, so that @botloom/core resolves to its code.
    const otherCore = path.resolve(coreAt, 'packages/core');
    const script = path.join(otherCore, 'bench/support/core-minimal-app.mjs');
    if (!existsSync(script)) {
      await copyFile(path.join(benchDir, 'support/core-minimal-app.mjs'), script);
      console.log(`(copied core-minimal-app.mjs into ${path.dirname(script)})`);
    }
    specs.splice(specs.indexOf(core) + 1, 0, {
      ...core,
      name: 'core-at',
      label: `core at ${coreAt}`,
      cwd: otherCore,
      builtScript: script,
      sourceScript: script,
      projects: [otherCore],
    });
  }
  console.log(
    `Hot path: ${ROUNDS} interleaved round(s) of ${USERS} users per target, ${IN_FLIGHT} users active at once (closed loop: one update per user in flight), then a burst of ${BURST} updates.\n` +
      `Telegram limits RELAXED: the fake Bot API answers at once and limits nothing; flood control and the per-user rate limit are raised out of the way. ` +
      `Machine: ${cpus().length} cores; PostgreSQL ${process.env.DATABASE_URL || process.env.TEST_DATABASE_URL ? 'server' : 'embedded'}.${QUICK ? ' QUICK mode: checks that it runs, figures mean nothing.' : ''}`,
  );
  const serverUrl = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  // Production runs built JavaScript (`npm start`); stale dist would measure old code, so then
  // the sources run through tsx (its loader and source maps cost CPU of their own).
  const stale = new Set(staleParts().stale.map((dir) => path.relative(repoDir, dir)));
  const builtFor = (spec: TargetSpec) => {
    if (values.source) return false;
    if (spec.name === 'core-at') return builtIsCurrent(spec.cwd);
    if (spec.projects === 'all') return stale.size === 0;
    return spec.projects.every((project) => !stale.has(project));
  };
  const targets = specs.map((s) => new Target(s, builtFor(s)));
  const anyStale = targets.some((t) => !t.built && t.spec.projects.length > 0 && t.spec.name !== 'core-at');
  console.log(
    `Runs: ${targets.map((t) => `${t.spec.name} ${t.built ? 'node, built JavaScript (dist)' : 'tsx, TypeScript sources'}`).join('; ')}` +
      (anyStale && !values.source
        ? ` (dist older than the sources: ${[...stale].join(', ')}; \`npx tsc -b\` to run built code)`
        : ''),
  );
  const results = new Map<string, RunResult[]>(specs.map((s) => [s.name, []]));
  const bursts = new Map<string, BurstResult>();
  const xactTotals = new Map<string, { before: number; updates: number }>();
  // One admin connection per PostgreSQL server: embedded, every target has its own cluster
  // (each with a `botloom` database), so a target's stats must come from its own server.
  const admins = new Map<string, pg.Client>();
  const adminFor = (target: Target) => admins.get(serverUrl ?? target.db?.url ?? '');
  // Ctrl+C: stop the child processes and drop the scratch databases before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled(targets.map((t) => t.stop())).then(() => process.exit(130));
    });
  }
  try {
    for (const target of targets) {
      const t = performance.now();
      await target.start();
      if (target.db && !adminFor(target)) {
        const admin = new pg.Client({ connectionString: serverUrl ?? target.db.url });
        await admin.connect();
        admins.set(serverUrl ?? target.db.url, admin);
      }
      await target.calibrate(nextUser++);
      console.log(
        `${target.spec.name}: ready in ${((performance.now() - t) / 1000).toFixed(1)} s; Bot API calls per step ${JSON.stringify(target.expected)}; button "${target.button}"`,
      );
    }
    // One unmeasured round per target first (JIT, connections, caches): measured first rounds
    // ran at less than half the rate of later ones.
    for (const target of targets) {
      const warm = await closedLoop(target, USERS, adminFor(target));
      console.log(
        `  warm-up ${target.spec.name.padEnd(9)} ${warm.perSecond.toFixed(0).padStart(5)} updates/s  cpu ${warm.cpuMsPerUpdate.toFixed(2)} ms/update (not counted)`,
      );
    }
    for (const target of targets) {
      xactTotals.set(target.spec.name, {
        before: await xacts(adminFor(target), target.db?.name),
        updates: 0,
      });
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        const result = await closedLoop(target, USERS, adminFor(target));
        results.get(target.spec.name)!.push(result);
        xactTotals.get(target.spec.name)!.updates += result.updates;
        console.log(
          `  round ${round} ${target.spec.name.padEnd(9)} ${result.perSecond.toFixed(0).padStart(5)} updates/s  p50 ${result.p50} ms  p95 ${result.p95} ms  ` +
            `cpu ${result.cpuMsPerUpdate.toFixed(2)} ms/update (+PG ${result.pgCpuMsPerUpdate.toFixed(2)}, driver ${result.driverCpuMsPerUpdate.toFixed(2)})  pg round trips ${result.queriesPerUpdate.toFixed(2)}/update`,
        );
      }
    }
    // Server-side transaction counts lag up to ~10 s (PostgreSQL flushes backend stats when idle).
    if (admins.size && !QUICK) await sleep(11_000);
    const serverXacts = new Map<string, number>();
    for (const target of targets) {
      const total = xactTotals.get(target.spec.name)!;
      if (target.db)
        serverXacts.set(
          target.spec.name,
          ((await xacts(adminFor(target), target.db.name)) - total.before) / total.updates,
        );
    }
    for (const target of targets) bursts.set(target.spec.name, await burst(target, BURST));

    const base = results.get('baseline') ?? [];
    const baseRate = base.length ? median(base.map((r) => r.perSecond)) : Number.NaN;
    const baseCpu = base.length ? median(base.map((r) => r.cpuMsPerUpdate)) : Number.NaN;
    console.log(
      '\n| target | updates/s (median, spread) | ratio vs baseline | p50 / p95 ms | CPU ms/update (app) | ratio | PG CPU ms/update | PG round trips/update | PG transactions/update (client; pg_stat_database) | peak RSS MB |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const target of targets) {
      const runs = results.get(target.spec.name)!;
      const rate = median(runs.map((r) => r.perSecond));
      const cpu = median(runs.map((r) => r.cpuMsPerUpdate));
      const server = serverXacts.get(target.spec.name);
      console.log(
        `| ${target.spec.label} | ${rate.toFixed(0)} (${spread(runs.map((r) => r.perSecond))}) | ${(rate / baseRate).toFixed(2)}x | ` +
          `${median(runs.map((r) => r.p50))} / ${median(runs.map((r) => r.p95))} | ${cpu.toFixed(2)} (${spread(
            runs.map((r) => r.cpuMsPerUpdate),
            2,
          )}) | ${(cpu / baseCpu).toFixed(1)}x | ` +
          `${target.db ? median(runs.map((r) => r.pgCpuMsPerUpdate)).toFixed(2) : '-'} | ${median(runs.map((r) => r.queriesPerUpdate)).toFixed(2)} | ` +
          `${median(runs.map((r) => r.transactionsPerUpdate)).toFixed(2)}; ${server === undefined ? '-' : server.toFixed(2)} | ${Math.max(...runs.map((r) => r.peakRssMb)).toFixed(0)} |`,
      );
    }
    const driverCpu = median([...results.values()].flat().map((r) => r.driverCpuMsPerUpdate));
    console.log(
      `The load driver and fake Bot API (this process, on the same cores; the same work for every target): ${driverCpu.toFixed(2)} CPU ms/update (median of all rounds).`,
    );
    console.log(`\nBurst: ${BURST} updates posted at once over 64 connections (/help; open loop).`);
    console.log(
      '| target | accepted/s | handled/s | 503 answers (backpressure) | reply p50 ms | RSS before → peak MB |',
    );
    console.log('|---|---|---|---|---|---|');
    for (const target of targets) {
      const b = bursts.get(target.spec.name)!;
      console.log(
        `| ${target.spec.label} | ${b.acceptedPerSecond.toFixed(0)} | ${b.handledPerSecond.toFixed(0)} | ${b.busyAnswers} | ${b.p50} | ${b.rssBeforeMb.toFixed(0)} → ${b.peakRssMb.toFixed(0)} |`,
      );
    }
    const strays = targets.filter((t) => t.stray > 0).map((t) => `${t.spec.name}: ${t.stray}`);
    if (strays.length) console.log(`Bot API calls not attributed to an update: ${strays.join(', ')}`);
    console.log(
      'Round trips: every pg query the process sent (BEGIN/COMMIT included, background jobs too); transactions: explicit ones plus single statements outside them.',
    );
  } finally {
    await Promise.allSettled([...admins.values()].map((admin) => admin.end()));
    for (const target of targets) await target.stop().catch(() => {});
  }
}

await main();
