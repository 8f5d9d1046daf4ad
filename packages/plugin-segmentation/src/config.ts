import { telegramUserId } from '@botloom/core';
import { z } from 'zod';

/** Approximate demo rates to the base currency (RUB). Override `fxRates` with real ones. */
export const DEFAULT_FX_RATES: Record<string, number> = {
  RUB: 1,
  USD: 90,
  EUR: 98,
  GBP: 114,
  CNY: 12.5,
  KZT: 0.19,
  BYN: 27.5,
  TRY: 2.8,
  AED: 24.5,
  GEL: 33,
  AMD: 0.23,
  UZS: 0.0071,
  THB: 2.5,
  JPY: 0.6,
  CHF: 102,
};

const boolish = z.preprocess(
  (value) =>
    typeof value === 'string' ? !['false', '0', 'no', 'off', ''].includes(value.trim().toLowerCase()) : value,
  z.boolean(),
);

const idList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number)
      : value,
  z.array(telegramUserId),
);

export const SegmentationConfig = z.object({
  /** Telegram user ids copied into the allowlist table at start (bootstrap). */
  allowedUserIds: idList
    .default([])
    .describe('Telegram user ids allowed to see client data (bootstrap of the allowlist)'),
  /**
   * Demos only: in sandbox mode (no TELEGRAM_BOT_TOKEN) every user may use the commands.
   * Ignored, and the allowlist enforced, whenever a real bot token is configured.
   */
  openAccessInSandbox: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => v === true || v === 'true')
    .default(false)
    .describe('Sandbox demos: let every sandbox user in (never applies with a real TELEGRAM_BOT_TOKEN)'),
  /** Fixed number of segments; 0 picks k by silhouette between minK and maxK. */
  defaultK: z.coerce
    .number()
    .int()
    .min(0)
    .max(20)
    .default(3)
    .describe('Number of segments; 0 = choose by silhouette'),
  minK: z.coerce
    .number()
    .int()
    .min(2)
    .max(20)
    .default(2)
    .describe('Smallest k tried when choosing by silhouette'),
  maxK: z.coerce
    .number()
    .int()
    .min(2)
    .max(20)
    .default(8)
    .describe('Largest k tried when choosing by silhouette'),
  restarts: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(10)
    .describe('KMeans restarts (k-means++), lowest inertia wins'),
  seed: z.coerce.number().int().default(42).describe('Seed of the clustering (reproducible runs)'),
  silhouetteSample: z.coerce
    .number()
    .int()
    .min(100)
    .default(3000)
    .describe('Clients sampled to compute the silhouette score'),
  /** Cron (UTC) for scheduled recomputes; empty = no schedule. Read when the plugin is created. */
  scheduleCron: z
    .string()
    .default('')
    .describe('Cron expression (UTC) for a scheduled recompute; empty for none'),
  recomputeAfterImport: boolish.default(true).describe('Queue a recompute after each successful import'),
  keepRuns: z.coerce
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Completed runs kept (older ones are deleted)'),
  baseCurrency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'an ISO 4217 code such as RUB')
    .transform((code) => code.toUpperCase())
    .default('RUB')
    .describe('Currency all spend features are expressed in (amounts in replies are shown in it)'),
  fxRates: z
    .preprocess(
      (value) => (typeof value === 'string' ? JSON.parse(value) : value),
      z.record(z.number().positive()),
    )
    .default(DEFAULT_FX_RATES)
    .describe('Rate of each accepted currency to the base currency (JSON); other currencies are rejected'),
  maxAmount: z.coerce
    .number()
    .positive()
    .default(10_000_000)
    .describe('Largest plausible amount of one transaction, in the base currency'),
  maxUploadBytes: z.coerce
    .number()
    .int()
    .positive()
    .default(500 * 1024 * 1024)
    .describe('Largest admin upload'),
  clientsPageSize: z.coerce.number().int().min(5).max(50).default(20).describe('Card ids per /clients page'),
  clientsFileThreshold: z.coerce
    .number()
    .int()
    .min(1)
    .default(200)
    .describe('Above this many clients /clients also sends a CSV file'),
});

export type SegmentationConfig = z.output<typeof SegmentationConfig>;
export type SegmentationOptions = Partial<z.input<typeof SegmentationConfig>>;

export function parseSegmentationConfig(input: SegmentationOptions = {}): SegmentationConfig {
  return SegmentationConfig.parse(input);
}
