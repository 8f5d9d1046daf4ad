import { GlobalFonts } from '@napi-rs/canvas';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDistributionChart, renderProfileChart } from '../src/services/charts.js';
import { ImportService } from '../src/services/import-service.js';
import { createSegmentationTestDb, type SegmentationTestDb, TEST_LIMITS } from './helpers.js';

let db: SegmentationTestDb;

beforeAll(async () => {
  db = await createSegmentationTestDb();
});
afterAll(async () => {
  await db?.close();
});

function parquetFile(rows: number, options: { badAmountAt?: number; rowGroupSize?: number } = {}): Buffer {
  const index = Array.from({ length: rows }, (_, i) => i);
  const buffer = parquetWriteBuffer({
    rowGroupSize: options.rowGroupSize ?? 4,
    columnData: [
      { name: 'card_id', data: index.map((i) => `P${i % 3}`), type: 'STRING' },
      { name: 'timestamp', data: index.map((i) => new Date(Date.UTC(2024, 0, 1 + i))), type: 'TIMESTAMP' },
      { name: 'amount', data: index.map((i) => (i === options.badAmountAt ? -3 : 10 + i)), type: 'DOUBLE' },
      { name: 'currency', data: index.map(() => 'RUB'), type: 'STRING' },
      { name: 'mcc', data: index.map((i) => (i % 2 ? 5812 : 4511)), type: 'INT32' },
      { name: 'online', data: index.map((i) => i % 2 === 0), type: 'BOOLEAN' },
      { name: 'city', data: index.map(() => 'Moscow'), type: 'STRING' },
      { name: 'country', data: index.map(() => 'RU'), type: 'STRING' },
    ],
  });
  return Buffer.from(buffer);
}

describe('Parquet import', () => {
  it('imports every row group of a typed Parquet file', async () => {
    const file = await db.file('tx.parquet', parquetFile(10, { rowGroupSize: 4 }));
    const result = await new ImportService(db.sequelize, TEST_LIMITS).importFile(file);
    expect(result.status).toBe('completed');
    expect(result.report).toMatchObject({
      format: 'parquet',
      rowsTotal: 10,
      rowsImported: 10,
      rowsInvalid: 0,
    });
    const [rows] = (await db.sequelize.query(
      "SELECT card_id, ts, amount::float AS amount, category, online FROM segmentation_transactions WHERE card_id = 'P0' ORDER BY ts",
    )) as [Array<Record<string, unknown>>, unknown];
    expect(rows.map((r) => r.amount)).toEqual([10, 13, 16, 19]);
    expect(new Date(rows[1].ts as string).toISOString()).toBe('2024-01-04T00:00:00.000Z');
    expect(rows.map((r) => r.category)).toEqual(['travel', 'food', 'travel', 'food']);
    expect(rows.map((r) => r.online)).toEqual([true, false, true, false]);
  });

  it('reports bad rows by row number and imports nothing', async () => {
    const file = await db.file('bad.parquet', parquetFile(9, { badAmountAt: 6 }));
    const result = await new ImportService(db.sequelize, TEST_LIMITS).importFile(file);
    expect(result.status).toBe('rejected');
    expect(result.report?.badRows).toEqual([
      { line: 7, column: 'amount', reason: 'not positive', value: '-3' },
    ]);
  });

  it('rejects a file that only looks like Parquet', async () => {
    const file = await db.file('broken.parquet', Buffer.from('PAR1 this is not parquet at all'));
    const result = await new ImportService(db.sequelize, TEST_LIMITS).importFile(file);
    expect(result).toMatchObject({ status: 'rejected', errorCode: 'SEGMENTATION_UNREADABLE_FILE' });
  });
});

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('charts', () => {
  it('renders the profile chart as a PNG of the requested size', () => {
    const png = renderProfileChart(
      {
        title: 'Клиент C1',
        labels: ['Транзакции', 'Доля путешествий'],
        axisLabel: 'index',
        series: [
          { name: 'Client', values: [150, 300] },
          { name: 'All', values: [100, 100] },
        ],
      },
      640,
      360,
    );
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 640, height: 360 });
    // A blank canvas compresses to well under 2 KB; bars, labels and legend do not.
    expect(png.length).toBeGreaterThan(5000);
  });

  it('draws its text with the font it ships, not whatever the machine has', () => {
    const blank = { title: '', labels: ['', ''], axisLabel: '', series: [{ name: '', values: [0, 0] }] };
    const withText = {
      title: 'Клиент C1 — профиль',
      labels: ['Транзакции', 'Доля путешествий'],
      axisLabel: 'индекс',
      series: [{ name: 'Клиент', values: [0, 0] }],
    };
    expect(GlobalFonts.has('Botloom Chart Sans')).toBe(true);
    // Same bars (none), different text: the PNGs differ only if the glyphs were drawn.
    expect(renderProfileChart(withText, 640, 360).equals(renderProfileChart(blank, 640, 360))).toBe(false);
  });

  it('renders the distribution chart', () => {
    const png = renderDistributionChart({ title: 'Segments', labels: ['A', 'B', 'C'], values: [5, 3, 2] });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 800, height: 500 });
    expect(png.length).toBeGreaterThan(5000);
  });
});
