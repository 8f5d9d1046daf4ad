import { filesMigrations } from '../files/migrations.js';
import { httpMigrations } from '../http/migrations.js';
import { inboxMigrations } from '../inbox/migrations.js';
import { llmMigrations } from '../llm/migrations.js';
import { vectorMigrations } from '../vector/migrations.js';
import type { MigrationDefinition } from './migration-types.js';

/**
 * Core's own schema changes, recorded as `core:<name>` and run before any plugin's. Each area
 * of core keeps its migrations next to its code and adds them here, in name order.
 */
export const coreMigrations: MigrationDefinition[] = [
  ...httpMigrations,
  ...filesMigrations,
  ...llmMigrations,
  ...vectorMigrations,
  ...inboxMigrations,
];
