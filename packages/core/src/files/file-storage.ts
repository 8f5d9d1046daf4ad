import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino, { type Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { FILES_TABLE } from './migrations.js';
import type { FileStorage, StoredFile } from './types.js';

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

export interface CreateFileStorageOptions {
  dataDir: string;
  sequelize: Sequelize;
  /** Defaults to a silent logger; pass the app's. */
  logger?: Logger;
  /** Core settings; only `S3_ENDPOINT` is read (same as `s3Endpoint`). */
  config?: { S3_ENDPOINT?: string };
  /** Upper bound for every `put` (a smaller per-call `maxBytes` wins). Default 50 MiB. */
  maxBytes?: number;
  /** S3_ENDPOINT: S3-compatible storage is not implemented yet; setting it fails at boot. */
  s3Endpoint?: string;
}

/** A stored file exceeded its size limit; the partial upload was removed. */
export class FileTooLargeError extends BotloomError {
  constructor(limit: number) {
    super('FILE_TOO_LARGE', `File exceeds the limit of ${limit} bytes`, { details: { maxBytes: limit } });
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface FileRow {
  id: string;
  filename: string;
  content_type: string;
  size: string | number;
  sha256: string;
  created_at: Date;
}

function toStoredFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    filename: row.filename,
    contentType: row.content_type,
    size: Number(row.size),
    sha256: row.sha256,
    createdAt: row.created_at,
  };
}

/** Keeps only the last path segment, drops control characters, bounds the length. */
export function sanitizeFilename(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return (clean || 'file').slice(0, 255);
}

function sanitizeContentType(contentType: string): string {
  const value = contentType.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;.*)?$/.test(value) && value.length <= 255
    ? value
    : 'application/octet-stream';
}

/**
 * Stored uploads: bytes on local disk under `<dataDir>/files/<id>`, metadata in `core_files`
 * (core migration `0300-files`). Writes stream through a SHA-256 hash and a size guard to a
 * `.part` file that is renamed only when complete.
 */
export function createFileStorage(options: CreateFileStorageOptions): FileStorage {
  if (options.s3Endpoint || options.config?.S3_ENDPOINT) {
    throw new BootError(
      'S3_NOT_IMPLEMENTED',
      'S3_ENDPOINT is set, but S3-compatible file storage is not implemented yet: unset S3_ENDPOINT to store files on local disk',
    );
  }
  const { sequelize } = options;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'files' });
  const directory = path.resolve(options.dataDir, 'files');
  const globalLimit = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let directoryReady: Promise<unknown> | undefined;
  const filePath = (id: string) => path.join(directory, id);

  async function findRow(id: string): Promise<FileRow | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await sequelize.query<FileRow>(
      `SELECT id, filename, content_type, size, sha256, created_at FROM ${FILES_TABLE} WHERE id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] ?? null;
  }

  return {
    async put(input, meta) {
      const limit = Math.min(meta.maxBytes ?? globalLimit, globalLimit);
      directoryReady ??= mkdir(directory, { recursive: true });
      await directoryReady;
      const id = randomUUID();
      const partPath = `${filePath(id)}.part`;
      const hash = createHash('sha256');
      let size = 0;
      const guard = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > limit) {
            callback(new FileTooLargeError(limit));
            return;
          }
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      const source = Buffer.isBuffer(input) ? Readable.from([input]) : input;
      try {
        await pipeline(source, guard, createWriteStream(partPath, { flags: 'wx', mode: 0o600 }));
        await rename(partPath, filePath(id));
      } catch (error) {
        await rm(partPath, { force: true });
        if (!Buffer.isBuffer(input) && !input.destroyed) input.destroy();
        throw error;
      }
      const file: StoredFile = {
        id,
        filename: sanitizeFilename(meta.filename),
        contentType: sanitizeContentType(meta.contentType),
        size,
        sha256: hash.digest('hex'),
        createdAt: new Date(),
      };
      try {
        await sequelize.query(
          `INSERT INTO ${FILES_TABLE} (id, filename, content_type, size, sha256, created_at)
           VALUES (:id, :filename, :contentType, :size, :sha256, :createdAt)`,
          { replacements: { ...file } },
        );
      } catch (error) {
        await rm(filePath(id), { force: true });
        throw error;
      }
      logger.debug({ id, size, contentType: file.contentType }, 'file stored');
      return file;
    },

    async get(id) {
      const row = await findRow(id);
      if (!row) return null;
      const location = filePath(row.id);
      try {
        await stat(location);
      } catch {
        logger.warn({ id }, 'file metadata exists but its bytes are missing on disk');
        return null;
      }
      return { file: toStoredFile(row), stream: createReadStream(location) };
    },

    async delete(id) {
      if (!UUID_PATTERN.test(id)) return false;
      const [, result] = await sequelize.query(`DELETE FROM ${FILES_TABLE} WHERE id = :id`, {
        replacements: { id },
      });
      const deleted = ((result as { rowCount?: number } | undefined)?.rowCount ?? 0) > 0;
      await rm(filePath(id), { force: true });
      if (deleted) logger.debug({ id }, 'file deleted');
      return deleted;
    },
  };
}
