import { describe, expect, it } from 'vitest';
import { matchesFilter } from '../src/vector/filter.js';
import { embedTextLocally, LocalEmbeddings } from '../src/vector/local-embeddings.js';
import { splitText } from '../src/vector/text-splitter.js';

const cosine = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('local feature-hashing embeddings', () => {
  it('are deterministic, L2-normalised and 384-dimensional by default', async () => {
    const embeddings = new LocalEmbeddings();
    expect(embeddings.dimensions).toBe(384);
    expect(embeddings.model).toBe('local-hash-384');
    const [a, b] = await embeddings.embedDocuments(['The quick brown fox', 'The quick brown fox']);
    expect(a).toHaveLength(384);
    expect(a).toEqual(b);
    expect(cosine(a!, a!)).toBeCloseTo(1, 6);
    expect(await embeddings.embedQuery('The quick brown fox')).toEqual(a);
    expect(embedTextLocally('', 16)).toEqual(new Array(16).fill(0));
    expect(new LocalEmbeddings({ dimensions: 64 }).model).toBe('local-hash-64');
  });

  it('place related wording closer than unrelated text, in English and Russian', () => {
    const e = (t: string) => embedTextLocally(t);
    const car = e('I rented a blue car for the weekend');
    expect(cosine(car, e('renting cars for a weekend trip'))).toBeGreaterThan(
      cosine(car, e('my grandmother bakes apple pie')),
    );
    // Inflected Russian forms share character n-grams.
    const ru = e('Машина сломалась на трассе');
    expect(cosine(ru, e('сломанная машину на трассу'))).toBeGreaterThan(0.3);
    expect(cosine(ru, e('Бабушка печёт яблочный пирог'))).toBeLessThan(0.15);
    // Case and ё do not matter.
    expect(e('ЁЛКА Зелёная')).toEqual(e('елка зеленая'));
  });
});

describe('metadata filters', () => {
  it('match scalars, any-of lists, array values, null and number/string ids', () => {
    const meta = { kind: 'fact', tags: ['a', 'b'], user: 42, lang: null };
    expect(matchesFilter(meta, { kind: 'fact' })).toBe(true);
    expect(matchesFilter(meta, { kind: 'summary' })).toBe(false);
    expect(matchesFilter(meta, { kind: ['summary', 'fact'] })).toBe(true);
    expect(matchesFilter(meta, { tags: 'b' })).toBe(true);
    expect(matchesFilter(meta, { tags: ['c', 'a'] })).toBe(true);
    expect(matchesFilter(meta, { user: '42' })).toBe(true);
    expect(matchesFilter(meta, { lang: null, missing: null })).toBe(true);
    expect(matchesFilter(meta, { kind: 'fact', user: 7 })).toBe(false);
    expect(matchesFilter(undefined, { kind: 'fact' })).toBe(false);
  });
});

describe('splitText', () => {
  it('splits on natural boundaries within the chunk size, with overlap', async () => {
    const paragraph = (n: number) =>
      Array.from({ length: 8 }, (_, i) => `Paragraph ${n} sentence ${i} talks about topic ${n}.`).join(' ');
    const text = [paragraph(1), paragraph(2), paragraph(3)].join('\n\n');
    const chunks = await splitText(text, { chunkSize: 200, overlap: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
    // Every sentence survives somewhere.
    for (let n = 1; n <= 3; n += 1) {
      for (let i = 0; i < 8; i += 1) {
        expect(chunks.some((c) => c.includes(`Paragraph ${n} sentence ${i} talks`))).toBe(true);
      }
    }
    // Neighbouring chunks of one paragraph share text.
    const shared = chunks.slice(1).filter((chunk, i) => {
      const tail = chunks[i]!.slice(-20);
      return chunk.includes(tail.trim().split(' ').slice(-2).join(' '));
    });
    expect(shared.length).toBeGreaterThan(0);
    expect(await splitText('short text')).toEqual(['short text']);
    expect(await splitText('   ')).toEqual([]);
    await expect(splitText('x', { chunkSize: 5 })).rejects.toThrow(RangeError);
  });
});
