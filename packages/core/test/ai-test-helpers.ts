import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Sequelize } from 'sequelize';
import { type CoreConfig, CoreConfigSchema } from '../src/config/core-config.js';
import { createAesGcmCrypto } from '../src/crypto/aes-gcm.js';
import type { Crypto } from '../src/crypto/types.js';
import { Migrator } from '../src/db/migrator.js';
import { llmMigrations } from '../src/llm/migrations.js';
import type { MigrationDefinition } from '../src/plugin/types.js';
import { createTestDatabase } from '../src/testing/test-database.js';
import { vectorMigrations } from '../src/vector/migrations.js';

export const silentLogger = pino({ level: 'silent' });

/** The Crypto the app would build from ENCRYPTION_KEY; the same `key` gives the same Crypto. */
export function testCrypto(key: Buffer = Buffer.alloc(32, 1)): Crypto {
  return createAesGcmCrypto(key);
}

/** Core settings as the app would parse them from the environment. */
export function aiConfig(env: Record<string, string | undefined> = {}): CoreConfig {
  return CoreConfigSchema.parse(env);
}

/** A fresh database with the LLM and vector tables, and a temporary data directory. */
export async function setupAiDatabase(options: { extraMigrations?: MigrationDefinition[] } = {}) {
  const db = await createTestDatabase('botloom_ai');
  const sequelize = new Sequelize(db.url, { logging: false, pool: { max: 5 } });
  await new Migrator({
    sequelize,
    logger: silentLogger,
    sources: [
      {
        pluginId: 'core',
        migrations: [...(options.extraMigrations ?? []), ...llmMigrations, ...vectorMigrations],
      },
    ],
  }).up();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'botloom-ai-'));
  return {
    sequelize,
    url: db.url,
    dataDir,
    async close() {
      await sequelize.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
