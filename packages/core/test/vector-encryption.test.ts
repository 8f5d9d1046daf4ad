import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { QueryTypes, Sequelize } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import { coreMigrations } from '../src/db/core-migrations.js';
import { Migrator } from '../src/db/migrator.js';
import { createAiServices } from '../src/llm/ai-services.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';
import { Tokens } from '../src/tokens.js';
import { HnswVectorStore } from '../src/vector/hnsw-vector-store.js';
import { LocalEmbeddings } from '../src/vector/local-embeddings.js';
import { vectorMigrations } from '../src/vector/migrations.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';
import { startFakeTelegram } from './helpers/fake-telegram.js';
import { quietLogger } from './helpers/quiet-logger.js';

const SECRET = 'My bank PIN is 4417 and my sister Oksana lives on Rubinstein Street.';
const DOCS = [
  { id: 'secret', text: SECRET, metadata: { kind: 'fact' } },
  { id: 'pet', text: 'My dog Baxter is a beagle and loves long walks.', metadata: { kind: 'fact' } },
  { id: 'ru', text: 'Моя машина — синяя Тойота, я езжу на ней на дачу.', metadata: { kind: 'summary' } },
];
// Distinctive fragments: none may appear anywhere at rest.
const FRAGMENTS = ['4417', 'Oksana', 'Rubinstein', 'Baxter', 'beagle', 'Тойота', 'дачу'];

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else out.push(full);
  }
  return out;
}

function expectNoPlaintext(haystack: string) {
  for (const fragment of FRAGMENTS) expect(haystack).not.toContain(fragment);
}

describe('vector document text is encrypted at rest', () => {
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

  beforeAll(async () => {
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase());
  });
  afterAll(async () => {
    await closeDb();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('stores ciphertext only, and search returns the decrypted text with true cosine scores', async () => {
    const store = open();
    await store.add('memory:user:7', DOCS);

    const rows = await sequelize.query<{ id: string; text: string; text_encrypted: boolean; row: string }>(
      `SELECT id, text, text_encrypted, d::text AS row FROM core_vector_documents d WHERE namespace = 'memory:user:7'`,
      { type: QueryTypes.SELECT },
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.text_encrypted).toBe(true);
      expect(row.text).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]+$/);
      expectNoPlaintext(row.row);
    }
    // Same text twice gives different ciphertexts (random IVs): nothing to compare across rows.
    await store.add('memory:user:8', [{ id: 'secret', text: SECRET }]);
    const [again] = await sequelize.query<{ text: string }>(
      `SELECT text FROM core_vector_documents WHERE namespace = 'memory:user:8'`,
      { type: QueryTypes.SELECT },
    );
    expect(again!.text).not.toBe(rows.find((r) => r.id === 'secret')!.text);

    const embeddings = new LocalEmbeddings();
    const query = 'what is my bank PIN?';
    const hits = await store.search('memory:user:7', query, { k: 3 });
    expect(hits[0]).toMatchObject({ id: 'secret', text: SECRET, metadata: { kind: 'fact' } });
    const q = await embeddings.embedQuery(query);
    for (const hit of hits) {
      const original = DOCS.find((d) => d.id === hit.id)!;
      expect(hit.text).toBe(original.text);
      const [v] = await embeddings.embedDocuments([original.text]);
      expect(hit.score).toBeCloseTo(cosine(q, v!), 4);
    }
    // Filtered (exact scan) path decrypts too.
    const ru = await store.search('memory:user:7', 'машина', { k: 5, filter: { kind: 'summary' } });
    expect(ru.map((h) => h.text)).toEqual([DOCS[2]!.text]);
    // Upserts replace the ciphertext.
    await store.add('memory:user:7', [{ id: 'pet', text: 'My cat Luna sleeps all day.' }]);
    const cat = await store.search('memory:user:7', 'My cat Luna sleeps all day.', { k: 1 });
    expect(cat[0]).toMatchObject({ id: 'pet', text: 'My cat Luna sleeps all day.' });
    expect(cat[0]!.score).toBeCloseTo(1, 4);
  });

  it('writes no text into the index files, and rebuilds from the database after they are deleted', async () => {
    const store = open();
    await store.add('files', DOCS);
    await store.flush();
    const dir = store.indexDir('files');
    const files = await filesUnder(dir);
    expect(files.map((f) => path.basename(f)).sort()).toEqual(
      ['CURRENT', 'docstore.json', 'hnswlib.index', 'manifest.json'].sort(),
    );
    for (const file of files) {
      const bytes = await readFile(file);
      expectNoPlaintext(bytes.toString('utf8'));
      expectNoPlaintext(bytes.toString('latin1'));
      expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    }
    await store.close();

    await rm(dir, { recursive: true, force: true });
    const reopened = open();
    const hits = await reopened.search('files', 'bank PIN sister', { k: 1 });
    expect(hits[0]).toMatchObject({ id: 'secret', text: SECRET });
    await reopened.flush();
    for (const file of await filesUnder(dir)) expectNoPlaintext((await readFile(file)).toString('utf8'));

    // A model change re-embeds the decrypted text (not the ciphertext): exact text scores 1.
    await reopened.close();
    const otherModel = open({ embeddings: new LocalEmbeddings({ dimensions: 128 }) });
    const exact = await otherModel.search('files', DOCS[1]!.text, { k: 1 });
    expect(exact[0]).toMatchObject({ id: 'pet', text: DOCS[1]!.text });
    expect(exact[0]!.score).toBeCloseTo(1, 4);
    const [row] = await sequelize.query<{ model: string; text: string }>(
      `SELECT model, text FROM core_vector_documents WHERE namespace = 'files' AND id = 'pet'`,
      { type: QueryTypes.SELECT },
    );
    expect(row!.model).toBe('local-hash-128');
    expectNoPlaintext(row!.text);
  });

  it('fails clearly with another ENCRYPTION_KEY instead of returning garbage', async () => {
    const store = open();
    await store.add('keys', DOCS);
    await store.close();

    const wrong = open({ crypto: testCrypto(Buffer.alloc(32, 2)) });
    const failure = await wrong.search('keys', 'bank PIN', { k: 1 }).catch((error) => error);
    expect(failure).toMatchObject({ code: 'VECTOR_DECRYPTION_FAILED', name: 'VectorStoreError' });
    expect(failure.message).toMatch(/ENCRYPTION_KEY is not the key it was stored with/);
    expect(failure.message).not.toContain('4417');
    await expect(wrong.checkEncryptionKey()).rejects.toMatchObject({ code: 'VECTOR_DECRYPTION_FAILED' });
    await expect(open().checkEncryptionKey()).resolves.toBeUndefined();

    // AiServices.start() reports the mismatch in the log (no secrets), without failing.
    const lines: Array<{ level: number; msg: string; time?: number; pid?: number; hostname?: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const ai = createAiServices({
      config: aiConfig(),
      sequelize,
      dataDir,
      logger,
      crypto: testCrypto(Buffer.alloc(32, 2)),
    });
    try {
      await ai.start();
      const error = lines.find((l) => l.level === 50);
      expect(error?.msg).toMatch(/ENCRYPTION_KEY cannot decrypt the stored vector documents/);
      // Without pino's own fields: a 13-digit time or a pid may hold the digits by chance.
      const written = lines.map(({ time: _time, pid: _pid, hostname: _host, ...rest }) => rest);
      expect(JSON.stringify(written)).not.toContain('4417');
    } finally {
      await ai.close();
    }
  });
});

describe('migration 0411-vector-encrypt-text', () => {
  let db: TestDatabase;
  let sequelize: Sequelize;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('botloom_vecenc');
    sequelize = new Sequelize(db.url, { logging: false, pool: { max: 3 } });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-vecenc-'));
  });
  afterAll(async () => {
    await sequelize?.close();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('marks existing rows as plaintext; the app encrypts them at start, leaving indexes valid', async () => {
    // The schema and rows of a Botloom version from before encryption.
    const before = coreMigrations.filter((m) => m.name !== '0411-vector-encrypt-text');
    await new Migrator({
      sequelize,
      logger: silentLogger,
      sources: [{ pluginId: 'core', migrations: before }],
    }).up();
    const embeddings = new LocalEmbeddings();
    const vectors = await embeddings.embedDocuments(DOCS.map((d) => d.text));
    for (const [i, doc] of DOCS.entries()) {
      await sequelize.query(
        `INSERT INTO core_vector_documents (namespace, id, text, metadata, embedding, model, created_at, updated_at)
         VALUES ('memory:user:1', $1, $2, CAST($3 AS jsonb), CAST($4 AS real[]), $5, now(), now())`,
        {
          bind: [
            doc.id,
            doc.text,
            JSON.stringify(doc.metadata),
            `{${vectors[i]!.join(',')}}`,
            embeddings.model,
          ],
        },
      );
    }

    const executed = await new Migrator({
      sequelize,
      logger: silentLogger,
      sources: [{ pluginId: 'core', migrations: coreMigrations }],
    }).up();
    expect(executed).toEqual(['core:0411-vector-encrypt-text']);
    const marked = await sequelize.query<{ text_encrypted: boolean }>(
      'SELECT text_encrypted FROM core_vector_documents',
      { type: QueryTypes.SELECT },
    );
    expect(marked.map((r) => r.text_encrypted)).toEqual([false, false, false]);

    // Until the sweep, legacy rows are still served (as plaintext) and indexed.
    const store = new HnswVectorStore({
      sequelize,
      dataDir,
      embeddings,
      crypto: testCrypto(),
      logger: silentLogger,
      persistDelayMs: 20,
    });
    expect((await store.search('memory:user:1', 'bank PIN', { k: 1 }))[0]).toMatchObject({ text: SECRET });
    await store.close();
    const generation = await readFile(path.join(store.indexDir('memory:user:1'), 'CURRENT'), 'utf8');
    const updatedBefore = await sequelize.query<{ id: string; u: string }>(
      `SELECT id, updated_at::text AS u FROM core_vector_documents ORDER BY id`,
      { type: QueryTypes.SELECT },
    );

    // One start of the app: no readable row is left.
    const telegram = await startFakeTelegram();
    const app = createApp({
      plugins: [],
      config: {
        DATABASE_URL: db.url,
        PORT: 0,
        HOST: '127.0.0.1',
        KV_URL: 'memory://',
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.apiRoot,
        BOTLOOM_DATA_DIR: dataDir,
        ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      },
      env: {},
      dotenv: false,
      logger: quietLogger(),
    });
    try {
      await app.start();
      const rows = await sequelize.query<{ text: string; text_encrypted: boolean }>(
        'SELECT text, text_encrypted FROM core_vector_documents',
        { type: QueryTypes.SELECT },
      );
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row.text_encrypted).toBe(true);
        expectNoPlaintext(row.text);
      }
      const hits = await app.resolver()(Tokens.VectorStore).search('memory:user:1', 'bank PIN', { k: 1 });
      expect(hits[0]).toMatchObject({ id: 'secret', text: SECRET });
    } finally {
      await app.stop();
      await telegram.close();
    }
    // updated_at untouched, so the saved index still matched the database (not rebuilt).
    expect(
      await sequelize.query(`SELECT id, updated_at::text AS u FROM core_vector_documents ORDER BY id`, {
        type: QueryTypes.SELECT,
      }),
    ).toEqual(updatedBefore);
    expect(await readFile(path.join(store.indexDir('memory:user:1'), 'CURRENT'), 'utf8')).toBe(generation);

    // Idempotent; rows written by an older version later (plaintext by default) are caught.
    await sequelize.query(
      `INSERT INTO core_vector_documents (namespace, id, text, metadata, embedding, model, created_at, updated_at)
       VALUES ('memory:user:2', 'late', 'Oksana wrote this late', '{}', '{1,0}', 'old', now(), now())`,
    );
    const sweeper = new HnswVectorStore({
      sequelize,
      dataDir,
      embeddings,
      crypto: testCrypto(),
      logger: silentLogger,
    });
    expect(await sweeper.encryptPlaintextRows()).toBe(1);
    expect(await sweeper.encryptPlaintextRows()).toBe(0);
    const all = await sequelize.query<{ row: string }>('SELECT d::text AS row FROM core_vector_documents d', {
      type: QueryTypes.SELECT,
    });
    for (const { row } of all) expectNoPlaintext(row);
    await sweeper.close();
    expect(vectorMigrations.map((m) => m.name)).toEqual([
      '0410-vector-documents',
      '0411-vector-encrypt-text',
      '0412-vector-changes',
    ]);
  });
});
