/** Meta's limit for one text message: 1,000 bytes of UTF-8. */
export const MAX_TEXT_BYTES = 1000;

const encoder = new TextEncoder();
const bytes = (s: string) => encoder.encode(s).length;

/**
 * Splits text into parts of at most `limit` UTF-8 bytes, preferring paragraph, line, sentence
 * and word boundaries, never cutting a character (or a surrogate pair) in two.
 */
export function splitText(text: string, limit = MAX_TEXT_BYTES): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    if (bytes(rest) <= limit) {
      parts.push(rest);
      break;
    }
    const chars = Array.from(rest);
    let size = 0;
    let fit = 0;
    while (fit < chars.length && size + bytes(chars[fit]!) <= limit) {
      size += bytes(chars[fit]!);
      fit++;
    }
    const head = chars.slice(0, fit).join('');
    const cut = bestCut(head);
    const piece = head.slice(0, cut).trimEnd();
    parts.push(piece.length > 0 ? piece : head);
    rest = rest.slice(piece.length > 0 ? cut : head.length).trimStart();
  }
  return parts;
}

/** The last good boundary in the second half of `head`, or its end. */
function bestCut(head: string): number {
  const min = Math.floor(head.length / 2);
  for (const pattern of [/\n\s*\n/g, /\n/g, /[.!?…](\s)/g, /\s/g]) {
    let best = -1;
    for (const match of head.matchAll(pattern)) {
      const end = (match.index ?? 0) + match[0].length;
      if (end >= min) best = end;
    }
    if (best > 0) return best;
  }
  return head.length;
}
