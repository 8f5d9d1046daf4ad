import type { BotRuntime } from '../bot/bot-runtime.js';

/**
 * Webhook: answer Telegram once the update is accepted, not when its handlers finish (they
 * may call an LLM for a minute). A malformed update or a stopping bot is refused at once
 * (the runtime checks both before its first await), so the route can answer 4xx/503.
 */
export function acceptWebhookUpdate(bot: BotRuntime, update: unknown): Promise<void> {
  const handled = bot.handleWebhookUpdate(update);
  return new Promise<void>((resolve, reject) => {
    handled.then(resolve, reject);
    setImmediate(resolve);
  });
}
