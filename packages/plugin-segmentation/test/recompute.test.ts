import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedKind, writeGeneratedCsv } from '../src/services/generator.js';
import { ImportService } from '../src/services/import-service.js';
import { adjustedRandIndex } from '../src/services/metrics.js';
import { RecomputeService } from '../src/services/recompute-service.js';
import { SegmentQueries } from '../src/services/segment-queries.js';
import { createSegmentationTestDb, type SegmentationTestDb, TEST_LIMITS } from './helpers.js';

let db: SegmentationTestDb;
let labels: Map<string, GeneratedKind>;
const settings = { k: 3, minK: 2, maxK: 6, restarts: 5, seed: 42, silhouetteSample: 800, keepRuns: 2 };

beforeAll(async () => {
  db = await createSegmentationTestDb();
  const file = path.join(db.tmpDir, 'generated.csv');
  const out = createWriteStream(file);
  const generated = await writeGeneratedCsv(out, {
    clients: 600,
    seed: 7,
    end: new Date('2024-06-01T00:00:00Z'),
  });
  out.end();
  await finished(out);
  labels = generated.labels;
  const result = await new ImportService(db.sequelize, TEST_LIMITS).importFile(file);
  expect(result.status).toBe('completed');
});
afterAll(async () => {
  await db?.close();
});

describe('recompute on generated archetypes', () => {
  it('finds and names the seed three segments', async () => {
    const recompute = new RecomputeService(db.sequelize, settings);
    const run = await recompute.recompute({ trigger: 'manual' });
    expect(run).toMatchObject({ status: 'completed', version: 1, k: 3, kChosenBy: 'config', nClients: 600 });
    const queries = new SegmentQueries(db.sequelize);
    const segments = await queries.segments();
    const names = segments
      .map((s) => (s.label.kind === 'archetype' ? s.label.archetype : 'generated'))
      .sort();
    expect(names).toEqual(['city_dweller', 'digital_traveller', 'traditional']);

    // Assignments agree with the generator's archetypes (noise clients left out).
    const segmentToArchetype = new Map(
      segments.map((s) => [s.segment, s.label.kind === 'archetype' ? s.label.archetype : 'generated']),
    );
    const truth: number[] = [];
    const predicted: number[] = [];
    const kinds = ['traditional', 'digital_traveller', 'city_dweller'];
    let agree = 0;
    for await (const batch of queries.exportRows(200)) {
      for (const row of batch) {
        const kind = labels.get(row.cardId);
        if (!kind || kind === 'noise') continue;
        truth.push(kinds.indexOf(kind));
        predicted.push(row.segment);
        if (segmentToArchetype.get(row.segment) === kind) agree++;
      }
    }
    expect(adjustedRandIndex(truth, predicted)).toBeGreaterThan(0.9);
    expect(agree / truth.length).toBeGreaterThan(0.95);
  });

  it('versions runs: readers keep the last completed run while a new one fails', async () => {
    const queries = new SegmentQueries(db.sequelize);
    const before = await queries.latestRun();
    const failing = new RecomputeService(db.sequelize, { ...settings, k: 0, minK: 2, maxK: 2 });
    // k = 700 > clients: the run fails, nothing changes for readers.
    await expect(failing.recompute({ trigger: 'manual', k: 700 })).rejects.toMatchObject({
      code: 'SEGMENTATION_NOT_ENOUGH_CLIENTS',
    });
    expect((await queries.latestRun())?.id).toBe(before?.id);
    const runs = await failing.listRuns();
    expect(runs[0]).toMatchObject({ status: 'failed', version: null });
    const [features] = (await db.sequelize.query(
      'SELECT count(*)::int AS n FROM segmentation_features WHERE run_id = $1',
      {
        bind: [runs[0].id],
      },
    )) as [Array<{ n: number }>, unknown];
    expect(features[0].n).toBe(0);

    const chosen = await failing.recompute({ trigger: 'schedule' });
    expect(chosen).toMatchObject({ status: 'completed', version: 2, k: 2, kChosenBy: 'silhouette' });
    expect(chosen.silhouette).toBeGreaterThan(0);
    expect((await queries.latestRun())?.version).toBe(2);

    const third = await new RecomputeService(db.sequelize, settings).recompute({ trigger: 'manual' });
    expect(third.version).toBe(3);
    // keepRuns = 2: the first run and its rows are gone.
    const completed = (await failing.listRuns())
      .filter((r) => r.status === 'completed')
      .map((r) => r.version);
    expect(completed).toEqual([3, 2]);
  });

  it('profiles a client against its segment and the population', async () => {
    const queries = new SegmentQueries(db.sequelize);
    const profile = await queries.clientProfile('C0000001');
    expect(profile).not.toBeNull();
    const tx = profile?.comparisons.find((c) => c.feature === 'tx_count');
    expect(tx?.client).toBe(profile?.features.tx_count);
    expect(tx?.population).toBeCloseTo(profile?.population.tx_count ?? Number.NaN, 9);
    expect(await queries.clientProfile('NO-SUCH-CARD')).toBeNull();
    const page = await queries.listClients(1, 25);
    expect(page).toMatchObject({ page: 1, pageSize: 25, total: 600, pages: 24 });
    expect(page?.clients[0].cardId).toBe('C0000026');
    expect(await queries.randomCardId()).toMatch(/^C\d{7}$/);
  });
});
