import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from './types.js';

/** Bytes on local disk under `<dataDir>/files/<key>`, written to `.part` and renamed when complete. */
export function createLocalObjectStore(dataDir: string): ObjectStore {
  const directory = path.resolve(dataDir, 'files');
  let directoryReady: Promise<unknown> | undefined;
  const ensureDirectory = () => {
    directoryReady ??= mkdir(directory, { recursive: true });
    return directoryReady;
  };
  const filePath = (key: string) => path.join(directory, path.basename(key));

  return {
    backend: 'local',
    keyFor: (id) => id,
    async init() {
      await ensureDirectory();
    },
    async write(key, body) {
      await ensureDirectory();
      const partPath = `${filePath(key)}.part`;
      try {
        await pipeline(body, createWriteStream(partPath, { flags: 'wx', mode: 0o600 }));
        await rename(partPath, filePath(key));
      } catch (error) {
        await rm(partPath, { force: true });
        throw error;
      }
    },
    async read(key) {
      const location = filePath(key);
      try {
        await stat(location);
      } catch {
        return null;
      }
      return createReadStream(location);
    },
    async remove(key) {
      await rm(filePath(key), { force: true });
    },
    close() {},
  };
}
