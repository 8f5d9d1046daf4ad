import type { createClient } from '@keyv/redis';
import type { Logger } from 'pino';
import { keyvRedis } from '../kv/redis-client.js';
import type { SignalTransport } from './types.js';

type RedisClient = ReturnType<typeof createClient>;

const redisChannel = (name: string) => `botloom:${name}`;

/**
 * Redis pub/sub: a subscriber connection and a publisher connection. The Redis client
 * reconnects by itself and subscribes again; `onReconnected` runs once it is ready again.
 */
export class RedisSignalTransport implements SignalTransport {
  readonly kind = 'redis' as const;
  private readonly publisher: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly reconnected: Array<() => void> = [];
  private ready: Promise<void> | undefined;
  private everReady = false;
  private closed = false;

  constructor(url: string, logger: Logger) {
    this.publisher = keyvRedis().createClient({ url });
    this.subscriber = this.publisher.duplicate();
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (err: unknown) => logger.warn({ err }, 'redis signal connection error'));
    }
    this.subscriber.on('ready', () => {
      if (this.everReady) for (const callback of this.reconnected) callback();
      this.everReady = true;
    });
  }

  onReconnected(callback: () => void): void {
    this.reconnected.push(callback);
  }

  private connected(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the signal transport is closed'));
    this.ready ??= Promise.all([this.publisher.connect(), this.subscriber.connect()]).then(
      () => undefined,
      (err) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  async listen(channel: string, onMessage: (text: string) => void): Promise<void> {
    await this.connected();
    await this.subscriber.subscribe(redisChannel(channel), (message: string) => onMessage(message));
  }

  async unlisten(channel: string): Promise<void> {
    if (this.subscriber.isOpen) await this.subscriber.unsubscribe(redisChannel(channel));
  }

  async send(channel: string, text: string): Promise<void> {
    await this.connected();
    await this.publisher.publish(redisChannel(channel), text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.ready?.catch(() => undefined);
    await Promise.all(
      [this.subscriber, this.publisher].map((c) => (c.isOpen ? c.close().catch(() => undefined) : undefined)),
    );
  }
}
