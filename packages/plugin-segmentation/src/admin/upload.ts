import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HttpError } from '@botloom/core';
import busboy from 'busboy';

export interface ReceivedUpload {
  filePath: string;
  filename: string;
  /** Text fields sent with the file. */
  fields: Record<string, string>;
  cleanup(): Promise<void>;
}

/**
 * Streams the `file` part of a multipart request to a temporary file (never into memory),
 * enforcing `maxBytes`. The caller must call `cleanup()`.
 */
export async function receiveUpload(req: IncomingMessage, maxBytes: number): Promise<ReceivedUpload> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data (field "file")');
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'segmentation-upload-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const fields: Record<string, string> = {};
    let received: { filePath: string; filename: string } | undefined;
    let writing: Promise<void> | undefined;
    let tooLarge = false;
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({
        headers: req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 64 * 1024 },
      });
      parser.on('field', (name, value) => {
        fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        if (name !== 'file' || received) {
          stream.resume();
          return;
        }
        const filename = path.basename(info.filename || 'upload');
        const filePath = path.join(dir, 'upload');
        received = { filePath, filename };
        stream.on('limit', () => {
          tooLarge = true;
        });
        writing = pipeline(stream, createWriteStream(filePath));
      });
      parser.on('error', reject);
      parser.on('close', () => resolve());
      req.pipe(parser);
    });
    await writing;
    if (tooLarge) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `The file is larger than ${maxBytes} bytes`);
    if (!received)
      throw HttpError.badRequest('No file: send it in the multipart field "file"', 'FILE_MISSING');
    return { ...received, fields, cleanup };
  } catch (error) {
    await cleanup();
    if (error instanceof HttpError) throw error;
    throw HttpError.badRequest(
      `Malformed multipart body: ${(error as Error).message}`,
      'MALFORMED_MULTIPART',
    );
  }
}
