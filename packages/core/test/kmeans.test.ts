import { kmeans as mlKmeans } from 'ml-kmeans';
import { describe, expect, it } from 'vitest';
import { generateBlobs, toRows } from '../bench/kmeans-data.js';
import { fitKMeans, fitKMeansParallel, type KMeansResult, nearestCentroid } from '../src/index.js';

function inertiaOf(rows: number[][], labels: ArrayLike<number>, centroids: number[][]): number {
  let sum = 0;
  for (let i = 0; i < rows.length; i++)
    for (let j = 0; j < rows[i].length; j++) sum += (rows[i][j] - centroids[labels[i]][j]) ** 2;
  return sum;
}

/** ml-kmeans with the same restart seeds, best inertia of its own centroids. */
function mlKmeansInertia(rows: number[][], k: number, restarts: number, seed: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < restarts; r++) {
    const { centroids } = mlKmeans(rows, k, { initialization: 'kmeans++', seed: seed + r * 7919 });
    best = Math.min(
      best,
      inertiaOf(
        rows,
        rows.map((row) => nearestCentroid(row, centroids)),
        centroids,
      ),
    );
  }
  return best;
}

function sameFit(a: KMeansResult, b: KMeansResult): void {
  expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
  expect(b.centroids).toEqual(a.centroids);
  expect(b.restartInertias).toEqual(a.restartInertias);
  expect(b.inertia).toBe(a.inertia);
}

describe('KMeans (core)', () => {
  it('recovers well-separated blobs: every generated cluster is exactly one found cluster', () => {
    const blobs = generateBlobs(3000, 5, 12, 11, { box: 8, spread: 1 });
    const fit = fitKMeans(toRows(blobs.data, blobs.n, blobs.dims), { k: 5, restarts: 5, seed: 3 });
    const found = new Map<number, number>();
    for (let i = 0; i < blobs.n; i++) {
      const truth = blobs.labels[i];
      if (!found.has(truth)) found.set(truth, fit.labels[i]);
      expect(fit.labels[i]).toBe(found.get(truth));
    }
    expect(new Set(found.values()).size).toBe(5);
    // Every found centroid is near its generating centre.
    for (const [truth, label] of found) {
      const centre = Array.from(blobs.centres.subarray(truth * 12, truth * 12 + 12));
      const d = Math.sqrt(centre.reduce((s, x, j) => s + (x - fit.centroids[label][j]) ** 2, 0));
      expect(d).toBeLessThan(0.5);
    }
  });

  it('is never more than 1% worse than ml-kmeans on overlapping blobs, with or without the warm start', () => {
    const blobs = generateBlobs(6000, 6, 12, 7, { box: 2.5, spread: 1 });
    const rows = toRows(blobs.data, blobs.n, blobs.dims);
    const baseline = mlKmeansInertia(rows, 6, 5, 42);
    const full = fitKMeans(blobs, { k: 6, restarts: 5, seed: 42, sampleSize: 0 });
    const warm = fitKMeans(blobs, { k: 6, restarts: 5, seed: 42, sampleSize: 1000 });
    expect(full.inertia / baseline).toBeLessThanOrEqual(1.01);
    expect(warm.inertia / baseline).toBeLessThanOrEqual(1.01);
    // The warm start really ran: it ends elsewhere than the full-data start for some restart.
    expect(warm.restartInertias).not.toEqual(full.restartInertias);
    for (const fit of [full, warm])
      expect(fit.inertia).toBeCloseTo(inertiaOf(rows, fit.labels, fit.centroids), 6);
  });

  it('gives the same result for the same seed, in this thread or on worker threads, and another for another seed', async () => {
    const blobs = generateBlobs(25_000, 5, 8, 3, { box: 2, spread: 1 });
    const options = { k: 5, restarts: 4, seed: 9, sampleSize: 5000 };
    const a = fitKMeans(blobs, options);
    sameFit(a, fitKMeans(blobs, options));
    const parallel = await fitKMeansParallel(blobs, { ...options, threads: 2 });
    expect(parallel.threads).toBe(2);
    sameFit(a, parallel);
    // A second call reuses the pool's workers.
    sameFit(a, await fitKMeansParallel(blobs, { ...options, threads: 2 }));
    expect(fitKMeans(blobs, { ...options, seed: 10 }).restartInertias).not.toEqual(a.restartInertias);
    expect(a.inertia).toBe(Math.min(...a.restartInertias));
  });

  it('labels every point with its nearest centroid', () => {
    const blobs = generateBlobs(2000, 4, 5, 1, { box: 1.5, spread: 1 });
    const rows = toRows(blobs.data, blobs.n, blobs.dims);
    const fit = fitKMeans(rows, { k: 4, restarts: 2, seed: 1 });
    for (let i = 0; i < rows.length; i++) expect(fit.labels[i]).toBe(nearestCentroid(rows[i], fit.centroids));
  });

  it('rejects a bad k, ragged or non-finite points with a RangeError', () => {
    const two = [
      [1, 2],
      [3, 4],
    ];
    expect(() => fitKMeans(two, { k: 3 })).toThrow(RangeError);
    expect(() => fitKMeans(two, { k: 0 })).toThrow(RangeError);
    expect(() => fitKMeans(two, { k: 1.5 })).toThrow(RangeError);
    expect(() => fitKMeans([[1, 2], [3]], { k: 1 })).toThrow(RangeError);
    expect(() => fitKMeans([[1, Number.NaN]], { k: 1 })).toThrow(RangeError);
    expect(() => fitKMeans(two, { k: 1, restarts: 0 })).toThrow(RangeError);
  });

  it('handles duplicate points: all identical, and fewer distinct points than k', () => {
    const same = Array.from({ length: 50 }, () => [2, -1, 0.5]);
    const flat = fitKMeans(same, { k: 3, restarts: 2, seed: 4 });
    expect(flat.inertia).toBe(0);
    expect(flat.centroids.flat().every(Number.isFinite)).toBe(true);
    expect(Array.from(flat.labels).every((l) => l >= 0 && l < 3)).toBe(true);

    const two = [...Array.from({ length: 30 }, () => [0, 0]), ...Array.from({ length: 30 }, () => [5, 5])];
    const fit = fitKMeans(two, { k: 4, restarts: 3, seed: 2 });
    expect(fit.inertia).toBe(0);
    expect(fit.labels[0]).not.toBe(fit.labels[59]);
  });

  it('k = 1 is the mean, k = n puts every point on its own centroid', () => {
    const points = [
      [0, 0],
      [2, 0],
      [0, 4],
    ];
    const one = fitKMeans(points, { k: 1, restarts: 1 });
    expect(one.centroids[0][0]).toBeCloseTo(2 / 3, 12);
    expect(one.centroids[0][1]).toBeCloseTo(4 / 3, 12);
    const each = fitKMeans(points, { k: 3, restarts: 1 });
    expect(each.inertia).toBe(0);
    expect(new Set(each.labels).size).toBe(3);
  });
});
