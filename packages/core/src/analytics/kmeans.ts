import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type KMeansRestartResult,
  kmeansPlusPlus,
  kmeansRestart,
  lloydHamerly,
  seededUniform,
} from './kmeans-kernel.js';

/** Points as one row-major Float64Array: point i is data[i*dims .. i*dims+dims). */
export interface KMeansMatrix {
  data: Float64Array;
  n: number;
  dims: number;
}

export type KMeansInput = readonly (readonly number[])[] | KMeansMatrix;

export interface KMeansOptions {
  k: number;
  /** Independent k-means++ starts; the lowest inertia wins (scikit-learn's n_init). Default 10. */
  restarts?: number;
  /** Restart r uses seed + r × 7919. Same input, k and seed give the same result. Default 0. */
  seed?: number;
  /** Per restart. Default 300. */
  maxIterations?: number;
  /**
   * Stop when the summed squared centre shift is ≤ tolerance × the mean feature variance
   * (scikit-learn's `tol`). Default 1e-4.
   */
  tolerance?: number;
  /**
   * Warm start: with more than twice this many points, each restart starts and iterates on a
   * seeded sample of this size, then refines on all points. 0 always uses all points. Default 10 000.
   */
  sampleSize?: number;
  /**
   * Worker threads for the restarts (fitKMeansParallel only). Default: the available cores, at
   * most the restarts; small inputs run in the calling thread.
   */
  threads?: number;
}

export interface KMeansResult {
  k: number;
  /** k rows of `dims` values. */
  centroids: number[][];
  /** Index of the nearest centroid of every point. */
  labels: Int32Array;
  /** Sum of squared distances to the nearest centroid. */
  inertia: number;
  /** Lloyd iterations of the winning restart. */
  iterations: number;
  /** Inertia of every restart, in restart order. */
  restartInertias: number[];
  /** Threads that ran the restarts (1: the calling thread). */
  threads: number;
}

const RESTART_SEED_STEP = 7919;
// Below this much work (points × dims × k × restarts) starting workers costs more than it saves.
const PARALLEL_MIN_WORK = 4_000_000;

interface Prepared extends KMeansMatrix {
  k: number;
  restarts: number;
  seed: number;
  maxIterations: number;
  absoluteTolerance: number;
  sampleSize: number;
}

/**
 * KMeans: greedy k-means++ starts and Lloyd iterations accelerated with Hamerly's bounds, over a
 * flat Float64Array, in the calling thread. Deterministic for a seed. For large inputs prefer
 * {@link fitKMeansParallel}, which gives the same result faster.
 */
export function fitKMeans(points: KMeansInput, options: KMeansOptions): KMeansResult {
  return runInThisThread(prepare(points, options));
}

function runInThisThread(p: Prepared): KMeansResult {
  const runs: KMeansRestartResult[] = [];
  for (let r = 0; r < p.restarts; r++)
    runs.push(
      kmeansRestart(
        p.data,
        p.n,
        p.dims,
        p.k,
        restartSeed(p, r),
        p.maxIterations,
        p.absoluteTolerance,
        p.sampleSize,
      ),
    );
  return pick(p, runs, 1);
}

/** {@link fitKMeans} with the restarts spread over worker threads; the result is identical. */
export async function fitKMeansParallel(points: KMeansInput, options: KMeansOptions): Promise<KMeansResult> {
  const p = prepare(points, options);
  const available =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const wanted = options.threads ?? (p.n * p.dims * p.k * p.restarts < PARALLEL_MIN_WORK ? 1 : available);
  const threads = Math.max(1, Math.min(Math.floor(wanted), p.restarts));
  if (threads === 1) return runInThisThread(p);

  const shared = new SharedArrayBuffer(p.n * p.dims * Float64Array.BYTES_PER_ELEMENT);
  new Float64Array(shared).set(p.data);
  const runs = await Promise.all(
    Array.from({ length: p.restarts }, (_, r) =>
      workerPool.run(threads, {
        buffer: shared,
        n: p.n,
        dims: p.dims,
        k: p.k,
        seed: restartSeed(p, r),
        maxIterations: p.maxIterations,
        tolerance: p.absoluteTolerance,
        sampleSize: p.sampleSize,
      }),
    ),
  );
  return pick(p, runs, threads);
}

/** Index of the centroid nearest to `point` (squared Euclidean distance). */
export function nearestCentroid(point: readonly number[], centroids: readonly (readonly number[])[]): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centroids.length; c++) {
    let s = 0;
    for (let j = 0; j < point.length; j++) {
      const d = point[j] - centroids[c][j];
      s += d * d;
    }
    if (s < bestDistance) {
      bestDistance = s;
      best = c;
    }
  }
  return best;
}

function restartSeed(p: Prepared, r: number): number {
  return (p.seed + r * RESTART_SEED_STEP) >>> 0;
}

function isMatrix(points: KMeansInput): points is KMeansMatrix {
  return (points as KMeansMatrix).data instanceof Float64Array;
}

function prepare(points: KMeansInput, options: KMeansOptions): Prepared {
  const matrix = isMatrix(points) ? points : toMatrix(points);
  const { k } = options;
  const restarts = options.restarts ?? 10;
  const maxIterations = options.maxIterations ?? 300;
  const tolerance = options.tolerance ?? 1e-4;
  const sampleSize = options.sampleSize ?? 10_000;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`KMeans needs an integer k ≥ 1, got ${k}`);
  if (matrix.n < k) throw new RangeError(`KMeans needs at least k=${k} points, got ${matrix.n}`);
  if (matrix.dims < 1) throw new RangeError('KMeans needs points with at least one value');
  if (matrix.data.length !== matrix.n * matrix.dims)
    throw new RangeError(
      `KMeans matrix holds ${matrix.data.length} values, expected ${matrix.n}×${matrix.dims}`,
    );
  if (!Number.isInteger(restarts) || restarts < 1)
    throw new RangeError(`restarts must be ≥ 1, got ${restarts}`);
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new RangeError(`maxIterations must be ≥ 1, got ${maxIterations}`);
  if (!(tolerance >= 0)) throw new RangeError(`tolerance must be ≥ 0, got ${tolerance}`);
  if (!Number.isInteger(sampleSize) || sampleSize < 0)
    throw new RangeError(`sampleSize must be an integer ≥ 0, got ${sampleSize}`);
  return {
    ...matrix,
    k,
    restarts,
    seed: options.seed ?? 0,
    maxIterations,
    absoluteTolerance: tolerance * meanVariance(matrix),
    sampleSize,
  };
}

function toMatrix(points: readonly (readonly number[])[]): KMeansMatrix {
  const n = points.length;
  const dims = n === 0 ? 0 : points[0].length;
  const data = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    const row = points[i];
    if (row.length !== dims) throw new RangeError(`Point ${i} has ${row.length} values, expected ${dims}`);
    for (let j = 0; j < dims; j++) {
      const x = row[j];
      if (!Number.isFinite(x)) throw new RangeError(`Point ${i} has a non-finite value at ${j}`);
      data[i * dims + j] = x;
    }
  }
  return { data, n, dims };
}

function meanVariance({ data, n, dims }: KMeansMatrix): number {
  let total = 0;
  for (let j = 0; j < dims; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += data[i * dims + j];
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) {
      const d = data[i * dims + j] - mean;
      v += d * d;
    }
    total += v / n;
  }
  return total / dims;
}

/** The lowest inertia wins; ties go to the earlier restart, so the thread count never matters. */
function pick(p: Prepared, runs: KMeansRestartResult[], threads: number): KMeansResult {
  let best = 0;
  for (let r = 1; r < runs.length; r++) if (runs[r].inertia < runs[best].inertia) best = r;
  const win = runs[best];
  const centroids: number[][] = [];
  for (let c = 0; c < p.k; c++)
    centroids.push(Array.from(win.centroids.subarray(c * p.dims, (c + 1) * p.dims)));
  return {
    k: p.k,
    centroids,
    labels: win.labels,
    inertia: win.inertia,
    iterations: win.iterations,
    restartInertias: runs.map((r) => r.inertia),
    threads,
  };
}

interface RestartJob {
  buffer: SharedArrayBuffer;
  n: number;
  dims: number;
  k: number;
  seed: number;
  maxIterations: number;
  tolerance: number;
  sampleSize: number;
}

/**
 * Worker threads kept between calls, so each compiles the kernel once (the JIT warm-up costs as
 * much as a few restarts). Idle workers are unref'd and never keep the process alive.
 */
class KMeansWorkerPool {
  private readonly idle: Worker[] = [];
  private size = 0;
  private readonly queue: Array<{
    job: RestartJob;
    resolve: (r: KMeansRestartResult) => void;
    reject: (e: Error) => void;
  }> = [];

  run(threads: number, job: RestartJob): Promise<KMeansRestartResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump(threads);
    });
  }

  private pump(threads: number): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker) {
        if (this.size >= threads) return;
        worker = new Worker(WORKER_SOURCE, { eval: true });
        this.size++;
      }
      const task = this.queue.shift() as (typeof this.queue)[number];
      const w = worker;
      w.ref();
      const settle = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (result: KMeansRestartResult) => {
        settle();
        w.unref();
        this.idle.push(w);
        task.resolve(result);
        this.pump(threads);
      };
      const onError = (error: Error) => {
        settle();
        this.size--;
        void w.terminate();
        task.reject(error);
        this.pump(threads);
      };
      const onExit = (code: number) => onError(new Error(`KMeans worker exited with code ${code}`));
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage(task.job);
    }
  }
}

const workerPool = new KMeansWorkerPool();

// The worker runs the kernel's own functions from their source text, so it needs no file on disk
// and works the same from TypeScript sources (tsx, vitest) and from the built JavaScript.
// `__name` is the helper esbuild-based loaders insert for function names.
const WORKER_SOURCE = `'use strict';
var __name = (target) => target;
const { parentPort } = require('node:worker_threads');
${seededUniform.toString()}
${kmeansPlusPlus.toString()}
${lloydHamerly.toString()}
${kmeansRestart.toString()}
parentPort.on('message', (job) => {
  const r = kmeansRestart(new Float64Array(job.buffer), job.n, job.dims, job.k, job.seed, job.maxIterations, job.tolerance, job.sampleSize);
  parentPort.postMessage(r, [r.centroids.buffer, r.labels.buffer]);
});
`;
