/**
 * The event map. Plugins add their events by declaration merging:
 *
 *   declare module '@botloom/core/events' {
 *     interface BotloomEvents { 'support.ticket.closed': { ticketId: string; rating?: number } }
 *   }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging
export interface BotloomEvents {}

export type EventName = keyof BotloomEvents extends never ? string : keyof BotloomEvents | (string & {});
export type EventPayload<K> = K extends keyof BotloomEvents ? BotloomEvents[K] : unknown;

export interface EventBus {
  /** Calls every handler; a failing handler is logged and does not stop the others. */
  emit<K extends EventName>(name: K, payload: EventPayload<K>): Promise<void>;
  /** Returns a function that removes the handler. */
  on<K extends EventName>(name: K, handler: (payload: EventPayload<K>) => void | Promise<void>): () => void;
}
