import { badRequest } from './api-error.js';
import type { FileUpload } from './file-store.js';
import type { ParsedBody } from './request-body.js';

export type FileParam =
  | { kind: 'upload'; upload: FileUpload }
  | { kind: 'file_id'; fileId: string }
  | { kind: 'url'; url: string };

/**
 * Typed access to Bot API parameters. Form and multipart bodies carry strings only, so
 * numbers, booleans and JSON objects are decoded here, as Telegram does.
 */
export class BotApiParams {
  constructor(private readonly body: ParsedBody) {}

  raw(name: string): unknown {
    const value = this.body.fields[name];
    return value === null ? undefined : value;
  }

  has(name: string): boolean {
    const value = this.raw(name);
    return value !== undefined && value !== '';
  }

  string(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value);
  }

  int(name: string): number | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${name} specified`);
    return n;
  }

  bool(name: string): boolean | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    return value === true || value === 'true' || value === '1' || value === 1;
  }

  /** chat_id: an integer or an @username. */
  chatId(name = 'chat_id'): number | string | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'number') return value;
    const s = String(value);
    if (s.startsWith('@')) return s;
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw badRequest('chat not found');
    return n;
  }

  json<T>(name: string, errorDetail: string): T | undefined {
    const value = this.raw(name);
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw badRequest(errorDetail);
    }
  }

  /** A file parameter: an uploaded part (`attach://name` or the field itself), a file_id or a URL. */
  file(name: string): FileParam | undefined {
    const direct = this.body.files.get(name);
    if (direct)
      return {
        kind: 'upload',
        upload: { data: direct.data, fileName: direct.fileName, mimeType: direct.mimeType },
      };
    const value = this.string(name);
    if (!value) return undefined;
    if (value.startsWith('attach://')) {
      const part = this.body.files.get(value.slice('attach://'.length));
      if (!part) throw badRequest(`file of ${name} not found in the request`);
      return {
        kind: 'upload',
        upload: { data: part.data, fileName: part.fileName, mimeType: part.mimeType },
      };
    }
    if (/^https?:\/\//i.test(value)) return { kind: 'url', url: value };
    return { kind: 'file_id', fileId: value };
  }
}
