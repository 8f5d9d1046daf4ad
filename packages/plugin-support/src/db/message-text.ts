import type { Crypto } from '@botloom/core';

/** Hex characters kept of each term's keyed hash: 64 bits, collisions negligible at transcript scale. */
const TERM_HASH_CHARS = 16;
/** Terms indexed per message at most (a pasted document does not bloat the index). */
const MAX_TERMS = 256;
const MIN_TERM_LENGTH = 2;

/** What `support_messages` stores for a message's text. */
export interface SealedText {
  /** `text` column: always '' for rows written encrypted (kept for rows older than encryption). */
  text: string;
  /** `text_enc` column: the text encrypted with core's crypto, null for an empty text. */
  textEnc: string | null;
  /** `search_terms` column: keyed hashes of the text's normalised words. */
  searchTerms: string[];
}

/**
 * The words of a text as the search index sees them: Unicode-normalised (NFKC), lowercased,
 * `ё` folded to `е`, split on anything that is not a letter or digit, at least 2 characters,
 * each once.
 */
export function normalisedTerms(text: string): string[] {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= MIN_TERM_LENGTH);
  return [...new Set(words)];
}

/**
 * Encryption at rest of support message text, as plugin-memory does for its content: the text
 * is encrypted with core's crypto (`text_enc`), and a blind index of keyed hashes (HMAC with a
 * key derived from ENCRYPTION_KEY) of its normalised words (`search_terms`) lets admins search
 * transcripts without the database holding any plaintext.
 *
 * Rows written before encryption keep their plaintext in `text` until the start-up backfill
 * (`encryptPlaintextMessages`) seals them; `open` reads both forms.
 */
export class MessageTextCodec {
  constructor(private readonly crypto: Crypto) {}

  seal(text: string): SealedText {
    return {
      text: '',
      textEnc: text ? this.crypto.encrypt(text) : null,
      searchTerms: this.termHashes(normalisedTerms(text).slice(0, MAX_TERMS)),
    };
  }

  /** The message text of a stored row (encrypted, or plaintext from before encryption). */
  open(row: { text?: unknown; text_enc?: unknown }): string {
    if (typeof row.text_enc === 'string' && row.text_enc) return this.crypto.decrypt(row.text_enc);
    return String(row.text ?? '');
  }

  /** The index entries a search for `query` must all find (every word of the query). */
  queryHashes(query: string): string[] {
    return this.termHashes(normalisedTerms(query));
  }

  private termHashes(terms: string[]): string[] {
    return terms.map((term) => this.crypto.digest(`support.search:${term}`).slice(0, TERM_HASH_CHARS));
  }
}

/** Search terms as a PostgreSQL array literal (hex hashes need no quoting), for `CAST(:terms AS TEXT[])`. */
export function termsParam(terms: string[]): string {
  return `{${terms.join(',')}}`;
}
