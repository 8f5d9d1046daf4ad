import { kmeans } from 'ml-kmeans';
import { inertia as inertiaOf, nearestCentroid } from '../src/services/metrics.js';

/**
 * The previous implementation (ml-kmeans, k-means++, the same restart seeds), kept as the
 * baseline for the bench and the inertia-parity test.
 */
export function fitWithMlKmeans(
  points: number[][],
  k: number,
  options: { restarts: number; seed: number; maxIterations?: number; tolerance?: number },
): { inertia: number; labels: Int32Array; centroids: number[][] } {
  let best: { inertia: number; labels: Int32Array; centroids: number[][] } | null = null;
  for (let r = 0; r < options.restarts; r++) {
    const result = kmeans(points, k, {
      initialization: 'kmeans++',
      seed: options.seed + r * 7919,
      maxIterations: options.maxIterations ?? 300,
      tolerance: options.tolerance ?? 1e-8,
    });
    const labels = new Int32Array(points.length);
    for (let i = 0; i < points.length; i++) labels[i] = nearestCentroid(points[i], result.centroids).index;
    const value = inertiaOf(points, labels, result.centroids);
    if (best === null || value < best.inertia) best = { inertia: value, labels, centroids: result.centroids };
  }
  if (best === null) throw new RangeError('restarts must be ≥ 1');
  return best;
}
