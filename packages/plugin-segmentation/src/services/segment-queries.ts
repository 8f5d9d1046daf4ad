import type { Sequelize } from 'sequelize';
import type { Scaler } from './clustering.js';
import { scaleRow } from './clustering.js';
import {
  type ClientFeatures,
  FEATURE_NAMES,
  type FeatureName,
  type FeatureVector,
  featureVector,
  rowToFeatures,
} from './features.js';
import type { SegmentLabel } from './naming.js';
import { type RunSummary, toRunSummary } from './recompute-service.js';

export interface SegmentProfile {
  segment: number;
  label: SegmentLabel;
  size: number;
  share: number;
  /** Mean raw feature values of the segment's clients. */
  means: FeatureVector;
  /** Centroid in standardised units (0 = population average). */
  centroidZ: FeatureVector;
}

export interface FeatureComparison {
  feature: FeatureName;
  client: number;
  segment: number;
  population: number;
  /** Client's deviation from the population, in standard deviations (after the run's transform). */
  zClient: number;
  /** Relative difference to the segment / population mean (null when the mean is 0). */
  vsSegment: number | null;
  vsPopulation: number | null;
}

/** A completed run with what is needed to place a client against it. */
export type CompletedRun = RunSummary & { scaler: Scaler; population: FeatureVector };

export interface ClientProfile {
  run: CompletedRun;
  features: ClientFeatures;
  segment: SegmentProfile;
  population: FeatureVector;
  comparisons: FeatureComparison[];
}

export interface ClientListPage {
  run: RunSummary;
  page: number;
  pageSize: number;
  total: number;
  pages: number;
  clients: Array<{ cardId: string; segment: number }>;
}

type Row = Record<string, unknown>;

function relative(value: number, base: number): number | null {
  return base === 0 ? null : (value - base) / Math.abs(base);
}

/** Read side: always the latest completed run, so a recompute in progress is invisible. */
export class SegmentQueries {
  constructor(private readonly sequelize: Sequelize) {}

  private async rows(sql: string, bind: unknown[] = []): Promise<Row[]> {
    const [rows] = (await this.sequelize.query(sql, { bind })) as [Row[], unknown];
    return rows;
  }

  async latestRun(): Promise<CompletedRun | null> {
    const [row] = await this.rows(
      "SELECT * FROM segmentation_runs WHERE status = 'completed' ORDER BY version DESC LIMIT 1",
    );
    if (!row) return null;
    return {
      ...toRunSummary(row),
      scaler: row.scaler as Scaler,
      population: row.population as FeatureVector,
    };
  }

  async segments(runId?: number): Promise<SegmentProfile[]> {
    const id = runId ?? (await this.latestRun())?.id;
    if (id === undefined) return [];
    const rows = await this.rows('SELECT * FROM segmentation_segments WHERE run_id = $1 ORDER BY segment', [
      id,
    ]);
    const total = rows.reduce((sum, r) => sum + Number(r.size), 0);
    return rows.map((r) => ({
      segment: Number(r.segment),
      label: r.label as SegmentLabel,
      size: Number(r.size),
      share: total ? Number(r.size) / total : 0,
      means: r.centroid as FeatureVector,
      centroidZ: r.centroid_z as FeatureVector,
    }));
  }

  /**
   * The client's profile in the latest run, or null when the card is unknown (or nothing was
   * computed). The id is matched exactly first, then regardless of case when that names one card
   * (`c0000001` finds `C0000001`; two cards differing only in case need the exact id).
   */
  async clientProfile(cardId: string): Promise<ClientProfile | null> {
    const run = await this.latestRun();
    if (!run) return null;
    const select = `SELECT f.*, a.segment FROM segmentation_features f
       JOIN segmentation_assignments a ON a.run_id = f.run_id AND a.card_id = f.card_id
       WHERE f.run_id = $1 AND `;
    let [row] = await this.rows(`${select} f.card_id = $2`, [run.id, cardId]);
    if (!row) {
      const matches = await this.rows(`${select} lower(f.card_id) = lower($2) LIMIT 2`, [run.id, cardId]);
      if (matches.length === 1) row = matches[0];
    }
    if (!row) return null;
    const features = rowToFeatures(row);
    const segments = await this.segments(run.id);
    const segment = segments.find((s) => s.segment === Number(row.segment)) as SegmentProfile;
    const z = scaleRow(featureVector(features), run.scaler);
    const comparisons = FEATURE_NAMES.map((feature, j) => ({
      feature,
      client: features[feature],
      segment: segment.means[feature],
      population: run.population[feature],
      zClient: z[j],
      vsSegment: relative(features[feature], segment.means[feature]),
      vsPopulation: relative(features[feature], run.population[feature]),
    }));
    return { run, features, segment, population: run.population, comparisons };
  }

  async listClients(page: number, pageSize: number): Promise<ClientListPage | null> {
    const run = await this.latestRun();
    if (!run) return null;
    const total = run.nClients ?? 0;
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const current = Math.min(Math.max(0, page), pages - 1);
    const rows = await this.rows(
      'SELECT card_id, segment FROM segmentation_assignments WHERE run_id = $1 ORDER BY card_id LIMIT $2 OFFSET $3',
      [run.id, pageSize, current * pageSize],
    );
    return {
      run,
      page: current,
      pageSize,
      total,
      pages,
      clients: rows.map((r) => ({ cardId: String(r.card_id), segment: Number(r.segment) })),
    };
  }

  async randomCardId(): Promise<string | null> {
    const run = await this.latestRun();
    if (!run?.nClients) return null;
    const [row] = await this.rows(
      'SELECT card_id FROM segmentation_assignments WHERE run_id = $1 ORDER BY card_id OFFSET floor(random() * $2) LIMIT 1',
      [run.id, run.nClients],
    );
    return row ? String(row.card_id) : null;
  }

  /** Features and segment of every client of the latest run, in card_id order, page by page. */
  async *exportRows(batchSize = 5000): AsyncGenerator<Array<ClientFeatures & { segment: number }>> {
    const run = await this.latestRun();
    if (!run) return;
    let after = '';
    while (true) {
      const rows = await this.rows(
        `SELECT f.*, a.segment FROM segmentation_features f
         JOIN segmentation_assignments a ON a.run_id = f.run_id AND a.card_id = f.card_id
         WHERE f.run_id = $1 AND f.card_id > $2 ORDER BY f.card_id LIMIT $3`,
        [run.id, after, batchSize],
      );
      if (rows.length === 0) return;
      yield rows.map((r) => ({ ...rowToFeatures(r), segment: Number(r.segment) }));
      after = String(rows[rows.length - 1].card_id);
    }
  }
}

export const EXPORT_CSV_HEADER = ['card_id', 'segment', ...FEATURE_NAMES].join(',');

export function exportRowToCsv(row: ClientFeatures & { segment: number }): string {
  const id = /[",\n]/.test(row.cardId) ? `"${row.cardId.replace(/"/g, '""')}"` : row.cardId;
  return [id, row.segment, ...FEATURE_NAMES.map((name) => Number(row[name].toFixed(6)))].join(',');
}
