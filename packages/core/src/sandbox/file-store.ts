import { createHash } from 'node:crypto';
import path from 'node:path';
import type { PhotoSize } from 'grammy/types';
import { BotApiError, badRequest } from './api-error.js';
import { randomId } from './ids.js';

export interface StoredFileRecord {
  fileId: string;
  fileUniqueId: string;
  filePath: string;
  fileName?: string;
  mimeType: string;
  data: Buffer;
  width?: number;
  height?: number;
}

export interface FileUpload {
  data: Buffer;
  fileName?: string;
  mimeType?: string;
}

const MIME_BY_EXT: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.zip': 'application/zip',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.mp4': 'video/mp4',
};

export function mimeFromName(fileName: string | undefined): string | undefined {
  return fileName ? MIME_BY_EXT[path.extname(fileName).toLowerCase()] : undefined;
}

/** Width and height from PNG, GIF, JPEG or WebP headers; undefined when it is not an image. */
export function imageSize(data: Buffer): { width: number; height: number; mime: string } | undefined {
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47) {
    return { width: data.readUInt32BE(16), height: data.readUInt32BE(20), mime: 'image/png' };
  }
  if (data.length >= 10 && data.toString('latin1', 0, 4) === 'GIF8') {
    return { width: data.readUInt16LE(6), height: data.readUInt16LE(8), mime: 'image/gif' };
  }
  if (
    data.length >= 30 &&
    data.toString('latin1', 0, 4) === 'RIFF' &&
    data.toString('latin1', 8, 12) === 'WEBP'
  ) {
    const chunk = data.toString('latin1', 12, 16);
    if (chunk === 'VP8X') {
      return { width: 1 + data.readUIntLE(24, 3), height: 1 + data.readUIntLE(27, 3), mime: 'image/webp' };
    }
    if (chunk === 'VP8L') {
      const bits = data.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, mime: 'image/webp' };
    }
    return {
      width: data.readUInt16LE(26) & 0x3fff,
      height: data.readUInt16LE(28) & 0x3fff,
      mime: 'image/webp',
    };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) {
    let offset = 2;
    while (offset + 9 < data.length) {
      if (data[offset] !== 0xff) return undefined;
      const marker = data[offset + 1];
      const length = data.readUInt16BE(offset + 2);
      const isFrame =
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isFrame) {
        return {
          height: data.readUInt16BE(offset + 5),
          width: data.readUInt16BE(offset + 7),
          mime: 'image/jpeg',
        };
      }
      offset += 2 + length;
    }
  }
  return undefined;
}

/** Files uploaded by the bot or by sandbox users, kept in memory and served by file_path. */
export class FileStore {
  private readonly byId = new Map<string, StoredFileRecord>();
  private readonly byPath = new Map<string, StoredFileRecord>();
  private counter = 0;

  constructor(private readonly maxBytes = 50 * 1024 * 1024) {}

  storeDocument(upload: FileUpload): StoredFileRecord {
    this.checkSize(upload.data);
    const mimeType =
      upload.mimeType && upload.mimeType !== 'application/octet-stream'
        ? upload.mimeType
        : (mimeFromName(upload.fileName) ?? 'application/octet-stream');
    return this.save('documents', upload, mimeType);
  }

  /** Telegram re-encodes photos; a body that is not an image fails like it does there. */
  storePhoto(upload: FileUpload): StoredFileRecord {
    this.checkSize(upload.data, 10 * 1024 * 1024);
    const size = imageSize(upload.data);
    if (!size) throw badRequest('IMAGE_PROCESS_FAILED');
    return { ...this.save('photos', upload, size.mime), width: size.width, height: size.height };
  }

  get(fileId: string): StoredFileRecord | undefined {
    return this.byId.get(fileId);
  }

  getByPath(filePath: string): StoredFileRecord | undefined {
    return this.byPath.get(filePath);
  }

  photoSizes(record: StoredFileRecord): PhotoSize[] {
    return [
      {
        file_id: record.fileId,
        file_unique_id: record.fileUniqueId,
        file_size: record.data.length,
        width: record.width ?? 0,
        height: record.height ?? 0,
      },
    ];
  }

  private checkSize(data: Buffer, limit = this.maxBytes) {
    if (data.length === 0) throw badRequest('file must be non-empty');
    if (data.length > limit) throw new BotApiError(413, 'Request Entity Too Large');
  }

  private save(folder: string, upload: FileUpload, mimeType: string): StoredFileRecord {
    const ext = path.extname(upload.fileName ?? '') || extFromMime(mimeType);
    const record: StoredFileRecord = {
      fileId: `${folder === 'photos' ? 'AgAC' : 'BQAC'}${randomId(36)}`,
      fileUniqueId: `AQAD${createHash('sha256').update(upload.data).digest('base64url').slice(0, 12)}`,
      filePath: `${folder}/file_${this.counter++}${ext}`,
      fileName: upload.fileName,
      mimeType,
      data: upload.data,
    };
    const size = folder === 'photos' ? imageSize(upload.data) : undefined;
    if (size) Object.assign(record, { width: size.width, height: size.height });
    this.byId.set(record.fileId, record);
    this.byPath.set(record.filePath, record);
    return record;
  }
}

function extFromMime(mime: string): string {
  const found = Object.entries(MIME_BY_EXT).find(([, m]) => m === mime);
  return found ? found[0] : '';
}
