// One KMeans restart over a row-major Float64Array. Every function here is self-contained (no
// imports, no module state) because kmeans.ts also ships their source text to worker threads.

/** mulberry32: small, fast, seeded uniform [0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Greedy k-means++ as scikit-learn does it: 2 + ⌊ln k⌋ candidates per step, drawn with
 * probability ∝ D², the one lowering the potential most wins. A point is skipped when the
 * triangle inequality shows a candidate cannot be closer than its current centre. When every point sits on a chosen centre (potential 0) the
 * next centre is drawn uniformly, so duplicate points never give NaN.
 */
export function kmeansPlusPlus(
  data: Float64Array,
  n: number,
  dims: number,
  k: number,
  random: () => number,
): Float64Array {
  const centroids = new Float64Array(k * dims);
  const trials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  // Which chosen centre is the closest of each point, for the triangle-inequality skip below.
  const owner = new Int32Array(n);
  const cumulative = new Float64Array(n);
  const candidateDist = new Float64Array(trials * n);
  const candidateOffset = new Int32Array(trials);
  const candidatePotential = new Float64Array(trials);
  // Squared distance of every candidate to every chosen centre.
  const toCentre = new Float64Array(trials * k);
  const first = Math.min(n - 1, Math.floor(random() * n));
  const fo = first * dims;
  for (let j = 0; j < dims; j++) centroids[j] = data[fo + j];
  for (let i = 0; i < n; i++) {
    const po = i * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const d = data[po + j] - centroids[j];
      s += d * d;
    }
    closest[i] = s;
  }
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += closest[i];
      cumulative[i] = total;
    }
    for (let t = 0; t < trials; t++) {
      let index: number;
      if (total > 0) {
        const r = random() * total;
        // First i with cumulative[i] > r; rounding past the end takes the last weighted point.
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (cumulative[mid] > r) hi = mid;
          else lo = mid + 1;
        }
        index = lo;
        if (cumulative[index] <= r) while (index > 0 && closest[index] === 0) index--;
      } else index = Math.min(n - 1, Math.floor(random() * n));
      const qo = index * dims;
      candidateOffset[t] = qo;
      for (let o = 0; o < c; o++) {
        let s = 0;
        for (let j = 0; j < dims; j++) {
          const d = data[qo + j] - centroids[o * dims + j];
          s += d * d;
        }
        toCentre[t * k + o] = s;
      }
    }
    for (let t = 0; t < trials; t++) {
      const qo = candidateOffset[t];
      const base = t * n;
      const tk = t * k;
      let potential = 0;
      for (let i = 0; i < n; i++) {
        const own = closest[i];
        // d(q, owner) ≥ 2·d(x, owner) means d(x, q) ≥ d(x, owner): the candidate cannot be closer.
        if (toCentre[tk + owner[i]] >= 4 * own) {
          candidateDist[base + i] = own;
          potential += own;
          continue;
        }
        const po = i * dims;
        let s = 0;
        for (let j = 0; j < dims; j++) {
          const d = data[po + j] - data[qo + j];
          s += d * d;
        }
        const v = Math.min(s, own);
        candidateDist[base + i] = v;
        potential += v;
      }
      candidatePotential[t] = potential;
    }
    let best = 0;
    for (let t = 1; t < trials; t++) if (candidatePotential[t] < candidatePotential[best]) best = t;
    const base = best * n;
    for (let i = 0; i < n; i++) {
      const v = candidateDist[base + i];
      if (v < closest[i]) {
        closest[i] = v;
        owner[i] = c;
      }
    }
    const bo = candidateOffset[best];
    for (let j = 0; j < dims; j++) centroids[c * dims + j] = data[bo + j];
  }
  return centroids;
}

export interface KMeansRestartResult {
  /** Row-major k × dims. */
  centroids: Float64Array;
  labels: Int32Array;
  inertia: number;
  iterations: number;
}

/**
 * Lloyd's iterations with Hamerly's bounds (an upper bound to the own centre, one lower bound to
 * all others): the same iterates as plain Lloyd, skipping most distance computations once the
 * centres settle. Stops when the summed squared centre shift is ≤ `tolerance` (absolute; the
 * caller scales it as scikit-learn does) or after `maxIterations`. An empty cluster keeps its
 * previous centre. Labels and inertia are those of the final centres.
 */
export function lloydHamerly(
  data: Float64Array,
  n: number,
  dims: number,
  k: number,
  initial: Float64Array,
  maxIterations: number,
  tolerance: number,
): KMeansRestartResult {
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
    const po = i * dims;
    let best = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    let bestIndex = 0;
    for (let c = 0; c < k; c++) {
      const co = c * dims;
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = data[po + j] - centroids[co + j];
        s += d * d;
      }
      if (s < best) {
        second = best;
        best = s;
        bestIndex = c;
      } else if (s < second) second = s;
    }
    labels[i] = bestIndex;
    upper[i] = Math.sqrt(best);
    lower[i] = Math.sqrt(second);
    counts[bestIndex]++;
    const so = bestIndex * dims;
    for (let j = 0; j < dims; j++) sums[so + j] += data[po + j];
  }

  let iterations = 0;
  let converged = false;
  for (;;) {
    // Move every centre to the mean of its points.
    iterations++;
    let shift = 0;
    for (let c = 0; c < k; c++) {
      const co = c * dims;
      const count = counts[c];
      if (count === 0) {
        moved[c] = 0;
        continue;
      }
      let sq = 0;
      for (let j = 0; j < dims; j++) {
        const next = sums[co + j] / count;
        const d = next - centroids[co + j];
        sq += d * d;
        centroids[co + j] = next;
      }
      shift += sq;
      moved[c] = Math.sqrt(sq);
    }
    converged = shift <= tolerance;

    // Bounds follow the centres: the own centre's move widens the upper bound, the largest move
    // of any other centre narrows the lower bound.
    let first = 0;
    for (let c = 1; c < k; c++) if (moved[c] > moved[first]) first = c;
    let secondMove = 0;
    for (let c = 0; c < k; c++) if (c !== first && moved[c] > secondMove) secondMove = moved[c];
    const maxMove = moved[first];
    for (let c = 0; c < k; c++) {
      let nearest = Number.POSITIVE_INFINITY;
      const co = c * dims;
      for (let o = 0; o < k; o++) {
        if (o === c) continue;
        const oo = o * dims;
        let s = 0;
        for (let j = 0; j < dims; j++) {
          const d = centroids[co + j] - centroids[oo + j];
          s += d * d;
        }
        if (s < nearest) nearest = s;
      }
      halfGap[c] = Math.sqrt(nearest) / 2;
    }

    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      let u = upper[i] + moved[a];
      const l = lower[i] - (a === first ? secondMove : maxMove);
      lower[i] = l;
      const bound = Math.max(halfGap[a], l);
      if (u <= bound) {
        upper[i] = u;
        continue;
      }
      const po = i * dims;
      const ao = a * dims;
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = data[po + j] - centroids[ao + j];
        s += d * d;
      }
      u = Math.sqrt(s);
      upper[i] = u;
      if (u <= bound) continue;
      let best = Number.POSITIVE_INFINITY;
      let second = Number.POSITIVE_INFINITY;
      let bestIndex = 0;
      for (let c = 0; c < k; c++) {
        const co = c * dims;
        let t = 0;
        for (let j = 0; j < dims; j++) {
          const d = data[po + j] - centroids[co + j];
          t += d * d;
        }
        if (t < best) {
          second = best;
          best = t;
          bestIndex = c;
        } else if (t < second) second = t;
      }
      upper[i] = Math.sqrt(best);
      lower[i] = Math.sqrt(second);
      if (bestIndex !== a) {
        changed++;
        labels[i] = bestIndex;
        counts[a]--;
        counts[bestIndex]++;
        const bo = bestIndex * dims;
        for (let j = 0; j < dims; j++) {
          const x = data[po + j];
          sums[ao + j] -= x;
          sums[bo + j] += x;
        }
      }
    }
    // Labels now belong to the current centres: stop on a small shift, on no label change (the
    // next centres would be the same) or at the iteration cap.
    if (converged || changed === 0 || iterations >= maxIterations) break;
  }

  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const po = i * dims;
    const co = labels[i] * dims;
    let s = 0;
    for (let j = 0; j < dims; j++) {
      const d = data[po + j] - centroids[co + j];
      s += d * d;
    }
    inertia += s;
  }
  return { centroids, labels, inertia, iterations };
}

/**
 * One seeded restart: k-means++ then Lloyd/Hamerly. With `sampleSize` > 0 and more than twice that
 * many points, the start and the first iterations run on a seeded sample (a warm start, as
 * mini-batch KMeans does), and Lloyd then refines the centres on all points: most of the
 * iterations cost a sample's worth, and the result is a local optimum of the full data.
 */
export function kmeansRestart(
  data: Float64Array,
  n: number,
  dims: number,
  k: number,
  seed: number,
  maxIterations: number,
  tolerance: number,
  sampleSize: number,
): KMeansRestartResult {
  const random = seededUniform(seed);
  if (sampleSize >= 10 * k && n > 2 * sampleSize) {
    const m = sampleSize;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const sample = new Float64Array(m * dims);
    for (let i = 0; i < m; i++) {
      const j = i + Math.min(n - i - 1, Math.floor(random() * (n - i)));
      const picked = order[j];
      order[j] = order[i];
      order[i] = picked;
      sample.set(data.subarray(picked * dims, picked * dims + dims), i * dims);
    }
    const start = kmeansPlusPlus(sample, m, dims, k, random);
    const warm = lloydHamerly(sample, m, dims, k, start, maxIterations, tolerance);
    return lloydHamerly(data, n, dims, k, warm.centroids, maxIterations, tolerance);
  }
  const initial = kmeansPlusPlus(data, n, dims, k, random);
  return lloydHamerly(data, n, dims, k, initial, maxIterations, tolerance);
}
