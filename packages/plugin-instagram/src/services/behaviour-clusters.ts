import { fitKMeansParallel } from '@botloom/core';
import { z } from 'zod';
import { InstagramInputError } from './errors.js';
import type { UserDirectory } from './user-directory.js';

export const ClusterRequestSchema = z
  .object({
    k: z.number().int().min(2).max(8).default(4),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
  })
  .strict();

export interface BehaviourCluster {
  /** `cluster-1` is the largest. */
  name: string;
  users: number;
  avgMessages: number;
  avgRecencyDays: number;
  negativeShare: number;
  avgIntents: number;
}

const RESTARTS = 10;

/**
 * Behaviour segments: core's KMeans over each user's message count, days since they last wrote,
 * share of negative messages and number of distinct intents (counts log-scaled, then every
 * feature standardised). Replaces the previous clustering; rule-based segments are untouched.
 */
export class BehaviourClusters {
  constructor(private readonly users: UserDirectory) {}

  async recompute(input: unknown) {
    const parsed = ClusterRequestSchema.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InstagramInputError(
        `Invalid clustering request at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
        'INSTAGRAM_INVALID_CLUSTERING',
      );
    }
    const { k, seed } = parsed.data;
    const rows = await this.users.behaviour();
    if (rows.length < k)
      throw new InstagramInputError(
        `${rows.length} users are not enough for ${k} clusters`,
        'INSTAGRAM_NOT_ENOUGH_USERS',
        { users: rows.length, k },
      );
    const raw = rows.map((r) => [r.messages, r.recency_days, r.negative_share, r.intents]);
    const points = standardise(
      raw.map(([messages, recency, negative, intents]) => [
        Math.log1p(messages),
        Math.log1p(Math.max(0, recency)),
        negative,
        Math.log1p(intents),
      ]),
    );
    const fit = await fitKMeansParallel(points, { k, restarts: RESTARTS, seed });

    // Name clusters by size (largest first; the label breaks ties) so names are stable for a seed.
    const sizes = new Array<number>(k).fill(0);
    for (const label of fit.labels) sizes[label]++;
    const order = [...sizes.keys()].sort((a, b) => sizes[b] - sizes[a] || a - b);
    const nameOf = new Map(order.map((label, rank) => [label, `cluster-${rank + 1}`]));
    const members = new Map<string, string[]>(order.map((label) => [nameOf.get(label)!, []]));
    const sums = order.map(() => [0, 0, 0, 0]);
    rows.forEach((row, i) => {
      const label = fit.labels[i];
      members.get(nameOf.get(label)!)!.push(row.igsid);
      raw[i].forEach((v, j) => {
        sums[label][j] += v;
      });
    });
    await this.users.setClusters(members);
    const clusters: BehaviourCluster[] = order
      .filter((label) => sizes[label] > 0)
      .map((label) => {
        const mean = sums[label].map((v) => v / sizes[label]);
        return {
          name: nameOf.get(label)!,
          users: sizes[label],
          avgMessages: mean[0],
          avgRecencyDays: mean[1],
          negativeShare: mean[2],
          avgIntents: mean[3],
        };
      });
    return { k, seed, users: rows.length, inertia: fit.inertia, clusters };
  }
}

/** z-scores per column; a constant column stays 0. */
function standardise(rows: number[][]): number[][] {
  const n = rows.length;
  const dims = rows[0]?.length ?? 0;
  const mean = new Array<number>(dims).fill(0);
  const std = new Array<number>(dims).fill(0);
  for (const row of rows) for (let j = 0; j < dims; j++) mean[j] += row[j] / n;
  for (const row of rows) for (let j = 0; j < dims; j++) std[j] += (row[j] - mean[j]) ** 2 / n;
  const scale = std.map((v) => (Math.sqrt(v) > 1e-12 ? Math.sqrt(v) : 1));
  return rows.map((row) => row.map((v, j) => (v - mean[j]) / scale[j]));
}
