import type { Crypto, Jobs, Llm, LlmUsageService, VectorStore } from '@botloom/core';
import type { Keyv } from 'keyv';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import type { MemoryConfig } from '../config.js';
import { Sql } from '../store/sql.js';
import { AgentService } from './agent-service.js';
import { MemoryAdminService } from './memory-admin-service.js';
import { MemoryStore } from './memory-store.js';
import { ProfileService } from './profile-service.js';
import { SessionLifecycle } from './session-lifecycle.js';
import { SessionService } from './session-service.js';
import { SessionSummarizer } from './session-summarizer.js';
import { UserDataService, type UserUsageAccess } from './user-data-service.js';

export interface MemoryServiceDeps {
  sequelize: Sequelize;
  crypto: Crypto;
  llm: Llm;
  vectors: VectorStore;
  jobs: Jobs | null;
  kv: Keyv | null;
  usage: LlmUsageService | null;
  logger: Logger;
  config: MemoryConfig;
}

/** Every service of the plugin, wired together. Built once per app, in the plugin's services stage. */
export function createMemoryServices(deps: MemoryServiceDeps) {
  const sql = new Sql(deps.sequelize);
  const profiles = new ProfileService(sql, deps.crypto);
  const sessions = new SessionService(sql, deps.crypto);
  const memories = new MemoryStore(sql, deps.crypto, deps.vectors);
  const lifecycle = new SessionLifecycle(
    sessions,
    memories,
    new SessionSummarizer(deps.llm),
    deps.jobs,
    deps.config.sessionIdleMinutes,
    deps.logger,
  );
  const agent = new AgentService(deps.llm, profiles, sessions, memories, lifecycle, deps.config, deps.logger);
  const usageAccess: UserUsageAccess | null = deps.usage
    ? {
        list: async (user) =>
          (await deps.usage!.query({ user, limit: 10_000 })) as unknown as Record<string, unknown>[],
        deleteForUser: (user) => deps.usage!.forgetUser(user),
      }
    : null;
  const userData = new UserDataService(
    sql,
    profiles,
    sessions,
    memories,
    lifecycle,
    deps.llm,
    deps.kv,
    usageAccess,
    deps.logger,
  );
  const admin = new MemoryAdminService(sql, sessions, memories, deps.usage);
  return {
    sql,
    profiles,
    sessions,
    memories,
    lifecycle,
    agent,
    userData,
    admin,
    llm: deps.llm,
    kv: deps.kv,
    config: deps.config,
  };
}

export type MemoryServices = ReturnType<typeof createMemoryServices>;
