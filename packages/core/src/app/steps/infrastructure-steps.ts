import { createAesGcmCrypto } from '../../crypto/aes-gcm.js';
import { loadEncryptionKey } from '../../crypto/encryption-key.js';
import { BootError } from '../../errors/botloom-error.js';
import { createFileStorage } from '../../files/file-storage.js';
import { createI18n } from '../../i18n/create-i18n.js';
import { JobQueue } from '../../jobs/job-queue.js';
import { createKvFactory } from '../../kv/kv-factory.js';
import { createAiServices } from '../../llm/ai-services.js';
import { createRealtime } from '../../realtime/realtime.js';
import { createAppSignals } from '../../signals/index.js';
import type { BootContext } from '../boot-context.js';
import type { BootStep } from '../boot-sequence.js';

/** Core's own services, in start order: crypto, database and migrations, KV, the job queue, files, AI, i18n. */
export function infrastructureSteps(ctx: BootContext) {
  const { config, logger, metrics, errorReporter, runtimes, running, dataDir, migratorFor, openDb } = ctx;

  const cryptoStep: BootStep = {
    name: 'crypto',
    async start() {
      const key = await loadEncryptionKey({
        value: config.ENCRYPTION_KEY,
        dataDir,
        production: config.NODE_ENV === 'production',
        logger,
      });
      running.crypto = createAesGcmCrypto(key);
    },
  };

  const databaseStep: BootStep = {
    name: 'database',
    async start() {
      running.database = await openDb();
      const migrator = migratorFor(running.database);
      if (config.BOTLOOM_AUTO_MIGRATE) {
        const executed = await migrator.up();
        if (executed.length) logger.info({ migrations: executed }, `applied ${executed.length} migration(s)`);
        return;
      }
      const pending = await migrator.pending();
      if (pending.length) {
        throw new BootError(
          'PENDING_MIGRATIONS',
          `BOTLOOM_AUTO_MIGRATE=false and ${pending.length} migration(s) are pending (${pending.join(', ')}): run \`botloom migrate\` first`,
        );
      }
    },
    stop: () => running.database?.close(),
  };

  const kvStep: BootStep = {
    name: 'kv',
    start() {
      running.kv = createKvFactory({ url: config.KV_URL, databaseUrl: running.database!.url, logger });
    },
    stop: () => running.kv?.close(),
  };

  // The queue exists before services (they may keep `Jobs`); jobs are declared after them.
  const jobQueueStep: BootStep = {
    name: 'job queue',
    start() {
      running.jobs = new JobQueue({ databaseUrl: running.database!.url, logger, errorReporter });
      // pg-boss's own start overlaps the steps until the job workers' step, which awaits it.
      running.jobs.prestart();
    },
    // A boot that fails before the job workers' step still stops what prestart() began.
    stop: () => running.jobs?.stop(),
  };

  const crossInstanceSignalsStep: BootStep = {
    name: 'cross-instance signals',
    start() {
      running.signals = createAppSignals({
        kvUrl: config.KV_URL,
        databaseUrl: running.database!.url,
        logger,
      });
      running.realtime = createRealtime({
        signals: running.signals,
        crypto: running.crypto!,
        presence: running.kv!.namespace('core.realtime'),
        logger,
      });
    },
    stop: () => running.signals?.close(),
  };

  const filesStep: BootStep = {
    name: 'files',
    async start() {
      const files = createFileStorage({ dataDir, sequelize: running.database!.sequelize, logger, config });
      await files.init(); // S3: a missing bucket or rejected credentials stop the boot here
      running.files = files;
    },
    stop: () => running.files?.close(),
  };

  const aiStep: BootStep = {
    name: 'ai',
    async start() {
      running.ai = createAiServices({
        config,
        sequelize: running.database!.sequelize,
        crypto: running.crypto!,
        dataDir,
        logger,
        metrics,
        signals: running.signals,
      });
      await running.ai.start();
      const ai = running.ai.describe();
      if (ai.offline)
        logger.warn(
          'LLM: no OPENAI_API_KEY or OPENAI_BASE_URL, the offline provider answers (no real model)',
        );
      else
        logger.info(
          { endpoint: ai.endpoint, model: ai.model, embeddings: ai.embeddings, providers: ai.providers },
          'LLM endpoint configured',
        );
    },
    stop: () => running.ai?.close(),
  };

  const i18nStep: BootStep = {
    name: 'i18n',
    start() {
      running.i18n = createI18n({
        sources: runtimes
          .filter((r) => r.manifest.locales)
          .map((r) => ({ pluginId: r.id, locales: r.manifest.locales! })),
        logger: logger.child({ component: 'i18n' }),
      });
    },
  };

  return {
    cryptoStep,
    databaseStep,
    kvStep,
    crossInstanceSignalsStep,
    jobQueueStep,
    filesStep,
    aiStep,
    i18nStep,
  };
}
