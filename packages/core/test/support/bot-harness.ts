import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { type BotPluginEntry, type BotRuntime, createBotRuntime } from '../../src/bot/bot-runtime.js';
import type { FloodControlOptions } from '../../src/bot/outgoing-api.js';
import { createAesGcmCrypto } from '../../src/crypto/aes-gcm.js';
import type { Crypto } from '../../src/crypto/types.js';
import { createMetrics, type Metrics } from '../../src/http/metrics.js';
import { type BotI18n, createI18n } from '../../src/i18n/create-i18n.js';
import type { LocaleSource } from '../../src/i18n/locale-sources.js';
import { createKvFactory, type KvFactory } from '../../src/kv/kv-factory.js';
import { FakeBotApi } from './fake-bot-api.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose JSON lines are kept in memory for assertions. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines };
}

export interface BotHarness {
  api: FakeBotApi;
  runtime: BotRuntime;
  kv: KvFactory;
  metrics: Metrics;
  i18n: BotI18n;
  logs: LogLine[];
  close(): Promise<void>;
}

export async function startBotHarness(
  options: {
    plugins?: BotPluginEntry[];
    localeSources?: LocaleSource[];
    rateLimitPerMinute?: number;
    floodControl?: FloodControlOptions | false;
    kv?: KvFactory;
    api?: FakeBotApi;
    pollingTimeoutSeconds?: number;
    crypto?: Crypto;
    conversationTtlMs?: number;
    now?: () => number;
    defaultChatOwner?: string;
  } = {},
): Promise<BotHarness> {
  const api = options.api ?? (await new FakeBotApi().start());
  const { logger, lines } = capturingLogger();
  const kv = options.kv ?? createKvFactory({ url: 'memory://', databaseUrl: 'memory://', logger });
  const metrics = createMetrics({ defaultMetrics: false });
  const i18n = createI18n({ sources: options.localeSources ?? [], logger });
  const runtime = createBotRuntime({
    token: api.token,
    apiRoot: api.apiRoot,
    logger,
    kv,
    i18n,
    rateLimitPerMinute: options.rateLimitPerMinute ?? 1000,
    metrics,
    plugins: options.plugins ?? [],
    floodControl: options.floodControl ?? { perChatIntervalMs: 0 },
    pollingTimeoutSeconds: options.pollingTimeoutSeconds ?? 1,
    crypto: options.crypto ?? createAesGcmCrypto(randomBytes(32)),
    conversationTtlMs: options.conversationTtlMs,
    now: options.now,
    defaultChatOwner: options.defaultChatOwner,
  });
  await runtime.init();
  return {
    api,
    runtime,
    kv,
    metrics,
    i18n,
    logs: lines,
    async close() {
      await runtime.stop();
      if (!options.kv) await kv.close();
      if (!options.api) await api.close();
    },
  };
}

/**
 * The value of a prometheus sample with these labels (0 when absent). For a histogram, name
 * the sample: `botloom_handler_duration_seconds_count`.
 */
export async function metricValue(
  metrics: Metrics,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const base = name.replace(/_(count|sum)$/, '');
  const metric = metrics.registry.getSingleMetric(name) ?? metrics.registry.getSingleMetric(base);
  if (!metric) return 0;
  const data = await metric.get();
  const match = data.values.find(
    (value) =>
      ((value as { metricName?: string }).metricName ?? name) === name &&
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
  );
  return match?.value ?? 0;
}
