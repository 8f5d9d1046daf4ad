import type { MessageEntity } from 'grammy/types';
import { badRequest } from '../api-error.js';
import type { FormattedText } from './formatted-text.js';
import { byteOffset } from './utf8.js';

const SUPPORTED_TAGS = new Set([
  'a',
  'b',
  'strong',
  'i',
  'em',
  's',
  'strike',
  'del',
  'u',
  'ins',
  'tg-spoiler',
  'tg-emoji',
  'span',
  'pre',
  'code',
  'blockquote',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

interface OpenTag {
  name: string;
  argument: string;
  expandable: boolean;
  start: number;
}

function parseError(detail: string) {
  return badRequest(`can't parse entities: ${detail}`);
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r';

/** Decodes `&lt;`, `&#NN;`, `&#xNN;` at `i`; unknown entities stay as a literal `&`. */
function decodeEntity(text: string, i: number): { value: string; next: number } {
  const match = /^&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(text.slice(i, i + 12));
  if (match) {
    const body = match[1];
    let value: string | undefined;
    if (body.startsWith('#x') || body.startsWith('#X'))
      value = safeCodePoint(Number.parseInt(body.slice(2), 16));
    else if (body.startsWith('#')) value = safeCodePoint(Number.parseInt(body.slice(1), 10));
    else value = NAMED_ENTITIES[body.toLowerCase()];
    if (value !== undefined) return { value, next: i + match[0].length };
  }
  return { value: '&', next: i + 1 };
}

function safeCodePoint(code: number): string | undefined {
  if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
    return undefined;
  }
  return String.fromCodePoint(code);
}

/**
 * Telegram's HTML parse mode, modelled on TDLib's parser: the same supported tags, the same
 * error messages with byte offsets, and entities with UTF-16 offsets.
 */
export function parseHtml(text: string): FormattedText {
  let result = '';
  const entities: MessageEntity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '&') {
      const { value, next } = decodeEntity(text, i);
      result += value;
      i = next;
      continue;
    }
    if (c !== '<') {
      result += c;
      i++;
      continue;
    }
    const beginPos = i;
    if (text[i + 1] !== '/') {
      i++;
      while (i < text.length && !isSpace(text[i]) && text[i] !== '>') i++;
      if (i >= text.length)
        throw parseError(`Unclosed start tag at byte offset ${byteOffset(text, beginPos)}`);
      const name = text.slice(beginPos + 1, i).toLowerCase();
      if (!SUPPORTED_TAGS.has(name)) {
        throw parseError(`Unsupported start tag "${name}" at byte offset ${byteOffset(text, beginPos)}`);
      }
      let argument = '';
      let expandable = false;
      while (text[i] !== '>') {
        while (i < text.length && isSpace(text[i])) i++;
        if (i >= text.length)
          throw parseError(`Unclosed start tag at byte offset ${byteOffset(text, beginPos)}`);
        if (text[i] === '>') break;
        const attrBegin = i;
        while (i < text.length && !isSpace(text[i]) && text[i] !== '=' && text[i] !== '>') i++;
        const attrName = text.slice(attrBegin, i).toLowerCase();
        if (!attrName) {
          throw parseError(
            `Empty attribute name in the tag "${name}" at byte offset ${byteOffset(text, attrBegin)}`,
          );
        }
        while (i < text.length && isSpace(text[i])) i++;
        if (text[i] !== '=') {
          if (name === 'blockquote' && attrName === 'expandable') {
            expandable = true;
            continue;
          }
          if (i >= text.length)
            throw parseError(`Unclosed start tag at byte offset ${byteOffset(text, beginPos)}`);
          throw parseError(
            `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${byteOffset(text, beginPos)}`,
          );
        }
        i++;
        while (i < text.length && isSpace(text[i])) i++;
        if (i >= text.length)
          throw parseError(`Unclosed start tag at byte offset ${byteOffset(text, beginPos)}`);
        let value = '';
        if (text[i] !== '"' && text[i] !== "'") {
          const tokenBegin = i;
          while (i < text.length && /[A-Za-z0-9.-]/.test(text[i])) i++;
          value = text.slice(tokenBegin, i);
          if (i < text.length && !isSpace(text[i]) && text[i] !== '>') {
            throw parseError(`Unexpected end of name token at byte offset ${byteOffset(text, tokenBegin)}`);
          }
        } else {
          const quote = text[i++];
          while (i < text.length && text[i] !== quote) {
            if (text[i] === '&') {
              const decoded = decodeEntity(text, i);
              value += decoded.value;
              i = decoded.next;
            } else {
              value += text[i++];
            }
          }
          if (text[i] === quote) i++;
        }
        if (i >= text.length)
          throw parseError(`Unclosed start tag at byte offset ${byteOffset(text, beginPos)}`);
        if (name === 'a' && attrName === 'href') argument = value;
        else if (name === 'code' && attrName === 'class' && value.startsWith('language-'))
          argument = value.slice('language-'.length);
        else if (name === 'span' && attrName === 'class' && value.startsWith('tg-'))
          argument = value.slice(3);
        else if (name === 'tg-emoji' && attrName === 'emoji-id') argument = value;
      }
      if (name === 'span' && argument !== 'spoiler') {
        throw parseError(
          `Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(text, beginPos)}`,
        );
      }
      stack.push({ name, argument, expandable, start: result.length });
      i++;
      continue;
    }
    // An end tag.
    if (stack.length === 0)
      throw parseError(`Unexpected end tag at byte offset ${byteOffset(text, beginPos)}`);
    while (i < text.length && text[i] !== '>') i++;
    if (i >= text.length) throw parseError(`Unclosed end tag at byte offset ${byteOffset(text, beginPos)}`);
    const endName = text
      .slice(beginPos + 2, i)
      .trim()
      .toLowerCase();
    const open = stack[stack.length - 1];
    if (endName && endName !== open.name) {
      throw parseError(
        `Unmatched end tag at byte offset ${byteOffset(text, beginPos)}, expected "</${open.name}>", found "</${endName}>"`,
      );
    }
    stack.pop();
    i++;
    const entity = entityForTag(open, result);
    if (entity) mergeOrPush(entities, entity);
  }
  if (stack.length > 0) {
    throw parseError(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].name}"`);
  }
  return { text: result, entities: entities.sort(compareEntities) };
}

function entityForTag(open: OpenTag, result: string): MessageEntity | undefined {
  const offset = open.start;
  const length = result.length - offset;
  if (length <= 0) return undefined;
  switch (open.name) {
    case 'b':
    case 'strong':
      return { type: 'bold', offset, length };
    case 'i':
    case 'em':
      return { type: 'italic', offset, length };
    case 'u':
    case 'ins':
      return { type: 'underline', offset, length };
    case 's':
    case 'strike':
    case 'del':
      return { type: 'strikethrough', offset, length };
    case 'tg-spoiler':
    case 'span':
      return { type: 'spoiler', offset, length };
    case 'code':
      return open.argument
        ? ({ type: 'pre', offset, length, language: open.argument } as MessageEntity)
        : { type: 'code', offset, length };
    case 'pre':
      return { type: 'pre', offset, length };
    case 'blockquote':
      return { type: open.expandable ? 'expandable_blockquote' : 'blockquote', offset, length };
    case 'tg-emoji':
      return open.argument
        ? { type: 'custom_emoji', offset, length, custom_emoji_id: open.argument }
        : undefined;
    case 'a': {
      const url = normalizeUrl(open.argument);
      return url ? { type: 'text_link', offset, length, url } : undefined;
    }
    default:
      return undefined;
  }
}

/** `<pre><code class="language-x">` is one pre entity with a language, as in Telegram. */
function mergeOrPush(entities: MessageEntity[], entity: MessageEntity) {
  if (entity.type === 'pre') {
    const inner = entities.findIndex(
      (e) =>
        e.offset === entity.offset && e.length === entity.length && (e.type === 'pre' || e.type === 'code'),
    );
    if (inner >= 0) {
      const language = (entities[inner] as { language?: string }).language;
      entities.splice(inner, 1);
      entities.push(language ? { ...entity, language } : entity);
      return;
    }
  }
  entities.push(entity);
}

/** Accepts absolute http(s)/tg URLs and bare domains (Telegram prepends http://). */
export function normalizeUrl(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  if (/^tg:\/\//i.test(value)) return value;
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  try {
    const url = new URL(candidate);
    if (!['http:', 'https:', 'ftp:', 'tonsite:'].includes(url.protocol)) return undefined;
    if (!url.hostname.includes('.') && url.hostname !== 'localhost') return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
}

export function compareEntities(a: MessageEntity, b: MessageEntity): number {
  return a.offset - b.offset || b.length - a.length;
}
