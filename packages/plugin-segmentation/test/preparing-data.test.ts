/**
 * While an app prepares data (the reference app seeds demo clients for about ten seconds after
 * it starts), commands say the data is on its way, in the user's language, not "no data".
 */
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import segmentationPlugin, { SegmentationTokens } from '../src/index.js';

describe('data being prepared', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ plugins: [segmentationPlugin({ openAccessInSandbox: true })] });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('answers "preparing demo data" until the preparation ends, then "no data"', async () => {
    const services = app.app.resolver('segmentation')(SegmentationTokens.Services);
    const guest = app.user('guest');
    const olga = app.user('olga', { language_code: 'ru' });

    const ready = services.preparation.begin();
    await guest.send('/segments');
    await guest.expectReply(/^Preparing demo data/);
    await olga.send('/segments');
    await olga.expectReply(/^Готовлю демо-данные/);
    await guest.send('/clients');
    await guest.expectReply(/^Preparing demo data/);
    await guest.send('/random');
    await guest.expectReply(/^Preparing demo data/);
    await guest.send('/segment C0000001');
    await guest.expectReply(/^Preparing demo data/);

    ready();
    ready(); // a second call is harmless
    expect(services.preparation.inProgress).toBe(false);
    await guest.send('/segments');
    await guest.expectReply(/^No segments have been computed yet/);
    await olga.send('/segments');
    await olga.expectReply(/^Сегменты ещё не рассчитаны/);
  });
});
