import type { z } from 'zod';

/**
 * Largest signal payload, in bytes of its JSON form (with the envelope). PostgreSQL's NOTIFY
 * refuses payloads of 8000 bytes or more; the margin leaves room for the envelope and keeps
 * Redis and PostgreSQL alike. A signal names what changed (ids), never the data itself.
 */
export const SIGNAL_PAYLOAD_LIMIT_BYTES = 7_680;

const CHANNEL_NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;

/** A typed channel: its name (shared by every instance) and the schema its payloads must pass. */
export interface SignalChannel<T> {
  readonly name: string;
  readonly schema: z.ZodType<T, z.ZodTypeDef, unknown>;
}

/**
 * Declares a channel. Name: lowercase letters, digits, `.`, `_`, `-` (up to 48), conventionally
 * prefixed with the owning plugin's id (`support.webapp`).
 */
export function defineSignal<T>(name: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): SignalChannel<T> {
  if (!CHANNEL_NAME.test(name)) {
    throw new Error(`Invalid signal channel "${name}": use a-z, 0-9, ".", "_" and "-" (at most 48)`);
  }
  return { name, schema };
}

export interface SignalMeta {
  /** True when this instance published it (subscribers on the publisher get their own signals too). */
  fromThisInstance: boolean;
}

export interface SubscribeOptions {
  /**
   * Called after the connection to the backend was lost and restored: signals sent meanwhile
   * are gone, so re-check the state this subscriber mirrors.
   */
  onGap?: () => void;
}

/**
 * Cross-instance signals: "something changed, look it up" messages between every instance of
 * the app (and within this one), over PostgreSQL LISTEN/NOTIFY, or Redis pub/sub when KV_URL
 * is Redis.
 *
 * Delivery guarantees: AT MOST ONCE, no ordering across publishers, no persistence. A signal
 * reaches the subscribers that are listening when it is sent; one sent while an instance is
 * disconnected (a restart, a network blip, the backend failing over) is lost for that instance.
 * So a signal is a hint: subscribers reload the state from the database, and anything that must
 * not be missed also has a repair path (`onGap`, a periodic check, or a reload on connect).
 */
export interface Signals {
  /** Which backend carries the signals. */
  readonly backend: 'postgres' | 'redis';
  /** This process's id in signal envelopes. */
  readonly instanceId: string;
  /**
   * Sends a payload to every subscriber of the channel on every instance, this one included.
   * Throws InvalidInputError (`SIGNAL_PAYLOAD_TOO_LARGE`) above SIGNAL_PAYLOAD_LIMIT_BYTES and
   * when the payload does not match the channel's schema; a backend error is thrown too.
   */
  publish<T>(channel: SignalChannel<T>, payload: T): Promise<void>;
  /**
   * Calls `handler` for each valid payload of the channel; resolves once the backend listens,
   * so signals published after that are delivered. Handler errors are logged, not propagated.
   * Returns the unsubscribe function.
   */
  subscribe<T>(
    channel: SignalChannel<T>,
    handler: (payload: T, meta: SignalMeta) => void | Promise<void>,
    options?: SubscribeOptions,
  ): Promise<() => Promise<void>>;
}

/** What carries the bytes: one listening connection per process, resubscribed after a reconnect. */
export interface SignalTransport {
  readonly kind: Signals['backend'];
  listen(channel: string, onMessage: (text: string) => void): Promise<void>;
  unlisten(channel: string): Promise<void>;
  send(channel: string, text: string): Promise<void>;
  /** Called after a lost listening connection is back and every channel listens again. */
  onReconnected(callback: () => void): void;
  close(): Promise<void>;
}
