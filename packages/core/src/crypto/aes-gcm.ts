import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import { BotloomError } from '../errors/botloom-error.js';
import { pooledRandomBytes } from './random-pool.js';
import type { Crypto } from './types.js';

const VERSION = 'v1';

export class DecryptionError extends BotloomError {
  constructor(message: string) {
    super('DECRYPTION_FAILED', message);
  }
}

/** Parses a 32-byte key given as base64 (44 chars) or hex (64 chars). */
export function parseEncryptionKey(value: string): Buffer {
  const trimmed = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  const decoded = Buffer.from(trimmed, 'base64');
  if (decoded.length === 32 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return decoded;
  throw new BotloomError(
    'INVALID_ENCRYPTION_KEY',
    'ENCRYPTION_KEY must be 32 bytes, written as base64 (44 characters) or hex (64 characters)',
  );
}

/**
 * AES-256-GCM. Ciphertexts look like `v1:<iv>:<tag>:<data>` (base64url), so the format can
 * evolve. `digest` uses a separate HMAC key derived from the same master key.
 */
export function createAesGcmCrypto(key: Buffer): Crypto {
  if (key.length !== 32)
    throw new BotloomError('INVALID_ENCRYPTION_KEY', 'The encryption key must be 32 bytes');
  // A KeyObject: a raw Buffer key is copied and wrapped into one on every cipher (every update
  // stores its payload encrypted, every send record its response).
  const encryptionKey = createSecretKey(
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'botloom:aes-256-gcm', 32)),
  );
  const macKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'botloom:hmac-sha256', 32));
  return {
    encrypt(plaintext: string): string {
      const iv = pooledRandomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(
        ':',
      );
    },
    decrypt(ciphertext: string): string {
      const parts = ciphertext.split(':');
      if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError('Not a Botloom ciphertext');
      const [, iv, tag, data] = parts as [string, string, string, string];
      try {
        const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new DecryptionError('The ciphertext was tampered with or encrypted with another key');
      }
    },
    digest(value: string): string {
      return createHmac('sha256', macKey).update(value, 'utf8').digest('hex');
    },
  };
}
