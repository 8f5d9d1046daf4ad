import type { Update, WebhookInfo } from 'grammy/types';
import type { Logger } from 'pino';
import type { UpdateQueue } from './update-queue.js';

export interface WebhookSettings {
  url: string;
  secretToken?: string;
  maxConnections: number;
  ipAddress?: string;
}

export interface WebhookDeliveryOptions {
  /** Delays between attempts after a failed delivery (the last one repeats). */
  retryDelaysMs?: number[];
  /** How long to wait for the bot's answer before counting the attempt as failed. */
  timeoutMs?: number;
}

/** A webhook answer that carries a method call, which Telegram executes (webhook reply). */
export type WebhookReplyExecutor = (method: string, params: Record<string, unknown>) => Promise<void>;

/**
 * Pushes queued updates to the bot's webhook, one at a time and in order, with the secret
 * token header. A failed attempt (network error, timeout, non-2xx) keeps the update queued
 * and is retried with backoff; getWebhookInfo reports the last error like Telegram.
 */
export class WebhookDelivery {
  private settings: WebhookSettings | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private inFlight: AbortController | undefined;
  private lastErrorDate: number | undefined;
  private lastErrorMessage: string | undefined;
  private readonly unsubscribe: () => void;
  private readonly retryDelaysMs: number[];
  private readonly timeoutMs: number;

  constructor(
    private readonly queue: UpdateQueue,
    private readonly executeReply: WebhookReplyExecutor,
    private readonly logger: Logger | undefined,
    options: WebhookDeliveryOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs?.length
      ? options.retryDelaysMs
      : [100, 250, 500, 1000, 2000, 5000];
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.unsubscribe = queue.onPush(() => this.kick());
  }

  get active(): boolean {
    return this.settings !== undefined;
  }

  set(settings: WebhookSettings) {
    this.settings = settings;
    this.lastErrorDate = undefined;
    this.lastErrorMessage = undefined;
    this.kick();
  }

  remove() {
    this.settings = undefined;
    this.wake?.();
  }

  info(): WebhookInfo {
    const s = this.settings;
    return {
      url: s?.url ?? '',
      has_custom_certificate: false,
      pending_update_count: this.queue.pendingCount,
      ...(s ? { max_connections: s.maxConnections } : {}),
      ...(s?.ipAddress ? { ip_address: s.ipAddress } : {}),
      ...(s && this.queue.allowedUpdates ? { allowed_updates: this.queue.allowedUpdates } : {}),
      ...(this.lastErrorDate
        ? { last_error_date: this.lastErrorDate, last_error_message: this.lastErrorMessage }
        : {}),
    } as WebhookInfo;
  }

  async close() {
    this.stopped = true;
    this.unsubscribe();
    this.inFlight?.abort();
    this.wake?.();
    await this.running;
  }

  private kick() {
    if (this.stopped || !this.settings) return;
    if (this.running) {
      this.wake?.();
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private async loop() {
    let failures = 0;
    while (!this.stopped && this.settings) {
      const [update] = this.queue.deliverable(1);
      if (!update) return;
      const settings = this.settings;
      const error = await this.deliver(update, settings);
      if (this.stopped) return;
      if (error === undefined) {
        failures = 0;
        this.queue.remove(update.update_id);
        continue;
      }
      this.lastErrorDate = Math.floor(Date.now() / 1000);
      this.lastErrorMessage = error;
      this.logger?.debug(
        { updateId: update.update_id, error },
        'sandbox: webhook delivery failed, will retry',
      );
      const delay = this.retryDelaysMs[Math.min(failures, this.retryDelaysMs.length - 1)];
      failures++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }

  /** One attempt; returns undefined on success or Telegram's wording of the failure. */
  private async deliver(update: Update, settings: WebhookSettings): Promise<string | undefined> {
    const controller = new AbortController();
    this.inFlight = controller;
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(settings.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(settings.secretToken ? { 'x-telegram-bot-api-secret-token': settings.secretToken } : {}),
        },
        body: JSON.stringify(update),
        signal: controller.signal,
      });
      const body = await response.text();
      if (!response.ok) return `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      await this.runWebhookReply(body, response.headers.get('content-type'));
      return undefined;
    } catch (error) {
      if (controller.signal.aborted) return 'Read timeout expired';
      const cause = (error as { cause?: { code?: string } }).cause;
      return cause?.code === 'ECONNREFUSED'
        ? 'Connection refused'
        : `Connection error: ${(error as Error).message}`;
    } finally {
      clearTimeout(timer);
      if (this.inFlight === controller) this.inFlight = undefined;
    }
  }

  private async runWebhookReply(body: string, contentType: string | null) {
    if (!body || !contentType?.includes('application/json')) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (parsed && typeof parsed === 'object' && typeof (parsed as { method?: unknown }).method === 'string') {
      const { method, ...params } = parsed as { method: string } & Record<string, unknown>;
      try {
        await this.executeReply(method, params);
      } catch (error) {
        this.logger?.debug({ method, error: (error as Error).message }, 'sandbox: webhook reply failed');
      }
    }
  }
}
