import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportService } from '../src/services/import-service.js';
import { createSegmentationTestDb, type SegmentationTestDb, TEST_LIMITS } from './helpers.js';

const HEADER = 'card_id,timestamp,amount,currency,mcc,category,online,city,country';
const GOOD_ROWS = [
  'C1,2024-03-01T10:00:00Z,100.50,RUB,5411,,false,Moscow,RU',
  'C1,2024-03-02 12:30:00,20,EUR,4511,,true,Paris,FR',
  'C2,2024-03-03,300,RUB,,food,no,Kazan,RU',
];

let db: SegmentationTestDb;
let service: ImportService;

async function count(table: string): Promise<number> {
  const [rows] = (await db.sequelize.query(`SELECT count(*)::int AS n FROM ${table}`)) as [
    Array<{ n: number }>,
    unknown,
  ];
  return rows[0].n;
}

async function stagingTables(): Promise<number> {
  const [rows] = (await db.sequelize.query(
    "SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE 'segmentation_staging_%'",
  )) as [Array<{ n: number }>, unknown];
  return rows[0].n;
}

beforeAll(async () => {
  db = await createSegmentationTestDb();
  service = new ImportService(db.sequelize, TEST_LIMITS);
});
afterAll(async () => {
  await db?.close();
});

describe('CSV import', () => {
  it('imports a good file, normalises values and records the import', async () => {
    const file = await db.file('good.csv', `${HEADER}\n${GOOD_ROWS.join('\n')}\n`);
    const result = await service.importFile(file, { source: 'cli' });
    expect(result.status).toBe('completed');
    expect(result.report?.rowsTotal).toBe(3);
    expect(result.report?.rowsImported).toBe(3);
    const [rows] = (await db.sequelize.query(
      'SELECT card_id, ts, amount::float AS amount, currency, amount_base::float AS base, mcc, category, online, city, country FROM segmentation_transactions ORDER BY ts',
    )) as [Array<Record<string, unknown>>, unknown];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      card_id: 'C1',
      amount: 100.5,
      base: 100.5,
      mcc: 5411,
      category: 'food',
      online: false,
    });
    expect(new Date(rows[0].ts as string).toISOString()).toBe('2024-03-01T10:00:00.000Z');
    expect(rows[1]).toMatchObject({
      currency: 'EUR',
      base: 20 * 98,
      category: 'travel',
      online: true,
      country: 'FR',
    });
    expect(new Date(rows[1].ts as string).toISOString()).toBe('2024-03-02T12:30:00.000Z');
    expect(rows[2]).toMatchObject({ card_id: 'C2', mcc: null, category: 'food', online: false });
    const stored = await service.getImport(result.id);
    expect(stored).toMatchObject({
      status: 'completed',
      rowsImported: 3,
      source: 'cli',
      filename: 'good.csv',
    });
    expect(await stagingTables()).toBe(0);
  });

  it('rejects the same file content a second time unless allowed', async () => {
    const file = await db.file('good-again.csv', `${HEADER}\n${GOOD_ROWS.join('\n')}\n`);
    const before = await count('segmentation_transactions');
    const result = await service.importFile(file);
    expect(result).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_DUPLICATE_FILE' });
    expect(await count('segmentation_transactions')).toBe(before);
  });

  it('rejects a file with bad rows as a whole and reports line, column and reason', async () => {
    const before = await count('segmentation_transactions');
    const csv = [
      HEADER,
      'B1,2024-03-01T10:00:00Z,10,RUB,5411,,false,Moscow,RU',
      'B2,yesterday,10,RUB,5411,,false,Moscow,RU',
      'B3,2024-03-01T10:00:00Z,abc,RUB,5411,,maybe,Moscow,RU',
      'B4,2024-03-01T10:00:00Z,10,RUB',
      'B5,2024-03-01T10:00:00Z,10,RUB,5411,,true,Moscow,RU',
    ].join('\n');
    const result = await service.importFile(await db.file('bad.csv', csv));
    expect(result.status).toBe('rejected');
    expect(result.errorCode).toBe('SEGMENTATION_INVALID_ROWS');
    expect(result.report?.rowsTotal).toBe(5);
    expect(result.report?.rowsInvalid).toBe(3);
    expect(result.report?.rowsImported).toBe(0);
    expect(result.report?.badRows).toEqual([
      { line: 3, column: 'timestamp', reason: 'not an ISO 8601 date/time or epoch', value: 'yesterday' },
      { line: 4, column: 'amount', reason: 'not a number', value: 'abc' },
      { line: 4, column: 'online', reason: 'not a boolean (true/false, 1/0, yes/no)', value: 'maybe' },
      { line: 5, column: '*', reason: 'expected 9 fields, got 4' },
    ]);
    expect(await count('segmentation_transactions')).toBe(before);
    const stored = await service.getImport(result.id);
    expect(stored?.status).toBe('rejected');
    expect(stored?.report?.badRows).toHaveLength(4);
    expect(await stagingTables()).toBe(0);
  });

  it('imports only the good rows with skipInvalid and still reports the bad ones', async () => {
    const before = await count('segmentation_transactions');
    const csv = [
      HEADER,
      'S1,2024-03-01,10,RUB,5411,,false,Moscow,RU',
      'S2,2024-03-01,-5,RUB,5411,,false,Moscow,RU',
    ].join('\n');
    const result = await service.importFile(await db.file('skip.csv', csv), { skipInvalid: true });
    expect(result.status).toBe('completed');
    expect(result.report).toMatchObject({ rowsTotal: 2, rowsImported: 1, rowsInvalid: 1 });
    expect(result.report?.badRows[0]).toMatchObject({ line: 3, column: 'amount', reason: 'not positive' });
    expect(await count('segmentation_transactions')).toBe(before + 1);
  });

  it('flags absurd values: negative, huge, future, ancient, unknown currency', async () => {
    const future = new Date(Date.now() + 10 * 86400_000).toISOString();
    const csv = [
      HEADER,
      'A1,2024-03-01,-1,RUB,5411,,false,Moscow,RU',
      'A2,2024-03-01,99999999999,RUB,5411,,false,Moscow,RU',
      `A3,${future},10,RUB,5411,,false,Moscow,RU`,
      'A4,1970-01-02,10,RUB,5411,,false,Moscow,RU',
      'A5,2024-03-01,10,XYZ,5411,,false,Moscow,RU',
      'A6,2024-03-01,10,RUB,54111,,false,Moscow,RU',
      ',2024-03-01,10,RUB,5411,,false,,R',
    ].join('\n');
    const result = await service.importFile(await db.file('absurd.csv', csv));
    expect(result.status).toBe('rejected');
    const reasons = result.report?.badRows.map((b) => `${b.line}:${b.column}:${b.reason}`);
    expect(reasons).toEqual([
      '2:amount:not positive',
      '3:amount:above the plausible maximum (10000000)',
      '4:timestamp:in the future',
      '5:timestamp:before 1990-01-01',
      '6:currency:unknown currency (no exchange rate configured)',
      '7:mcc:not a 4-digit merchant category code',
      '8:card_id:empty',
      '8:city:empty',
      '8:country:not an ISO country code (2 or 3 letters)',
    ]);
    expect(result.report?.reasons['amount: not positive']).toBe(1);
  });

  it('explains missing columns and accepts a column mapping', async () => {
    const csv = 'client,when,sum,ccy,mcc,online,town,country\nM1,2024-03-01,10,RUB,5411,false,Moscow,RU\n';
    const file = await db.file('renamed.csv', csv);
    const rejected = await service.importFile(file);
    expect(rejected).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_MISSING_COLUMNS' });
    expect(rejected.error).toContain('card_id');
    expect(rejected.error).toContain('timestamp');
    expect(rejected.error).toContain('city');
    expect(rejected.error).not.toContain('currency,');
    const mapped = await service.importFile(file, {
      columns: { card_id: 'client', timestamp: 'when', city: 'town' },
    });
    expect(mapped.status).toBe('completed');
    expect(mapped.report?.columns).toMatchObject({
      card_id: 'client',
      timestamp: 'when',
      amount: 'sum',
      currency: 'ccy',
    });
  });

  it('rejects wrong columns entirely', async () => {
    const result = await service.importFile(await db.file('wrong.csv', 'name,age\nbob,3\n'));
    expect(result).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_MISSING_COLUMNS' });
    expect(result.error).toContain('Found: name, age');
  });

  it('gives clear errors for an empty file and a header-only file', async () => {
    const empty = await service.importFile(await db.file('empty.csv', ''));
    expect(empty).toMatchObject({
      status: 'rejected',
      errorCode: 'SEGMENTATION_EMPTY_FILE',
      error: 'The file is empty',
    });
    const headerOnly = await service.importFile(await db.file('header.csv', `${HEADER}\n`));
    expect(headerOnly).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_EMPTY_FILE' });
    expect(headerOnly.error).toContain('no rows');
    const list = await service.listImports();
    expect(list[0].status).toBe('rejected');
    expect(await stagingTables()).toBe(0);
  });

  it('reads semicolon-separated files with decimal commas', async () => {
    const csv =
      'card_id;timestamp;amount;currency;category;online;city;country\nD1;2024-03-01;12,50;RUB;taxi;1;Moscow;RU\n';
    const result = await service.importFile(await db.file('semi.csv', csv));
    expect(result.status).toBe('completed');
    const [rows] = (await db.sequelize.query(
      "SELECT amount::float AS amount, category, online FROM segmentation_transactions WHERE card_id = 'D1'",
    )) as [Array<Record<string, unknown>>, unknown];
    expect(rows[0]).toEqual({ amount: 12.5, category: 'city', online: true });
  });
});
