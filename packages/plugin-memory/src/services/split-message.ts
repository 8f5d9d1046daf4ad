/** Telegram's limit for the text of one message. */
export const TELEGRAM_TEXT_LIMIT = 4096;

const CLOSE_FENCE = '\n```';
const FENCE_LINE = /^[ \t]*```/;

/**
 * Splits a long reply into messages of at most `limit` characters (UTF-16 units, as Telegram
 * counts). It prefers, in this order, a paragraph break, a line break, the end of a sentence,
 * a space, and only then cuts inside a word (never inside a surrogate pair). A ``` code block
 * that is cut is closed at the end of one part and reopened (with its language) in the next.
 */
export function splitMessage(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (limit < 16) throw new RangeError('limit must be at least 16');
  const chunks: string[] = [];
  let rest = text.replace(/\s+$/, '');
  let openFence: string | null = null;
  while (rest.length > 0) {
    const prefix = openFence ? `${openFence}\n` : '';
    const room = limit - prefix.length;
    if (rest.length <= room) {
      chunks.push(prefix + rest);
      break;
    }
    const cut = findCut(rest, room - CLOSE_FENCE.length);
    const piece = rest.slice(0, cut).replace(/\s+$/, '');
    rest = rest.slice(cut).replace(/^[ \t]*\n+/, '');
    openFence = fenceOpenAfter(openFence, piece);
    const chunk = prefix + piece + (openFence ? CLOSE_FENCE : '');
    if (piece.length > 0) chunks.push(chunk);
  }
  return chunks;
}

/** Index (exclusive) where the first part should end, at most `max`. */
function findCut(text: string, max: number): number {
  const window = text.slice(0, max);
  const half = Math.floor(max / 2);
  const paragraph = window.lastIndexOf('\n\n');
  if (paragraph >= half) return paragraph + 2;
  const line = window.lastIndexOf('\n');
  if (line >= half) return line + 1;
  let sentenceEnd = -1;
  for (const m of window.matchAll(/[.!?…]["')\]»]*\s/g)) sentenceEnd = m.index + m[0].length;
  if (sentenceEnd >= half) return sentenceEnd;
  const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
  if (space > 0) return space + 1;
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

/** The fence line (e.g. "```ts") still open after `piece`, given the one open before it. */
function fenceOpenAfter(openBefore: string | null, piece: string): string | null {
  let open = openBefore;
  for (const line of piece.split('\n')) {
    if (!FENCE_LINE.test(line)) continue;
    open = open ? null : line.trim();
  }
  return open;
}
