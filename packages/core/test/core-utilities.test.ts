import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createAesGcmCrypto, DecryptionError, parseEncryptionKey } from '../src/crypto/aes-gcm.js';
import { loadEncryptionKey } from '../src/crypto/encryption-key.js';
import { createEventBus } from '../src/events/event-bus.js';
import { createLogger } from '../src/logger/logger.js';

function captureLogger(level = 'debug', secrets: string[] = []) {
  const lines: any[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: createLogger({ level, destination, secrets }), lines };
}

describe('crypto', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('round-trips with AES-256-GCM, uses a fresh IV each time and detects tampering', () => {
    const crypto = createAesGcmCrypto(Buffer.alloc(32, 7));
    const a = crypto.encrypt('card 4242');
    const b = crypto.encrypt('card 4242');
    expect(a).not.toBe(b);
    expect(a).not.toContain('4242');
    expect(crypto.decrypt(a)).toBe('card 4242');
    const parts = a.split(':');
    const data = Buffer.from(parts[3]!, 'base64url');
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString('base64url');
    expect(() => crypto.decrypt(parts.join(':'))).toThrow(DecryptionError);
    expect(() => createAesGcmCrypto(Buffer.alloc(32, 8)).decrypt(a)).toThrow(DecryptionError);
    expect(crypto.digest('x')).toBe(crypto.digest('x'));
    expect(crypto.digest('x')).not.toBe(createAesGcmCrypto(Buffer.alloc(32, 8)).digest('x'));
  });

  it('parses base64 and hex keys and rejects other lengths', () => {
    const key = Buffer.alloc(32, 3);
    expect(parseEncryptionKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString('hex')).equals(key)).toBe(true);
    expect(() => parseEncryptionKey('short')).toThrow(/32 bytes/);
  });

  it('generates a 0600 key file outside production, reuses it, and refuses to run without a key in production', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'botloom-key-'));
    dirs.push(dir);
    const { logger, lines } = captureLogger();
    const first = await loadEncryptionKey({ dataDir: dir, production: false, logger });
    const second = await loadEncryptionKey({ dataDir: dir, production: false, logger });
    expect(first.equals(second)).toBe(true);
    expect((await stat(path.join(dir, 'encryption.key'))).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.level === 40 && /ENCRYPTION_KEY is not set/.test(l.msg))).toBe(true);
    expect((await readFile(path.join(dir, 'encryption.key'), 'utf8')).trim()).toBe(first.toString('base64'));
    await expect(loadEncryptionKey({ dataDir: dir, production: true, logger })).rejects.toMatchObject({
      code: 'MISSING_ENCRYPTION_KEY',
    });
  });
});

describe('event bus', () => {
  it('delivers to every handler even when one fails, and warns once about undeclared events', async () => {
    const { logger, lines } = captureLogger();
    const bus = createEventBus({ logger, declaredEvents: ['shop.order.paid'] });
    const received: unknown[] = [];
    bus.on('shop.order.paid', () => {
      throw new Error('broken handler');
    });
    const off = bus.on('shop.order.paid', (p) => {
      received.push(p);
    });
    await bus.emit('shop.order.paid', { id: 1 });
    expect(received).toEqual([{ id: 1 }]);
    expect(lines.some((l) => l.level === 50 && l.err?.message === 'broken handler')).toBe(true);
    off();
    await bus.emit('shop.order.paid', { id: 2 });
    expect(received).toHaveLength(1);

    await bus.emit('shop.order.typo', {});
    await bus.emit('shop.order.typo', {});
    expect(lines.filter((l) => l.level === 40 && l.event === 'shop.order.typo')).toHaveLength(1);
  });
});

describe('logger', () => {
  it('redacts tokens, passwords, keys and authorization headers, and scrubs known secret values', () => {
    const { logger, lines } = captureLogger('info', ['123456:SECRET-BOT-TOKEN']);
    logger.child({ plugin: 'support' }).info(
      {
        token: 't0ken',
        config: { password: 'pw', apiKey: 'k' },
        req: { headers: { authorization: 'Bearer abc' } },
      },
      'calling https://api.telegram.org/bot123456:SECRET-BOT-TOKEN/getMe',
    );
    logger.error({ err: new Error('failed for 123456:SECRET-BOT-TOKEN') }, 'boom');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('t0ken');
    expect(text).not.toContain('"pw"');
    expect(text).not.toContain('Bearer abc');
    expect(text).not.toContain('SECRET-BOT-TOKEN');
    expect(lines[0].plugin).toBe('support');
    expect(lines[0].config.apiKey).toBe('[redacted]');
    expect(pino.levels.values.info).toBe(lines[0].level);
  });
});
