import pg from 'pg';
import type { Logger } from 'pino';
import { poolCloser } from '../db/pool-closer.js';
import type { SignalTransport } from './types.js';

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/** Channel names are checked by `defineSignal`; the prefix keeps them apart from other LISTENers. */
const pgChannel = (name: string) => `botloom.${name}`;
const quoted = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * LISTEN/NOTIFY: one dedicated client listens (a pooled connection cannot: LISTEN belongs to
 * the session), a small pool sends. A lost listening client is replaced with growing pauses,
 * every channel is listened to again, then `onReconnected` callbacks run.
 */
export class PostgresSignalTransport implements SignalTransport {
  readonly kind = 'postgres' as const;
  private readonly handlers = new Map<string, (text: string) => void>();
  private readonly reconnected: Array<() => void> = [];
  private readonly pool: pg.Pool;
  private readonly endPool: () => Promise<void>;
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs = FIRST_RETRY_MS;
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
    private readonly applicationName = 'botloom-signals',
  ) {
    this.pool = new pg.Pool({
      connectionString: url,
      max: 2,
      idleTimeoutMillis: 10_000,
      application_name: applicationName,
    });
    this.pool.on('error', (err) => logger.warn({ err }, 'idle signal connection failed'));
    this.endPool = poolCloser(this.pool);
  }

  onReconnected(callback: () => void): void {
    this.reconnected.push(callback);
  }

  async listen(channel: string, onMessage: (text: string) => void): Promise<void> {
    this.handlers.set(pgChannel(channel), onMessage);
    const client = await this.connection();
    // A client that connected after the handler was set already listens on this channel.
    await client.query(`LISTEN ${quoted(pgChannel(channel))}`);
  }

  async unlisten(channel: string): Promise<void> {
    this.handlers.delete(pgChannel(channel));
    await this.client?.query(`UNLISTEN ${quoted(pgChannel(channel))}`).catch(() => undefined);
  }

  async send(channel: string, text: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [pgChannel(channel), text]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await Promise.all([client?.end().catch(() => undefined), this.endPool()]);
  }

  /** The listening client, connecting (once, for every caller) when there is none. */
  private connection(): Promise<pg.Client> {
    if (this.closed) return Promise.reject(new Error('the signal transport is closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, application_name: this.applicationName });
    client.on('notification', (message) => {
      this.handlers.get(message.channel)?.(message.payload ?? '');
    });
    client.on('error', (err) => {
      this.logger.warn({ err }, 'signal listener connection failed');
      this.lost(client);
    });
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoted(channel)}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('the signal transport is closed');
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    const wasReconnect = this.everConnected;
    this.everConnected = true;
    if (wasReconnect) for (const callback of this.reconnected) callback();
    return client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (!this.closed) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.retryTimer || this.closed) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.closed || this.client) return;
      this.connection().catch((err) => {
        this.logger.warn({ err, retryInMs: this.retryMs }, 'signal listener could not reconnect, retrying');
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }
}
