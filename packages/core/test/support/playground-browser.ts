import { Bot } from 'grammy';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { AllowedUpdate } from '../../src/bot/allowed-updates.js';
import { type BotApiEmulator, createBotApiEmulator } from '../../src/sandbox/index.js';
import { chromiumLaunchOptions } from '../../src/testing/chromium.js';

/** What the playground's browser tests share: the emulator, a grammY bot polling it, Chromium. */
export interface PlaygroundBrowser {
  emulator: BotApiEmulator;
  /** The emulator's base URL; the playground is at `${url}/sandbox`. */
  url: string;
  bot: Bot;
  browser: Browser;
  /** A new page on the playground (1100×720). */
  openPage(): Promise<Page>;
  /** Closes the browser, stops the bot, then the emulator. */
  close(): Promise<void>;
}

/**
 * Starts the emulator as `bot`, a grammY bot on it (`setup` adds its handlers, commands or
 * world, before it starts polling) and Chromium.
 */
export async function startPlaygroundBrowser(options: {
  bot: { first_name: string; username: string };
  setup(bot: Bot, emulator: BotApiEmulator): void | Promise<void>;
  allowedUpdates?: readonly AllowedUpdate[];
}): Promise<PlaygroundBrowser> {
  const emulator = createBotApiEmulator({ bot: options.bot });
  let bot: Bot | undefined;
  let polling: Promise<void> | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await bot?.stop();
    await polling;
    await emulator.close();
  };
  try {
    const url = await emulator.listen(0);
    const started = new Bot(emulator.token, { client: { apiRoot: url } });
    bot = started;
    await options.setup(started, emulator);
    await started.init();
    polling = started.start({
      timeout: 1,
      ...(options.allowedUpdates ? { allowed_updates: options.allowedUpdates } : {}),
    });
    const launched = await chromium.launch(chromiumLaunchOptions());
    browser = launched;
    return {
      emulator,
      url,
      bot: started,
      browser: launched,
      async openPage() {
        const page = await launched.newPage({ viewport: { width: 1100, height: 720 } });
        await page.goto(`${url}/sandbox`);
        return page;
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
