import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreMigrations } from '../src/db/core-migrations.js';
import { Migrator } from '../src/db/migrator.js';
import { createFileStorage, sanitizeFilename } from '../src/files/file-storage.js';
import type { FileStorage } from '../src/files/types.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.js';

const logger = pino({ level: 'silent' });

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('local file storage', () => {
  let database: TestDatabase;
  let sequelize: Sequelize;
  let dataDir: string;
  let files: FileStorage;

  beforeAll(async () => {
    database = await createTestDatabase();
    sequelize = new Sequelize(database.url, { dialect: 'postgres', logging: false });
    await new Migrator({
      sequelize,
      logger,
      sources: [{ pluginId: 'core', migrations: coreMigrations }],
    }).up();
    dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-files-'));
    files = createFileStorage({ dataDir, sequelize, logger, maxBytes: 1024 * 1024 });
  });
  afterAll(async () => {
    await sequelize?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores a buffer with size and sha256, and streams it back', async () => {
    const content = Buffer.from('hello, botloom');
    const stored = await files.put(content, { filename: 'greeting.txt', contentType: 'text/plain' });
    expect(stored).toMatchObject({
      filename: 'greeting.txt',
      contentType: 'text/plain',
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    expect(existsSync(path.join(dataDir, 'files', stored.id))).toBe(true);
    const found = await files.get(stored.id);
    expect(found?.file).toEqual({ ...stored, createdAt: expect.any(Date) });
    expect(await readAll(found!.stream)).toEqual(content);
  });

  it('streams a large input without buffering it whole', async () => {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const chunks = Array.from({ length: 10 }, () => chunk);
    const stored = await files.put(Readable.from(chunks), {
      filename: 'big.bin',
      contentType: 'application/octet-stream',
    });
    expect(stored.size).toBe(640 * 1024);
    const expected = createHash('sha256');
    for (const c of chunks) expected.update(c);
    expect(stored.sha256).toBe(expected.digest('hex'));
  });

  it('rejects a file over maxBytes with FILE_TOO_LARGE and removes the partial file', async () => {
    const before = await readdir(path.join(dataDir, 'files'));
    const tooBig = Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(1000, 1)));
    await expect(
      files.put(tooBig, { filename: 'x.bin', contentType: 'application/octet-stream', maxBytes: 5000 }),
    ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    // The storage-wide limit applies even when the caller asks for more.
    await expect(
      files.put(Buffer.alloc(1024 * 1024 + 1), {
        filename: 'y.bin',
        contentType: 'x/y',
        maxBytes: 10 * 1024 * 1024,
      }),
    ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect(await readdir(path.join(dataDir, 'files'))).toEqual(before);
    const [{ count }] = (await sequelize.query('SELECT count(*)::int AS count FROM core_files'))[0] as Array<{
      count: number;
    }>;
    expect(count).toBe(before.length);
  });

  it('deletes metadata and bytes; unknown and malformed ids are not found', async () => {
    const stored = await files.put(Buffer.from('bye'), { filename: 'bye.txt', contentType: 'text/plain' });
    expect(await files.delete(stored.id)).toBe(true);
    expect(existsSync(path.join(dataDir, 'files', stored.id))).toBe(false);
    expect(await files.get(stored.id)).toBeNull();
    expect(await files.delete(stored.id)).toBe(false);
    expect(await files.get('../../etc/passwd')).toBeNull();
    expect(await files.delete('../../etc/passwd')).toBe(false);
    expect(await files.get('00000000-0000-4000-8000-000000000000')).toBeNull();
  });

  it('cleans file names and content types from uploads', async () => {
    expect(sanitizeFilename('../../secret/pass\u0000wd.txt')).toBe('passwd.txt');
    expect(sanitizeFilename('C:\\docs\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('')).toBe('file');
    const stored = await files.put(Buffer.from('x'), {
      filename: '../a.txt',
      contentType: 'not a type<script>',
    });
    expect(stored.filename).toBe('a.txt');
    expect(stored.contentType).toBe('application/octet-stream');
  });

  it('records local files with backend "local" and their key', async () => {
    const stored = await files.put(Buffer.from('where'), { filename: 'w.txt', contentType: 'text/plain' });
    const [row] = (
      await sequelize.query('SELECT backend, storage_key FROM core_files WHERE id = :id', {
        replacements: { id: stored.id },
      })
    )[0] as Array<{ backend: string; storage_key: string }>;
    expect(row).toEqual({ backend: 'local', storage_key: stored.id });
  });

  it('refuses incomplete S3 settings at boot instead of silently writing to disk', () => {
    const create = (config: Record<string, string>) => () =>
      createFileStorage({ dataDir, sequelize, logger, config });
    expect(create({ S3_ENDPOINT: 'http://127.0.0.1:9000' })).toThrow(
      expect.objectContaining({ code: 'S3_CONFIG_INVALID', message: expect.stringContaining('S3_BUCKET') }),
    );
    expect(
      create({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'b', S3_ACCESS_KEY_ID: 'only-id' }),
    ).toThrow(expect.objectContaining({ code: 'S3_CONFIG_INVALID' }));
    expect(create({ S3_ENDPOINT: 'not a url', S3_BUCKET: 'b' })).toThrow(
      expect.objectContaining({ code: 'S3_CONFIG_INVALID' }),
    );
  });

  it('fails clearly on a file stored in S3 while S3 is not configured', async () => {
    const stored = await files.put(Buffer.from('moved'), { filename: 'm.txt', contentType: 'text/plain' });
    await sequelize.query("UPDATE core_files SET backend = 's3', storage_key = 'files/x' WHERE id = :id", {
      replacements: { id: stored.id },
    });
    await expect(files.get(stored.id)).rejects.toMatchObject({ code: 'FILE_BACKEND_UNAVAILABLE' });
    await expect(files.delete(stored.id)).rejects.toMatchObject({ code: 'FILE_BACKEND_UNAVAILABLE' });
  });
});
