import { fnv1a, STOP_WORDS, words } from './text-features.js';
import type { EmbeddingsProvider } from './types.js';

export interface LocalEmbeddingsOptions {
  /** Vector size; 384 by default. */
  dimensions?: number;
}

const WEIGHT_WORD = 1;
const WEIGHT_STOP_WORD = 0.15;
const WEIGHT_BIGRAM = 0.6;
const WEIGHT_CHAR_NGRAM = 0.35;

function addFeature(vector: Float64Array, feature: string, weight: number): void {
  const hash = fnv1a(feature);
  const index = hash % vector.length;
  // A second hash decides the sign, so collisions cancel out on average instead of piling up.
  const sign = fnv1a(feature, 0x9747b28c) & 1 ? 1 : -1;
  vector[index] += sign * weight;
}

/**
 * Feature-hashing embedding of one text: word unigrams and bigrams plus character 3- and
 * 4-grams of each word (which catch inflected forms, important for Russian), sublinear in
 * repetitions, L2-normalised. Deterministic and dependency-free; similar wording gives a high
 * cosine similarity, synonyms do not (it is lexical, not semantic).
 */
export function embedTextLocally(text: string, dimensions = 384): number[] {
  const vector = new Float64Array(dimensions);
  const tokens = words(text);
  for (let i = 0; i < tokens.length; i += 1) {
    const word = tokens[i]!;
    const stop = STOP_WORDS.has(word);
    addFeature(vector, `w:${word}`, stop ? WEIGHT_STOP_WORD : WEIGHT_WORD);
    if (i > 0) addFeature(vector, `b:${tokens[i - 1]} ${word}`, WEIGHT_BIGRAM * (stop ? 0.5 : 1));
    if (stop) continue;
    const padded = `<${word}>`;
    for (const n of [3, 4]) {
      for (let j = 0; j + n <= padded.length; j += 1) {
        addFeature(vector, `c${n}:${padded.slice(j, j + n)}`, WEIGHT_CHAR_NGRAM);
      }
    }
  }
  let norm = 0;
  for (let i = 0; i < dimensions; i += 1) {
    // Sublinear term frequency: a word repeated ten times is not ten times as important.
    const v = vector[i]!;
    const damped = Math.sign(v) * Math.log1p(Math.abs(v));
    vector[i] = damped;
    norm += damped * damped;
  }
  const out = new Array<number>(dimensions);
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i += 1) out[i] = vector[i]! * scale;
  return out;
}

/** The offline default: local feature-hashing embeddings (model name `local-hash-<dims>`). */
export class LocalEmbeddings implements EmbeddingsProvider {
  readonly dimensions: number;
  readonly model: string;

  constructor(options: LocalEmbeddingsOptions = {}) {
    this.dimensions = options.dimensions ?? 384;
    this.model = `local-hash-${this.dimensions}`;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => embedTextLocally(text, this.dimensions));
  }

  async embedQuery(text: string): Promise<number[]> {
    return embedTextLocally(text, this.dimensions);
  }
}
