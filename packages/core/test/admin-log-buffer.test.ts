import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../src/logger/log-buffer.js';
import { createLogger } from '../src/logger/logger.js';

const discard = new Writable({ write: (_chunk, _enc, done) => done() });

describe('the log buffer behind the panel Logs page', () => {
  it('keeps info and above, redacted, newest first, with filters', () => {
    const buffer = new LogBuffer();
    const logger = createLogger({
      level: 'debug',
      destination: discard,
      tee: buffer,
      secrets: ['sk-very-secret'],
    });
    logger.debug('not kept');
    logger.info({ plugin: 'support', correlationId: 'c-1' }, 'ticket opened');
    logger.warn({ component: 'http', token: 'x' }, 'slow request with sk-very-secret inside');
    logger.child({ plugin: 'memory' }).error({ err: new Error('boom') }, 'summary failed');

    const all = buffer.query();
    expect(all.map((e) => e.msg)).toEqual([
      'summary failed',
      'slow request with [redacted] inside',
      'ticket opened',
    ]);
    expect(JSON.stringify(all)).not.toContain('sk-very-secret');
    expect(buffer.query({ level: 'warn' }).map((e) => e.level)).toEqual(['error', 'warn']);
    expect(buffer.query({ plugin: 'support' })).toMatchObject([
      { msg: 'ticket opened', correlationId: 'c-1' },
    ]);
    expect(buffer.query({ correlationId: 'c-1' })).toHaveLength(1);
    expect(buffer.query({ q: 'BOOM' }).map((e) => e.msg)).toEqual(['summary failed']);
    expect(buffer.query({ limit: 1 })).toHaveLength(1);
  });

  it('is bounded: the oldest line goes first', () => {
    const buffer = new LogBuffer(3);
    const logger = createLogger({ level: 'info', destination: discard, tee: buffer });
    for (let i = 1; i <= 5; i++) logger.info(`line ${i}`);
    expect(buffer.query().map((e) => e.msg)).toEqual(['line 5', 'line 4', 'line 3']);
  });
});
