import { SeededRandom } from './random.js';

/** Points as one row-major Float64Array: point i is data[i*dims .. i*dims+dims). */
export interface PointMatrix {
  data: Float64Array;
  n: number;
  dims: number;
}

export interface LloydRun {
  /** Row-major k × dims. */
  centroids: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
}

export function toPointMatrix(points: readonly (readonly number[])[]): PointMatrix {
  const n = points.length;
  const dims = n === 0 ? 0 : points[0].length;
  const data = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    const row = points[i];
    if (row.length !== dims) throw new RangeError(`Point ${i} has ${row.length} values, expected ${dims}`);
    data.set(row, i * dims);
  }
  return { data, n, dims };
}

function sqDist(a: Float64Array, ai: number, b: Float64Array, bi: number, dims: number): number {
  let sum = 0;
  for (let j = 0; j < dims; j++) {
    const d = a[ai + j] - b[bi + j];
    sum += d * d;
  }
  return sum;
}

/**
 * Greedy k-means++ (as scikit-learn: 2 + ⌊ln k⌋ candidates per step, the one lowering the
 * potential most wins). When every point coincides with a chosen centre the potential is 0 and
 * the next centre is drawn uniformly, so duplicate points never produce NaN.
 */
export function kmeansPlusPlus(points: PointMatrix, k: number, random: SeededRandom): Float64Array {
  const { data, n, dims } = points;
  const centroids = new Float64Array(k * dims);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const candidateDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  const first = Math.floor(random.next() * n);
  centroids.set(data.subarray(first * dims, first * dims + dims), 0);
  let potential = 0;
  for (let i = 0; i < n; i++) {
    closest[i] = sqDist(data, i * dims, centroids, 0, dims);
    potential += closest[i];
  }
  for (let c = 1; c < k; c++) {
    let bestPotential = Number.POSITIVE_INFINITY;
    let bestIndex = -1;
    for (let t = 0; t < trials; t++) {
      const candidate =
        potential > 0 ? drawWeighted(closest, potential, random) : Math.floor(random.next() * n);
      let candidatePotential = 0;
      const offset = candidate * dims;
      for (let i = 0; i < n; i++) {
        const d = Math.min(closest[i], sqDist(data, i * dims, data, offset, dims));
        candidateDist[i] = d;
        candidatePotential += d;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestIndex = candidate;
        bestDist.set(candidateDist);
      }
    }
    centroids.set(data.subarray(bestIndex * dims, bestIndex * dims + dims), c * dims);
    closest.set(bestDist);
    potential = bestPotential;
  }
  return centroids;
}

function drawWeighted(weights: Float64Array, total: number, random: SeededRandom): number {
  let r = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  // Rounding left r ≥ 0: the last point with weight.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return weights.length - 1;
}

/**
 * Lloyd's KMeans accelerated with Hamerly's bounds (one upper bound to the own centre, one lower
 * bound to every other): the same iterates as plain Lloyd, skipping most distance computations once
 * the centres settle. Stops when no centre moves more than `tolerance` (squared distance, as
 * ml-kmeans) or after `maxIterations`. An empty cluster keeps its previous centre.
 */
export function lloydHamerly(
  points: PointMatrix,
  initial: Float64Array,
  k: number,
  options: { maxIterations: number; tolerance: number },
): LloydRun {
  const { data, n, dims } = points;
  const centroids = Float64Array.from(initial);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const halfGap = new Float64Array(k);
  const moved = new Float64Array(k);
  const sums = new Float64Array(k * dims);
  const counts = new Int32Array(k);

  // Exact first assignment; the per-cluster sums are then kept up to date as points move.
  for (let i = 0; i < n; i++) {
    assignExact(i);
    addPoint(i, labels[i], 1);
  }

  let iterations = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    let maxMove = 0;
    let converged = true;
    for (let c = 0; c < k; c++) {
      const co = c * dims;
      if (counts[c] === 0) {
        moved[c] = 0;
        continue;
      }
      let sq = 0;
      for (let j = 0; j < dims; j++) {
        const next = sums[co + j] / counts[c];
        const d = next - centroids[co + j];
        sq += d * d;
        centroids[co + j] = next;
      }
      if (sq > options.tolerance) converged = false;
      moved[c] = Math.sqrt(sq);
      if (moved[c] > maxMove) maxMove = moved[c];
    }
    if (converged) break;
    // Largest and second largest move, so each point's lower bound drops by the largest move of another centre.
    let first = 0;
    for (let c = 1; c < k; c++) if (moved[c] > moved[first]) first = c;
    let second = 0;
    for (let c = 0; c < k; c++) if (c !== first) second = Math.max(second, moved[c]);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      upper[i] += moved[c];
      lower[i] -= c === first ? second : maxMove;
    }
    reassign();
  }
  // Final assignment against the final centres, so labels and inertia agree.
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    assignExact(i);
    inertia += upper[i] * upper[i];
  }
  return { centroids, labels, inertia, iterations };

  function assignExact(i: number): void {
    const po = i * dims;
    let best = Number.POSITIVE_INFINITY;
    let secondBest = Number.POSITIVE_INFINITY;
    let bestIndex = 0;
    for (let c = 0; c < k; c++) {
      const d = sqDist(data, po, centroids, c * dims, dims);
      if (d < best) {
        secondBest = best;
        best = d;
        bestIndex = c;
      } else if (d < secondBest) secondBest = d;
    }
    labels[i] = bestIndex;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(secondBest);
  }

  function addPoint(i: number, c: number, sign: 1 | -1): void {
    counts[c] += sign;
    const so = c * dims;
    const po = i * dims;
    for (let j = 0; j < dims; j++) sums[so + j] += sign * data[po + j];
  }

  function reassign(): void {
    for (let c = 0; c < k; c++) {
      let nearest = Number.POSITIVE_INFINITY;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const d = sqDist(centroids, c * dims, centroids, o * dims, dims);
        if (d < nearest) nearest = d;
      }
      halfGap[c] = k > 1 ? Math.sqrt(nearest) / 2 : Number.POSITIVE_INFINITY;
    }
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      const bound = Math.max(halfGap[c], lower[i]);
      if (upper[i] <= bound) continue;
      upper[i] = Math.sqrt(sqDist(data, i * dims, centroids, c * dims, dims));
      if (upper[i] <= bound) continue;
      assignExact(i);
      if (labels[i] !== c) {
        addPoint(i, c, -1);
        addPoint(i, labels[i], 1);
      }
    }
  }
}

/** One seeded k-means++ start followed by Lloyd/Hamerly iterations. */
export function runKMeans(
  points: PointMatrix,
  k: number,
  seed: number,
  options: { maxIterations: number; tolerance: number },
): LloydRun {
  if (k < 1) throw new RangeError(`KMeans needs k ≥ 1, got ${k}`);
  if (points.n < k) throw new RangeError(`KMeans needs at least k=${k} points, got ${points.n}`);
  const initial = kmeansPlusPlus(points, k, new SeededRandom(seed));
  return lloydHamerly(points, initial, k, options);
}
