import type { Logger } from 'pino';
import { z } from 'zod';
import type { Crypto } from '../crypto/types.js';
import { defineSignal, type Signals } from '../signals/types.js';

/** What the hub needs of a WebSocket (`ws`'s WebSocket fits). */
export interface RealtimeSocket {
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
}

/** Where presence marks live: a KV shared by the instances. */
export interface PresenceStore {
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  get(key: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

export interface RealtimeChannelDefinition<Ref, Msg> {
  /** The signal channel's name, prefixed with the plugin id (`support.webapp`). */
  name: string;
  /** The ids a change names (what travels between instances when the message does not fit). */
  ref: z.ZodType<Ref, z.ZodTypeDef, unknown>;
  /** The topics whose sockets a change concerns (a customer, a conversation, the inbox list...). */
  topicsOf(ref: Ref): string[];
  /** Rebuilds from the database what the sockets of `topic` get for a change; undefined: nothing. */
  load(ref: Ref, topic: string): Promise<Msg | undefined>;
  /**
   * Keep shared marks of the topics with an open socket, so `isOpen` answers for every
   * instance. A mark outlives a crashed instance by at most this long (refreshed every third).
   */
  presenceTtlMs?: number;
}

export interface RealtimeChannel<Ref, Msg> {
  /** Subscribes to the other instances' changes; call once the app's services are up. */
  start(): Promise<void>;
  /** Adds a socket of this instance to a topic; returns the function that removes it. */
  join(topic: string, socket: RealtimeSocket): () => void;
  /** Sends to this instance's sockets of `topic` only. */
  sendLocal(topic: string, message: Msg): void;
  /**
   * A change: the sockets of its topics on every instance get it. With `message` (the same for
   * every topic), the local sockets get it as is and it travels to the other instances in the
   * signal, encrypted, when it fits the payload limit; otherwise only the ref travels and each
   * instance with a socket of a topic calls `load`. Never throws: a lost signal is logged.
   */
  publish(ref: Ref, message?: Msg): Promise<void>;
  /** A socket of `topic` is open here or, with presence marks, on another instance. */
  isOpen(topic: string): Promise<boolean>;
  /** Topics with a socket on this instance. */
  localTopics(): string[];
  /** Unsubscribes and stops refreshing presence marks (sockets are the caller's to close). */
  close(): Promise<void>;
}

/**
 * Core's one WebSocket fan-out: plugins keep their own sockets and protocol (authentication,
 * client events) and hand the "who gets what when something changes" part to a channel here.
 * Delivery across instances is that of signals: at most once, so clients reload their state
 * when they reconnect.
 */
export interface Realtime {
  channel<Ref, Msg>(definition: RealtimeChannelDefinition<Ref, Msg>): RealtimeChannel<Ref, Msg>;
}

const MAX_BODY_CHARS = 7_000;

/** What travels: the ref, and the message sealed with core Crypto when it fits. */
interface Envelope<Ref> {
  r: Ref;
  b?: string;
}

export function createRealtime(deps: {
  /** Absent: one instance, local fan-out only. */
  signals?: Signals;
  crypto: Pick<Crypto, 'encrypt' | 'decrypt'>;
  presence?: PresenceStore;
  logger: Logger;
}): Realtime {
  const log = deps.logger.child({ component: 'realtime' });
  return {
    channel<Ref, Msg>(def: RealtimeChannelDefinition<Ref, Msg>): RealtimeChannel<Ref, Msg> {
      const envelope: z.ZodType<Envelope<Ref>, z.ZodTypeDef, unknown> = z.object({
        r: def.ref,
        b: z.string().max(MAX_BODY_CHARS).optional(),
      }) as z.ZodType<Envelope<Ref>, z.ZodTypeDef, unknown>;
      const signal = defineSignal(def.name, envelope);
      const sockets = new Map<string, Set<RealtimeSocket>>();
      const presence = def.presenceTtlMs ? deps.presence : undefined;
      const presenceKey = (topic: string) => `realtime:${def.name}:${topic}`;
      let unsubscribe: (() => Promise<void>) | undefined;
      let refresher: NodeJS.Timeout | undefined;

      const markPresent = (topic: string) =>
        presence
          ?.set(presenceKey(topic), true, def.presenceTtlMs)
          .catch((err) => log.warn({ err, channel: def.name }, 'could not record realtime presence'));

      const sendLocal = (topic: string, message: Msg) => {
        const set = sockets.get(topic);
        if (!set?.size) return;
        const text = JSON.stringify(message);
        for (const socket of set) if (socket.readyState === socket.OPEN) socket.send(text);
      };

      /** Delivers a change to this instance's sockets, loading per topic what was not given. */
      const deliver = async (ref: Ref, message: Msg | undefined) => {
        for (const topic of def.topicsOf(ref)) {
          if (!sockets.get(topic)?.size) continue;
          try {
            const resolved = message ?? (await def.load(ref, topic));
            if (resolved !== undefined) sendLocal(topic, resolved);
          } catch (err) {
            log.warn({ err, channel: def.name }, 'could not load a realtime change');
          }
        }
      };

      return {
        async start() {
          if (unsubscribe || !deps.signals) return;
          unsubscribe = await deps.signals.subscribe(signal, async (payload, meta) => {
            if (meta.fromThisInstance) return; // publish() delivered it here already
            let message: Msg | undefined;
            if (payload.b !== undefined) {
              try {
                message = JSON.parse(deps.crypto.decrypt(payload.b)) as Msg;
              } catch (err) {
                log.warn({ err, channel: def.name }, 'dropped a realtime body that does not decrypt');
                return;
              }
            }
            await deliver(payload.r, message);
          });
          if (presence) {
            refresher = setInterval(() => {
              for (const topic of sockets.keys()) void markPresent(topic);
            }, def.presenceTtlMs! / 3);
            refresher.unref();
          }
        },

        join(topic, socket) {
          let set = sockets.get(topic);
          if (!set) {
            set = new Set();
            sockets.set(topic, set);
          }
          set.add(socket);
          void markPresent(topic);
          return () => {
            const current = sockets.get(topic);
            if (!current?.delete(socket) || current.size) return;
            sockets.delete(topic);
            // Another instance with a socket of this topic marks it again on its next refresh.
            presence?.delete(presenceKey(topic)).catch(() => undefined);
          };
        },

        sendLocal,

        async publish(ref, message) {
          await deliver(ref, message);
          if (!deps.signals) return;
          let body: string | undefined;
          if (message !== undefined) {
            const sealed = deps.crypto.encrypt(JSON.stringify(message));
            if (sealed.length <= MAX_BODY_CHARS) body = sealed;
          }
          const send = (b?: string) =>
            deps.signals!.publish(signal, b === undefined ? { r: ref } : { r: ref, b });
          try {
            await send(body);
          } catch (err) {
            if (body !== undefined && (err as { code?: string }).code === 'SIGNAL_PAYLOAD_TOO_LARGE') {
              // Too big with the body: the ids go, the other instances load the rest.
              await send().catch((e) =>
                log.warn({ err: e, channel: def.name }, 'could not signal a realtime change'),
              );
              return;
            }
            log.warn({ err, channel: def.name }, 'could not signal a realtime change');
          }
        },

        async isOpen(topic) {
          if (sockets.get(topic)?.size) return true;
          if (!presence) return false;
          try {
            return Boolean(await presence.get(presenceKey(topic)));
          } catch (err) {
            log.warn({ err, channel: def.name }, 'could not read realtime presence');
            return false;
          }
        },

        localTopics: () => [...sockets.keys()],

        async close() {
          if (refresher) clearInterval(refresher);
          refresher = undefined;
          await unsubscribe?.().catch(() => undefined);
          unsubscribe = undefined;
          sockets.clear();
        },
      };
    },
  };
}
