import {
  createTestDatabase,
  InMemoryVectorStore,
  ScriptedLlm,
  type TestDatabase,
} from '@botloom/core/testing';
import pino from 'pino';
import { Sequelize } from 'sequelize';
// Core does not export its AES-GCM Crypto publicly; the unit tests use the real one by path.
import { createAesGcmCrypto } from '../../../core/src/crypto/aes-gcm.js';
import { MemoryConfigSchema } from '../../src/config.js';
import { memoryMigrations } from '../../src/migrations/0001-create-memory-tables.js';
import { AgentService } from '../../src/services/agent-service.js';
import { MemoryStore } from '../../src/services/memory-store.js';
import { ProfileService } from '../../src/services/profile-service.js';
import { SessionLifecycle } from '../../src/services/session-lifecycle.js';
import { SessionService } from '../../src/services/session-service.js';
import { SessionSummarizer } from '../../src/services/session-summarizer.js';
import { UserDataService } from '../../src/services/user-data-service.js';
import { Sql } from '../../src/store/sql.js';

export async function createServiceFixture(overrides: Record<string, unknown> = {}) {
  const db: TestDatabase = await createTestDatabase('memory_unit');
  const sequelize = new Sequelize(db.url, { logging: false });
  for (const m of memoryMigrations) {
    await sequelize.transaction((transaction) =>
      m.up({ sequelize, queryInterface: sequelize.getQueryInterface(), transaction }),
    );
  }
  const config = MemoryConfigSchema.parse(overrides);
  const logger = pino({ level: 'silent' });
  const crypto = createAesGcmCrypto(Buffer.alloc(32, 7));
  const sql = new Sql(sequelize);
  const vectors = new InMemoryVectorStore();
  // The tests script the session summary (the output of `structured`) as `f.llm.summary`.
  const llm = Object.assign(
    new ScriptedLlm({ reply: (r) => `echo: ${r.messages[r.messages.length - 1]?.content}` }),
    { summary: { title: 'A title', summary: 'A summary', facts: [] } as unknown },
  );
  llm.setData(() => llm.summary);
  const jobs = new FakeJobs();
  const profiles = new ProfileService(sql, crypto);
  const sessions = new SessionService(sql, crypto);
  const memories = new MemoryStore(sql, crypto, vectors);
  const lifecycle = new SessionLifecycle(
    sessions,
    memories,
    new SessionSummarizer(llm),
    jobs,
    config.sessionIdleMinutes,
    logger,
  );
  const agent = new AgentService(llm, profiles, sessions, memories, lifecycle, config, logger);
  const kvStore = new Map<string, unknown>();
  const kv = {
    get: async (k: string) => kvStore.get(k),
    set: async (k: string, v: unknown) => void kvStore.set(k, v),
    delete: async (k: string) => kvStore.delete(k),
  };
  const userData = new UserDataService(
    sql,
    profiles,
    sessions,
    memories,
    lifecycle,
    llm,
    kv as any,
    null,
    logger,
  );
  return {
    db,
    sequelize,
    sql,
    crypto,
    vectors,
    llm,
    jobs,
    kvStore,
    config,
    profiles,
    sessions,
    memories,
    lifecycle,
    agent,
    userData,
    async close() {
      await sequelize.close();
      await db.drop();
    },
  };
}

export class FakeJobs {
  readonly sent: { name: string; data: unknown; id: string; startAfter: unknown }[] = [];
  readonly cancelled: string[] = [];
  private next = 1;
  async send(name: string, data: object, options: { startAfter?: unknown } = {}) {
    const id = `job-${this.next++}`;
    this.sent.push({ name, data, id, startAfter: options.startAfter });
    return id;
  }
  async cancel(_name: string, id: string) {
    this.cancelled.push(id);
  }
}
