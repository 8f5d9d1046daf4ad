import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { BootSequence, type BootStep } from '../src/app/boot-sequence.js';

const logger = pino({ level: 'silent' });

describe('BootSequence', () => {
  it('runs prestart hooks first, then the steps in order, and stops in reverse order', async () => {
    const events: string[] = [];
    const step = (name: string, extra: Partial<BootStep> = {}): BootStep => ({
      name,
      start: () => void events.push(`start ${name}`),
      stop: () => void events.push(`stop ${name}`),
      ...extra,
    });
    const boot = new BootSequence(
      [step('a'), step('b', { prestart: () => void events.push('prestart b') }), step('c')],
      logger,
    );
    await boot.start();
    await boot.stop(1_000);
    expect(events).toEqual(['prestart b', 'start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('stops a prestarted step when the boot fails before reaching it', async () => {
    const events: string[] = [];
    const boot = new BootSequence(
      [
        { name: 'a', start: () => void events.push('start a'), stop: () => void events.push('stop a') },
        {
          name: 'fails',
          start: () => {
            throw new Error('no database');
          },
        },
        {
          name: 'early',
          prestart: () => void events.push('prestart early'),
          start: () => void events.push('start early'),
          stop: () => void events.push('stop early'),
        },
        {
          name: 'never',
          start: () => void events.push('start never'),
          stop: () => void events.push('stop never'),
        },
      ],
      logger,
    );
    await expect(boot.start()).rejects.toThrow('no database');
    await boot.stop(1_000);
    expect(events).toEqual(['prestart early', 'start a', 'stop early', 'stop a']);
  });
});
