/**
 * Callback data of the desk's inline buttons. Customer buttons carry the ticket (and, for
 * "I'm satisfied", the answer) they belong to, so a press on an old button can be told from a
 * press on a current one. Telegram limits callback data to 64 bytes.
 */
export type DeskButton =
  | { action: 'handoff'; ticketId: number | null }
  | { action: 'satisfied'; ticketId: number | null; answerId: number | null }
  | { action: 'rate'; ticketId: number; rating: number }
  | { action: 'close'; ticketId: number }
  | { action: 'handback'; ticketId: number };

export const callbackData = {
  handoff: (ticketId: number) => `support:handoff:${ticketId}`,
  satisfied: (ticketId: number, answerId: number) => `support:satisfied:${ticketId}:${answerId}`,
  rate: (ticketId: number, rating: number) => `support:rate:${ticketId}:${rating}`,
  close: (ticketId: number) => `support:close:${ticketId}`,
  handback: (ticketId: number) => `support:handback:${ticketId}`,
};

/** Every callback data the desk has ever sent, old formats included (they parse with null ids). */
export const DESK_CALLBACK =
  /^support:(handoff|satisfied|rate|close|handback)(?::(\d{1,15}))?(?::(\d{1,15}))?$/;

export function parseDeskButton(data: string): DeskButton | null {
  const m = DESK_CALLBACK.exec(data);
  if (!m) return null;
  const first = m[2] === undefined ? null : Number(m[2]);
  const second = m[3] === undefined ? null : Number(m[3]);
  switch (m[1]) {
    case 'handoff':
      return second === null ? { action: 'handoff', ticketId: first } : null;
    case 'satisfied':
      return { action: 'satisfied', ticketId: first, answerId: second };
    case 'rate':
      return first !== null && second !== null && second >= 1 && second <= 5
        ? { action: 'rate', ticketId: first, rating: second }
        : null;
    case 'close':
    case 'handback':
      return first !== null && second === null ? { action: m[1], ticketId: first } : null;
  }
  return null;
}
