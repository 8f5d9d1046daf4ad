import type { Readable } from 'node:stream';

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

/** Stored uploads: local disk under the data directory, or S3-compatible storage. */
export interface FileStorage {
  put(
    input: Buffer | Readable,
    meta: { filename: string; contentType: string; maxBytes?: number },
  ): Promise<StoredFile>;
  get(id: string): Promise<{ file: StoredFile; stream: Readable } | null>;
  delete(id: string): Promise<boolean>;
}

/** Where the bytes of a stored file live; recorded per file in `core_files.backend`. */
export type FileBackend = 'local' | 's3';

/** Bytes storage behind `FileStorage` (internal to core: metadata stays in `core_files`). */
export interface ObjectStore {
  readonly backend: FileBackend;
  /** The key a new file's bytes get (recorded in `core_files.storage_key`). */
  keyFor(id: string): string;
  /** Checks the store is usable (directory, bucket, credentials); throws `BootError`. */
  init(): Promise<void>;
  /** Consumes `body` whole into `key`; on failure nothing readable is left under `key`. */
  write(key: string, body: Readable, contentType: string): Promise<void>;
  /** The bytes under `key`, or null when they are missing. */
  read(key: string): Promise<Readable | null>;
  /** Removes `key`; removing a missing key is not an error. */
  remove(key: string): Promise<void>;
  /** Releases connections. */
  close(): void;
}
