import path from 'node:path';

/** File types a customer may upload, with the extensions and leading bytes each must have. */
const ALLOWED: Array<{
  type: string;
  extensions: string[];
  magic?: (b: Buffer) => boolean;
  image?: boolean;
}> = [
  {
    type: 'image/jpeg',
    extensions: ['.jpg', '.jpeg'],
    magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
    image: true,
  },
  {
    type: 'image/png',
    extensions: ['.png'],
    magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    image: true,
  },
  {
    type: 'image/gif',
    extensions: ['.gif'],
    magic: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8',
    image: true,
  },
  {
    type: 'image/webp',
    extensions: ['.webp'],
    magic: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
    image: true,
  },
  {
    type: 'application/pdf',
    extensions: ['.pdf'],
    magic: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  },
  {
    type: 'text/plain',
    extensions: ['.txt', '.log', '.csv'],
    magic: (b) => !b.subarray(0, 4096).includes(0),
  },
  {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extensions: ['.docx'],
    magic: isZip,
  },
  {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extensions: ['.xlsx'],
    magic: isZip,
  },
  { type: 'application/msword', extensions: ['.doc'], magic: isOle },
  { type: 'application/vnd.ms-excel', extensions: ['.xls'], magic: isOle },
];

function isZip(b: Buffer): boolean {
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

function isOle(b: Buffer): boolean {
  return b.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));
}

export const ALLOWED_UPLOAD_TYPES = ALLOWED.map((a) => a.type);
export const ALLOWED_UPLOAD_EXTENSIONS = ALLOWED.flatMap((a) => a.extensions);

export type UploadCheck =
  | { ok: true; contentType: string; image: boolean }
  | { ok: false; reason: 'type' | 'content' };

/**
 * Decides whether an upload is an allowed image or document: the declared type must be on
 * the list, the extension must fit it, and the first bytes must look like that type.
 */
export function checkUpload(filename: string, declaredType: string, head: Buffer): UploadCheck {
  const type = declaredType.split(';')[0]!.trim().toLowerCase();
  const ext = path.extname(filename).toLowerCase();
  const rule =
    ALLOWED.find((a) => a.type === type) ??
    ALLOWED.find((a) => a.extensions.includes(ext) && type === 'application/octet-stream');
  if (!rule?.extensions.includes(ext)) return { ok: false, reason: 'type' };
  if (rule.magic && !rule.magic(head)) return { ok: false, reason: 'content' };
  return { ok: true, contentType: rule.type, image: Boolean(rule.image) };
}

/** A file name safe to store and show: no directories, no control characters, bounded length. */
export function safeFilename(name: string): string {
  const base = path
    .basename(name.replace(/\\/g, '/'))
    .replace(/["<>]/g, '_')
    .split('')
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? '_' : c))
    .join('')
    .trim();
  return (base || 'file').slice(-120);
}
