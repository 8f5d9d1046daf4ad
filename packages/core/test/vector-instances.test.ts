import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreServices } from '../src/core-services.js';
import { definePlugin } from '../src/plugin/define-plugin.js';
import { PostgresSignalTransport } from '../src/signals/postgres-transport.js';
import { createSignalService, type SignalService } from '../src/signals/signal-service.js';
import type { Signals } from '../src/signals/types.js';
import { Tokens } from '../src/tokens.js';
import { HnswVectorStore } from '../src/vector/hnsw-vector-store.js';
import { LocalEmbeddings } from '../src/vector/local-embeddings.js';
import type { VectorStore } from '../src/vector/types.js';
import { setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';
import { eventually, type Instances, startInstances } from './helpers/instances.js';
import { callbackUpdate } from './support/fake-bot-api.js';

const found = async (store: VectorStore, namespace: string, query: string, id: string) => {
  const hits = await store.search(namespace, query, { k: 5 });
  return hits.some((h) => h.id === id) ? true : undefined;
};
const gone = async (store: VectorStore, namespace: string, query: string, id: string) => {
  const hits = await store.search(namespace, query, { k: 5 });
  return hits.some((h) => h.id === id) ? undefined : true;
};

/** Signals whose deliveries to this instance can be dropped, as a lost NOTIFY would be. */
function droppable(inner: Signals): Signals & { drop: boolean } {
  const wrapper = {
    drop: false,
    backend: inner.backend,
    instanceId: inner.instanceId,
    publish: inner.publish.bind(inner),
    subscribe: ((channel, handler, options) =>
      inner.subscribe(
        channel,
        (payload, meta) => (wrapper.drop ? undefined : handler(payload, meta)),
        options,
      )) as Signals['subscribe'],
  };
  return wrapper;
}

describe('vector store on two instances (own indexes, one database)', () => {
  let close: () => Promise<void>;
  let url: string;
  const sequelizes: Sequelize[] = [];
  const signals: SignalService[] = [];
  const dirs: string[] = [];
  let a: HnswVectorStore;
  let b: HnswVectorStore;
  let bSignals: ReturnType<typeof droppable>;

  beforeAll(async () => {
    const db = await setupAiDatabase();
    close = db.close;
    url = db.url;
    const make = async (signalsOf: (s: SignalService) => Signals) => {
      const sequelize = new Sequelize(url, { logging: false, pool: { max: 3 } });
      sequelizes.push(sequelize);
      const service = createSignalService({
        transport: new PostgresSignalTransport(url, silentLogger),
        logger: silentLogger,
      });
      signals.push(service);
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-vecsync-'));
      dirs.push(dataDir);
      const store = new HnswVectorStore({
        sequelize,
        embeddings: new LocalEmbeddings(),
        crypto: testCrypto(),
        dataDir,
        logger: silentLogger,
        signals: signalsOf(service),
        // Only the explicit checks below: the test decides when the watermark check runs.
        syncIntervalMs: 0,
      });
      await store.startSync();
      return store;
    };
    a = await make((s) => s);
    b = await make((s) => {
      bSignals = droppable(s);
      return bSignals;
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const s of signals) await s.close();
    for (const s of sequelizes) await s.close();
    await close?.();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('a document added on A is found on B, whose index was already loaded (signal)', async () => {
    await a.add('kb', [{ id: 'tea', text: 'Green tea is brewed at 80 degrees' }]);
    // B loads the namespace now (built from PostgreSQL), then must follow A's later writes.
    expect(await found(b, 'kb', 'green tea brewing temperature', 'tea')).toBe(true);
    await a.add('kb', [{ id: 'coffee', text: 'Espresso needs finely ground coffee beans' }]);
    await eventually('B to find the new document', () => found(b, 'kb', 'espresso coffee beans', 'coffee'));
  });

  it('a document deleted on A disappears from B', async () => {
    await a.delete('kb', ['tea']);
    await eventually('the deleted document to leave B', () => gone(b, 'kb', 'green tea brewing', 'tea'));
  });

  it('a dropped namespace disappears from B', async () => {
    await a.add('user:7', [{ id: 'pet', text: 'My cat is called Murka' }]);
    expect(await found(b, 'user:7', 'cat name', 'pet')).toBe(true);
    await a.deleteNamespace('user:7');
    await eventually('the dropped namespace to be empty on B', () => gone(b, 'user:7', 'cat name', 'pet'));
  });

  it('a signal B never got is repaired by its next watermark check', async () => {
    bSignals.drop = true;
    await a.add('kb', [{ id: 'bread', text: 'Sourdough bread rises overnight' }]);
    await a.delete('kb', ['coffee']);
    // The signals are gone (and B checks only when told to): B's index is behind...
    expect(await gone(b, 'kb', 'sourdough bread', 'bread')).toBe(true);
    // ...until the watermark check, which needs no signal.
    await b.syncNow();
    expect(await found(b, 'kb', 'sourdough bread', 'bread')).toBe(true);
    expect(await gone(b, 'kb', 'espresso coffee beans', 'coffee')).toBe(true);
    bSignals.drop = false;
  });

  it('an index restarted from its files catches up with changes made while it was away', async () => {
    await b.flush();
    await a.add('kb', [{ id: 'soup', text: 'Borscht is a beet soup' }]);
    const restarted = new HnswVectorStore({
      sequelize: sequelizes[1]!,
      embeddings: new LocalEmbeddings(),
      crypto: testCrypto(),
      dataDir: dirs[1]!,
      logger: silentLogger,
      syncIntervalMs: 0,
    });
    expect(await found(restarted, 'kb', 'beet soup', 'soup')).toBe(true);
    expect(await gone(restarted, 'kb', 'espresso coffee', 'coffee')).toBe(true);
    await restarted.close();
  });
});

describe('two app instances: vector writes, deletes and /delete_my_data reach the other instance', () => {
  let instances: Instances;
  const user = { id: 5150, first_name: 'Vera', language_code: 'en' };

  beforeAll(async () => {
    const notes = () =>
      definePlugin({
        id: 'notes',
        version: '1.0.0',
        core: '^0.1.0',
        services: {
          deps: { vectors: coreServices.vectorStore },
          init: ({ deps }) => ({ vectors: deps.vectors }),
        },
        bot: ({ composer, services }) =>
          composer.on('message:text', async (ctx) => {
            await services.vectors.add(`notes:${ctx.from.id}`, [
              { id: `n${ctx.update.update_id}`, text: ctx.message.text },
            ]);
            await ctx.reply('noted');
          }),
        userData: {
          describe: 'core-deleted',
          erase: (userId, { services }) => services.vectors.deleteNamespace(`notes:${userId}`),
        },
      });
    instances = await startInstances({ count: 2, plugins: () => [notes()] });
  }, 120_000);
  afterAll(async () => {
    await instances?.stop();
  });

  const storeOf = (index: number) => instances.apps[index]!.resolver()(Tokens.VectorStore) as VectorStore;

  it('a note taken through A is found on B; /delete_my_data on B removes it from A too', async () => {
    const namespace = `notes:${user.id}`;
    const first = instances.telegram.textUpdate('My passport number ends with 4711', user);
    expect(await instances.deliver(0, first)).toBe(200);
    await instances.waitHandled([first.update_id]);
    // Both instances load the namespace (each builds its own index from PostgreSQL).
    const id = `n${first.update_id}`;
    expect(await found(storeOf(1), namespace, 'passport number', id)).toBe(true);
    expect(await found(storeOf(0), namespace, 'passport number', id)).toBe(true);

    const second = instances.telegram.textUpdate('The dentist appointment is on Friday', user);
    expect(await instances.deliver(0, second)).toBe(200);
    await instances.waitHandled([second.update_id]);
    await eventually('B to find the note taken on A', () =>
      found(storeOf(1), namespace, 'dentist appointment', `n${second.update_id}`),
    );

    const confirm = callbackUpdate('core:delete:yes', user, 1, 900_001);
    expect(await instances.deliver(1, confirm)).toBe(200);
    await instances.waitHandled([confirm.update_id]);
    await eventually('A to forget the notes erased on B', () =>
      gone(storeOf(0), namespace, 'dentist appointment', `n${second.update_id}`),
    );
    expect(await gone(storeOf(0), namespace, 'passport number', id)).toBe(true);
    expect(await storeOf(0).count(namespace)).toBe(0);
  });
});
