import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFeatures, loadFeatures } from '../src/services/features.js';
import { ImportService } from '../src/services/import-service.js';
import { createSegmentationTestDb, type SegmentationTestDb, TEST_LIMITS } from './helpers.js';

let db: SegmentationTestDb;

beforeAll(async () => {
  db = await createSegmentationTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe('features computed in PostgreSQL', () => {
  it('match a hand-checked data set', async () => {
    const csv = [
      'card_id,timestamp,amount,currency,mcc,category,online,city,country',
      'C1,2024-01-01T00:00:00Z,100,RUB,5411,,false,Moscow,RU',
      'C1,2024-01-03T00:00:00Z,300,RUB,4511,,true,Paris,FR',
      'C1,2024-01-05T00:00:00Z,200,RUB,,taxi,false,Moscow,RU',
      'C2,2024-01-10T12:00:00Z,10,EUR,4829,,true,Kazan,RU',
    ].join('\n');
    const imported = await new ImportService(db.sequelize, TEST_LIMITS).importFile(
      await db.file('hand.csv', csv),
    );
    expect(imported.status).toBe('completed');
    const [run] = (await db.sequelize.query(
      "INSERT INTO segmentation_runs (status, trigger, seed, restarts) VALUES ('running', 'manual', 1, 1) RETURNING id",
    )) as [Array<{ id: number }>, unknown];
    const result = await computeFeatures(db.sequelize, run[0].id);
    expect(result.clients).toBe(2);
    expect(result.asOf?.toISOString()).toBe('2024-01-10T12:00:00.000Z');

    const [c1, c2] = await loadFeatures(db.sequelize, run[0].id);
    expect(c1.cardId).toBe('C1');
    expect(c1.tx_count).toBe(3);
    expect(c1.frequency).toBeCloseTo(3 / 4, 12); // 3 transactions over a 4-day span
    expect(c1.recency_days).toBeCloseTo(5.5, 12);
    expect(c1.total_spend).toBe(600);
    expect(c1.avg_spend).toBeCloseTo(200, 12);
    expect(c1.std_spend).toBeCloseTo(Math.sqrt(20000 / 3), 9); // population std of 100, 300, 200
    expect(c1.share_travel).toBeCloseTo(0.5, 12);
    expect(c1.share_food).toBeCloseTo(1 / 6, 12);
    expect(c1.share_city).toBeCloseTo(1 / 3, 12);
    expect(c1.share_wallets).toBe(0);
    expect(c1.share_entertainment).toBe(0);
    expect(c1.share_retail).toBe(0);
    expect(c1.online_share).toBeCloseTo(1 / 3, 12);
    expect(c1.distinct_cities).toBe(2);
    expect(c1.distinct_countries).toBe(2);

    expect(c2).toEqual({
      cardId: 'C2',
      tx_count: 1,
      frequency: 1, // a span under one day counts as one day
      recency_days: 0,
      total_spend: 980, // 10 EUR at the default rate 98
      avg_spend: 980,
      std_spend: 0,
      share_travel: 0,
      share_food: 0,
      share_wallets: 1,
      share_city: 0,
      share_entertainment: 0,
      share_retail: 0,
      online_share: 1,
      distinct_cities: 1,
      distinct_countries: 1,
    });
  });
});
