import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { BootError } from '../errors/botloom-error.js';
import { parseEncryptionKey } from './aes-gcm.js';

export const ENCRYPTION_KEY_FILE = 'encryption.key';

/**
 * The master key: ENCRYPTION_KEY when set. Otherwise, outside production, a key generated
 * once into `<dataDir>/encryption.key` (mode 0600) and reused; in production a BootError.
 */
export async function loadEncryptionKey(options: {
  value?: string;
  dataDir: string;
  production: boolean;
  logger: Logger;
}): Promise<Buffer> {
  if (options.value) return parseEncryptionKey(options.value);
  if (options.production) {
    throw new BootError('MISSING_ENCRYPTION_KEY', 'ENCRYPTION_KEY must be set in production');
  }
  const file = path.join(options.dataDir, ENCRYPTION_KEY_FILE);
  const warning =
    'ENCRYPTION_KEY is not set: using a key generated under the data directory (set ENCRYPTION_KEY in production)';
  try {
    const key = parseEncryptionKey(await readFile(file, 'utf8'));
    options.logger.warn({ file }, warning);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(options.dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err) => {
    // Another instance created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  await chmod(file, 0o600);
  options.logger.warn({ file }, warning);
  return parseEncryptionKey(await readFile(file, 'utf8'));
}
