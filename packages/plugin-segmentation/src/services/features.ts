import type { Sequelize, Transaction } from 'sequelize';

/** Behavioural features per client, in the order used by clustering. */
export const FEATURES = [
  { name: 'tx_count', transform: 'log1p', unit: 'count' },
  { name: 'frequency', transform: 'log1p', unit: 'per_day' },
  { name: 'recency_days', transform: 'log1p', unit: 'days' },
  { name: 'total_spend', transform: 'log1p', unit: 'money' },
  { name: 'avg_spend', transform: 'log1p', unit: 'money' },
  { name: 'std_spend', transform: 'log1p', unit: 'money' },
  { name: 'share_travel', transform: 'identity', unit: 'share' },
  { name: 'share_food', transform: 'identity', unit: 'share' },
  { name: 'share_wallets', transform: 'identity', unit: 'share' },
  { name: 'share_city', transform: 'identity', unit: 'share' },
  { name: 'share_entertainment', transform: 'identity', unit: 'share' },
  { name: 'share_retail', transform: 'identity', unit: 'share' },
  { name: 'online_share', transform: 'identity', unit: 'share' },
  { name: 'distinct_cities', transform: 'log1p', unit: 'count' },
  { name: 'distinct_countries', transform: 'log1p', unit: 'count' },
] as const;

export type FeatureName = (typeof FEATURES)[number]['name'];
export const FEATURE_NAMES: FeatureName[] = FEATURES.map((f) => f.name);
export type FeatureVector = Record<FeatureName, number>;

export interface ClientFeatures extends FeatureVector {
  cardId: string;
}

const shareOf = (category: string) =>
  `COALESCE(SUM(t.amount_base) FILTER (WHERE t.category = '${category}'), 0) / NULLIF(SUM(t.amount_base), 0)`;

/**
 * One aggregate over all transactions: writes the features of every client for `runId` and
 * returns the number of clients and the reference date (latest transaction) recency is
 * measured from. Definitions:
 * - frequency: transactions per day of the client's active span (last − first), span ≥ 1 day;
 * - recency_days: days from the client's last transaction to the latest transaction overall;
 * - spend in the base currency; std_spend is the population standard deviation (0 for one tx);
 * - share_*: share of the client's spend (amount) in that category; online_share: share of
 *   transactions made online.
 */
export async function computeFeatures(
  sequelize: Sequelize,
  runId: number,
  transaction?: Transaction,
): Promise<{ clients: number; asOf: Date | null }> {
  const [asOfRows] = (await sequelize.query('SELECT max(ts) AS as_of FROM segmentation_transactions', {
    transaction,
  })) as [Array<{ as_of: Date | null }>, unknown];
  const asOf = asOfRows[0]?.as_of ?? null;
  if (asOf === null) return { clients: 0, asOf: null };
  const [inserted] = (await sequelize.query(
    `WITH inserted AS (INSERT INTO segmentation_features (run_id, card_id, ${FEATURE_NAMES.join(', ')})
     SELECT $1, t.card_id,
       COUNT(*)::int,
       COUNT(*) / GREATEST(1.0, EXTRACT(EPOCH FROM MAX(t.ts) - MIN(t.ts)) / 86400.0),
       EXTRACT(EPOCH FROM $2::timestamptz - MAX(t.ts)) / 86400.0,
       SUM(t.amount_base),
       AVG(t.amount_base),
       COALESCE(STDDEV_POP(t.amount_base), 0),
       ${shareOf('travel')},
       ${shareOf('food')},
       ${shareOf('wallets')},
       ${shareOf('city')},
       ${shareOf('entertainment')},
       ${shareOf('retail')},
       AVG(CASE WHEN t.online THEN 1.0 ELSE 0.0 END),
       COUNT(DISTINCT t.city)::int,
       COUNT(DISTINCT t.country)::int
     FROM segmentation_transactions t
     GROUP BY t.card_id
     RETURNING 1)
     SELECT COUNT(*)::int AS clients FROM inserted`,
    { bind: [runId, asOf], transaction },
  )) as [Array<{ clients: number }>, unknown];
  return { clients: Number(inserted[0]?.clients ?? 0), asOf: new Date(asOf) };
}

/** Reads the features of a run in card_id order. */
export async function loadFeatures(
  sequelize: Sequelize,
  runId: number,
  transaction?: Transaction,
): Promise<ClientFeatures[]> {
  const [rows] = (await sequelize.query(
    `SELECT card_id, ${FEATURE_NAMES.join(', ')} FROM segmentation_features WHERE run_id = $1 ORDER BY card_id`,
    { bind: [runId], transaction },
  )) as [Array<Record<string, unknown>>, unknown];
  return rows.map(rowToFeatures);
}

export function rowToFeatures(row: Record<string, unknown>): ClientFeatures {
  const out = { cardId: String(row.card_id) } as ClientFeatures;
  for (const name of FEATURE_NAMES) out[name] = Number(row[name] ?? 0);
  return out;
}

export function featureVector(features: FeatureVector): number[] {
  return FEATURE_NAMES.map((name) => features[name]);
}

export function vectorToFeatures(vector: number[]): FeatureVector {
  const out = {} as FeatureVector;
  FEATURE_NAMES.forEach((name, j) => {
    out[name] = vector[j];
  });
  return out;
}
