import { seededUniform } from '../src/analytics/kmeans-kernel.js';

/**
 * Gaussian blobs for the KMeans bench and tests: k centres uniform in [-box, box]^dims, every
 * point one centre plus N(0, spread²) noise per value. Seeded, so every run sees the same data.
 */
export function generateBlobs(
  n: number,
  k: number,
  dims: number,
  seed: number,
  options: { box?: number; spread?: number } = {},
): { data: Float64Array; n: number; dims: number; labels: Int32Array; centres: Float64Array } {
  const random = seededUniform(seed);
  const box = options.box ?? 5;
  const spread = options.spread ?? 1;
  const centres = new Float64Array(k * dims);
  for (let i = 0; i < centres.length; i++) centres[i] = (random() * 2 - 1) * box;
  const labels = new Int32Array(n);
  const data = new Float64Array(n * dims);
  for (let i = 0; i < n; i++) {
    const c = Math.min(k - 1, Math.floor(random() * k));
    labels[i] = c;
    for (let j = 0; j < dims; j++) {
      // Box–Muller; one normal per pair of uniforms keeps it simple.
      const u = 1 - random();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
      data[i * dims + j] = centres[c * dims + j] + spread * normal;
    }
  }
  return { data, n, dims, labels, centres };
}

/** The same points as number[][] (what ml-kmeans and most callers take). */
export function toRows(data: Float64Array, n: number, dims: number): number[][] {
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * dims, (i + 1) * dims));
  return rows;
}
