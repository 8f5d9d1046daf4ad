/** Squared Euclidean distance. */
export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return sum;
}

/** Index of the nearest centroid and the squared distance to it. */
export function nearestCentroid(
  point: ArrayLike<number>,
  centroids: number[][],
): { index: number; distance: number } {
  let index = 0;
  let distance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < centroids.length; c++) {
    const d = squaredDistance(point, centroids[c]);
    if (d < distance) {
      distance = d;
      index = c;
    }
  }
  return { index, distance };
}

/** Sum of squared distances of points to their assigned centroid (what KMeans minimises). */
export function inertia(points: number[][], labels: ArrayLike<number>, centroids: number[][]): number {
  let total = 0;
  for (let i = 0; i < points.length; i++) total += squaredDistance(points[i], centroids[labels[i]]);
  return total;
}

/** Mean silhouette coefficient over the given subset of points (Euclidean distance). */
export function silhouetteScore(points: number[][], labels: ArrayLike<number>, indices: number[]): number {
  const k = Math.max(...indices.map((i) => labels[i])) + 1;
  if (k < 2) return 0;
  let total = 0;
  let counted = 0;
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (const i of indices) {
    sums.fill(0);
    counts.fill(0);
    for (const j of indices) {
      if (i === j) continue;
      sums[labels[j]] += Math.sqrt(squaredDistance(points[i], points[j]));
      counts[labels[j]]++;
    }
    const own = labels[i];
    if (counts[own] === 0) {
      counted++; // a singleton's silhouette is 0 by convention
      continue;
    }
    const a = sums[own] / counts[own];
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && counts[c] > 0) b = Math.min(b, sums[c] / counts[c]);
    if (!Number.isFinite(b)) continue;
    total += (b - a) / Math.max(a, b);
    counted++;
  }
  return counted === 0 ? 0 : total / counted;
}

function choose2(n: number): number {
  return (n * (n - 1)) / 2;
}

/** Adjusted Rand index between two labelings (1 = identical partitions, ~0 = chance). */
export function adjustedRandIndex(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (truth.length !== predicted.length) throw new Error('labelings differ in length');
  const n = truth.length;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const cols = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${truth[i]}:${predicted[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(truth[i], (rows.get(truth[i]) ?? 0) + 1);
    cols.set(predicted[i], (cols.get(predicted[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const count of table.values()) index += choose2(count);
  let rowSum = 0;
  for (const count of rows.values()) rowSum += choose2(count);
  let colSum = 0;
  for (const count of cols.values()) colSum += choose2(count);
  const expected = (rowSum * colSum) / choose2(n);
  const max = (rowSum + colSum) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
