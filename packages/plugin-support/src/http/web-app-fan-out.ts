import { defineSignal, type Signals } from '@botloom/core';
import { z } from 'zod';
import type { WebAppEvent } from '../services/ports.js';

/**
 * "The customer's web app should show this": ids only. Each instance with a socket of that
 * customer reloads the ticket or message from the database and pushes it.
 */
export const webAppSignal = defineSignal(
  'support.webapp',
  z.object({
    customerId: z.number().int(),
    ticketId: z.number().int().optional(),
    messageId: z.number().int().optional(),
  }),
);
export type WebAppRef = z.infer<typeof webAppSignal.schema>;

/** Where a customer's open web apps are known across instances (a shared KV). */
export interface PresenceStore {
  set(key: string, value: unknown, ttlMs?: number): Promise<unknown>;
  get(key: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

export interface WebAppFanOut {
  signals: Signals;
  presence: PresenceStore;
  /** Rebuilds the event a ref names from the database; undefined when it is gone or not the customer's. */
  load(ref: WebAppRef): Promise<WebAppEvent | undefined>;
}

/** How long a presence mark lives without a refresh (an instance that crashed leaves one behind). */
export const PRESENCE_TTL_MS = 120_000;
export const presenceKey = (customerId: number) => `webapp-online:${customerId}`;

/** The ids a pushed event refers to, or undefined for events that are not shared. */
export function refOf(customerId: number, event: WebAppEvent): WebAppRef | undefined {
  if (event.type === 'ticket') return { customerId, ticketId: event.ticket.id };
  if (event.type === 'message') return { customerId, messageId: event.message.id };
  return undefined;
}
