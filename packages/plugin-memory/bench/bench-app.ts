import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type App, createApp } from '@botloom/core';
import memoryPlugin, { type MemoryServices } from '../src/index.js';

/**
 * Runs `body` against a started app with only the memory plugin: DATABASE_URL when set,
 * otherwise embedded PostgreSQL in a temporary data directory, removed afterwards.
 */
export async function withMemoryBenchApp<T>(
  name: string,
  body: (app: App, services: MemoryServices) => Promise<T>,
): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `botloom-memory-${name}-`));
  // Embedded PostgreSQL runs as another system user when we are root: it must enter the folder.
  await chmod(dataDir, 0o755);
  const app = createApp({
    plugins: [memoryPlugin()],
    sandbox: false,
    dotenv: false,
    env: { ...process.env, LOG_LEVEL: 'warn' },
    config: { BOTLOOM_DATA_DIR: dataDir, PORT: 0, HOST: '127.0.0.1' } as never,
  });
  await app.start();
  try {
    return await body(app, app.services<MemoryServices>('memory'));
  } finally {
    await app.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
