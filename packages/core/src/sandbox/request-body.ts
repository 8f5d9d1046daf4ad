import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { BotApiError } from './api-error.js';

export interface UploadedFile {
  fieldName: string;
  fileName?: string;
  mimeType?: string;
  data: Buffer;
}

export interface ParsedBody {
  fields: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

const MAX_BODY_BYTES = 52 * 1024 * 1024;

function tooLarge() {
  return new BotApiError(413, 'Request Entity Too Large');
}

export async function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a Bot API request the ways Telegram accepts it: query string, JSON,
 * application/x-www-form-urlencoded or multipart/form-data (files under their field names).
 */
export async function parseBotApiBody(req: IncomingMessage, query: URLSearchParams): Promise<ParsedBody> {
  const fields: Record<string, unknown> = Object.fromEntries(query.entries());
  const files = new Map<string, UploadedFile>();
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (req.method === 'GET' || req.method === 'HEAD') return { fields, files };

  if (contentType.startsWith('multipart/form-data')) {
    await new Promise<void>((resolve, reject) => {
      let bb: busboy.Busboy;
      try {
        bb = busboy({ headers: req.headers, limits: { fileSize: MAX_BODY_BYTES, fieldSize: 1024 * 1024 } });
      } catch {
        reject(new BotApiError(400, 'Bad Request: invalid multipart body'));
        return;
      }
      bb.on('field', (name, value) => {
        fields[name] = value;
      });
      bb.on('file', (name, stream, info) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('limit', () => reject(tooLarge()));
        stream.on('end', () => {
          files.set(name, {
            fieldName: name,
            fileName: info.filename,
            mimeType: info.mimeType,
            data: Buffer.concat(chunks),
          });
        });
      });
      bb.on('error', () => reject(new BotApiError(400, 'Bad Request: invalid multipart body')));
      bb.on('close', () => resolve());
      req.pipe(bb);
    });
    return { fields, files };
  }

  const raw = await readRawBody(req);
  if (raw.length === 0) return { fields, files };
  const text = raw.toString('utf8');
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BotApiError(400, "Bad Request: can't parse JSON object");
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(fields, parsed);
    return { fields, files };
  }
  for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
  return { fields, files };
}
