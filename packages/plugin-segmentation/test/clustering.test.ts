import { fitKMeans } from '@botloom/core';
import { describe, expect, it } from 'vitest';
import { chooseKBySilhouette, fitScaler, scaleRow } from '../src/services/clustering.js';
import { FEATURE_NAMES } from '../src/services/features.js';
import { generateBlobs } from '../src/services/generator.js';
import { adjustedRandIndex, inertia } from '../src/services/metrics.js';
import { nameSegments } from '../src/services/naming.js';

describe('KMeans (core) on segmentation data', () => {
  it('recovers well-separated clusters (ARI ~ 1) and is reproducible', () => {
    const { points, labels } = generateBlobs(3000, 5, 12, 11, { box: 8, spread: 1 });
    const fit = fitKMeans(points, { k: 5, restarts: 5, seed: 3 });
    expect(adjustedRandIndex(labels, fit.labels)).toBeGreaterThan(0.999);
    expect(fit.inertia).toBeCloseTo(inertia(points, fit.labels, fit.centroids), 6);
    expect(fit.inertia).toBe(Math.min(...fit.restartInertias));
    const again = fitKMeans(points, { k: 5, restarts: 5, seed: 3 });
    expect(Array.from(again.labels)).toEqual(Array.from(fit.labels));
    expect(again.inertia).toBe(fit.inertia);
  });

  it('keeps the lowest inertia over restarts', () => {
    const { points } = generateBlobs(2000, 8, 4, 5, { box: 4, spread: 1 });
    const one = fitKMeans(points, { k: 8, restarts: 1, seed: 1 });
    const many = fitKMeans(points, { k: 8, restarts: 8, seed: 1 });
    expect(many.restartInertias[0]).toBe(one.inertia);
    expect(many.inertia).toBeLessThanOrEqual(one.inertia);
  });

  it('chooses k by silhouette', async () => {
    const { points } = generateBlobs(1500, 4, 6, 21, { box: 8, spread: 0.8 });
    const chosen = await chooseKBySilhouette(points, {
      minK: 2,
      maxK: 7,
      restarts: 3,
      seed: 1,
      silhouetteSample: 600,
    });
    expect(chosen.fit.k).toBe(4);
    expect(chosen.scores.map((s) => s.k)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(chosen.silhouette).toBeGreaterThan(0.5);
  });

  it('adjusted Rand index: 1 for the same partition under relabelling, ~0 for chance', () => {
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [5, 5, 3, 3, 9, 9])).toBe(1);
    const a = Array.from({ length: 5000 }, (_, i) => i % 3);
    const b = Array.from({ length: 5000 }, (_, i) => Math.floor(i / 7) % 4);
    expect(Math.abs(adjustedRandIndex(a, b))).toBeLessThan(0.01);
    // Hand-checked: sklearn.metrics.adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714285714285715
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.5714285714285715, 12);
  });

  it('standardises with log1p where asked, leaving constant columns finite', () => {
    const scaler = fitScaler(
      [
        [0, 5],
        [Math.E - 1, 5],
      ],
      ['log1p', 'identity'],
    );
    expect(scaler.mean).toEqual([0.5, 5]);
    expect(scaler.std).toEqual([0.5, 1]);
    expect(scaleRow([Math.E - 1, 5], scaler)).toEqual([1, 0]);
  });
});

describe('segment naming', () => {
  const z = (values: Partial<Record<(typeof FEATURE_NAMES)[number], number>>) =>
    FEATURE_NAMES.map((name) => values[name] ?? 0);

  it('gives the seed archetypes to matching centroids, each at most once', () => {
    const labels = nameSegments([
      z({ share_travel: 1.8, online_share: 1.1, distinct_cities: 1.5, distinct_countries: 1.6 }),
      z({ frequency: -1.1, tx_count: -1, online_share: -0.6 }),
      z({ frequency: 1.4, tx_count: 1.3, share_wallets: 0.9, share_city: 0.8, share_food: 0.4 }),
      z({ share_travel: 0.9, online_share: 0.2, distinct_cities: 0.3 }),
      z({ share_entertainment: 2.5, avg_spend: -0.7 }),
    ]);
    expect(labels.map((l) => (l.kind === 'archetype' ? l.archetype : 'generated'))).toEqual([
      'digital_traveller',
      'traditional',
      'city_dweller',
      'generated',
      'generated',
    ]);
    expect(labels[4].traits.slice(0, 2)).toEqual([
      { feature: 'share_entertainment', direction: 'high', z: 2.5 },
      { feature: 'avg_spend', direction: 'low', z: -0.7 },
    ]);
  });

  it('does not force an archetype onto a centroid that does not match', () => {
    const labels = nameSegments([z({ share_retail: 1.5 }), z({ share_retail: -1.5, recency_days: 1 })]);
    expect(labels.every((l) => l.kind === 'generated')).toBe(true);
  });
});
