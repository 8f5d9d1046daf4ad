/**
 * Startup benchmark of the reference app, against a bare grammY + Koa webhook process:
 *
 * - cold start, from spawning `npm start` (the user's command: the build check, then the built
 *   JavaScript) to the first 200 from /readyz: embedded PostgreSQL on a fresh data folder (first
 *   boot: initdb and every migration) and on the same folder again (second boot), and a server
 *   database (a scratch database, first and second boot), plus `npm start` from the repository
 *   root (what the README says to run) and `node dist/bundle/main.mjs` without npm on the server
 *   database; each second boot also unbundled (BOTLOOM_UNBUNDLED=1: dist/src/main.js), the
 *   bundle's baseline in the same run;
 * - idle memory: RSS and V8 heap a few seconds after the second boot's banner (from /metrics),
 *   against the bare process's `process.memoryUsage()`;
 * - install footprint: node_modules and each package's production dependency tree
 *   (scripts/install-footprint.mjs), against grammy + koa.
 *
 * Runs are interleaved (bare, then the app's scenarios, round after round); the output gives the
 * median, the spread and the ratio to the baseline.
 *
 *   npm run bench -w @botloom/reference-app                 # 2 rounds
 *   npm run bench -w @botloom/reference-app -- --quick      # 1 round, only checks that it runs
 *   npm run bench -w @botloom/reference-app -- --with-dev   # also `npm run dev` (tsx, sources)
 *
 * Server database: BENCH_DATABASE_URL, TEST_DATABASE_URL or DATABASE_URL (a scratch database per
 * round, dropped after); without one the server rows are skipped.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { installFootprint, mb, printFootprint } from '../../../scripts/install-footprint.mjs';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'with-dev': { type: 'boolean', default: false },
    'idle-seconds': { type: 'string', default: '5' },
  },
});
const QUICK = values.quick;
const ROUNDS = Number(values.rounds ?? (QUICK ? 1 : 2));
const IDLE_MS = Number(values['idle-seconds']) * 1000;
const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = path.resolve(appDir, '..', '..');
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;

type Command = { label: string; cmd: string; args: string[]; cwd?: string };
const NPM_START: Command = { label: 'npm start', cmd: 'npm', args: ['start', '--silent'] };
const ROOT_NPM_START: Command = { ...NPM_START, label: 'npm start (repository root)', cwd: rootDir };
// What `npm start` runs, without npm: the bundle (bundle.mjs).
const NODE_DIST: Command = {
  label: 'node dist/bundle/main.mjs',
  cmd: process.execPath,
  args: ['dist/bundle/main.mjs'],
};
/** `npm start` running the unbundled JavaScript (dist/src/main.js): the bundle's baseline, in the same run. */
const UNBUNDLED = { BOTLOOM_UNBUNDLED: '1' };
const NPM_DEV: Command = { label: 'npm run dev (tsx)', cmd: 'npm', args: ['run', 'dev', '--silent'] };
const BARE: Command = { label: 'bare grammY + Koa', cmd: process.execPath, args: ['bench/bare-grammy.mjs'] };

type Boot = {
  readyMs: number;
  bannerMs?: number;
  rssBytes?: number;
  heapBytes?: number;
  /**
   * The app's own account of its boot (ready log line): total, the steps of 20 ms or more, and
   * the phases from the process start (imports, createApp, each plugin's services and start).
   */
  steps?: { ms: number; stepsMs: Record<string, number>; phasesMs?: Record<string, number> };
};

function bootSteps(output: string): Boot['steps'] {
  const line = output.split('\n').find((l) => l.includes('"stepsMs"'));
  if (!line) return undefined;
  try {
    const { ms, stepsMs, phasesMs } = JSON.parse(line) as NonNullable<Boot['steps']>;
    return { ms, stepsMs, phasesMs };
  } catch {
    return undefined;
  }
}

/** One scenario's phases, medians over its runs: before node (spawn, npm), imports, createApp, boot. */
function phaseLine(runs: Boot[]): string | undefined {
  const withPhases = runs.filter((r) => r.steps?.phasesMs);
  if (withPhases.length === 0) return undefined;
  const med = (pick: (r: Boot) => number | undefined) => {
    const xs = withPhases.map(pick).filter((x): x is number => x !== undefined);
    return xs.length ? Math.round(median(xs)) : undefined;
  };
  const phase = (name: string) => med((r) => r.steps!.phasesMs![name]);
  // Spawn to the node process's start: npm and the build check (and node's own start-up).
  const beforeNode = med((r) => r.readyMs - (r.steps!.phasesMs!.sinceProcessStart ?? r.readyMs));
  const plugins = Object.keys(withPhases.at(-1)!.steps!.phasesMs!)
    .filter((key) => key.startsWith('services ') || key.startsWith('start '))
    .map((key) => [key, phase(key) ?? 0] as const)
    .filter(([, ms]) => ms >= 10)
    .sort((a, b) => b[1] - a[1])
    .map(([key, ms]) => `${key} ${ms}`);
  return (
    `spawn→node ${beforeNode ?? '?'} ms, imports ${phase('imports')} (CPU ${phase('importsCpu') ?? '?'}), ` +
    `createApp ${phase('createApp')}, boot ${phase('boot')} ms; CPU until ready ${phase('cpu') ?? '?'} ms` +
    (plugins.length ? ` (plugins ≥10 ms: ${plugins.join(', ')})` : '')
  );
}

/**
 * The first boot prepares the sandbox demo in the background (1,500 synthetic clients segmented):
 * the bench lets it finish, or the second boot would redo it during its idle measurement.
 */
const FIRST_BOOT_DONE = /sandbox demo: synthetic segmentation data imported/;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function ok(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Stops the process group (npm, its shell and node) with SIGINT, as Ctrl+C does. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, 'SIGINT');
  } catch {}
  const killed = await Promise.race([exited.then(() => false), sleep(60_000).then(() => true)]);
  if (killed) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
    await exited;
  }
}

/**
 * Spawns `command`, polls /readyz until it answers 200, then (with `idle`) waits for the banner
 * and `IDLE_MS` more and reads the memory figures. The process is stopped before returning.
 */
async function boot(
  command: Command,
  env: Record<string, string>,
  idle: boolean,
  waitFor?: RegExp,
): Promise<Boot> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(command.cmd, command.args, {
    cwd: command.cwd ?? appDir,
    detached: true,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let bannerMs: number | undefined;
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    if (bannerMs === undefined && output.includes('Stop with Ctrl+C')) bannerMs = performance.now() - started;
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const base = `http://127.0.0.1:${port}`;
  try {
    let readyMs: number | undefined;
    while (readyMs === undefined) {
      if (child.exitCode !== null)
        throw new Error(`${command.label} exited with ${child.exitCode}:\n${output}`);
      if (performance.now() - started > 180_000)
        throw new Error(`${command.label} not ready in 180 s:\n${output}`);
      if (await ok(`${base}/readyz`)) readyMs = performance.now() - started;
      else await sleep(20);
    }
    const result: Boot = { readyMs, bannerMs };
    // The ready log line is written as /readyz turns 200; give the pipe a moment to deliver it.
    for (let i = 0; i < 50 && command !== BARE && !output.includes('"stepsMs"'); i += 1) await sleep(100);
    result.steps = bootSteps(output);
    if (waitFor) {
      const waitStarted = performance.now();
      while (!waitFor.test(output) && performance.now() - waitStarted < 240_000) {
        if (child.exitCode !== null) throw new Error(`${command.label} exited:\n${output}`);
        await sleep(200);
      }
    }
    if (!idle) return result;
    if (command !== BARE) {
      while (bannerMs === undefined) {
        if (child.exitCode !== null) throw new Error(`${command.label} exited:\n${output}`);
        await sleep(50);
      }
      result.bannerMs = bannerMs;
    }
    await sleep(IDLE_MS);
    if (command === BARE) {
      const memory = (await (await fetch(`${base}/memory`)).json()) as { rss: number; heapUsed: number };
      result.rssBytes = memory.rss;
      result.heapBytes = memory.heapUsed;
    } else {
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const read = (name: string) => Number(metrics.match(new RegExp(`^${name} (\\S+)`, 'm'))?.[1]);
      result.rssBytes = read('botloom_process_resident_memory_bytes');
      result.heapBytes = read('botloom_nodejs_heap_size_used_bytes');
    }
    return result;
  } finally {
    await stop(child);
  }
}

async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> } | undefined> {
  if (!serverUrl) return undefined;
  const name = `botloom_startup_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

async function dataFolder(): Promise<{ dir: string; remove(): Promise<void> }> {
  const parent = await mkdtemp(path.join(tmpdir(), 'botloom-bench-startup-'));
  // Embedded PostgreSQL runs as the `postgres` user when we are root: it must reach the folder.
  await chmod(parent, 0o755);
  return { dir: path.join(parent, 'data'), remove: () => rm(parent, { recursive: true, force: true }) };
}

const samples = new Map<string, Boot[]>();
function record(name: string, result: Boot): void {
  samples.set(name, [...(samples.get(name) ?? []), result]);
  const extra =
    result.rssBytes !== undefined ? `, RSS ${mb(result.rssBytes)}, heap ${mb(result.heapBytes ?? 0)}` : '';
  console.log(`  ${name}: ready in ${(result.readyMs / 1000).toFixed(2)} s${extra}`);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summary(xs: number[], unit: (x: number) => string): string {
  if (xs.length === 0) return '-';
  const spread = xs.length > 1 ? ` (${unit(Math.min(...xs))}–${unit(Math.max(...xs))})` : '';
  return `${unit(median(xs))}${spread}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<void> {
  console.log(
    `Startup bench: ${ROUNDS} round(s)${QUICK ? ' (--quick: checks that it runs)' : ''}, idle ${IDLE_MS / 1000} s; server database: ${serverUrl ? 'yes' : 'none (rows skipped)'}`,
  );
  // The build check `npm start` runs first; a real build here would distort the first round.
  const ensure = path.join(rootDir, 'scripts', 'ensure-built.mjs');
  const built = spawnSync(process.execPath, [ensure], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('the build failed');
  const checkStarted = performance.now();
  spawnSync(process.execPath, [ensure, '--check']);
  console.log(`build check when nothing changed: ${seconds(performance.now() - checkStarted)}`);

  for (let round = 1; round <= ROUNDS; round += 1) {
    console.log(`round ${round}/${ROUNDS}`);
    record('bare grammY', await boot(BARE, {}, true));
    const folder = await dataFolder();
    try {
      record(
        'embedded PG, first boot',
        await boot(NPM_START, { BOTLOOM_DATA_DIR: folder.dir }, false, FIRST_BOOT_DONE),
      );
      // Bundled and unbundled second boots take turns going first: the first run after the
      // first boot meets PostgreSQL still settling its writes.
      const secondBoots = [
        async () =>
          record('embedded PG, second boot', await boot(NPM_START, { BOTLOOM_DATA_DIR: folder.dir }, true)),
        async () =>
          record(
            'embedded PG, second boot, unbundled',
            await boot(NPM_START, { BOTLOOM_DATA_DIR: folder.dir, ...UNBUNDLED }, true),
          ),
      ];
      for (const run of round % 2 ? secondBoots : secondBoots.reverse()) await run();
      if (values['with-dev']) {
        record('embedded PG, second boot, tsx', await boot(NPM_DEV, { BOTLOOM_DATA_DIR: folder.dir }, true));
      }
    } finally {
      await folder.remove();
    }
    const db = await scratchDatabase();
    if (db) {
      const serverFolder = await dataFolder();
      const env = { DATABASE_URL: db.url, BOTLOOM_DATA_DIR: serverFolder.dir };
      try {
        record('server DB, first boot', await boot(NPM_START, env, false, FIRST_BOOT_DONE));
        const serverSecondBoots = [
          async () => record('server DB, second boot', await boot(NPM_START, env, false)),
          async () =>
            record(
              'server DB, second boot, unbundled',
              await boot(NPM_START, { ...env, ...UNBUNDLED }, false),
            ),
        ];
        for (const run of round % 2 ? serverSecondBoots : serverSecondBoots.reverse()) await run();
        record('server DB, second boot, npm start at the root', await boot(ROOT_NPM_START, env, false));
        record('server DB, second boot, without npm', await boot(NODE_DIST, env, false));
        if (values['with-dev']) record('server DB, second boot, tsx', await boot(NPM_DEV, env, false));
      } finally {
        await db.drop();
        await serverFolder.remove();
      }
    }
  }

  const bare = samples.get('bare grammY')!;
  const bareReady = median(bare.map((s) => s.readyMs));
  const bareRss = median(bare.map((s) => s.rssBytes!));
  const bareHeap = median(bare.map((s) => s.heapBytes!));
  console.log('\nCold start, spawn to the first 200 from /readyz (median, min–max):');
  for (const [name, runs] of samples) {
    const ready = runs.map((s) => s.readyMs);
    const ratio = median(ready) / bareReady;
    const banner = runs.filter((s) => s.bannerMs !== undefined).map((s) => s.bannerMs!);
    console.log(
      `  ${name.padEnd(40)} ${summary(ready, seconds).padEnd(24)} ${name === 'bare grammY' ? 'baseline' : `${ratio.toFixed(1)}x bare`}` +
        (banner.length ? `; banner printed at ${summary(banner, seconds)}` : ''),
    );
  }
  console.log(
    "\nPhases from the spawn (the app's ready log, medians): npm and node's start, the imports until createApp, createApp, the boot steps:",
  );
  for (const [name, runs] of samples) {
    const line = phaseLine(runs);
    if (line) console.log(`  ${name.padEnd(40)} ${line}`);
  }
  console.log("\nWhere the boot goes (the app's ready log, last run of each scenario):");
  for (const [name, runs] of samples) {
    const steps = runs.at(-1)?.steps;
    if (!steps) continue;
    const top = Object.entries(steps.stepsMs)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([step, ms]) => `${step} ${ms}`)
      .join(', ');
    console.log(`  ${name.padEnd(40)} boot ${steps.ms} ms: ${top}`);
  }
  console.log(`\nIdle memory, ${IDLE_MS / 1000} s after ready (median):`);
  for (const [name, runs] of samples) {
    const withMemory = runs.filter((s) => s.rssBytes !== undefined);
    if (withMemory.length === 0) continue;
    const rss = median(withMemory.map((s) => s.rssBytes!));
    const heap = median(withMemory.map((s) => s.heapBytes!));
    console.log(
      `  ${name.padEnd(40)} RSS ${summary(
        withMemory.map((s) => s.rssBytes!),
        mb,
      ).padEnd(26)} heap used ${mb(heap)}` +
        (name === 'bare grammY'
          ? ' (baseline)'
          : `; ${(rss / bareRss).toFixed(1)}x bare RSS, ${(heap / bareHeap).toFixed(1)}x bare heap`),
    );
  }
  console.log('\nInstall footprint:');
  printFootprint(installFootprint(), (line: string) => console.log(`  ${line}`));
}

await main();
