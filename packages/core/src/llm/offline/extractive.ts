import { STOP_WORDS, words } from '../../vector/text-features.js';

/** Crude, language-agnostic stemming: the first five letters (enough for en and ru inflections). */
export function stem(word: string): string {
  return word.length > 5 ? word.slice(0, 5) : word;
}

export function contentTerms(text: string): string[] {
  return words(text)
    .filter((w) => !STOP_WORDS.has(w) && (w.length > 1 || /\d/.test(w)))
    .map(stem);
}

/** Splits text into sentences (also on line breaks and list items). */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?…])\s+(?=[\p{Lu}\p{N}"«(])/u))
    .map((s) => s.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .filter((s) => s.length > 0 && /[\p{L}\p{N}]/u.test(s));
}

export interface RankedSentence {
  text: string;
  index: number;
  score: number;
}

/** BM25 of each passage against the query terms (k1 = 1.2, b = 0.75). */
export function rankByBm25(passages: string[], query: string): RankedSentence[] {
  const queryTerms = [...new Set(contentTerms(query))];
  const docs = passages.map((p) => contentTerms(p));
  const n = docs.length;
  if (n === 0 || queryTerms.length === 0) return passages.map((text, index) => ({ text, index, score: 0 }));
  const avgLength = docs.reduce((sum, d) => sum + d.length, 0) / n || 1;
  const documentFrequency = new Map<string, number>();
  for (const doc of docs)
    for (const term of new Set(doc)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  return passages.map((text, index) => {
    const doc = docs[index]!;
    let score = 0;
    for (const term of queryTerms) {
      const tf = doc.filter((t) => t === term).length;
      if (tf === 0) continue;
      const df = documentFrequency.get(term) ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      score += (idf * tf * 2.2) / (tf + 1.2 * (1 - 0.75 + (0.75 * doc.length) / avgLength));
    }
    return { text, index, score };
  });
}

/** The best passages for a query, in their original order; only those that share terms with it. */
export function bestPassages(passages: string[], query: string, max = 3): RankedSentence[] {
  const ranked = rankByBm25(passages, query).filter((r) => r.score > 0);
  ranked.sort((a, b) => b.score - a.score);
  if (ranked.length === 0) return [];
  // Keep passages that score at least a third of the best one: weak matches only add noise.
  const threshold = ranked[0]!.score / 3;
  return ranked
    .filter((r) => r.score >= threshold)
    .slice(0, max)
    .sort((a, b) => a.index - b.index);
}

/**
 * Extractive summary: sentences scored by how many of the text's frequent content terms they
 * carry (centrality), with a small bonus for coming early; the top ones in original order.
 */
export function summarizeExtractively(text: string, maxSentences = 3): string[] {
  const sentences = splitSentences(text);
  if (sentences.length <= maxSentences) return sentences;
  const frequency = new Map<string, number>();
  const terms = sentences.map((s) => contentTerms(s));
  for (const sentenceTerms of terms)
    for (const t of new Set(sentenceTerms)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
  const scored = sentences.map((text, index) => {
    const unique = [...new Set(terms[index]!)];
    const centrality =
      unique.reduce((sum, t) => sum + (frequency.get(t)! - 1), 0) / Math.sqrt(unique.length + 1);
    const position = 1 - index / (sentences.length * 2);
    return { text, index, score: centrality + 0.5 * position };
  });
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, maxSentences)
    .sort((a, b) => a.index - b.index)
    .map((s) => s.text);
}
