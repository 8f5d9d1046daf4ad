/** Lowercase, NFKC, `ё` → `е`, single spaces: the form keyword matching works on. */
export function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();
}

export function words(text: string): string[] {
  return normalise(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}

/**
 * Whether a keyword or phrase occurs in the text at word boundaries (`price` matches
 * "the price?" but not "priceless"; a keyword ending in `*` matches as a prefix: `дорог*`).
 */
export function containsKeyword(text: string, keyword: string): boolean {
  const hay = ` ${normalise(text).replace(/[^\p{L}\p{N}*' ]+/gu, ' ')} `;
  const k = normalise(keyword);
  if (!k) return false;
  if (k.endsWith('*')) {
    const stem = k.slice(0, -1).replace(/[^\p{L}\p{N}' ]+/gu, ' ');
    return hay.includes(` ${stem}`);
  }
  const needle = k.replace(/[^\p{L}\p{N}' ]+/gu, ' ').trim();
  return hay.replace(/\s+/g, ' ').includes(` ${needle} `);
}

export function firstKeyword(text: string, keywords: readonly string[]): string | undefined {
  return keywords.find((k) => containsKeyword(text, k));
}

const NUMBER = /\d+(?:[.,]\d+)?/g;

/** Numbers in a text, normalised (`1,5` → `1.5`), for the invented-figure guard. */
export function numbersIn(text: string): string[] {
  return (text.match(NUMBER) ?? []).map((n) => n.replace(',', '.'));
}
