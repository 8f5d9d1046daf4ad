import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { InvalidInputError } from '../errors/domain-errors.js';
import {
  SIGNAL_PAYLOAD_LIMIT_BYTES,
  type SignalChannel,
  type SignalMeta,
  type Signals,
  type SignalTransport,
  type SubscribeOptions,
} from './types.js';

interface Subscriber {
  channel: SignalChannel<unknown>;
  handler: (payload: unknown, meta: SignalMeta) => void | Promise<void>;
  options: SubscribeOptions;
}

/** The wire form: `o` is the publishing instance, `p` the payload. */
interface Envelope {
  o: string;
  p: unknown;
}

export interface SignalService extends Signals {
  close(): Promise<void>;
}

/** The Signals service over one transport; see `Signals` for the delivery guarantees. */
export function createSignalService(options: {
  transport: SignalTransport;
  logger: Logger;
  instanceId?: string;
}): SignalService {
  const { transport, logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const subscribers = new Map<string, Set<Subscriber>>();
  /** Per channel, the transport's LISTEN in flight or done: later subscribers wait for it too. */
  const listening = new Map<string, Promise<void>>();
  let closed = false;

  transport.onReconnected(() => {
    logger.info({ backend: transport.kind }, 'signal connection restored; signals sent meanwhile are lost');
    for (const set of subscribers.values()) {
      for (const sub of set) {
        try {
          sub.options.onGap?.();
        } catch (err) {
          logger.warn({ err, channel: sub.channel.name }, 'signal gap handler failed');
        }
      }
    }
  });

  const dispatch = (name: string, text: string) => {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      logger.warn({ channel: name }, 'dropped a signal that is not JSON');
      return;
    }
    const meta: SignalMeta = { fromThisInstance: envelope?.o === instanceId };
    for (const sub of subscribers.get(name) ?? []) {
      const parsed = sub.channel.schema.safeParse(envelope?.p);
      if (!parsed.success) {
        logger.warn({ channel: name }, 'dropped a signal whose payload does not match the channel');
        continue;
      }
      Promise.resolve()
        .then(() => sub.handler(parsed.data, meta))
        .catch((err) => logger.warn({ err, channel: name }, 'signal handler failed'));
    }
  };

  return {
    backend: transport.kind,
    instanceId,
    async publish(channel, payload) {
      if (closed) throw new Error('the signal service is closed');
      const checked = channel.schema.safeParse(payload);
      if (!checked.success) {
        throw new InvalidInputError(`Signal payload does not match channel "${channel.name}"`, {
          code: 'SIGNAL_PAYLOAD_INVALID',
        });
      }
      const text = JSON.stringify({ o: instanceId, p: checked.data } satisfies Envelope);
      const bytes = Buffer.byteLength(text);
      if (bytes > SIGNAL_PAYLOAD_LIMIT_BYTES) {
        throw new InvalidInputError(
          `Signal on "${channel.name}" is ${bytes} bytes, over the ${SIGNAL_PAYLOAD_LIMIT_BYTES}-byte limit: send ids, not bodies`,
          { code: 'SIGNAL_PAYLOAD_TOO_LARGE' },
        );
      }
      await transport.send(channel.name, text);
    },
    async subscribe(channel, handler, subscribeOptions = {}) {
      if (closed) throw new Error('the signal service is closed');
      const sub: Subscriber = {
        channel: channel as SignalChannel<unknown>,
        handler: handler as Subscriber['handler'],
        options: subscribeOptions,
      };
      let set = subscribers.get(channel.name);
      if (!set) {
        set = new Set();
        subscribers.set(channel.name, set);
        listening.set(
          channel.name,
          transport.listen(channel.name, (text) => dispatch(channel.name, text)),
        );
      }
      set.add(sub);
      try {
        await listening.get(channel.name);
      } catch (err) {
        set.delete(sub);
        if (!set.size) {
          subscribers.delete(channel.name);
          listening.delete(channel.name);
        }
        throw err;
      }
      return async () => {
        const current = subscribers.get(channel.name);
        if (!current?.delete(sub) || current.size) return;
        subscribers.delete(channel.name);
        listening.delete(channel.name);
        if (!closed) await transport.unlisten(channel.name);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      subscribers.clear();
      listening.clear();
      await transport.close();
    },
  };
}
