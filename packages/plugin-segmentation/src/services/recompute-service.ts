import { fitKMeansParallel } from '@botloom/core';
import type { Sequelize } from 'sequelize';
import { chooseKBySilhouette, fitScaler, type KMeansFit, type Scaler, scaleRow } from './clustering.js';
import { SegmentationError } from './errors.js';
import { computeFeatures, FEATURE_NAMES, FEATURES, featureVector, loadFeatures } from './features.js';
import { nameSegments } from './naming.js';

export interface ClusteringSettings {
  /** Fixed k; 0 chooses k by silhouette in [minK, maxK]. */
  k: number;
  minK: number;
  maxK: number;
  restarts: number;
  seed: number;
  silhouetteSample: number;
  keepRuns: number;
}

export interface RecomputeRequest {
  trigger: 'import' | 'manual' | 'schedule' | 'cli';
  /** Overrides the configured k for this run. */
  k?: number;
}

export interface RunSummary {
  id: number;
  version: number | null;
  status: 'running' | 'completed' | 'failed';
  trigger: string;
  k: number | null;
  kChosenBy: string | null;
  nClients: number | null;
  inertia: number | null;
  silhouette: number | null;
  asOf: Date | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

// Serialises recomputes across processes (pg advisory lock key).
const RECOMPUTE_LOCK = 0x5e6_0001;

/**
 * Recomputes features and segments as a new versioned run. Everything of the run is written
 * in one transaction and the run becomes `completed` at its end, so readers (who read the
 * latest completed run) never see half-updated data.
 */
export class RecomputeService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly settings: ClusteringSettings,
  ) {}

  async recompute(request: RecomputeRequest): Promise<RunSummary> {
    const s = this.settings;
    const k = request.k ?? s.k;
    const [created] = (await this.sequelize.query(
      `INSERT INTO segmentation_runs (status, trigger, requested_k, seed, restarts)
       VALUES ('running', $1, $2, $3, $4) RETURNING id`,
      { bind: [request.trigger, k || null, s.seed, s.restarts] },
    )) as [Array<{ id: number }>, unknown];
    const runId = created[0].id;
    try {
      await this.sequelize.transaction(async (transaction) => {
        const [lock] = (await this.sequelize.query('SELECT pg_try_advisory_xact_lock($1) AS locked', {
          bind: [RECOMPUTE_LOCK],
          transaction,
        })) as [Array<{ locked: boolean }>, unknown];
        if (!lock[0].locked) {
          throw new SegmentationError('SEGMENTATION_RECOMPUTE_RUNNING', 'Another recompute is running');
        }
        const { clients, asOf } = await computeFeatures(this.sequelize, runId, transaction);
        if (clients === 0)
          throw new SegmentationError(
            'SEGMENTATION_NO_DATA',
            'No transactions to segment: import some first',
          );
        const minClients = k > 0 ? k : s.minK + 1;
        if (clients < minClients) {
          throw new SegmentationError(
            'SEGMENTATION_NOT_ENOUGH_CLIENTS',
            `${clients} clients are not enough for ${k > 0 ? `k=${k}` : 'choosing k'}`,
          );
        }
        const features = await loadFeatures(this.sequelize, runId, transaction);
        const raw = features.map(featureVector);
        const scaler = fitScaler(
          raw,
          FEATURES.map((f) => f.transform),
        );
        const points = raw.map((row) => scaleRow(row, scaler));
        let fit: KMeansFit;
        let silhouette: number | null = null;
        let chosenBy: string;
        if (k > 0) {
          fit = await fitKMeansParallel(points, { k, restarts: s.restarts, seed: s.seed });
          chosenBy = request.k ? 'request' : 'config';
        } else {
          const chosen = await chooseKBySilhouette(points, {
            restarts: s.restarts,
            seed: s.seed,
            minK: s.minK,
            maxK: s.maxK,
            silhouetteSample: s.silhouetteSample,
          });
          fit = chosen.fit;
          silhouette = chosen.silhouette;
          chosenBy = 'silhouette';
        }
        const labels = nameSegments(fit.centroids);
        const population = meanRows(raw);
        const segmentRows: Array<{ size: number; sums: number[] }> = fit.centroids.map(() => ({
          size: 0,
          sums: new Array(FEATURE_NAMES.length).fill(0),
        }));
        const distances = new Float64Array(points.length);
        for (let i = 0; i < points.length; i++) {
          const seg = segmentRows[fit.labels[i]];
          seg.size++;
          for (let j = 0; j < raw[i].length; j++) seg.sums[j] += raw[i][j];
          let d = 0;
          for (let j = 0; j < points[i].length; j++)
            d += (points[i][j] - fit.centroids[fit.labels[i]][j]) ** 2;
          distances[i] = Math.sqrt(d);
        }
        for (let c = 0; c < fit.centroids.length; c++) {
          const seg = segmentRows[c];
          await this.sequelize.query(
            `INSERT INTO segmentation_segments (run_id, segment, label, size, centroid, centroid_z)
             VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6::jsonb)`,
            {
              bind: [
                runId,
                c,
                JSON.stringify(labels[c]),
                seg.size,
                JSON.stringify(toRecord(seg.sums.map((sum) => (seg.size ? sum / seg.size : 0)))),
                JSON.stringify(toRecord(fit.centroids[c])),
              ],
              transaction,
            },
          );
        }
        const BATCH = 20_000;
        for (let from = 0; from < features.length; from += BATCH) {
          const to = Math.min(features.length, from + BATCH);
          const slice = features.slice(from, to);
          await this.sequelize.query(
            `INSERT INTO segmentation_assignments (run_id, card_id, segment, distance)
             SELECT $1, * FROM unnest($2::text[], $3::int[], $4::float8[])`,
            {
              bind: [
                runId,
                slice.map((f) => f.cardId),
                Array.from(fit.labels.subarray(from, to)),
                Array.from(distances.subarray(from, to)),
              ],
              transaction,
            },
          );
        }
        await this.sequelize.query(
          `UPDATE segmentation_runs SET status = 'completed',
             version = (SELECT COALESCE(MAX(version), 0) + 1 FROM segmentation_runs),
             k = $2, k_chosen_by = $3, n_clients = $4, inertia = $5, silhouette = $6, as_of = $7,
             feature_names = $8::jsonb, scaler = $9::jsonb, population = $10::jsonb, finished_at = now()
           WHERE id = $1`,
          {
            bind: [
              runId,
              fit.k,
              chosenBy,
              clients,
              fit.inertia,
              silhouette,
              asOf,
              JSON.stringify(FEATURE_NAMES),
              JSON.stringify(scaler satisfies Scaler),
              JSON.stringify(toRecord(population)),
            ],
            transaction,
          },
        );
        // Older runs beyond keepRuns go (cascade removes their features and assignments).
        await this.sequelize.query(
          `DELETE FROM segmentation_runs WHERE status = 'completed' AND id NOT IN (
             SELECT id FROM segmentation_runs WHERE status = 'completed' ORDER BY version DESC LIMIT $1)`,
          { bind: [s.keepRuns], transaction },
        );
      });
    } catch (error) {
      await this.sequelize.query(
        `UPDATE segmentation_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`,
        { bind: [runId, (error as Error).message] },
      );
      throw error;
    }
    return (await this.getRun(runId)) as RunSummary;
  }

  async getRun(id: number): Promise<RunSummary | null> {
    const [rows] = (await this.sequelize.query('SELECT * FROM segmentation_runs WHERE id = $1', {
      bind: [id],
    })) as [Array<Record<string, unknown>>, unknown];
    return rows[0] ? toRunSummary(rows[0]) : null;
  }

  async listRuns(limit = 20): Promise<RunSummary[]> {
    const [rows] = (await this.sequelize.query('SELECT * FROM segmentation_runs ORDER BY id DESC LIMIT $1', {
      bind: [limit],
    })) as [Array<Record<string, unknown>>, unknown];
    return rows.map(toRunSummary);
  }
}

function meanRows(rows: number[][]): number[] {
  const out = new Array(FEATURE_NAMES.length).fill(0);
  for (const row of rows) for (let j = 0; j < row.length; j++) out[j] += row[j];
  return out.map((sum) => (rows.length ? sum / rows.length : 0));
}

function toRecord(values: number[]): Record<string, number> {
  return Object.fromEntries(FEATURE_NAMES.map((name, j) => [name, values[j]]));
}

export function toRunSummary(row: Record<string, unknown>): RunSummary {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: Number(row.id),
    version: num(row.version),
    status: row.status as RunSummary['status'],
    trigger: String(row.trigger),
    k: num(row.k),
    kChosenBy: (row.k_chosen_by as string | null) ?? null,
    nClients: num(row.n_clients),
    inertia: num(row.inertia),
    silhouette: num(row.silhouette),
    asOf: row.as_of ? new Date(row.as_of as string) : null,
    error: (row.error as string | null) ?? null,
    startedAt: new Date(row.started_at as string),
    finishedAt: row.finished_at ? new Date(row.finished_at as string) : null,
  };
}
