/**
 * Send API pacing is shared across instances: two pacers over core's rate windows (the KV
 * backend every instance of the app uses) wait for each other. Time is injected.
 */
import { Tokens } from '@botloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendPacer } from '../src/services/send-pacer.js';
import { type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

let t: InstagramTestApp;
beforeAll(async () => {
  t = await startInstagramTestApp();
});
afterAll(() => t?.stop());

describe('shared Send API pacing', () => {
  it('a second instance waits for the thread slot the first one took', async () => {
    const windows = t.app.app.resolver('instagram')(Tokens.RateWindows);
    let now = Date.now();
    const waited: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        waited.push(ms);
        now += ms;
      },
    };
    // A long spacing, so the window's row outlives any pause of a busy machine.
    const limits = () => ({ perSecond: 100, perThreadIntervalMs: 60_000 });
    const instanceA = new SendPacer(limits, windows, clock);
    const instanceB = new SendPacer(limits, windows, clock);
    const thread = `thread-${now}`;
    await instanceA.acquire(thread);
    expect(waited).toEqual([]);
    await instanceB.acquire(thread);
    expect(waited.reduce((a, b) => a + b, 0)).toBe(60_000);
    // Another thread is not held up.
    waited.length = 0;
    await instanceB.acquire(`${thread}-other`);
    expect(waited).toEqual([]);
  });
});
