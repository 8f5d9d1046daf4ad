import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import { BOT_ALLOWED_UPDATES } from '../bot/allowed-updates.js';

export interface PollingIntakeOptions {
  api: Api;
  /** Stores a batch durably; the offset moves past it only once this resolved. */
  store(updates: Update[]): Promise<void>;
  logger: Logger;
  /** Seconds one getUpdates call waits (default 30). */
  timeoutSeconds?: number;
}

export interface PollingIntake {
  /** Resolves when the loop ended (stop, or an unrecoverable error such as a bad token). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const RETRY_DELAYS_MS = [500, 1000, 2000, 5000, 10_000, 30_000];

/**
 * Long polling into the update inbox: each batch of getUpdates is stored before the next
 * call confirms it (the offset). A crash between the two only means Telegram sends the batch
 * again, and the inbox drops what it already has.
 */
export function startPollingIntake(options: PollingIntakeOptions): PollingIntake {
  const log = options.logger.child({ component: 'polling' });
  const abort = new AbortController();
  let offset: number | undefined;
  let failures = 0;

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const loop = async () => {
    while (!abort.signal.aborted) {
      let updates: Update[];
      try {
        updates = await options.api.getUpdates(
          {
            offset,
            timeout: options.timeoutSeconds ?? 30,
            allowed_updates: BOT_ALLOWED_UPDATES,
          },
          // grammY types the signal with the abort-controller polyfill; Node's is the same thing.
          abort.signal as Parameters<Api['getUpdates']>[1],
        );
      } catch (error) {
        if (abort.signal.aborted) return;
        const code = (error as { error_code?: number }).error_code;
        if (code === 401 || code === 409) {
          log.error({ err: error }, 'long polling stopped by an error');
          return;
        }
        const delay = RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)]!;
        log.warn({ err: error, retryInMs: delay }, 'getUpdates failed; retrying');
        await pause(delay);
        continue;
      }
      if (updates.length === 0) continue;
      try {
        await options.store(updates);
      } catch (error) {
        // Not stored: do not confirm; the same batch comes again.
        const delay = RETRY_DELAYS_MS[Math.min(failures++, RETRY_DELAYS_MS.length - 1)]!;
        log.warn({ err: error, retryInMs: delay }, 'could not store polled updates; fetching them again');
        await pause(delay);
        continue;
      }
      failures = 0;
      offset = updates[updates.length - 1]!.update_id + 1;
    }
  };

  const done = loop().catch((error) => log.error({ err: error }, 'long polling failed'));
  return {
    done,
    async stop() {
      abort.abort();
      await done;
    },
  };
}
