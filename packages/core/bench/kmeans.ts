/**
 * KMeans benchmark: core's KMeans against scikit-learn (the baseline, when installed) and
 * ml-kmeans, on the same seeded blobs, restarts and seed, in one run.
 *
 *   npm run bench:kmeans -w @botloom/core            # 100k × 12, k = 8, 10 restarts, 3 rounds
 *   npm run bench:kmeans -w @botloom/core -- --quick # small data, one round: checks that it runs
 *
 * Options: --n, --dims, --k, --restarts, --seed, --rounds, --skip-ml-kmeans, --python.
 * Ours and scikit-learn run interleaved, `rounds` times each; times are medians with the range.
 * scikit-learn uses its default threads (OpenMP, all cores), ours its worker threads (all cores).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kmeans as mlKmeans } from 'ml-kmeans';
import { fitKMeans, fitKMeansParallel, type KMeansMatrix, nearestCentroid } from '../src/analytics/kmeans.js';
import { generateBlobs, toRows } from './kmeans-data.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    n: { type: 'string' },
    dims: { type: 'string', default: '12' },
    k: { type: 'string', default: '8' },
    restarts: { type: 'string', default: '10' },
    seed: { type: 'string', default: '42' },
    rounds: { type: 'string' },
    'skip-ml-kmeans': { type: 'boolean', default: false },
    python: { type: 'string' },
  },
});
const quick = values.quick;
const N = Number(values.n ?? (quick ? 5_000 : 100_000));
const DIMS = Number(values.dims);
const K = Number(values.k);
const RESTARTS = Number(values.restarts);
const SEED = Number(values.seed);
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 3));
const here = path.dirname(fileURLToPath(import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s: number) => `${s.toFixed(2)} s`;
const spread = (xs: number[]) =>
  xs.length > 1 ? ` (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}, ${xs.length} runs)` : '';

/** The first Python that imports scikit-learn: --python, python3, then Debian's /usr/bin/python3. */
function findSklearnPython(): string | null {
  for (const python of values.python ? [values.python] : ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
      return python;
    } catch {}
  }
  return null;
}
const PYTHON = findSklearnPython();

interface SklearnRun {
  inertia: number;
  seconds: number;
  cpuSeconds: number;
  iterations: number;
  sklearn: string;
  threads: number | null;
}

function runSklearn(file: string): SklearnRun {
  const raw = execFileSync(
    PYTHON as string,
    [
      path.join(here, 'sklearn_kmeans.py'),
      file,
      String(N),
      String(DIMS),
      String(K),
      String(RESTARTS),
      String(SEED),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return JSON.parse(raw.trim().split('\n').pop() as string) as SklearnRun;
}

function mlKmeansFit(rows: number[][]): { inertia: number; seconds: number } {
  const started = performance.now();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < RESTARTS; r++) {
    const result = mlKmeans(rows, K, {
      initialization: 'kmeans++',
      seed: SEED + r * 7919,
      maxIterations: 300,
    });
    let inertia = 0;
    for (const row of rows) {
      const c = result.centroids[nearestCentroid(row, result.centroids)];
      for (let j = 0; j < DIMS; j++) inertia += (row[j] - c[j]) ** 2;
    }
    best = Math.min(best, inertia);
  }
  return { inertia: best, seconds: (performance.now() - started) / 1000 };
}

console.log(
  `\n## KMeans: ${N} points × ${DIMS}, k = ${K}, ${RESTARTS} restarts, seed ${SEED}${quick ? ' (--quick)' : ''}; ${os.availableParallelism()} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const blobs = generateBlobs(N, K, DIMS, SEED, { box: 2.5, spread: 1 });
const matrix: KMeansMatrix = { data: blobs.data, n: N, dims: DIMS };
const options = { k: K, restarts: RESTARTS, seed: SEED };
const tmp = await mkdtemp(path.join(os.tmpdir(), 'botloom-kmeans-'));
try {
  const file = path.join(tmp, 'points.f64');
  await writeFile(file, Buffer.from(blobs.data.buffer, blobs.data.byteOffset, blobs.data.byteLength));
  const haveSklearn = PYTHON !== null;
  if (!haveSklearn) console.log('scikit-learn not installed: baseline skipped');

  const ours: number[] = [];
  const oursCpu: number[] = [];
  const sk: SklearnRun[] = [];
  // One untimed call starts the worker threads and compiles the kernel in them, as in a running app.
  let fit = await fitKMeansParallel(matrix, options);
  for (let round = 0; round < ROUNDS; round++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    fit = await fitKMeansParallel(matrix, options);
    ours.push((performance.now() - started) / 1000);
    const used = process.cpuUsage(cpu);
    oursCpu.push((used.user + used.system) / 1e6);
    if (haveSklearn) sk.push(runSklearn(file));
  }
  const singleStarted = performance.now();
  const single = fitKMeans(matrix, options);
  const singleSeconds = (performance.now() - singleStarted) / 1000;
  if (single.inertia !== fit.inertia) throw new Error('fitKMeans and fitKMeansParallel disagree');

  const oursTime = median(ours);
  console.log(
    `botloom fitKMeansParallel  ${fmt(oursTime)}${spread(ours)}, inertia ${fit.inertia.toFixed(2)}, CPU ${fmt(median(oursCpu))}, ${fit.threads} threads (after one warm-up call)`,
  );
  console.log(`botloom fitKMeans (1 thread) ${fmt(singleSeconds)}, same inertia`);

  let ml: { inertia: number; seconds: number } | null = null;
  if (values['skip-ml-kmeans']) console.log('ml-kmeans skipped (--skip-ml-kmeans)');
  else {
    ml = mlKmeansFit(toRows(blobs.data, N, DIMS));
    console.log(`ml-kmeans 7 (1 thread)       ${fmt(ml.seconds)}, inertia ${ml.inertia.toFixed(2)}`);
    console.log(
      `  ours vs ml-kmeans: ${(ml.seconds / oursTime).toFixed(1)}× faster (${(ml.seconds / singleSeconds).toFixed(1)}× on one thread), inertia ratio ${(fit.inertia / ml.inertia).toFixed(6)}`,
    );
  }

  if (haveSklearn) {
    const skTime = median(sk.map((r) => r.seconds));
    const skInertia = Math.min(...sk.map((r) => r.inertia));
    const timeRatio = oursTime / skTime;
    const inertiaRatio = fit.inertia / skInertia;
    console.log(
      `scikit-learn ${sk[0].sklearn} (lloyd, ${sk[0].threads ?? '?'} threads) ${fmt(skTime)}${spread(sk.map((r) => r.seconds))}, inertia ${skInertia.toFixed(2)}, CPU ${fmt(median(sk.map((r) => r.cpuSeconds)))}`,
    );
    console.log(
      `  time ratio    ${timeRatio.toFixed(2)}× scikit-learn (goal ≤ 1.5) ${timeRatio <= 1.5 ? 'OK' : 'ABOVE GOAL'}; one thread ${(singleSeconds / skTime).toFixed(2)}×; CPU ${(median(oursCpu) / median(sk.map((r) => r.cpuSeconds))).toFixed(2)}×`,
    );
    console.log(
      `  inertia ratio ${inertiaRatio.toFixed(6)} (goal ≤ 1.01) ${inertiaRatio <= 1.01 ? 'OK' : 'ABOVE GOAL'}`,
    );
  } else if (ml) {
    console.log(`  baseline: ml-kmeans; time ratio ${(oursTime / ml.seconds).toFixed(3)}× ml-kmeans`);
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
