import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAiServices } from '../src/llm/ai-services.js';
import { startFakeOpenAI } from '../src/testing/fake-openai.js';
import { loadHnswLibrary, NamespaceIndex } from '../src/vector/hnsw-index.js';
import { HnswVectorStore } from '../src/vector/hnsw-vector-store.js';
import { LocalEmbeddings } from '../src/vector/local-embeddings.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

const FACTS = [
  {
    id: 'pet',
    text: 'My dog Baxter is a beagle and loves long walks.',
    metadata: { kind: 'fact', topic: 'pets' },
  },
  { id: 'food', text: 'I am vegetarian and I love spicy ramen.', metadata: { kind: 'fact', topic: 'food' } },
  {
    id: 'work',
    text: 'I work as a backend developer writing TypeScript.',
    metadata: { kind: 'fact', topic: 'work' },
  },
  {
    id: 'trip',
    text: 'Planning a trip to Japan in April with a 3000 dollar budget.',
    metadata: { kind: 'summary', topic: 'travel' },
  },
  {
    id: 'car',
    text: 'Моя машина — синяя Тойота, я езжу на ней на дачу.',
    metadata: { kind: 'fact', topic: 'car', lang: 'ru' },
  },
  {
    id: 'city',
    text: 'Я живу в Санкт-Петербурге и люблю белые ночи.',
    metadata: { kind: 'fact', topic: 'home', lang: 'ru' },
  },
];

// PostgreSQL is the source of truth; the HNSW index on disk is a cache that survives restarts
// and is rebuilt whenever it is missing, corrupt or out of step.
describe('HNSW vector store', () => {
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let dataDir: string;
  const stores: HnswVectorStore[] = [];

  function open(options: Partial<ConstructorParameters<typeof HnswVectorStore>[0]> = {}) {
    const store = new HnswVectorStore({
      sequelize,
      dataDir,
      embeddings: new LocalEmbeddings(),
      crypto: testCrypto(),
      logger: silentLogger,
      persistDelayMs: 20,
      ...options,
    });
    stores.push(store);
    return store;
  }

  const current = (store: HnswVectorStore, ns: string) =>
    readFile(path.join(store.indexDir(ns), 'CURRENT'), 'utf8');

  beforeAll(async () => {
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase());
  });
  afterAll(async () => {
    await closeDb();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('adds, searches with cosine scores and texts from the database, and keeps namespaces apart', async () => {
    const store = open();
    await store.add('memory:user:1', FACTS);
    await store.add('memory:user:2', [
      { id: 'pet', text: 'I have a cat named Tom.', metadata: { kind: 'fact' } },
    ]);
    expect(await store.count('memory:user:1')).toBe(6);

    const hits = await store.search('memory:user:1', 'what breed is my dog?', { k: 3 });
    expect(hits[0]).toMatchObject({
      id: 'pet',
      text: FACTS[0]!.text,
      metadata: { kind: 'fact', topic: 'pets' },
    });
    expect(hits[0]!.score).toBeGreaterThan(0.15);
    expect(hits[0]!.score).toBeLessThanOrEqual(1);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));

    const exact = await store.search('memory:user:1', FACTS[1]!.text, { k: 1 });
    expect(exact[0]!.id).toBe('food');
    expect(exact[0]!.score).toBeCloseTo(1, 4);

    // Russian inflections still match ("машину" vs "машина").
    const ru = await store.search('memory:user:1', 'какая у меня машина?', { k: 1 });
    expect(ru[0]!.id).toBe('car');

    const other = await store.search('memory:user:2', 'dog', { k: 10 });
    expect(other.map((h) => h.id)).toEqual(['pet']);
    expect(other[0]!.text).toBe('I have a cat named Tom.');
    expect(await store.search('memory:user:404', 'anything')).toEqual([]);
  });

  it('filters by metadata (exact scan for selective filters, HNSW otherwise) and by minScore', async () => {
    for (const exactSearchBelow of [2000, 0]) {
      const store = open({ exactSearchBelow });
      await store.add('filters', FACTS);
      const facts = await store.search('filters', 'Japan trip budget', { k: 10, filter: { kind: 'fact' } });
      expect(facts.map((h) => h.id)).not.toContain('trip');
      expect(facts).toHaveLength(5);
      const ru = await store.search('filters', 'машина', { k: 10, filter: { lang: 'ru' } });
      expect(ru.map((h) => h.id).sort()).toEqual(['car', 'city']);
      const either = await store.search('filters', 'x', { k: 10, filter: { topic: ['pets', 'food'] } });
      expect(either.map((h) => h.id).sort()).toEqual(['food', 'pet']);
      expect(await store.search('filters', 'x', { filter: { topic: 'nothing' } })).toEqual([]);
      const confident = await store.search('filters', 'vegetarian spicy ramen', { k: 10, minScore: 0.3 });
      expect(confident.map((h) => h.id)).toEqual(['food']);
      await store.deleteNamespace('filters');
    }
  });

  it('upserts by id and deletes ids', async () => {
    const store = open();
    await store.add('upserts', FACTS.slice(0, 3));
    await store.add('upserts', [
      { id: 'pet', text: 'My cat Luna sleeps all day.', metadata: { kind: 'fact', topic: 'pets' } },
    ]);
    expect(await store.count('upserts')).toBe(3);
    const cat = await store.search('upserts', 'cat sleeping', { k: 1 });
    expect(cat[0]).toMatchObject({ id: 'pet', text: 'My cat Luna sleeps all day.' });
    const dogs = await store.search('upserts', 'beagle dog walks', { k: 3 });
    expect(dogs.map((h) => h.text)).not.toContain(FACTS[0]!.text);

    await store.delete('upserts', ['food', 'unknown-id']);
    expect(await store.count('upserts')).toBe(2);
    const remaining = await store.search('upserts', 'vegetarian ramen', { k: 10 });
    expect(remaining.map((h) => h.id).sort()).toEqual(['pet', 'work']);
  });

  it('persists the index: a new store instance loads it from disk without rebuilding', async () => {
    const first = open();
    await first.add('persist', FACTS);
    await first.delete('persist', ['work']);
    await first.close();
    const generation = await current(first, 'persist');
    const manifest = JSON.parse(
      await readFile(path.join(first.indexDir('persist'), generation, 'manifest.json'), 'utf8'),
    );
    expect(manifest).toMatchObject({ namespace: 'persist', model: 'local-hash-384', live: 5, dbCount: 5 });

    const second = open();
    const hits = await second.search('persist', 'beagle', { k: 10 });
    expect(hits[0]!.id).toBe('pet');
    expect(hits.map((h) => h.id)).not.toContain('work');
    expect(hits).toHaveLength(5);
    // Same generation on disk: it was read, not rebuilt.
    expect(await current(second, 'persist')).toBe(generation);
  });

  it('rebuilds from the database when index files are deleted or corrupted', async () => {
    const first = open();
    await first.add('rebuild', FACTS);
    await first.close();
    const dir = first.indexDir('rebuild');
    const generation = await current(first, 'rebuild');

    // Corrupt the index file (same size, garbage bytes).
    const indexFile = path.join(dir, generation, 'hnswlib.index');
    const size = (await readFile(indexFile)).length;
    await writeFile(indexFile, Buffer.alloc(size, 7));
    const afterCorruption = open();
    expect((await afterCorruption.search('rebuild', 'ramen', { k: 1 }))[0]!.id).toBe('food');
    const rebuilt = await current(afterCorruption, 'rebuild');
    expect(rebuilt).not.toBe(generation);
    await afterCorruption.close();

    // Corrupt the pointer, then delete everything.
    await writeFile(path.join(dir, 'CURRENT'), '../../etc');
    const afterBadPointer = open();
    expect((await afterBadPointer.search('rebuild', 'Japan', { k: 1 }))[0]!.id).toBe('trip');
    await afterBadPointer.close();

    await rm(dir, { recursive: true, force: true });
    const afterDeletion = open();
    expect((await afterDeletion.search('rebuild', 'TypeScript developer', { k: 1 }))[0]!.id).toBe('work');
    expect(existsSync(path.join(dir, 'CURRENT'))).toBe(true);
  });

  it('rebuilds when the database changed behind the index (counts or timestamps disagree)', async () => {
    const first = open();
    await first.add('drift', FACTS.slice(0, 3));
    await first.close();
    // Another process (or a restore) changed the rows directly.
    await sequelize.query(`DELETE FROM core_vector_documents WHERE namespace = 'drift' AND id = 'food'`);
    await sequelize.query(
      `UPDATE core_vector_documents SET text = $1, updated_at = now() WHERE namespace = 'drift' AND id = 'work'`,
      { bind: [testCrypto().encrypt('I write Rust now')] },
    );
    const second = open();
    const hits = await second.search('drift', 'anything at all', { k: 10 });
    expect(hits.map((h) => h.id).sort()).toEqual(['pet', 'work']);
    expect(hits.find((h) => h.id === 'work')!.text).toBe('I write Rust now');
  });

  it('re-embeds rows when the embeddings model changes', async () => {
    const first = open();
    await first.add('models', FACTS);
    await first.close();
    const second = open({ embeddings: new LocalEmbeddings({ dimensions: 128 }) });
    expect((await second.search('models', 'spicy ramen', { k: 1 }))[0]!.id).toBe('food');
    const [rows] = await sequelize.query(
      `SELECT DISTINCT model, array_length(embedding, 1) AS dims FROM core_vector_documents WHERE namespace = 'models'`,
    );
    expect(rows).toEqual([{ model: 'local-hash-128', dims: 128 }]);
  });

  it('deletes a namespace: rows, index files and in-memory state', async () => {
    const store = open();
    await store.add('memory:user:del', FACTS);
    await store.add('memory:user:keep', FACTS.slice(0, 2));
    await store.flush();
    const dir = store.indexDir('memory:user:del');
    expect(existsSync(dir)).toBe(true);
    await store.deleteNamespace('memory:user:del');
    expect(existsSync(dir)).toBe(false);
    expect(await store.count('memory:user:del')).toBe(0);
    expect(await store.search('memory:user:del', 'dog')).toEqual([]);
    expect(await store.count('memory:user:keep')).toBe(2);
    await store.close();
    const reopened = open();
    expect(await reopened.search('memory:user:del', 'dog')).toEqual([]);
    expect((await reopened.search('memory:user:keep', 'dog', { k: 1 }))[0]!.id).toBe('pet');
  });

  it('rejects bad input with typed errors', async () => {
    const store = open();
    await expect(store.add('', [{ id: 'a', text: 'x' }])).rejects.toMatchObject({
      code: 'VECTOR_BAD_NAMESPACE',
    });
    await expect(store.add('ns', [{ id: '', text: 'x' }])).rejects.toMatchObject({
      code: 'VECTOR_BAD_DOCUMENT',
    });
    await expect(store.add('ns', [{ id: 'a', text: 'x', metadata: [] as any }])).rejects.toMatchObject({
      code: 'VECTOR_BAD_DOCUMENT',
    });
    await expect(
      store.add('ns', [{ id: 'a', text: 'x', metadata: { blob: 'y'.repeat(70_000) } }]),
    ).rejects.toMatchObject({ code: 'VECTOR_BAD_DOCUMENT' });
    await store.close();
    await expect(store.search('ns', 'x')).rejects.toMatchObject({ code: 'VECTOR_STORE_CLOSED' });
  });

  it('finds the exact nearest neighbours of a known set (recall@10 against brute force)', async () => {
    const dims = 64;
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31 - 0.5;
    };
    const vectors = Array.from({ length: 3000 }, () => Array.from({ length: dims }, random));
    const normalise = (v: number[]) => {
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    await loadHnswLibrary();
    const index = NamespaceIndex.create(
      dims,
      { m: 16, efConstruction: 100, efSearch: 64 },
      new LocalEmbeddings(),
    );
    await index.add(vectors.map((embedding, i) => ({ id: `v${i}`, embedding, metadata: {} })));
    let found = 0;
    const queries = 50;
    for (let q = 0; q < queries; q += 1) {
      const query = Array.from({ length: dims }, random);
      const nq = normalise(query);
      const truth = vectors
        .map((v, i) => ({ id: `v${i}`, score: normalise(v).reduce((s, x, j) => s + x * nq[j]!, 0) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 10);
      const hits = await index.search(query, 10);
      // Scores are true cosine similarities.
      for (const hit of hits) {
        const expected = truth.find((t) => t.id === hit.id);
        if (expected) expect(hit.score).toBeCloseTo(expected.score, 4);
      }
      const ids = new Set(hits.map((h) => h.id));
      found += truth.filter((t) => ids.has(t.id)).length;
    }
    // Uniform random vectors are the hardest case for HNSW; real embeddings cluster.
    expect(found / (queries * 10)).toBeGreaterThanOrEqual(0.9);
  });

  it('works with OpenAI-compatible embeddings through createAiServices', async () => {
    const fake = await startFakeOpenAI({ embeddingDimensions: 96 });
    const ai = createAiServices({
      crypto: testCrypto(),
      config: aiConfig({ OPENAI_BASE_URL: fake.url, EMBEDDING_MODEL: 'text-embedding-3-small' }),
      sequelize,
      dataDir,
      logger: silentLogger,
    });
    try {
      await ai.vectorStore.add('api', FACTS);
      expect((await ai.vectorStore.search('api', 'vegetarian food', { k: 1 }))[0]!.id).toBe('food');
      const [rows] = await sequelize.query(
        `SELECT DISTINCT model, array_length(embedding, 1) AS dims FROM core_vector_documents WHERE namespace = 'api'`,
      );
      expect(rows).toEqual([{ model: 'text-embedding-3-small', dims: 96 }]);
      expect(fake.requests.filter((r) => r.path === '/v1/embeddings').length).toBeGreaterThanOrEqual(2);
    } finally {
      await ai.close();
      await fake.close();
    }
  });
});
