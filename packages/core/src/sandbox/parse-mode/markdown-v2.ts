import type { MessageEntity } from 'grammy/types';
import { badRequest } from '../api-error.js';
import type { FormattedText } from './formatted-text.js';
import { compareEntities, normalizeUrl } from './html.js';
import { byteOffset } from './utf8.js';

type MarkdownEntityType =
  | 'Bold'
  | 'Italic'
  | 'Underline'
  | 'Strikethrough'
  | 'Spoiler'
  | 'Code'
  | 'Pre'
  | 'TextUrl'
  | 'CustomEmoji';

interface OpenEntity {
  type: MarkdownEntityType;
  argument: string;
  offset: number;
  byteOffset: number;
}

const RESERVED = '_*[]()~`>#+-=|{}.!';

function parseError(detail: string) {
  return badRequest(`can't parse entities: ${detail}`);
}

function reservedError(c: string) {
  return parseError(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
}

const isEscapable = (c: string | undefined) =>
  c !== undefined && c.charCodeAt(0) > 0 && c.charCodeAt(0) <= 126;
const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/**
 * Telegram's MarkdownV2, following TDLib's parser: reserved characters must be escaped,
 * entities must be closed, errors carry the same wording and byte offsets. Lines starting
 * with `>` become blockquotes (`**>` for an expandable one).
 */
export function parseMarkdownV2(text: string): FormattedText {
  let result = '';
  const entities: MessageEntity[] = [];
  const stack: OpenEntity[] = [];
  let quote: { offset: number; expandable: boolean } | undefined;

  const closeQuote = () => {
    if (!quote) return;
    let end = result.length;
    if (result.endsWith('\n')) end--;
    if (end > quote.offset) {
      entities.push({
        type: quote.expandable ? 'expandable_blockquote' : 'blockquote',
        offset: quote.offset,
        length: end - quote.offset,
      });
    }
    quote = undefined;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    const inCode = top?.type === 'Code' || top?.type === 'Pre';
    const atLineStart = i === 0 || text[i - 1] === '\n';

    if (atLineStart && !inCode) {
      if (c === '>' || (c === '*' && text.startsWith('**>', i))) {
        const expandable = c === '*';
        if (!quote) quote = { offset: result.length, expandable };
        else if (expandable) quote.expandable = true;
        i += expandable ? 2 : 0;
        continue;
      }
      if (quote && i > 0) closeQuote();
    }

    if (c === '\\' && isEscapable(text[i + 1])) {
      result += text[++i];
      continue;
    }
    // `||` right before the end of a quoted line marks the end of an expandable blockquote.
    if (
      quote?.expandable &&
      c === '|' &&
      text[i + 1] === '|' &&
      (i + 2 === text.length || text[i + 2] === '\n')
    ) {
      if (top?.type !== 'Spoiler') {
        i++;
        continue;
      }
    }
    const reserved = inCode ? '`' : RESERVED;
    if (!reserved.includes(c)) {
      result += c;
      continue;
    }

    let isEnd = false;
    if (top) {
      switch (top.type) {
        case 'Bold':
          isEnd = c === '*';
          break;
        case 'Italic':
          isEnd = c === '_' && text[i + 1] !== '_';
          break;
        case 'Code':
          isEnd = c === '`';
          break;
        case 'Pre':
          isEnd = c === '`' && text[i + 1] === '`' && text[i + 2] === '`';
          break;
        case 'TextUrl':
        case 'CustomEmoji':
          isEnd = c === ']';
          break;
        case 'Underline':
          isEnd = c === '_' && text[i + 1] === '_';
          break;
        case 'Strikethrough':
          isEnd = c === '~';
          break;
        case 'Spoiler':
          isEnd = c === '|' && text[i + 1] === '|';
          break;
      }
    }

    if (!isEnd) {
      let type: MarkdownEntityType;
      let argument = '';
      const entityByteOffset = byteOffset(text, i);
      switch (c) {
        case '_':
          if (text[i + 1] === '_') {
            type = 'Underline';
            i++;
          } else {
            type = 'Italic';
          }
          break;
        case '*':
          type = 'Bold';
          break;
        case '~':
          type = 'Strikethrough';
          break;
        case '|':
          if (text[i + 1] !== '|') throw reservedError(c);
          i++;
          type = 'Spoiler';
          break;
        case '[':
          type = 'TextUrl';
          break;
        case '!':
          if (text[i + 1] !== '[') throw reservedError(c);
          i++;
          type = 'CustomEmoji';
          break;
        case '`':
          if (text[i + 1] === '`' && text[i + 2] === '`') {
            i += 3;
            type = 'Pre';
            let languageEnd = i;
            while (languageEnd < text.length && !isSpace(text[languageEnd]) && text[languageEnd] !== '`') {
              languageEnd++;
            }
            if (i !== languageEnd && languageEnd < text.length && text[languageEnd] !== '`') {
              argument = text.slice(i, languageEnd);
              i = languageEnd;
            }
            if (text[i] === '\n' || text[i] === '\r') {
              if ((text[i + 1] === '\n' || text[i + 1] === '\r') && text[i] !== text[i + 1]) i += 2;
              else i++;
            }
            i--;
          } else {
            type = 'Code';
          }
          break;
        default:
          throw reservedError(c);
      }
      stack.push({ type, argument, offset: result.length, byteOffset: entityByteOffset });
      continue;
    }

    const open = stack.pop()!;
    const skip = result.length === open.offset;
    let entity: MessageEntity | undefined;
    const offset = open.offset;
    const length = result.length - open.offset;
    switch (open.type) {
      case 'Bold':
        entity = { type: 'bold', offset, length };
        break;
      case 'Italic':
        entity = { type: 'italic', offset, length };
        break;
      case 'Code':
        entity = { type: 'code', offset, length };
        break;
      case 'Strikethrough':
        entity = { type: 'strikethrough', offset, length };
        break;
      case 'Underline':
        i++;
        entity = { type: 'underline', offset, length };
        break;
      case 'Spoiler':
        i++;
        entity = { type: 'spoiler', offset, length };
        break;
      case 'Pre':
        i += 2;
        entity = open.argument
          ? ({ type: 'pre', offset, length, language: open.argument } as MessageEntity)
          : { type: 'pre', offset, length };
        break;
      case 'TextUrl':
      case 'CustomEmoji': {
        let url = '';
        if (text[i + 1] === '(') {
          i += 2;
          const urlBegin = i;
          while (i < text.length && text[i] !== ')') {
            if (text[i] === '\\' && isEscapable(text[i + 1])) {
              url += text[i + 1];
              i += 2;
              continue;
            }
            url += text[i++];
          }
          if (text[i] !== ')')
            throw parseError(`Can't find end of a URL at byte offset ${byteOffset(text, urlBegin)}`);
        } else if (open.type === 'CustomEmoji') {
          throw parseError('Custom emoji entity must contain a tg://emoji URL');
        } else {
          url = result.slice(open.offset);
        }
        if (open.type === 'CustomEmoji') {
          const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
          if (!id) throw parseError(`Custom emoji URL must have an emoji identifier`);
          entity = { type: 'custom_emoji', offset, length, custom_emoji_id: id };
        } else {
          const normalized = normalizeUrl(url);
          entity = normalized ? { type: 'text_link', offset, length, url: normalized } : undefined;
        }
        break;
      }
    }
    if (entity && !skip) entities.push(entity);
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw parseError(`Can't find end of ${open.type} entity at byte offset ${open.byteOffset}`);
  }
  closeQuote();
  return { text: result, entities: entities.sort(compareEntities) };
}
