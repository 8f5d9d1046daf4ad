import type { Logger } from 'pino';
import { kvBackendOf } from '../kv/kv-factory.js';
import { PostgresSignalTransport } from './postgres-transport.js';
import { RedisSignalTransport } from './redis-transport.js';
import { createSignalService, type SignalService } from './signal-service.js';

export { createSignalService, type SignalService } from './signal-service.js';
export * from './types.js';

/** The app's signal service: Redis pub/sub when KV_URL is Redis, else PostgreSQL LISTEN/NOTIFY. */
export function createAppSignals(options: {
  kvUrl?: string;
  databaseUrl: string;
  logger: Logger;
  instanceId?: string;
}): SignalService {
  const logger = options.logger.child({ component: 'signals' });
  const redis = options.kvUrl && kvBackendOf(options.kvUrl) === 'redis';
  const transport = redis
    ? new RedisSignalTransport(options.kvUrl!, logger)
    : new PostgresSignalTransport(options.databaseUrl, logger);
  return createSignalService({ transport, logger, instanceId: options.instanceId });
}
