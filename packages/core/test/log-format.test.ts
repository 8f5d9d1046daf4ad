import { execFile } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat } from '../src/logger/log-format.js';
import { createLogger, endQuietBoot, pluginLogger } from '../src/logger/logger.js';

const execFileAsync = promisify(execFile);

describe('chooseLogFormat', () => {
  it.each([
    [{ isTTY: true, production: false }, 'pretty'],
    [{ isTTY: false, production: false }, 'json'],
    [{ isTTY: true, production: true }, 'json'],
    [{ isTTY: true, production: false, requested: 'json' as const }, 'json'],
    [{ isTTY: false, production: false, requested: 'pretty' as const }, 'pretty'],
    [{ isTTY: false, production: true, requested: 'pretty' as const }, 'pretty'],
  ])('%j -> %s', (inputs, expected) => {
    expect(chooseLogFormat(inputs)).toBe(expected);
  });
});

function capture() {
  const messages: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) messages.push(JSON.parse(line).msg);
      cb();
    },
  });
  return { messages, destination };
}

describe('quiet boot', () => {
  it('holds back lines below warn, for plugin loggers too, until endQuietBoot', () => {
    const { messages, destination } = capture();
    const logger = createLogger({ pretty: true, quietBoot: true, destination });
    const plugin = pluginLogger(logger, 'memory');
    logger.info('migration applied');
    plugin.debug('plugin detail');
    plugin.info('plugin started');
    logger.warn('offline provider answers');
    plugin.error('plugin failed');
    expect(messages).toEqual(['offline provider answers', 'plugin failed']);

    endQuietBoot(logger);
    logger.info('user joined');
    plugin.info('session started');
    expect(messages.slice(2)).toEqual(['user joined', 'session started']);
  });

  it('changes nothing for JSON output: collectors get every line from the start', () => {
    const { messages, destination } = capture();
    const logger = createLogger({ format: 'json', quietBoot: true, destination });
    logger.info('migration applied');
    expect(messages).toEqual(['migration applied']);
  });
});

describe('the logger in a child process whose stdout is a pipe (no terminal)', () => {
  const loggerModule = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/logger/logger.ts');
  const run = (format?: string) =>
    execFileAsync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { createLogger } = await import(${JSON.stringify(pathToFileURL(loggerModule).href)});
         const logger = createLogger({ quietBoot: true, format: process.env.LOG_FORMAT || undefined });
         logger.info('booting'); logger.warn('careful');`,
      ],
      { env: { PATH: process.env.PATH, LOG_FORMAT: format ?? '' } },
    );

  it('writes JSON lines, every level, when LOG_FORMAT is unset', async () => {
    const { stdout } = await run();
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'booting'],
      [40, 'careful'],
    ]);
  });

  it('writes short pretty lines, warnings only while booting, with LOG_FORMAT=pretty', async () => {
    const { stdout } = await run('pretty');
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] .*WARN.*careful/);
    expect(stdout).not.toMatch(/pid|hostname|booting/);
  });
});
