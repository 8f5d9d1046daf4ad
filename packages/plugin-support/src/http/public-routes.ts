import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AdminState, FileStorage } from '@botloom/core';
import { allowFraming, HttpError, NotFoundError } from '@botloom/core';
import type { Router } from '@koa/router';
import Busboy from 'busboy';
import type { ParameterizedContext } from 'koa';
import type { SupportConfig } from '../config.js';
import type { CustomerDesk } from '../services/customer-desk.js';
import { checkUpload, safeFilename } from '../services/upload-policy.js';
import { customerFromWebAppUser, type WebAppHub } from './web-app-hub.js';

export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const STATIC_FILES: Record<string, { file: string; type: string }> = {
  '/app': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'application/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' https://telegram.org",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
].join('; ');

/** Signed, per-customer download links for stored files (the web app cannot send headers from <img>). */
export class FileLinks {
  constructor(private readonly secret: () => string) {}

  private sign(fileId: string, customerId: number): string {
    return createHmac('sha256', `support-file:${this.secret()}`)
      .update(`${fileId}:${customerId}`)
      .digest('hex');
  }

  url(fileId: string, customerId: number): string {
    return `/p/support/api/files/${encodeURIComponent(fileId)}?c=${customerId}&sig=${this.sign(fileId, customerId)}`;
  }

  verify(fileId: string, customerId: number, sig: string): boolean {
    if (!/^[0-9a-f]{64}$/.test(sig)) return false;
    return timingSafeEqual(Buffer.from(this.sign(fileId, customerId), 'hex'), Buffer.from(sig, 'hex'));
  }
}

export interface PublicRouteDeps {
  customers: () => CustomerDesk;
  hub: WebAppHub;
  files: () => FileStorage;
  links: FileLinks;
  config: SupportConfig;
}

type Ctx = ParameterizedContext<AdminState>;

function authenticate(ctx: Ctx, hub: WebAppHub) {
  const header = ctx.get('authorization');
  const initData = header.toLowerCase().startsWith('tma ')
    ? header.slice(4).trim()
    : ctx.get('x-telegram-init-data');
  const auth = hub.authenticate(initData);
  if (!auth.ok) throw new HttpError(401, 'INIT_DATA_INVALID', `Telegram initData refused: ${auth.reason}`);
  return customerFromWebAppUser(auth.user);
}

interface ParsedUpload {
  filename: string;
  declaredType: string;
  data: Buffer;
  caption: string;
}

/** Reads one multipart file (and an optional `caption` field), stopping at `maxBytes`. */
function readUpload(ctx: Ctx, maxBytes: number): Promise<ParsedUpload> {
  return new Promise((resolve, reject) => {
    let busboy: Busboy.Busboy;
    try {
      busboy = Busboy({
        headers: ctx.req.headers,
        limits: { files: 1, fileSize: maxBytes, fields: 5, fieldSize: 4096 },
      });
    } catch {
      reject(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data'));
      return;
    }
    let caption = '';
    let upload: ParsedUpload | undefined;
    let failure: HttpError | undefined;
    let pending: Promise<void> = Promise.resolve();
    busboy.on('field', (name, value) => {
      if (name === 'caption') caption = value.slice(0, 1000);
    });
    busboy.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      pending = new Promise<void>((done) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () => {
          failure = new HttpError(413, 'FILE_TOO_LARGE', `The file is larger than ${maxBytes} bytes`, {
            details: { maxBytes },
          });
        });
        stream.on('end', () => {
          upload = {
            filename: info.filename ?? 'file',
            declaredType: info.mimeType ?? '',
            data: Buffer.concat(chunks),
            caption,
          };
          done();
        });
      });
    });
    busboy.on('error', () => reject(new HttpError(400, 'BAD_MULTIPART', 'Malformed multipart body')));
    busboy.on('close', () => {
      void pending.then(() => {
        if (failure) return reject(failure);
        if (!upload) return reject(new HttpError(400, 'NO_FILE', 'No file in the request'));
        resolve({ ...upload, caption });
      });
    });
    ctx.req.pipe(busboy);
  });
}

/** Public routes under /p/support: the web app page and its upload and download API. */
export function setupPublicRoutes(router: Router<AdminState>, deps: PublicRouteDeps): void {
  const cache = new Map<string, Buffer>();
  for (const [route, { file, type }] of Object.entries(STATIC_FILES)) {
    router.get(route, (ctx) => {
      let body = cache.get(file);
      if (!body) {
        body = readFileSync(`${PUBLIC_DIR}${file}`);
        cache.set(file, body);
      }
      allowFraming(ctx);
      ctx.set('Content-Security-Policy', PAGE_CSP);
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = type;
      ctx.body = body;
    });
  }

  router.get('/api/history', async (ctx) => {
    const customer = authenticate(ctx, deps.hub);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await deps.customers().history(customer.id);
  });

  router.post('/api/upload', async (ctx) => {
    const customer = authenticate(ctx, deps.hub);
    if (!ctx.is('multipart/form-data'))
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the file as multipart/form-data');
    const declared = Number(ctx.get('content-length'));
    if (Number.isFinite(declared) && declared > deps.config.uploadMaxBytes + 64 * 1024) {
      throw new HttpError(
        413,
        'FILE_TOO_LARGE',
        `The file is larger than ${deps.config.uploadMaxBytes} bytes`,
        {
          details: { maxBytes: deps.config.uploadMaxBytes },
        },
      );
    }
    const upload = await readUpload(ctx, deps.config.uploadMaxBytes);
    const filename = safeFilename(upload.filename);
    const check = checkUpload(filename, upload.declaredType, upload.data.subarray(0, 4096));
    if (!check.ok) {
      throw new HttpError(
        415,
        'FILE_TYPE_NOT_ALLOWED',
        check.reason === 'type'
          ? 'This file type is not allowed'
          : 'The file content does not match its type',
      );
    }
    if (!upload.data.length) throw new HttpError(400, 'EMPTY_FILE', 'The file is empty');
    const stored = await deps
      .files()
      .put(upload.data, { filename, contentType: check.contentType, maxBytes: deps.config.uploadMaxBytes });
    const ticket = await deps.customers().customerMessage(customer, 'webapp', {
      text: upload.caption,
      file: { id: stored.id, name: filename, type: check.contentType, size: stored.size },
    });
    ctx.status = 201;
    ctx.body = {
      file: {
        id: stored.id,
        name: filename,
        type: check.contentType,
        size: stored.size,
        url: deps.links.url(stored.id, customer.id),
      },
      ticketId: ticket.id,
    };
  });

  router.get('/api/files/:id', async (ctx) => {
    const id = String(ctx.params.id ?? '');
    const customerId = Number(ctx.query.c);
    const sig = String(ctx.query.sig ?? '');
    if (!Number.isSafeInteger(customerId) || !deps.links.verify(id, customerId, sig)) {
      throw new HttpError(403, 'BAD_FILE_LINK', 'This file link is not valid');
    }
    const found = await deps.files().get(id);
    if (!found) throw new NotFoundError('No such file');
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    const inline = found.file.contentType.startsWith('image/');
    ctx.set(
      'Content-Disposition',
      `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(found.file.filename)}`,
    );
    ctx.type = found.file.contentType;
    ctx.length = found.file.size;
    ctx.body = found.stream;
  });
}
