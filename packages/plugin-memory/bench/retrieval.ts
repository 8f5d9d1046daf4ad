/**
 * Retrieval benchmark: one user with N memories (default 10 000) stored through the plugin
 * (encrypted rows + core's VectorStore with the configured embeddings, local by default).
 * Prints p50/p95/p99 latency of MemoryStore.retrieve (vector search + reading and decrypting
 * the rows) and recall@5 of the approximate index against exact (brute-force cosine) search
 * over the same embeddings.
 *
 *   npm run bench -w @botloom/plugin-memory
 *   BENCH_MEMORIES=2000 BENCH_QUERIES=100 npm run bench -w @botloom/plugin-memory
 *
 * Uses DATABASE_URL when set, otherwise embedded PostgreSQL in a temporary data directory.
 */
import { performance } from 'node:perf_hooks';
import { Tokens } from '@botloom/core';
import { withMemoryBenchApp } from './bench-app.js';

const N = Number(process.env.BENCH_MEMORIES ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const K = 5;
const USER = 'bench-user';

// Deterministic pseudo-random generator (mulberry32) so runs are comparable.
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];

const subjects = [
  'Postgres',
  'Kubernetes',
  'React',
  'Rust',
  'marathon',
  'sourdough',
  'Lisbon',
  'guitar',
  'budget',
  'roadmap',
  'hiring',
  'garden',
  'Python',
  'Telegram bot',
  'mortgage',
  'Spanish lessons',
  'climbing',
  'newsletter',
  'pricing page',
  'onboarding flow',
];
const verbs = [
  'is working on',
  'wants to improve',
  'struggles with',
  'plans',
  'decided to postpone',
  'asked about',
  'prefers',
  'is learning',
  'reviewed',
  'is migrating',
];
const details = [
  'before the end of the quarter',
  'with a small team',
  'on weekends',
  'for a client in Berlin',
  'using open-source tools',
  'with a tight budget',
  'after the summer holidays',
  'together with their sister',
  'to reduce costs',
  'as a side project',
];
const extras = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
  'mike',
  'november',
  'oscar',
  'papa',
];

function memoryText(i: number): string {
  return `The user ${pick(verbs)} ${pick(subjects)} ${pick(details)} (note ${pick(extras)}-${i % 997}).`;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  await withMemoryBenchApp('bench', async (app, services) => {
    const resolve = app.resolver('memory');
    const embeddings = resolve(Tokens.Embeddings);

    await services.memories.forgetAll(USER); // a reused DATABASE_URL starts clean
    const texts = Array.from({ length: N }, (_, i) => memoryText(i));
    const t0 = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < N; i += 500) {
      const batch = texts.slice(i, i + 500).map((content) => ({ kind: 'fact' as const, content }));
      const items = await services.memories.remember(USER, null, batch);
      ids.push(...items.map((m) => m.id));
    }
    const buildMs = performance.now() - t0;

    // Exact search: brute force over the same embeddings the store uses.
    const vectors = await embeddings.embedDocuments(texts);
    const queries = Array.from({ length: QUERIES }, () => {
      const words = pick(texts).replace(/[().]/g, '').split(' ');
      return words.slice(2, 2 + 4 + Math.floor(random() * 4)).join(' ');
    });

    // Warm-up (index load, JIT), not measured.
    for (const q of queries.slice(0, 10)) await services.memories.retrieve(USER, q, K);

    const latencies: number[] = [];
    let hits = 0;
    for (const query of queries) {
      const start = performance.now();
      const found = await services.memories.retrieve(USER, query, K);
      latencies.push(performance.now() - start);
      const q = await embeddings.embedQuery(query);
      const exact = vectors
        .map((v, i) => ({ id: ids[i], score: cosine(q, v) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, K);
      const exactIds = new Set(exact.map((e) => e.id));
      hits += found.filter((m) => exactIds.has(m.id)).length;
    }
    latencies.sort((a, b) => a - b);
    const count = await resolve(Tokens.VectorStore).count(`memory:user:${USER}`);
    console.log(`\nplugin-memory retrieval benchmark (${embeddings.model}, ${embeddings.dimensions} dims)`);
    console.table({
      memories: { value: count },
      'insert (rows + vectors), s': { value: (buildMs / 1000).toFixed(1) },
      queries: { value: QUERIES },
      'p50 latency, ms': { value: percentile(latencies, 50).toFixed(2) },
      'p95 latency, ms': { value: percentile(latencies, 95).toFixed(2) },
      'p99 latency, ms': { value: percentile(latencies, 99).toFixed(2) },
      [`recall@${K} vs exact`]: { value: (hits / (QUERIES * K)).toFixed(3) },
    });
    await services.memories.forgetAll(USER);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
