/**
 * `openAccessInSandbox` lets every user in for demos, but only while the app runs in sandbox
 * mode. With a real TELEGRAM_BOT_TOKEN (here pointed at an emulator through
 * TELEGRAM_API_ROOT, which is exactly how production is wired) the allowlist still applies.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '@botloom/core';
import { createBotApiEmulator, SandboxClient } from '@botloom/core/sandbox';
import { createTestDatabase, startTestApp } from '@botloom/core/testing';
import { describe, expect, it } from 'vitest';
import segmentationPlugin from '../src/index.js';

describe('openAccessInSandbox', () => {
  it('lets a user outside the allowlist use the commands in sandbox mode', async () => {
    const app = await startTestApp({ plugins: [segmentationPlugin({ openAccessInSandbox: true })] });
    try {
      const guest = app.user('guest');
      await guest.send('/segments');
      const reply = await guest.expectReply(/./);
      expect(reply.text).not.toMatch(/not on the allowlist/);
      // The "/" menu describes each command the same way in both languages.
      const menu = async (language_code: string) => {
        const user = await app.sandbox.createUser({ first_name: `Menu ${language_code}`, language_code });
        return Object.fromEntries(
          (await app.sandbox.commandMenu(user.id)).map((c) => [c.command, c.description]),
        );
      };
      expect((await menu('en')).clients).toBe('All clients and their segments');
      expect((await menu('ru')).clients).toBe('Все клиенты и их сегменты');
    } finally {
      await app.stop();
    }
  });

  it('never applies when a real bot token is configured', async () => {
    const emulator = createBotApiEmulator();
    const apiRoot = await emulator.listen();
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'seg-open-access-'));
    await chmod(dataDir, 0o755);
    const app = createApp({
      plugins: [segmentationPlugin({ openAccessInSandbox: true })],
      env: {
        TELEGRAM_BOT_TOKEN: emulator.token,
        TELEGRAM_API_ROOT: apiRoot,
        DATABASE_URL: database.url,
        BOTLOOM_DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      },
      dotenv: false,
    });
    try {
      await app.start();
      const guest = new SandboxClient(apiRoot).user('guest');
      await guest.send('/segments');
      await guest.expectReply(/not on the allowlist/);
    } finally {
      await app.stop();
      await emulator.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
