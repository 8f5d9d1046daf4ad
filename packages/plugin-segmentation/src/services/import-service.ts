import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { SegmentationError, type SegmentationErrorCode } from './errors.js';
import {
  detectFormat,
  type FileFormat,
  fileSha256,
  openCsv,
  openParquet,
  type ReadProgress,
} from './record-readers.js';
import {
  type BadRow,
  type ColumnMapping,
  resolveColumns,
  type TransactionRow,
  type ValidationLimits,
  validateRecord,
} from './transaction-schema.js';

export interface ImportOptions {
  /** Original file name (defaults to the path's base name). */
  filename?: string;
  format?: FileFormat;
  /** Canonical field → the file's column name, for files that name columns differently. */
  columns?: ColumnMapping;
  /**
   * Import the valid rows and report the invalid ones. Off by default: a file with any bad
   * row is rejected as a whole, with the report.
   */
  skipInvalid?: boolean;
  /** Import a file whose exact content was already imported (off: rejected as a duplicate). */
  allowDuplicate?: boolean;
  source?: 'cli' | 'admin' | 'api';
  onProgress?: (progress: ReadProgress & { rows: number }) => void;
}

export interface ImportReport {
  format: FileFormat;
  /** Canonical field → column found in the file. */
  columns: Record<string, string>;
  rowsTotal: number;
  rowsImported: number;
  rowsInvalid: number;
  /** The first bad rows (at most BAD_ROWS_KEPT), in file order. */
  badRows: BadRow[];
  badRowsTruncated: boolean;
  /** Number of problems per `column: reason`. */
  reasons: Record<string, number>;
}

export interface ImportResult {
  id: number;
  status: 'completed' | 'rejected' | 'failed';
  errorCode?: SegmentationErrorCode;
  error?: string;
  report: ImportReport | null;
}

export interface ImportRecord extends ImportResult {
  filename: string;
  format: string;
  source: string;
  skipInvalid: boolean;
  rowsTotal: number;
  rowsImported: number;
  rowsInvalid: number;
  createdAt: Date;
  finishedAt: Date | null;
}

export const BAD_ROWS_KEPT = 1000;
const BATCH_SIZE = 5000;
const CLOCK_SKEW_MS = 24 * 3600 * 1000;

export interface ImportLimits {
  fxRates: Record<string, number>;
  maxAmount: number;
}

/**
 * Imports transaction files. Rows are validated while streaming and written to a per-import
 * staging table; only when the whole file was read (and is valid, or `skipInvalid` is set) are
 * they moved into `segmentation_transactions` in one transaction. Nothing is ever half-imported.
 */
export class ImportService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly limits: ImportLimits,
  ) {}

  async importFile(filePath: string, options: ImportOptions = {}): Promise<ImportResult> {
    const filename = options.filename ?? path.basename(filePath);
    const { size } = await stat(filePath);
    const sha256 = await fileSha256(filePath);
    const format = options.format ?? (await detectFormat(filePath));
    const [created] = (await this.sequelize.query(
      `INSERT INTO segmentation_imports (filename, format, source, status, skip_invalid, file_sha256, file_bytes)
       VALUES ($1, $2, $3, 'running', $4, $5, $6) RETURNING id`,
      { bind: [filename, format, options.source ?? 'api', options.skipInvalid ?? false, sha256, size] },
    )) as [Array<{ id: number }>, unknown];
    const id = created[0].id;
    const staging = `segmentation_staging_${id}`;
    try {
      if (!options.allowDuplicate) {
        const [dupes] = (await this.sequelize.query(
          `SELECT id FROM segmentation_imports WHERE file_sha256 = $1 AND status = 'completed' AND id <> $2 LIMIT 1`,
          { bind: [sha256, id] },
        )) as [Array<{ id: number }>, unknown];
        if (dupes.length > 0) {
          throw new SegmentationError(
            'SEGMENTATION_DUPLICATE_FILE',
            `This file was already imported (import #${dupes[0].id}); pass allowDuplicate to import it again`,
          );
        }
      }
      let fraction = 0;
      const onRead = (progress: ReadProgress) => {
        fraction = progress.fraction;
      };
      const source =
        format === 'parquet' ? await openParquet(filePath, onRead) : await openCsv(filePath, onRead);
      const resolution = resolveColumns(source.header, options.columns);
      if (resolution.missing.length > 0) {
        throw new SegmentationError(
          'SEGMENTATION_MISSING_COLUMNS',
          `Missing columns: ${resolution.missing.join(', ')}. Found: ${source.header.join(', ') || '(none)'}. ` +
            'Rename them or pass a column mapping.',
          { details: { missing: resolution.missing, found: source.header } },
        );
      }
      await this.sequelize.query(
        `CREATE UNLOGGED TABLE ${staging} (card_id text, ts timestamptz, amount numeric(16,2), currency text,
           amount_base numeric(16,2), mcc smallint, category text, online boolean, city text, country text)`,
      );
      const report: ImportReport = {
        format,
        columns: resolution.columns as Record<string, string>,
        rowsTotal: 0,
        rowsImported: 0,
        rowsInvalid: 0,
        badRows: [],
        badRowsTruncated: false,
        reasons: {},
      };
      const now = Date.now();
      const limits: ValidationLimits = {
        ...this.limits,
        latest: new Date(now + CLOCK_SKEW_MS),
        earliest: new Date(Date.UTC(1990, 0, 1)),
      };
      const addBad = (bad: BadRow) => {
        const key = `${bad.column}: ${bad.reason}`;
        report.reasons[key] = (report.reasons[key] ?? 0) + 1;
        if (report.badRows.length < BAD_ROWS_KEPT) report.badRows.push(bad);
        else report.badRowsTruncated = true;
      };
      let batch: TransactionRow[] = [];
      let valid = 0;
      for await (const record of source.records) {
        report.rowsTotal++;
        if (report.rowsTotal % 1000 === 0) options.onProgress?.({ rows: report.rowsTotal, fraction });
        if (record.problem) {
          report.rowsInvalid++;
          addBad({ line: record.line, column: '*', reason: record.problem });
          continue;
        }
        const result = validateRecord(record.values, record.line, resolution, limits);
        if ('errors' in result) {
          report.rowsInvalid++;
          for (const bad of result.errors) addBad(bad);
          continue;
        }
        valid++;
        // Without skipInvalid, a single bad row rejects the file: stop staging, keep validating.
        if (report.rowsInvalid > 0 && !options.skipInvalid) continue;
        batch.push(result.row);
        if (batch.length >= BATCH_SIZE) {
          await this.insertBatch(staging, batch);
          batch = [];
        }
      }
      options.onProgress?.({ rows: report.rowsTotal, fraction: 1 });
      if (report.rowsTotal === 0)
        throw new SegmentationError('SEGMENTATION_EMPTY_FILE', 'The file has a header but no rows');
      if (report.rowsInvalid > 0 && !options.skipInvalid) {
        return await this.finish(id, 'rejected', report, {
          code: 'SEGMENTATION_INVALID_ROWS',
          message: `${report.rowsInvalid} of ${report.rowsTotal} rows are invalid; nothing was imported`,
        });
      }
      if (batch.length > 0) await this.insertBatch(staging, batch);
      report.rowsImported = valid;
      if (valid === 0) {
        return await this.finish(id, 'rejected', report, {
          code: 'SEGMENTATION_INVALID_ROWS',
          message: 'No valid rows; nothing was imported',
        });
      }
      await this.sequelize.transaction(async (transaction) => {
        await this.sequelize.query(
          `INSERT INTO segmentation_transactions
             (import_id, card_id, ts, amount, currency, amount_base, mcc, category, online, city, country)
           SELECT $1, card_id, ts, amount, currency, amount_base, mcc, category, online, city, country FROM ${staging}`,
          { bind: [id], transaction },
        );
        await this.writeStatus(id, 'completed', report, null, transaction);
      });
      return { id, status: 'completed', report };
    } catch (error) {
      if (error instanceof SegmentationError) {
        return this.finish(id, 'rejected', null, { code: error.code, message: error.message });
      }
      await this.finish(id, 'failed', null, { code: undefined, message: (error as Error).message });
      throw error;
    } finally {
      await this.sequelize.query(`DROP TABLE IF EXISTS ${staging}`);
    }
  }

  private async insertBatch(staging: string, rows: TransactionRow[]): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO ${staging} (card_id, ts, amount, currency, amount_base, mcc, category, online, city, country)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[], $4::text[], $5::numeric[], $6::smallint[],
                            $7::text[], $8::boolean[], $9::text[], $10::text[])`,
      {
        bind: [
          rows.map((r) => r.cardId),
          rows.map((r) => r.ts.toISOString()),
          rows.map((r) => r.amount),
          rows.map((r) => r.currency),
          rows.map((r) => r.amountBase),
          rows.map((r) => r.mcc),
          rows.map((r) => r.category),
          rows.map((r) => r.online),
          rows.map((r) => r.city),
          rows.map((r) => r.country),
        ],
      },
    );
  }

  private async finish(
    id: number,
    status: 'rejected' | 'failed',
    report: ImportReport | null,
    error: { code?: SegmentationErrorCode; message: string },
  ): Promise<ImportResult> {
    await this.writeStatus(id, status, report, error);
    return { id, status, report, errorCode: error.code, error: error.message };
  }

  private async writeStatus(
    id: number,
    status: ImportResult['status'],
    report: ImportReport | null,
    error: { code?: string; message: string } | null,
    transaction?: import('sequelize').Transaction,
  ): Promise<void> {
    await this.sequelize.query(
      `UPDATE segmentation_imports SET status = $2, report = $3::jsonb, rows_total = $4, rows_imported = $5,
         rows_invalid = $6, error_code = $7, error = $8, finished_at = now() WHERE id = $1`,
      {
        bind: [
          id,
          status,
          report === null ? null : JSON.stringify(report),
          report?.rowsTotal ?? 0,
          status === 'completed' ? (report?.rowsImported ?? 0) : 0,
          report?.rowsInvalid ?? 0,
          error?.code ?? null,
          error?.message ?? null,
        ],
        transaction,
      },
    );
  }

  async listImports(limit = 50, offset = 0): Promise<ImportRecord[]> {
    const [rows] = (await this.sequelize.query(
      'SELECT * FROM segmentation_imports ORDER BY id DESC LIMIT $1 OFFSET $2',
      { bind: [limit, offset] },
    )) as [Array<Record<string, unknown>>, unknown];
    return rows.map((row) => toImportRecord(row, false));
  }

  async getImport(id: number): Promise<ImportRecord | null> {
    const [rows] = (await this.sequelize.query('SELECT * FROM segmentation_imports WHERE id = $1', {
      bind: [id],
    })) as [Array<Record<string, unknown>>, unknown];
    return rows[0] ? toImportRecord(rows[0], true) : null;
  }

  /**
   * Imports left `running` by a crashed process: marked failed and their staging tables
   * dropped. Only older ones, so a live import of another instance is not touched.
   */
  async recoverInterrupted(olderThanHours = 6): Promise<number> {
    const [rows] = (await this.sequelize.query(
      `UPDATE segmentation_imports SET status = 'failed', error = 'interrupted (process stopped during import)',
         finished_at = now()
       WHERE status = 'running' AND created_at < now() - make_interval(hours => $1) RETURNING id`,
      { bind: [olderThanHours] },
    )) as [Array<{ id: number }>, unknown];
    for (const row of rows)
      await this.sequelize.query(`DROP TABLE IF EXISTS segmentation_staging_${Number(row.id)}`);
    return rows.length;
  }
}

function toImportRecord(row: Record<string, unknown>, withReport: boolean): ImportRecord {
  return {
    id: Number(row.id),
    filename: String(row.filename),
    format: String(row.format),
    source: String(row.source),
    status: row.status as ImportRecord['status'],
    skipInvalid: Boolean(row.skip_invalid),
    rowsTotal: Number(row.rows_total),
    rowsImported: Number(row.rows_imported),
    rowsInvalid: Number(row.rows_invalid),
    errorCode: (row.error_code as SegmentationErrorCode | null) ?? undefined,
    error: (row.error as string | null) ?? undefined,
    report: withReport ? ((row.report as ImportReport | null) ?? null) : null,
    createdAt: new Date(row.created_at as string),
    finishedAt: row.finished_at ? new Date(row.finished_at as string) : null,
  };
}
