import type { MessageEntity } from 'grammy/types';
import { compareEntities } from './html.js';

const SKIP_INSIDE = new Set(['code', 'pre', 'text_link', 'url', 'email', 'custom_emoji']);

const DETECTORS: Array<{ type: MessageEntity['type']; pattern: RegExp }> = [
  { type: 'url', pattern: /(?<![\w@/])(?:https?:\/\/|www\.)[^\s<>"]+[^\s<>".,;:!?)\]'}]/gi },
  { type: 'email', pattern: /(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![\w.])/gi },
  { type: 'bot_command', pattern: /(?<![\w/])\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/])/g },
  { type: 'mention', pattern: /(?<![\w@])@[a-zA-Z0-9_]{5,32}(?![\w@])/g },
  { type: 'hashtag', pattern: /(?<![\w#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu },
  { type: 'cashtag', pattern: /(?<![\w$])\$[A-Z]{1,8}(?![\w])/g },
];

/**
 * Entities Telegram finds by itself in any message text: commands, mentions, hashtags,
 * URLs and e-mails. They never overlap code, pre or links set by formatting.
 */
export function detectAutoEntities(text: string, existing: MessageEntity[] = []): MessageEntity[] {
  const taken: Array<[number, number]> = existing
    .filter((e) => SKIP_INSIDE.has(e.type))
    .map((e) => [e.offset, e.offset + e.length]);
  const found: MessageEntity[] = [];
  for (const { type, pattern } of DETECTORS) {
    for (const match of text.matchAll(pattern)) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      found.push({ type, offset: start, length: end - start } as MessageEntity);
    }
  }
  return [...existing, ...found].sort(compareEntities);
}
