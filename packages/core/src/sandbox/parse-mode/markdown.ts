import type { MessageEntity } from 'grammy/types';
import { badRequest } from '../api-error.js';
import type { FormattedText } from './formatted-text.js';
import { compareEntities, normalizeUrl } from './html.js';
import { byteOffset } from './utf8.js';

/** Telegram's legacy `Markdown` parse mode: *bold*, _italic_, `code`, ```pre```, [text](url). */
export function parseLegacyMarkdown(text: string): FormattedText {
  let result = '';
  const entities: MessageEntity[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && '_*`['.includes(text[i + 1] ?? 'x')) {
      result += text[++i];
      continue;
    }
    if (!'_*`['.includes(c)) {
      result += c;
      continue;
    }
    const beginPos = i;
    const endChar = c === '[' ? ']' : c;
    let isPre = false;
    let language = '';
    i++;
    if (c === '`' && text[i] === '`' && text[i + 1] === '`') {
      i += 2;
      isPre = true;
      const languageEnd = text.slice(i).search(/[\s`]/);
      if (languageEnd > 0 && text[i + languageEnd] === '\n') {
        language = text.slice(i, i + languageEnd);
        i += languageEnd + 1;
      } else if (text[i] === '\n') {
        i++;
      }
    }
    const offset = result.length;
    while (
      i < text.length &&
      (text[i] !== endChar || (isPre && !(text[i + 1] === '`' && text[i + 2] === '`')))
    ) {
      result += text[i++];
    }
    if (i >= text.length) {
      throw badRequest(
        `can't parse entities: Can't find end of the entity starting at byte offset ${byteOffset(text, beginPos)}`,
      );
    }
    const length = result.length - offset;
    if (isPre) i += 2;
    if (c === '[') {
      let url = '';
      if (text[i + 1] === '(') {
        const close = text.indexOf(')', i + 2);
        if (close >= 0) {
          url = text.slice(i + 2, close);
          i = close;
        }
      }
      const normalized = normalizeUrl(url);
      if (length > 0 && normalized) entities.push({ type: 'text_link', offset, length, url: normalized });
      continue;
    }
    if (length === 0) continue;
    if (c === '*') entities.push({ type: 'bold', offset, length });
    else if (c === '_') entities.push({ type: 'italic', offset, length });
    else if (isPre)
      entities.push(
        language
          ? ({ type: 'pre', offset, length, language } as MessageEntity)
          : { type: 'pre', offset, length },
      );
    else entities.push({ type: 'code', offset, length });
  }
  return { text: result, entities: entities.sort(compareEntities) };
}
