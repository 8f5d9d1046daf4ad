import type { MessageEntity, ParseMode } from 'grammy/types';
import { badRequest } from '../api-error.js';
import { detectAutoEntities } from './auto-entities.js';
import type { FormattedText } from './formatted-text.js';
import { parseHtml } from './html.js';
import { parseLegacyMarkdown } from './markdown.js';
import { parseMarkdownV2 } from './markdown-v2.js';

export { detectAutoEntities } from './auto-entities.js';
export type { FormattedText } from './formatted-text.js';
export { parseHtml } from './html.js';
export { parseLegacyMarkdown } from './markdown.js';
export { parseMarkdownV2 } from './markdown-v2.js';

/**
 * Turns the text and parse_mode (or explicit entities) of a Bot API call into what Telegram
 * stores: the plain text, its entities (formatting plus detected commands, links, mentions),
 * with leading and trailing whitespace removed as Telegram does.
 */
export function formatText(
  raw: string,
  parseMode: string | undefined,
  explicitEntities: MessageEntity[] | undefined,
): FormattedText {
  let parsed: FormattedText;
  if (explicitEntities && explicitEntities.length > 0) parsed = { text: raw, entities: explicitEntities };
  else if (!parseMode) parsed = { text: raw, entities: [] };
  else {
    switch (parseMode.toLowerCase() as Lowercase<ParseMode>) {
      case 'html':
        parsed = parseHtml(raw);
        break;
      case 'markdownv2':
        parsed = parseMarkdownV2(raw);
        break;
      case 'markdown':
        parsed = parseLegacyMarkdown(raw);
        break;
      default:
        throw badRequest(`unsupported parse_mode`);
    }
  }
  const trimmed = trimWithEntities(parsed);
  return { text: trimmed.text, entities: detectAutoEntities(trimmed.text, trimmed.entities) };
}

function trimWithEntities({ text, entities }: FormattedText): FormattedText {
  const lead = text.length - text.trimStart().length;
  const result = text.trim();
  const adjusted: MessageEntity[] = [];
  for (const e of entities) {
    const start = Math.max(0, e.offset - lead);
    const end = Math.min(result.length, e.offset + e.length - lead);
    if (end > start) adjusted.push({ ...e, offset: start, length: end - start });
  }
  return { text: result, entities: adjusted };
}
