/**
 * npm run bench:segmentation -w @botloom/plugin-segmentation
 *
 * 1. Core's KMeans on 100k generated clients × 12 features with known clusters: inertia,
 *    adjusted Rand index against the true labels, time and peak memory. The comparison with
 *    scikit-learn and ml-kmeans is core's bench (`npm run bench:kmeans -w @botloom/core`).
 * 2. Feature computation in PostgreSQL for ~1M generated transactions (and the import before it).
 * Env: BENCH_CLIENTS (100000), BENCH_K (8), BENCH_TRANSACTIONS (1000000), BENCH_SKIP_DB=1,
 * DATABASE_URL or TEST_DATABASE_URL (a server to use; otherwise embedded PostgreSQL).
 */
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { fitKMeansParallel } from '@botloom/core';
import { startEmbeddedPostgres } from '@botloom/core/testing';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { DEFAULT_FX_RATES } from '../src/config.js';
import { segmentationMigrations } from '../src/migrations/0001-create-segmentation.js';
import { computeFeatures } from '../src/services/features.js';
import { generateBlobs, writeGeneratedCsv } from '../src/services/generator.js';
import { ImportService } from '../src/services/import-service.js';
import { adjustedRandIndex } from '../src/services/metrics.js';
import { RecomputeService } from '../src/services/recompute-service.js';

const N = Number(process.env.BENCH_CLIENTS ?? 100_000);
const K = Number(process.env.BENCH_K ?? 8);
const DIMS = 12;
const RESTARTS = 10;
const SEED = 42;
const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 1_000_000);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function benchKMeans() {
  console.log(
    `\n## KMeans: ${N} clients × ${DIMS} features, k = ${K}, ${RESTARTS} k-means++ restarts (core's fitKMeansParallel)`,
  );
  // Overlapping blobs (centres in [-2.5, 2.5], unit spread): separable enough for a high ARI, not trivially.
  const { points, labels } = generateBlobs(N, K, DIMS, SEED, { box: 2.5, spread: 1 });
  // Peak memory is read from the OS (max RSS) before and after.
  const heapData = process.memoryUsage().heapUsed;
  const rssBefore = process.resourceUsage().maxRSS * 1024;
  const started = performance.now();
  const fit = await fitKMeansParallel(points, { k: K, restarts: RESTARTS, seed: SEED });
  const elapsed = performance.now() - started;
  const rssAfter = process.resourceUsage().maxRSS * 1024;
  const ari = adjustedRandIndex(labels, fit.labels);
  console.log(`inertia            ${fit.inertia.toFixed(2)}`);
  console.log(
    `restart inertias   min ${Math.min(...fit.restartInertias).toFixed(1)} max ${Math.max(...fit.restartInertias).toFixed(1)}`,
  );
  console.log(`adjusted Rand      ${ari.toFixed(4)} (vs the generating labels)`);
  console.log(`time               ${secs(elapsed)} (${(elapsed / RESTARTS).toFixed(0)} ms per restart)`);
  console.log(
    `peak memory        max RSS ${mb(rssAfter)} (${mb(rssBefore)} before KMeans, data set on the heap ${mb(heapData)})`,
  );

  console.log('scikit-learn and ml-kmeans comparison: npm run bench:kmeans -w @botloom/core');
}

async function withDatabase<T>(tmp: string, fn: (url: string) => Promise<T>): Promise<T> {
  const server = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (server) {
    const name = `seg_bench_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    try {
      return await fn(url.toString());
    } finally {
      const cleanup = new pg.Client({ connectionString: server });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    }
  }
  console.log('(embedded PostgreSQL; set DATABASE_URL to use a server)');
  // As root the cluster runs as the `postgres` user, which must be able to enter mkdtemp's 0700 folder.
  await chmod(tmp, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg') });
  try {
    return await fn(embedded.url);
  } finally {
    await embedded.stop();
  }
}

async function benchFeatures(tmp: string) {
  console.log(`\n## Features in PostgreSQL for ~${TRANSACTIONS} transactions`);
  // Average ≈ 90 transactions per generated client: find the client count that gives ~TRANSACTIONS.
  const file = path.join(tmp, 'transactions.csv');
  let clients = Math.max(10, Math.round(TRANSACTIONS / 90));
  let written = { clients: 0, transactions: 0 };
  for (let attempt = 0; attempt < 3; attempt++) {
    const out = createWriteStream(file);
    const started = performance.now();
    const result = await writeGeneratedCsv(out, { clients, seed: 3, end: new Date('2025-01-01T00:00:00Z') });
    out.end();
    await finished(out);
    written = result;
    console.log(
      `generated          ${result.transactions} transactions of ${result.clients} clients in ${secs(performance.now() - started)}`,
    );
    if (Math.abs(result.transactions - TRANSACTIONS) / TRANSACTIONS < 0.1) break;
    clients = Math.round((clients * TRANSACTIONS) / result.transactions);
  }
  await withDatabase(tmp, async (url) => {
    const sequelize = new Sequelize(url, { logging: false });
    try {
      await sequelize.transaction(async (transaction) => {
        for (const m of segmentationMigrations)
          await m.up({ sequelize, queryInterface: sequelize.getQueryInterface(), transaction });
      });
      let started = performance.now();
      const imported = await new ImportService(sequelize, {
        fxRates: DEFAULT_FX_RATES,
        maxAmount: 10_000_000,
      }).importFile(file);
      console.log(
        `import (CSV→staging→table) ${secs(performance.now() - started)}: ${imported.status}, ${imported.report?.rowsImported} rows`,
      );
      await sequelize.query('ANALYZE segmentation_transactions');
      const [run] = (await sequelize.query(
        "INSERT INTO segmentation_runs (status, trigger, seed, restarts) VALUES ('running', 'manual', 1, 1) RETURNING id",
      )) as [Array<{ id: number }>, unknown];
      started = performance.now();
      const features = await computeFeatures(sequelize, run[0].id);
      console.log(
        `feature SQL        ${secs(performance.now() - started)} for ${written.transactions} transactions → ${features.clients} clients`,
      );
      await sequelize.query('DELETE FROM segmentation_runs WHERE id = $1', { bind: [run[0].id] });
      started = performance.now();
      const full = await new RecomputeService(sequelize, {
        k: 3,
        minK: 2,
        maxK: 8,
        restarts: 10,
        seed: SEED,
        silhouetteSample: 3000,
        keepRuns: 3,
      }).recompute({ trigger: 'manual' });
      console.log(
        `full recompute     ${secs(performance.now() - started)} (features + KMeans k=3 ×10 + writes), v${full.version}`,
      );
    } finally {
      await sequelize.close();
    }
  });
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'segmentation-bench-'));
try {
  await benchKMeans();
  if (process.env.BENCH_SKIP_DB !== '1') await benchFeatures(tmp);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
