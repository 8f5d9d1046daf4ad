import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '@botloom/core/testing';
import { Sequelize } from 'sequelize';
import { DEFAULT_FX_RATES } from '../src/config.js';
import { segmentationMigrations } from '../src/migrations/0001-create-segmentation.js';

export interface SegmentationTestDb {
  sequelize: Sequelize;
  tmpDir: string;
  file(name: string, content: string | Buffer): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database with the plugin's migrations applied, plus a temporary folder for files. */
export async function createSegmentationTestDb(): Promise<SegmentationTestDb> {
  const db = await createTestDatabase('seg_test');
  const sequelize = new Sequelize(db.url, { logging: false });
  await sequelize.transaction(async (transaction) => {
    for (const migration of segmentationMigrations) {
      await migration.up({ sequelize, queryInterface: sequelize.getQueryInterface(), transaction });
    }
  });
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'seg-test-'));
  return {
    sequelize,
    tmpDir,
    async file(name, content) {
      const filePath = path.join(tmpDir, name);
      await writeFile(filePath, content);
      return filePath;
    },
    async close() {
      await sequelize.close();
      await db.drop();
      await rm(tmpDir, { recursive: true, force: true });
    },
  };
}

export const TEST_LIMITS = { fxRates: DEFAULT_FX_RATES, maxAmount: 10_000_000 };
