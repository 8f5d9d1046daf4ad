import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_SIZE;

/**
 * `size` bytes from the CSPRNG, served from a pooled buffer (as `crypto.randomUUID` does):
 * one `randomFillSync` per 4 KB instead of one per call, for the small values made per update
 * (AES-GCM nonces, correlation ids). Each call gets its own copy; no byte is handed out twice.
 */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_SIZE / 4) return randomFillSync(Buffer.allocUnsafe(size));
  if (offset + size > POOL_SIZE) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_SIZE));
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + size));
  offset += size;
  return bytes;
}
