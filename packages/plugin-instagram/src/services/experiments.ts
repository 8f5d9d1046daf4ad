import { createHash, randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import { InstagramInputError, InstagramNotFoundError } from './errors.js';

export const ExperimentSchema = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.enum(['template', 'prompt']),
    metric: z.enum(['conversion', 'reply', 'positive_sentiment']),
    variants: z
      .array(
        z.object({ key: z.string().regex(/^[a-z0-9_-]{1,32}$/), text: z.string().min(1).max(4000) }).strict(),
      )
      .min(2)
      .max(5)
      .refine((v) => new Set(v.map((x) => x.key)).size === v.length, 'variant keys must differ'),
    minSample: z.number().int().min(10).max(1_000_000).default(100),
  })
  .strict();

export type ExperimentInput = z.input<typeof ExperimentSchema>;

export interface Experiment {
  id: string;
  name: string;
  kind: 'template' | 'prompt';
  metric: 'conversion' | 'reply' | 'positive_sentiment';
  status: 'running' | 'stopped';
  variants: Array<{ key: string; text: string }>;
  minSample: number;
  winner: string | null;
  createdAt: Date;
  stoppedAt: Date | null;
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Two-proportion z-test with the pooled proportion; two-sided p-value. */
export function twoProportionZTest(successA: number, totalA: number, successB: number, totalB: number) {
  if (totalA === 0 || totalB === 0) return { z: 0, pValue: 1 };
  const pA = successA / totalA;
  const pB = successB / totalB;
  const pooled = (successA + successB) / (totalA + totalB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / totalA + 1 / totalB));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (pB - pA) / se;
  return { z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Sticky: the same user always gets the same variant of one experiment. */
export function assignVariant(experimentId: string, igsid: string, keys: string[]): string {
  const h = createHash('sha256').update(`${experimentId}:${igsid}`).digest();
  return keys[h.readUInt32BE(0) % keys.length]!;
}

type Row = Record<string, unknown>;

/** A/B tests of reply templates and prompts. */
export class ExperimentService {
  constructor(
    private readonly db: Sequelize,
    private readonly now: () => Date,
  ) {}

  async create(input: unknown): Promise<Experiment> {
    const parsed = ExperimentSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InstagramInputError(
        `Invalid experiment at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        'INSTAGRAM_INVALID_EXPERIMENT',
        {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      );
    }
    const e = parsed.data;
    const id = randomUUID();
    await this.db.query(
      `INSERT INTO instagram_experiments (id, name, kind, metric, variants, min_sample) VALUES ($1, $2, $3, $4, $5::jsonb, $6)`,
      { bind: [id, e.name, e.kind, e.metric, JSON.stringify(e.variants), e.minSample] },
    );
    return this.get(id);
  }

  async list(): Promise<Experiment[]> {
    const rows = await this.db.query<Row>(`SELECT * FROM instagram_experiments ORDER BY created_at DESC`, {
      type: QueryTypes.SELECT,
    });
    return rows.map(toExperiment);
  }

  async get(id: string): Promise<Experiment> {
    const rows = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.db.query<Row>(`SELECT * FROM instagram_experiments WHERE id = $1`, {
          bind: [id],
          type: QueryTypes.SELECT,
        })
      : [];
    if (!rows[0]) throw new InstagramNotFoundError('Experiment', id);
    return toExperiment(rows[0]);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.query(`DELETE FROM instagram_experiments WHERE id = $1`, { bind: [id] });
  }

  /** The running experiment of this kind assigns the user (once) and marks them exposed. */
  async variantFor(igsid: string, kind: 'template' | 'prompt') {
    const [row] = await this.db.query<Row>(
      `SELECT * FROM instagram_experiments WHERE status = 'running' AND kind = $1 ORDER BY created_at LIMIT 1`,
      { bind: [kind], type: QueryTypes.SELECT },
    );
    if (!row) return undefined;
    const e = toExperiment(row);
    const key = assignVariant(
      e.id,
      igsid,
      e.variants.map((v) => v.key),
    );
    await this.db.query(
      `INSERT INTO instagram_experiment_assignments (experiment_id, igsid, variant, exposed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (experiment_id, igsid) DO UPDATE SET exposed_at = COALESCE(instagram_experiment_assignments.exposed_at, EXCLUDED.exposed_at)`,
      { bind: [e.id, igsid, key, this.now()] },
    );
    const [assigned] = await this.db.query<{ variant: string }>(
      `SELECT variant FROM instagram_experiment_assignments WHERE experiment_id = $1 AND igsid = $2`,
      { bind: [e.id, igsid], type: QueryTypes.SELECT },
    );
    const variant = e.variants.find((v) => v.key === assigned?.variant) ?? e.variants[0]!;
    return { experimentId: e.id, variant: variant.key, text: variant.text };
  }

  /** Counts a success for the user's running experiments whose metric this event satisfies. */
  async recordOutcome(
    igsid: string,
    outcome: { replied?: boolean; converted?: boolean; positive?: boolean },
  ) {
    const metrics = [
      outcome.replied && 'reply',
      outcome.converted && 'conversion',
      outcome.positive && 'positive_sentiment',
    ].filter(Boolean);
    if (!metrics.length) return;
    await this.db.query(
      `UPDATE instagram_experiment_assignments a SET success_at = $3
         FROM instagram_experiments e
        WHERE a.experiment_id = e.id AND a.igsid = $1 AND e.status = 'running' AND e.metric = ANY($2::text[])
          AND a.exposed_at IS NOT NULL AND a.success_at IS NULL AND a.exposed_at <= $3`,
      { bind: [igsid, metrics, this.now()] },
    );
  }

  /** Per-variant rates, and a z-test of each variant against the first; no winner below the minimum sample. */
  async results(id: string) {
    const e = await this.get(id);
    const rows = await this.db.query<{ variant: string; exposed: number; successes: number }>(
      `SELECT variant, count(*) FILTER (WHERE exposed_at IS NOT NULL)::int AS exposed,
              count(*) FILTER (WHERE success_at IS NOT NULL)::int AS successes
         FROM instagram_experiment_assignments WHERE experiment_id = $1 GROUP BY variant`,
      { bind: [id], type: QueryTypes.SELECT },
    );
    const by = new Map(rows.map((r) => [r.variant, r]));
    const variants = e.variants.map((v) => {
      const r = by.get(v.key);
      const exposed = r?.exposed ?? 0;
      const successes = r?.successes ?? 0;
      return { key: v.key, exposed, successes, rate: exposed ? successes / exposed : 0 };
    });
    return { experiment: e, ...judge(variants, e.minSample) };
  }

  async stop(id: string, promote?: string): Promise<Experiment> {
    const e = await this.get(id);
    if (promote !== undefined && !e.variants.some((v) => v.key === promote)) {
      throw new InstagramInputError(
        `No variant "${promote}" in this experiment`,
        'INSTAGRAM_UNKNOWN_VARIANT',
      );
    }
    await this.db.query(
      `UPDATE instagram_experiments SET status = 'stopped', stopped_at = COALESCE(stopped_at, $2), winner = COALESCE($3, winner) WHERE id = $1`,
      { bind: [id, this.now(), promote ?? null] },
    );
    return this.get(id);
  }
}

/** Compares every variant with the first (the control) at alpha 0.05. */
export function judge(
  variants: Array<{ key: string; exposed: number; successes: number; rate: number }>,
  minSample: number,
) {
  const control = variants[0]!;
  const comparisons = variants.slice(1).map((v) => ({
    key: v.key,
    ...twoProportionZTest(control.successes, control.exposed, v.successes, v.exposed),
  }));
  const enough = variants.every((v) => v.exposed >= minSample);
  let winner: string | null = null;
  let reason: string;
  if (!enough) reason = `every variant needs at least ${minSample} exposed users`;
  else {
    const significant = comparisons.filter((c) => c.pValue < 0.05);
    if (!significant.length) reason = 'no difference is significant at p < 0.05';
    else {
      const better = significant.filter((c) => c.z > 0).sort((a, b) => b.z - a.z)[0];
      winner = better ? better.key : control.key;
      reason = better
        ? `${better.key} beats ${control.key} (p = ${better.pValue.toFixed(4)})`
        : `${control.key} beats the others`;
    }
  }
  return { variants, comparisons, enoughSample: enough, winner, reason };
}

function toExperiment(r: Row): Experiment {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as Experiment['kind'],
    metric: r.metric as Experiment['metric'],
    status: r.status as Experiment['status'],
    variants: r.variants as Experiment['variants'],
    minSample: Number(r.min_sample),
    winner: (r.winner as string | null) ?? null,
    createdAt: r.created_at as Date,
    stoppedAt: (r.stopped_at as Date | null) ?? null,
  };
}
