import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** `sha256=` + HMAC-SHA256 of the exact bytes, as Meta (and GitHub) sign webhook bodies. */
export function signBody(secret: string, body: string | Buffer): string {
  return PREFIX + createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks an `X-Hub-Signature-256` header against the raw body, in constant time. Any
 * re-serialisation of the body (parsed and stringified again) changes the bytes and fails.
 */
export function verifySignature(
  secret: string,
  rawBody: string | Buffer,
  header: string | undefined,
): boolean {
  if (!header?.startsWith(PREFIX)) return false;
  const given = Buffer.from(header.slice(PREFIX.length), 'hex');
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  // A non-hex or short value decodes to fewer bytes; timingSafeEqual needs equal lengths.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
