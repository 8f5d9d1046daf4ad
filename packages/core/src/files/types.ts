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
