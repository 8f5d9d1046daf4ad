import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type hnswlib from 'hnswlib-node';
import { matchesFilter } from './filter.js';

type HierarchicalNSW = InstanceType<(typeof hnswlib)['HierarchicalNSW']>;

export interface HnswParams {
  /** Graph degree (hnswlib M). */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Candidate list size while searching (at least k is used). */
  efSearch: number;
}

/**
 * Defaults measured with `npm run bench:vector` (384 dims): recall@10 ≥ 0.95 on clustered data
 * while 100k vectors still build in a couple of minutes on two cores.
 */
export const DEFAULT_HNSW_PARAMS: HnswParams = { m: 16, efConstruction: 100, efSearch: 64 };

const TOMBSTONE = '__botloom_deleted';

/** What the index keeps per hnswlib label: the document's id and metadata. */
interface StoredDoc {
  id?: string;
  metadata: Record<string, unknown>;
}

const require = createRequire(import.meta.url);
let native: typeof hnswlib | undefined;

/**
 * hnswlib-node, loaded at the first index an app builds or loads: an app whose plugins keep no
 * vectors never loads the native addon. The index talks to hnswlib-node directly (langchain's
 * HNSWLib wrapper and its docstore cost some 20 MB of memory and most of langchain's start).
 */
export async function loadHnswLibrary(): Promise<void> {
  hnsw();
}

function hnsw(): typeof hnswlib {
  native ??= require('hnswlib-node') as typeof hnswlib;
  return native;
}

/** The index of one namespace: hnswlib-node (cosine space), the documents by label, an id map. */
export class NamespaceIndex {
  /** Document id -> hnswlib label. */
  private readonly labels = new Map<string, number>();
  private deletedCount = 0;

  private constructor(
    readonly dimensions: number,
    readonly params: HnswParams,
    private readonly index: HierarchicalNSW,
    /** hnswlib label (as a string) -> document. */
    private readonly docs: Map<string, StoredDoc>,
  ) {
    for (const [label, doc] of docs) {
      if (doc.metadata?.[TOMBSTONE]) this.deletedCount += 1;
      else if (doc.id) this.labels.set(doc.id, Number(label));
    }
  }

  /** A new empty index. `embeddings` is not used: vectors come already embedded. */
  static create(dimensions: number, params: HnswParams, _embeddings?: EmbeddingsInterface, capacity = 16) {
    const index = new (hnsw().HierarchicalNSW)('cosine', dimensions);
    index.initIndex({
      maxElements: Math.max(16, capacity),
      m: params.m,
      efConstruction: params.efConstruction,
      randomSeed: 100,
    });
    index.setEf(params.efSearch);
    return new NamespaceIndex(dimensions, params, index, new Map());
  }

  /** Live documents (deleted ones excluded). */
  get size(): number {
    return this.labels.size;
  }

  /** Share of slots taken by deleted documents; a high share means it is time to rebuild. */
  get deletedShare(): number {
    const total = this.labels.size + this.deletedCount;
    return total === 0 ? 0 : this.deletedCount / total;
  }

  has(id: string): boolean {
    return this.labels.has(id);
  }

  ids(): string[] {
    return [...this.labels.keys()];
  }

  async add(
    items: Array<{ id: string; embedding: number[]; metadata: Record<string, unknown> }>,
  ): Promise<void> {
    if (items.length === 0) return;
    for (const item of items) {
      if (item.embedding.length !== this.dimensions) {
        throw new Error(
          `Embedding of "${item.id}" has ${item.embedding.length} dimensions, expected ${this.dimensions}`,
        );
      }
      this.remove([item.id]);
    }
    const index = this.index;
    const needed = index.getCurrentCount() + items.length;
    const capacity = index.getMaxElements();
    // Grow geometrically: resizing to exactly `needed` on every add would copy the graph each time.
    if (needed > capacity) index.resizeIndex(Math.max(needed, Math.ceil(capacity * 1.5)));
    const firstLabel = index.getCurrentCount();
    items.forEach((item, offset) => {
      const label = firstLabel + offset;
      index.addPoint(item.embedding, label);
      this.docs.set(String(label), { metadata: item.metadata, id: item.id });
      this.labels.set(item.id, label);
    });
  }

  remove(ids: string[]): number {
    let removed = 0;
    for (const id of ids) {
      const label = this.labels.get(id);
      if (label === undefined) continue;
      this.index.markDelete(label);
      // Keep a tombstone: hnswlib may still hand the label to a filter callback.
      this.docs.set(String(label), { metadata: { [TOMBSTONE]: true } });
      this.labels.delete(id);
      this.deletedCount += 1;
      removed += 1;
    }
    return removed;
  }

  /**
   * k nearest documents by cosine similarity. With a filter that few documents pass, an exact
   * scan over those documents is both faster and complete (HNSW with a tight filter can miss).
   */
  async search(
    query: number[],
    k: number,
    filter?: Record<string, unknown>,
    exactBelow = 2_000,
  ): Promise<Array<{ id: string; score: number; metadata: Record<string, unknown> }>> {
    if (this.labels.size === 0 || k <= 0) return [];
    const docs = this.docs;
    const live = (doc: StoredDoc | undefined): doc is StoredDoc => !!doc && !doc.metadata?.[TOMBSTONE];
    if (filter && Object.keys(filter).length > 0) {
      const candidates: Array<{ label: number; doc: StoredDoc }> = [];
      for (const [, label] of this.labels) {
        const doc = docs.get(String(label));
        if (live(doc) && matchesFilter(doc.metadata, filter)) candidates.push({ label, doc });
        if (candidates.length > exactBelow) break;
      }
      if (candidates.length <= exactBelow) return this.exact(query, k, candidates);
    }
    const limit = Math.min(k, this.labels.size);
    if (query.length !== this.dimensions) {
      throw new Error(`Query vector has ${query.length} dimensions, expected ${this.dimensions}`);
    }
    this.index.setEf(Math.max(this.params.efSearch, limit));
    const filterFn =
      filter && Object.keys(filter).length > 0
        ? (label: number) => {
            const doc = docs.get(String(label));
            return live(doc) && matchesFilter(doc.metadata, filter);
          }
        : undefined;
    const { neighbors, distances } = this.index.searchKnn(
      query,
      Math.min(limit, this.index.getCurrentCount()),
      filterFn,
    );
    const results: Array<{ id: string; score: number; metadata: Record<string, unknown> }> = [];
    neighbors.forEach((label, i) => {
      const doc = docs.get(String(label));
      if (live(doc) && doc.id) results.push({ id: doc.id, score: 1 - distances[i]!, metadata: doc.metadata });
    });
    return results;
  }

  private exact(query: number[], k: number, candidates: Array<{ label: number; doc: StoredDoc }>) {
    let norm = 0;
    for (const v of query) norm += v * v;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const scored = candidates.map(({ label, doc }) => {
      // The cosine space stores normalised vectors, so a dot product is the cosine.
      const point = this.index.getPoint(label);
      let dot = 0;
      for (let i = 0; i < point.length; i += 1) dot += point[i]! * query[i]!;
      return { id: doc.id!, score: dot * scale, metadata: doc.metadata };
    });
    return scored.sort((a, b) => b.score - a.score).slice(0, k);
  }

  // --- persistence ----------------------------------------------------------------------

  /**
   * Writes the index atomically: files go to a fresh generation directory, then the CURRENT
   * pointer is replaced by a rename. A crash leaves either the old or the new generation.
   */
  async save(dir: string, manifest: Omit<IndexManifest, 'checksums' | 'dimensions' | 'params' | 'live'>) {
    await mkdir(dir, { recursive: true });
    const generation = `gen-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const tmp = path.join(dir, `.tmp-${generation}`);
    await mkdir(tmp, { recursive: true });
    const indexFile = path.join(tmp, 'hnswlib.index');
    await this.index.writeIndex(indexFile);
    const docstore = JSON.stringify(
      [...this.docs.entries()].map(([label, doc]) => [label, doc.id ?? null, doc.metadata]),
    );
    await writeFile(path.join(tmp, 'docstore.json'), docstore);
    const full: IndexManifest = {
      ...manifest,
      dimensions: this.dimensions,
      params: this.params,
      live: this.labels.size,
      checksums: { index: sha256(await readFile(indexFile)), docstore: sha256(Buffer.from(docstore)) },
    };
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(full, null, 2));
    await rename(tmp, path.join(dir, generation));
    const pointerTmp = path.join(dir, `.CURRENT-${generation}`);
    await writeFile(pointerTmp, generation);
    await rename(pointerTmp, path.join(dir, 'CURRENT'));
    // Older generations and abandoned temp dirs are garbage now.
    for (const entry of await readdir(dir)) {
      if (entry !== generation && entry !== 'CURRENT')
        await rm(path.join(dir, entry), { recursive: true, force: true });
    }
  }

  /** Loads the current generation, or throws IndexUnusableError when missing or corrupt. */
  static async load(
    dir: string,
    _embeddings?: EmbeddingsInterface,
  ): Promise<{ index: NamespaceIndex; manifest: IndexManifest }> {
    let generation: string;
    try {
      generation = (await readFile(path.join(dir, 'CURRENT'), 'utf8')).trim();
    } catch {
      throw new IndexUnusableError('missing');
    }
    if (!/^gen-[a-z0-9]+-[0-9a-f]+$/.test(generation))
      throw new IndexUnusableError('corrupt CURRENT pointer');
    const genDir = path.join(dir, generation);
    let manifest: IndexManifest;
    let indexBytes: Buffer;
    let docstoreBytes: Buffer;
    try {
      manifest = JSON.parse(await readFile(path.join(genDir, 'manifest.json'), 'utf8'));
      indexBytes = await readFile(path.join(genDir, 'hnswlib.index'));
      docstoreBytes = await readFile(path.join(genDir, 'docstore.json'));
    } catch (error) {
      throw new IndexUnusableError(`unreadable (${(error as Error).message})`);
    }
    // Never hand a damaged file to the native reader: verify checksums first.
    if (
      !manifest?.checksums ||
      sha256(indexBytes) !== manifest.checksums.index ||
      sha256(docstoreBytes) !== manifest.checksums.docstore
    ) {
      throw new IndexUnusableError('checksum mismatch');
    }
    let entries: Array<[string, string | null, Record<string, unknown>]>;
    try {
      entries = JSON.parse(docstoreBytes.toString('utf8'));
    } catch {
      throw new IndexUnusableError('corrupt docstore');
    }
    const index = new (hnsw().HierarchicalNSW)('cosine', manifest.dimensions);
    await index.readIndex(path.join(genDir, 'hnswlib.index'));
    index.setEf(manifest.params.efSearch);
    const docs = new Map<string, StoredDoc>(
      entries.map(([label, id, metadata]) => [label, { metadata, id: id ?? undefined }]),
    );
    const loaded = new NamespaceIndex(manifest.dimensions, manifest.params, index, docs);
    if (loaded.size !== manifest.live) throw new IndexUnusableError('manifest and docstore disagree');
    return { index: loaded, manifest };
  }
}

export interface IndexManifest {
  namespace: string;
  model: string;
  dimensions: number;
  params: HnswParams;
  /** Live documents in the index. */
  live: number;
  /** Database state the index reflects: row count and the latest updated_at. */
  dbCount: number;
  dbUpdatedAt: string | null;
  /** The namespace's change version (core_vector_namespaces) the index reflects; absent in older files. */
  version?: number;
  savedAt: string;
  checksums: { index: string; docstore: string };
}

export class IndexUnusableError extends Error {}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
