import { fitKMeansParallel, type KMeansResult } from '@botloom/core';
import { silhouetteScore } from './metrics.js';
import { SeededRandom } from './random.js';

/** Segmentation clusters with core's KMeans (`fitKMeansParallel`): k-means++ restarts, seeded. */
export interface KMeansOptions {
  restarts: number;
  seed: number;
}

export type KMeansFit = KMeansResult;

export interface ChooseKOptions extends KMeansOptions {
  minK: number;
  maxK: number;
  /** Points sampled (seeded) for the silhouette score. */
  silhouetteSample: number;
}

export interface ChosenK {
  fit: KMeansResult;
  silhouette: number;
  /** Silhouette per tried k. */
  scores: Array<{ k: number; silhouette: number; inertia: number }>;
}

/** Tries k in [minK, maxK] and keeps the one with the best silhouette on a seeded sample. */
export async function chooseKBySilhouette(points: number[][], options: ChooseKOptions): Promise<ChosenK> {
  const maxK = Math.min(options.maxK, points.length - 1);
  if (maxK < options.minK) throw new RangeError(`Not enough points (${points.length}) to choose k`);
  const sample = new SeededRandom(options.seed).sampleIndices(points.length, options.silhouetteSample);
  let best: ChosenK | null = null;
  const scores: ChosenK['scores'] = [];
  for (let k = options.minK; k <= maxK; k++) {
    const fit = await fitKMeansParallel(points, { k, restarts: options.restarts, seed: options.seed });
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
