import { fileURLToPath } from 'node:url';
import type { EventBus, Translator } from '@botloom/core';
import { createEventBus } from '@botloom/core/runtime';
import { createTestDatabase, type TestDatabase } from '@botloom/core/testing';
import pino from 'pino';
import { Sequelize } from 'sequelize';
import { type CreateI18nOptions, createI18n } from '../../../core/src/i18n/create-i18n.js';
import { type SupportConfig, SupportConfigSchema } from '../../src/config.js';
import { supportMigrations } from '../../src/migrations/0001-create-support-tables.js';

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

/** A fresh database with the support tables, a real translator and event bus. */
export async function createDbFixture(config: Partial<SupportConfig> = {}) {
  const db: TestDatabase = await createTestDatabase('support_unit');
  const sequelize = new Sequelize(db.url, { logging: false });
  for (const m of supportMigrations) {
    await sequelize.transaction((transaction) =>
      m.up({ sequelize, queryInterface: sequelize.getQueryInterface(), transaction }),
    );
  }
  const logger = pino({ level: 'silent' });
  const i18n = createI18n({
    sources: [{ pluginId: 'support', locales: LOCALES_DIR }],
    logger,
  } as CreateI18nOptions);
  const translator: Translator = i18n.translator;
  const events: EventBus = createEventBus({ logger, declaredEvents: [] } as never);
  const emitted: Array<{ name: string; payload: unknown }> = [];
  const originalEmit = events.emit.bind(events);
  events.emit = (async (name: string, payload: unknown) => {
    emitted.push({ name, payload });
    await originalEmit(name as never, payload as never);
  }) as EventBus['emit'];
  return {
    db,
    sequelize,
    logger,
    translator,
    events,
    emitted,
    config: SupportConfigSchema.parse(config),
    async close() {
      await sequelize.close();
      await db.drop();
    },
  };
}
