/**
 * Vector index benchmark: recall@10 of the HNSW index (langchain HNSWLib over hnswlib-node,
 * the index the VectorStore uses) against exact search, query latency p50/p95, and build time,
 * at 1k, 10k and 100k vectors of 384 dimensions.
 *
 *   npm run bench:vector -w @botloom/core
 *   npx tsx --conditions=botloom-source packages/core/bench/vector.ts --sizes 1000,10000 --data random
 *
 * Options: --sizes (comma list), --dims, --queries, --k, --data clustered|random,
 * --m, --ef-construction, --ef-search, --seed.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_HNSW_PARAMS, loadHnswLibrary, NamespaceIndex } from '../src/vector/hnsw-index.js';
import { LocalEmbeddings } from '../src/vector/local-embeddings.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    dims: { type: 'string', default: '384' },
    queries: { type: 'string', default: '200' },
    k: { type: 'string', default: '10' },
    data: { type: 'string', default: 'clustered' },
    m: { type: 'string', default: String(DEFAULT_HNSW_PARAMS.m) },
    'ef-construction': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efConstruction) },
    'ef-search': { type: 'string', default: String(DEFAULT_HNSW_PARAMS.efSearch) },
    seed: { type: 'string', default: '7' },
  },
});

const sizes = values.sizes.split(',').map((s) => Number.parseInt(s, 10));
const dims = Number(values.dims);
const queryCount = Number(values.queries);
const k = Number(values.k);
const params = {
  m: Number(values.m),
  efConstruction: Number(values['ef-construction']),
  efSearch: Number(values['ef-search']),
};
if (values.data !== 'clustered' && values.data !== 'random')
  throw new Error('--data must be clustered or random');

/** Deterministic PRNG (mulberry32) and Box-Muller normals. */
function rng(seed: number) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/**
 * Vectors as one Float32Array (n × dims), L2-normalised.
 * - "clustered" (default): embedding-like. Real sentence embeddings have a low intrinsic
 *   dimension and form topics, so points are drawn around 100 topic centres in a 32-dimensional
 *   latent space, projected to `dims` by a fixed random matrix, plus a little isotropic noise.
 * - "random": uniform directions in all `dims` dimensions, the worst case for any ANN index.
 */
const LATENT = 32;
const TOPICS = 100;

function projection(seed: number): Float32Array {
  const { normal } = rng(seed);
  const w = new Float32Array(LATENT * dims);
  for (let i = 0; i < w.length; i += 1) w[i] = normal() / Math.sqrt(LATENT);
  return w;
}

function generate(n: number, seed: number, kind: string): Float32Array {
  const { normal, uniform } = rng(seed);
  const out = new Float32Array(n * dims);
  const w = projection(Number(values.seed) * 7919);
  const topics = rng(Number(values.seed) * 104_729);
  const centres = Array.from({ length: TOPICS }, () => Array.from({ length: LATENT }, () => topics.normal()));
  const latent = new Float64Array(LATENT);
  for (let i = 0; i < n; i += 1) {
    const row = out.subarray(i * dims, (i + 1) * dims);
    if (kind === 'random') {
      for (let d = 0; d < dims; d += 1) row[d] = normal();
    } else {
      const centre = centres[Math.floor(uniform() * TOPICS)]!;
      for (let l = 0; l < LATENT; l += 1) latent[l] = centre[l]! + normal() * 0.6;
      for (let d = 0; d < dims; d += 1) {
        let v = 0;
        for (let l = 0; l < LATENT; l += 1) v += latent[l]! * w[l * dims + d]!;
        row[d] = v + normal() * 0.05;
      }
    }
    let norm = 0;
    for (let d = 0; d < dims; d += 1) norm += row[d]! * row[d]!;
    const scale = 1 / Math.sqrt(norm);
    for (let d = 0; d < dims; d += 1) row[d]! *= scale;
  }
  return out;
}

function exactTopK(data: Float32Array, n: number, query: Float32Array, topK: number): number[] {
  const bestIds = new Int32Array(topK).fill(-1);
  const bestScores = new Float64Array(topK).fill(-Infinity);
  for (let i = 0; i < n; i += 1) {
    let dot = 0;
    const offset = i * dims;
    for (let d = 0; d < dims; d += 1) dot += data[offset + d]! * query[d]!;
    if (dot <= bestScores[topK - 1]!) continue;
    let j = topK - 1;
    while (j > 0 && bestScores[j - 1]! < dot) {
      bestScores[j] = bestScores[j - 1]!;
      bestIds[j] = bestIds[j - 1]!;
      j -= 1;
    }
    bestScores[j] = dot;
    bestIds[j] = i;
  }
  return [...bestIds];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Row {
  vectors: number;
  buildS: number;
  perSecond: number;
  recall: number;
  p50: number;
  p95: number;
  exactP50: number;
  heapMb: number;
}

async function benchmark(n: number, seed: number): Promise<Row> {
  const data = generate(n, seed, values.data!);
  const queries = generate(queryCount, seed + 1000, values.data!);

  await loadHnswLibrary();
  const index = NamespaceIndex.create(dims, params, new LocalEmbeddings({ dimensions: dims }), n);
  const started = performance.now();
  const batch = 5000;
  for (let start = 0; start < n; start += batch) {
    const items = [];
    for (let i = start; i < Math.min(n, start + batch); i += 1) {
      items.push({
        id: String(i),
        embedding: Array.from(data.subarray(i * dims, (i + 1) * dims)),
        metadata: {},
      });
    }
    await index.add(items);
  }
  const buildS = (performance.now() - started) / 1000;

  const latencies: number[] = [];
  const exactLatencies: number[] = [];
  let hits = 0;
  for (let q = 0; q < queryCount; q += 1) {
    const query = queries.subarray(q * dims, (q + 1) * dims);
    const queryArray = Array.from(query);
    const t0 = performance.now();
    const found = await index.search(queryArray, k);
    latencies.push(performance.now() - t0);
    const t1 = performance.now();
    const truth = exactTopK(data, n, query, k);
    exactLatencies.push(performance.now() - t1);
    const ids = new Set(found.map((f) => Number(f.id)));
    hits += truth.filter((id) => ids.has(id)).length;
  }
  latencies.sort((a, b) => a - b);
  exactLatencies.sort((a, b) => a - b);
  return {
    vectors: n,
    buildS,
    perSecond: n / buildS,
    recall: hits / (queryCount * k),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    exactP50: percentile(exactLatencies, 50),
    heapMb: process.memoryUsage().rss / 1024 / 1024,
  };
}

function table(rows: Row[]): string {
  const header = [
    'vectors',
    'dims',
    'build s',
    'vectors/s',
    `recall@${k}`,
    'p50 ms',
    'p95 ms',
    'exact p50 ms',
    'rss MB',
  ];
  const lines = rows.map((r) => [
    r.vectors.toLocaleString('en-US'),
    String(dims),
    r.buildS.toFixed(2),
    Math.round(r.perSecond).toLocaleString('en-US'),
    r.recall.toFixed(4),
    r.p50.toFixed(3),
    r.p95.toFixed(3),
    r.exactP50.toFixed(2),
    r.heapMb.toFixed(0),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

async function main() {
  console.log(
    `HNSW (langchain HNSWLib / hnswlib-node, cosine) — data: ${values.data}, ${queryCount} queries, ` +
      `M=${params.m}, efConstruction=${params.efConstruction}, efSearch=${params.efSearch}, node ${process.version}`,
  );
  const rows: Row[] = [];
  for (const n of sizes) {
    process.stdout.write(`  ${n.toLocaleString('en-US')} vectors... `);
    const row = await benchmark(n, Number(values.seed));
    rows.push(row);
    console.log(`built in ${row.buildS.toFixed(1)} s, recall ${row.recall.toFixed(3)}`);
  }
  console.log();
  console.log(table(rows));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
