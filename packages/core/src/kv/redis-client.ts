import { createRequire } from 'node:module';

type KeyvRedisModule = typeof import('@keyv/redis');

const require = createRequire(import.meta.url);
let loaded: KeyvRedisModule | undefined;

/**
 * @keyv/redis (and the Redis client under it), loaded the first time a Redis URL is used: an
 * app on PostgreSQL or memory never loads it. Synchronous (the CommonJS build) so the KV
 * factory and the signal transport stay plain constructors.
 */
export function keyvRedis(): KeyvRedisModule {
  loaded ??= require('@keyv/redis') as KeyvRedisModule;
  return loaded;
}
