import { InvalidTransitionError } from './errors.js';

export const TICKET_STATUSES = ['ai', 'waiting_manager', 'with_manager', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * The ticket life cycle:
 *   ai ──handoff──▶ waiting_manager ──manager replies──▶ with_manager
 *   ▲ └───────────────────────┴────────────────close────────────┴──▶ closed
 *   └──────hand-back──────────┴───────────────────────────────────┘
 * A hand-back returns a handed-off ticket to the assistant without closing it; a later
 * handoff starts a new wait for a manager. A closed ticket stays closed; the customer's next
 * message opens a new one.
 */
const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  ai: ['waiting_manager', 'closed'],
  waiting_manager: ['with_manager', 'ai', 'closed'],
  with_manager: ['ai', 'closed'],
  closed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

export interface TicketTimes {
  openedAt: Date;
  handoffAt: Date | null;
  firstResponseAt: Date | null;
  closedAt: Date | null;
}

/**
 * Seconds from the (latest) handoff to the first manager message after it (null until both
 * happened). A new handoff after a hand-back clears the first response, so this never goes
 * negative and measures the wait the customer had last.
 */
export function firstResponseSeconds(t: TicketTimes): number | null {
  if (!t.handoffAt || !t.firstResponseAt) return null;
  return Math.max(0, (t.firstResponseAt.getTime() - t.handoffAt.getTime()) / 1000);
}

/** Seconds from opening to closing (null while open). */
export function resolutionSeconds(t: TicketTimes): number | null {
  if (!t.closedAt) return null;
  return Math.max(0, (t.closedAt.getTime() - t.openedAt.getTime()) / 1000);
}

export function isHandedOff(status: TicketStatus): boolean {
  return status === 'waiting_manager' || status === 'with_manager';
}
