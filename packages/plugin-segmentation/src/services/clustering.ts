import { runKMeans, toPointMatrix } from './kmeans-hamerly.js';
import { silhouetteScore } from './metrics.js';
import { SeededRandom } from './random.js';

export interface KMeansOptions {
  /** Independent k-means++ starts; the one with the lowest inertia is kept. */
  restarts: number;
  seed: number;
  maxIterations?: number;
  tolerance?: number;
}

export interface KMeansFit {
  k: number;
  labels: Int32Array;
  centroids: number[][];
  inertia: number;
  /** Inertia of every restart, in order (diagnostics and tests). */
  restartInertias: number[];
  iterations: number;
}

/**
 * KMeans with greedy k-means++ initialisation and Hamerly-accelerated Lloyd iterations
 * (kmeans-hamerly.ts), `restarts` seeded starts, keeping the lowest inertia. Same input and seed
 * give the same result.
 */
export function fitKMeans(points: number[][], k: number, options: KMeansOptions): KMeansFit {
  if (points.length < k) throw new RangeError(`KMeans needs at least k=${k} points, got ${points.length}`);
  const matrix = toPointMatrix(points);
  let best: KMeansFit | null = null;
  const restartInertias: number[] = [];
  for (let r = 0; r < options.restarts; r++) {
    const run = runKMeans(matrix, k, options.seed + r * 7919, {
      maxIterations: options.maxIterations ?? 300,
      tolerance: options.tolerance ?? 1e-8,
    });
    restartInertias.push(run.inertia);
    if (best === null || run.inertia < best.inertia) {
      const centroids: number[][] = [];
      for (let c = 0; c < k; c++)
        centroids.push(Array.from(run.centroids.subarray(c * matrix.dims, (c + 1) * matrix.dims)));
      best = {
        k,
        labels: run.labels,
        centroids,
        inertia: run.inertia,
        restartInertias,
        iterations: run.iterations,
      };
    }
  }
  return best as KMeansFit;
}

export interface ChooseKOptions extends KMeansOptions {
  minK: number;
  maxK: number;
  /** Points sampled (seeded) for the silhouette score. */
  silhouetteSample: number;
}

export interface ChosenK {
  fit: KMeansFit;
  silhouette: number;
  /** Silhouette per tried k. */
  scores: Array<{ k: number; silhouette: number; inertia: number }>;
}

/** Tries k in [minK, maxK] and keeps the one with the best silhouette on a seeded sample. */
export function chooseKBySilhouette(points: number[][], options: ChooseKOptions): ChosenK {
  const maxK = Math.min(options.maxK, points.length - 1);
  if (maxK < options.minK) throw new RangeError(`Not enough points (${points.length}) to choose k`);
  const sample = new SeededRandom(options.seed).sampleIndices(points.length, options.silhouetteSample);
  let best: ChosenK | null = null;
  const scores: ChosenK['scores'] = [];
  for (let k = options.minK; k <= maxK; k++) {
    const fit = fitKMeans(points, k, options);
    const silhouette = silhouetteScore(points, fit.labels, sample);
    scores.push({ k, silhouette, inertia: fit.inertia });
    if (best === null || silhouette > best.silhouette) best = { fit, silhouette, scores };
  }
  return best as ChosenK;
}

export interface Scaler {
  transforms: Array<'log1p' | 'identity'>;
  mean: number[];
  std: number[];
}

/** Fits a standardiser (optional log1p per column, then z-score; constant columns keep std 1). */
export function fitScaler(rows: number[][], transforms: Array<'log1p' | 'identity'>): Scaler {
  const d = transforms.length;
  const mean = new Array(d).fill(0);
  const m2 = new Array(d).fill(0);
  let n = 0;
  for (const row of rows) {
    n++;
    for (let j = 0; j < d; j++) {
      const x = transforms[j] === 'log1p' ? Math.log1p(Math.max(0, row[j])) : row[j];
      const delta = x - mean[j];
      mean[j] += delta / n;
      m2[j] += delta * (x - mean[j]);
    }
  }
  const std = m2.map((v) => {
    const s = Math.sqrt(v / Math.max(1, n));
    return s > 1e-12 ? s : 1;
  });
  return { transforms, mean, std };
}

export function scaleRow(row: number[], scaler: Scaler): number[] {
  return row.map((value, j) => {
    const x = scaler.transforms[j] === 'log1p' ? Math.log1p(Math.max(0, value)) : value;
    return (x - scaler.mean[j]) / scaler.std[j];
  });
}
