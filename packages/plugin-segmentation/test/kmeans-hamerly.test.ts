import { describe, expect, it } from 'vitest';
import { fitWithMlKmeans } from '../bench/ml-kmeans-reference.js';
import { fitKMeans } from '../src/services/clustering.js';
import { generateBlobs } from '../src/services/generator.js';
import { inertia } from '../src/services/metrics.js';

describe('KMeans (typed arrays, Hamerly bounds)', () => {
  it('reaches the inertia of ml-kmeans on the same data and restart seeds', () => {
    const { points } = generateBlobs(4000, 6, 12, 7, { box: 2.5, spread: 1 });
    const ours = fitKMeans(points, 6, { restarts: 5, seed: 42 });
    const baseline = fitWithMlKmeans(points, 6, { restarts: 5, seed: 42 });
    expect(ours.inertia / baseline.inertia).toBeLessThanOrEqual(1.01);
    // The reported inertia is the one of the returned labels and centroids.
    expect(ours.inertia).toBeCloseTo(inertia(points, ours.labels, ours.centroids), 6);
  });

  it('gives the same labels, centroids and inertia for the same seed, and others for another seed', () => {
    const { points } = generateBlobs(3000, 5, 8, 3, { box: 2, spread: 1 });
    const a = fitKMeans(points, 5, { restarts: 3, seed: 9 });
    const b = fitKMeans(points, 5, { restarts: 3, seed: 9 });
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(b.centroids).toEqual(a.centroids);
    expect(b.restartInertias).toEqual(a.restartInertias);
    const other = fitKMeans(points, 5, { restarts: 3, seed: 10 });
    expect(other.restartInertias).not.toEqual(a.restartInertias);
  });

  it('labels every point with its nearest centroid', () => {
    const { points } = generateBlobs(2000, 4, 5, 1, { box: 1.5, spread: 1 });
    const fit = fitKMeans(points, 4, { restarts: 2, seed: 1 });
    for (let i = 0; i < points.length; i++) {
      const own = inertia([points[i]], [0], [fit.centroids[fit.labels[i]]]);
      for (const centroid of fit.centroids)
        expect(own).toBeLessThanOrEqual(inertia([points[i]], [0], [centroid]) + 1e-9);
    }
  });

  it('rejects k larger than the number of points with a RangeError', () => {
    expect(() =>
      fitKMeans(
        [
          [1, 2],
          [3, 4],
        ],
        3,
        { restarts: 1, seed: 1 },
      ),
    ).toThrow(RangeError);
    expect(() => fitKMeans([[1, 2]], 0, { restarts: 1, seed: 1 })).toThrow(RangeError);
  });

  it('handles duplicate points: all identical, and fewer distinct points than k', () => {
    const same = Array.from({ length: 50 }, () => [2, -1, 0.5]);
    const flat = fitKMeans(same, 3, { restarts: 2, seed: 4 });
    expect(flat.inertia).toBe(0);
    expect(flat.centroids.flat().every(Number.isFinite)).toBe(true);
    expect(Array.from(flat.labels).every((l) => l >= 0 && l < 3)).toBe(true);

    const two = [...Array.from({ length: 30 }, () => [0, 0]), ...Array.from({ length: 30 }, () => [5, 5])];
    const fit = fitKMeans(two, 4, { restarts: 3, seed: 2 });
    expect(fit.inertia).toBe(0);
    expect(fit.labels[0]).not.toBe(fit.labels[59]);
    expect(fit.centroids.flat().every(Number.isFinite)).toBe(true);
  });

  it('k = 1 is the mean, k = n puts every point on its own centroid', () => {
    const points = [
      [0, 0],
      [2, 0],
      [0, 4],
    ];
    const one = fitKMeans(points, 1, { restarts: 1, seed: 1 });
    expect(one.centroids[0][0]).toBeCloseTo(2 / 3, 12);
    expect(one.centroids[0][1]).toBeCloseTo(4 / 3, 12);
    const each = fitKMeans(points, 3, { restarts: 1, seed: 1 });
    expect(each.inertia).toBe(0);
    expect(new Set(each.labels).size).toBe(3);
  });
});
