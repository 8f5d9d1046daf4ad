import { createHash, randomUUID } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import pino, { type Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { BootError, BotloomError } from '../errors/botloom-error.js';
import { createLocalObjectStore } from './local-object-store.js';
import { FILES_TABLE } from './migrations.js';
import { createS3ObjectStore, displayEndpoint } from './s3-object-store.js';
import type { FileBackend, FileStorage, ObjectStore, StoredFile } from './types.js';

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

/** The core settings file storage reads (names as in `CoreConfig`). */
export interface FileStorageSettings {
  S3_ENDPOINT?: string;
  S3_BUCKET?: string;
  S3_ACCESS_KEY_ID?: string;
  S3_SECRET_ACCESS_KEY?: string;
  S3_REGION?: string;
  S3_FORCE_PATH_STYLE?: boolean;
}

export interface CreateFileStorageOptions {
  /** Local files live under `<dataDir>/files/` (also files stored before S3 was configured). */
  dataDir: string;
  sequelize: Sequelize;
  /** Defaults to a silent logger; pass the app's. */
  logger?: Logger;
  /** Core settings: with `S3_ENDPOINT` set, new files go to S3-compatible storage. */
  config?: FileStorageSettings;
  /** Upper bound for every `put` (a smaller per-call `maxBytes` wins). Default 50 MiB. */
  maxBytes?: number;
}

/** `FileStorage` plus the lifecycle the app drives (plugins only see `FileStorage`). */
export interface ManagedFileStorage extends FileStorage {
  /** Where new files go. */
  readonly backend: FileBackend;
  /** Checks the storage before use: creates the local folder, or HEADs the S3 bucket. */
  init(): Promise<void>;
  /** Releases S3 connections. */
  close(): void;
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
  backend: FileBackend;
  storage_key: string | null;
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

/** The S3 store the settings ask for, or undefined when `S3_ENDPOINT` is unset. */
function s3StoreFrom(settings: FileStorageSettings | undefined, logger: Logger): ObjectStore | undefined {
  if (!settings?.S3_ENDPOINT) return undefined;
  const invalid = (message: string) => new BootError('S3_CONFIG_INVALID', message);
  if (!URL.canParse(settings.S3_ENDPOINT)) throw invalid('S3_ENDPOINT is not a URL');
  if (!settings.S3_BUCKET)
    throw invalid('S3_ENDPOINT is set, but S3_BUCKET is not: name the bucket for stored files');
  if (Boolean(settings.S3_ACCESS_KEY_ID) !== Boolean(settings.S3_SECRET_ACCESS_KEY)) {
    throw invalid('Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (AWS default credentials)');
  }
  return createS3ObjectStore({
    endpoint: settings.S3_ENDPOINT,
    bucket: settings.S3_BUCKET,
    region: settings.S3_REGION || 'us-east-1',
    accessKeyId: settings.S3_ACCESS_KEY_ID,
    secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
    forcePathStyle: settings.S3_FORCE_PATH_STYLE ?? true,
    logger,
  });
}

/**
 * Stored uploads. Metadata in `core_files` (core migrations `0300-files`, `0301-files-backend`);
 * bytes on local disk under `<dataDir>/files/<id>`, or in an S3-compatible bucket when
 * `S3_ENDPOINT` is set. Each file records its backend, so files stored on disk before S3 was
 * configured stay readable. Input streams through a SHA-256 hash and a size guard; nothing is
 * recorded (and nothing stays in the store) unless the whole input was written.
 */
export function createFileStorage(options: CreateFileStorageOptions): ManagedFileStorage {
  const { sequelize } = options;
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'files' });
  const globalLimit = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  const local = createLocalObjectStore(options.dataDir);
  const s3 = s3StoreFrom(options.config, logger);
  const target = s3 ?? local;

  function storeFor(backend: FileBackend): ObjectStore {
    const store = backend === 's3' ? s3 : backend === 'local' ? local : undefined;
    if (!store) {
      throw new BotloomError(
        'FILE_BACKEND_UNAVAILABLE',
        `This file is stored in "${backend}", which is not configured (S3_ENDPOINT unset?)`,
      );
    }
    return store;
  }

  async function findRow(id: string): Promise<FileRow | null> {
    if (!UUID_PATTERN.test(id)) return null;
    const rows = await sequelize.query<FileRow>(
      `SELECT id, backend, storage_key, filename, content_type, size, sha256, created_at
       FROM ${FILES_TABLE} WHERE id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] ?? null;
  }

  return {
    backend: target.backend,

    async init() {
      await target.init();
      if (s3 && options.config?.S3_ENDPOINT) {
        logger.info(
          {
            endpoint: displayEndpoint(options.config.S3_ENDPOINT),
            bucket: options.config.S3_BUCKET,
            region: options.config.S3_REGION,
          },
          'files are stored in S3-compatible storage',
        );
      }
    },

    close() {
      s3?.close();
    },

    async put(input, meta) {
      const limit = Math.min(meta.maxBytes ?? globalLimit, globalLimit);
      const id = randomUUID();
      const key = target.keyFor(id);
      const contentType = sanitizeContentType(meta.contentType);
      const hash = createHash('sha256');
      let size = 0;
      let tooLarge = false;
      const guard = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          size += chunk.length;
          if (size > limit) {
            tooLarge = true;
            callback(new FileTooLargeError(limit));
            return;
          }
          hash.update(chunk);
          callback(null, chunk);
        },
      });
      const source = Buffer.isBuffer(input) ? Readable.from([input]) : input;
      // The store consumes `guard`; a failure on either side reaches it as a stream error.
      pipeline(source, guard, () => {});
      try {
        await target.write(key, guard, contentType);
      } catch (error) {
        guard.destroy();
        if (!source.destroyed) source.destroy();
        throw tooLarge ? new FileTooLargeError(limit) : error;
      }
      const file: StoredFile = {
        id,
        filename: sanitizeFilename(meta.filename),
        contentType,
        size,
        sha256: hash.digest('hex'),
        createdAt: new Date(),
      };
      try {
        await sequelize.query(
          `INSERT INTO ${FILES_TABLE} (id, backend, storage_key, filename, content_type, size, sha256, created_at)
           VALUES (:id, :backend, :key, :filename, :contentType, :size, :sha256, :createdAt)`,
          { replacements: { ...file, backend: target.backend, key } },
        );
      } catch (error) {
        await target
          .remove(key)
          .catch((err) => logger.warn({ err, id }, 'could not remove unrecorded file bytes'));
        throw error;
      }
      logger.debug({ id, size, contentType, backend: target.backend }, 'file stored');
      return file;
    },

    async get(id) {
      const row = await findRow(id);
      if (!row) return null;
      const stream = await storeFor(row.backend).read(row.storage_key ?? row.id);
      if (!stream) {
        logger.warn({ id, backend: row.backend }, 'file metadata exists but its bytes are missing');
        return null;
      }
      return { file: toStoredFile(row), stream };
    },

    async delete(id) {
      const row = await findRow(id);
      if (!row) return false;
      // Bytes first: when that fails the record stays, and the delete can be retried.
      await storeFor(row.backend).remove(row.storage_key ?? row.id);
      const [, result] = await sequelize.query(`DELETE FROM ${FILES_TABLE} WHERE id = :id`, {
        replacements: { id },
      });
      const deleted = ((result as { rowCount?: number } | undefined)?.rowCount ?? 0) > 0;
      if (deleted) logger.debug({ id, backend: row.backend }, 'file deleted');
      return deleted;
    },
  };
}
