import type { Logger } from 'pino';
import type { EventBus, EventName, EventPayload } from './types.js';

type Handler = (payload: unknown) => void | Promise<void>;

export interface CreateEventBusOptions {
  logger: Logger;
  /**
   * Every event name declared in some plugin's `events`. Emitting a name outside this set
   * logs one warning per name (the event is still delivered): an undeclared event is almost
   * always a typo or a missing declaration, but failing hard would break running bots.
   * Names starting with `core.` are core's own and need no declaration.
   */
  declaredEvents?: Iterable<string>;
}

/** Typed in-process event bus. Handlers run concurrently; a failing one is logged, the others still run. */
export function createEventBus(options: CreateEventBusOptions): EventBus {
  const handlers = new Map<string, Set<Handler>>();
  const declared = options.declaredEvents ? new Set(options.declaredEvents) : undefined;
  const warned = new Set<string>();

  return {
    async emit<K extends EventName>(name: K, payload: EventPayload<K>): Promise<void> {
      const key = String(name);
      if (declared && !declared.has(key) && !key.startsWith('core.') && !warned.has(key)) {
        warned.add(key);
        options.logger.warn(
          { event: key },
          `Event "${key}" is emitted but no plugin declares it in "events"`,
        );
      }
      const current = [...(handlers.get(key) ?? [])];
      await Promise.all(
        current.map(async (handler) => {
          try {
            await handler(payload);
          } catch (err) {
            options.logger.error({ err, event: key }, `A handler of event "${key}" failed`);
          }
        }),
      );
    },
    on<K extends EventName>(
      name: K,
      handler: (payload: EventPayload<K>) => void | Promise<void>,
    ): () => void {
      const key = String(name);
      let set = handlers.get(key);
      if (!set) {
        set = new Set();
        handlers.set(key, set);
      }
      set.add(handler as Handler);
      return () => {
        set.delete(handler as Handler);
      };
    },
  };
}
