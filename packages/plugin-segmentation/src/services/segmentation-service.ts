import type { Llm } from '@botloom/core';
import type { Sequelize } from 'sequelize';
import type { SegmentationConfig } from '../config.js';
import { AllowlistService } from './allowlist-service.js';
import { DataPreparation } from './data-preparation.js';
import { ImportService } from './import-service.js';
import { InsightService } from './insight-service.js';
import { type ClusteringSettings, RecomputeService } from './recompute-service.js';
import { SegmentQueries } from './segment-queries.js';

export function clusteringSettings(config: SegmentationConfig): ClusteringSettings {
  return {
    k: config.defaultK,
    minK: config.minK,
    maxK: Math.max(config.minK, config.maxK),
    restarts: config.restarts,
    seed: config.seed,
    silhouetteSample: config.silhouetteSample,
    keepRuns: config.keepRuns,
  };
}

/** Every domain service of the plugin over one database (what the bot, admin API, jobs and CLI use). */
export interface SegmentationServices {
  imports: ImportService;
  recompute: RecomputeService;
  queries: SegmentQueries;
  allowlist: AllowlistService;
  /** Set while an app prepares (demo) data, so that an empty result says "wait", not "no data". */
  preparation: DataPreparation;
  /** Needs the core Llm service; absent where none is available (CLI). */
  insights?: InsightService;
}

export function createSegmentationServices(
  sequelize: Sequelize,
  config: SegmentationConfig,
  llm?: Llm,
): SegmentationServices {
  return {
    imports: new ImportService(sequelize, { fxRates: config.fxRates, maxAmount: config.maxAmount }),
    recompute: new RecomputeService(sequelize, clusteringSettings(config)),
    queries: new SegmentQueries(sequelize),
    allowlist: new AllowlistService(sequelize),
    preparation: new DataPreparation(),
    insights: llm ? new InsightService(llm, config.baseCurrency) : undefined,
  };
}
