import type { RealtimeChannelDefinition } from '@botloom/core';
import { z } from 'zod';
import type { WebAppEvent } from '../services/ports.js';

/**
 * "The customer's web app should show this": the ids of a ticket or message. It travels between
 * instances with the event itself when that fits a signal; otherwise each instance with a
 * socket of that customer reloads the ticket or message from the database.
 */
export const webAppRef = z.object({
  customerId: z.number().int(),
  ticketId: z.number().int().optional(),
  messageId: z.number().int().optional(),
});
export type WebAppRef = z.infer<typeof webAppRef>;

/** How long a presence mark lives without a refresh (an instance that crashed leaves one behind). */
export const PRESENCE_TTL_MS = 120_000;

/** One realtime topic per customer: the sockets of their open web apps. */
export const customerTopic = (customerId: number) => String(customerId);

/** The `support.webapp` realtime channel, loading events with `load`. */
export function webAppChannel(
  load: (ref: WebAppRef) => Promise<WebAppEvent | undefined>,
): RealtimeChannelDefinition<WebAppRef, WebAppEvent> {
  return {
    name: 'support.webapp',
    ref: webAppRef,
    topicsOf: (ref) => [customerTopic(ref.customerId)],
    load: (ref) => load(ref),
    presenceTtlMs: PRESENCE_TTL_MS,
  };
}

/** The ids a pushed event refers to, or undefined for events that are not shared. */
export function refOf(customerId: number, event: WebAppEvent): WebAppRef | undefined {
  if (event.type === 'ticket') return { customerId, ticketId: event.ticket.id };
  if (event.type === 'message') return { customerId, messageId: event.message.id };
  return undefined;
}
