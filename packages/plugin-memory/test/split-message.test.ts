import { describe, expect, it } from 'vitest';
import { splitMessage, TELEGRAM_TEXT_LIMIT } from '../src/services/split-message.js';

const joinedLength = (parts: string[]) => parts.every((p) => p.length <= TELEGRAM_TEXT_LIMIT);

describe('splitMessage', () => {
  it('keeps a short text as one message', () => {
    expect(splitMessage('Hello there.')).toEqual(['Hello there.']);
    expect(splitMessage('')).toEqual([]);
  });

  it('splits on paragraph boundaries first', () => {
    const p1 = 'a'.repeat(3000);
    const p2 = 'b'.repeat(3000);
    expect(splitMessage(`${p1}\n\n${p2}`)).toEqual([p1, p2]);
  });

  it('falls back to sentence boundaries inside one long paragraph', () => {
    const sentence = 'This is a sentence of moderate length that ends here. ';
    const text = sentence.repeat(120).trim(); // ~6.5k characters, no newlines
    const parts = splitMessage(text);
    expect(parts.length).toBe(2);
    expect(joinedLength(parts)).toBe(true);
    expect(parts[0].endsWith('ends here.')).toBe(true);
    expect(parts.join(' ')).toBe(text);
  });

  it('falls back to word boundaries, then to a hard cut', () => {
    const words = Array.from({ length: 1500 }, (_, i) => `word${i}`).join(' ');
    const parts = splitMessage(words);
    expect(joinedLength(parts)).toBe(true);
    expect(parts.join(' ')).toBe(words);
    for (const p of parts) expect(p).toMatch(/^word\d+.*word\d+$/);

    const solid = 'x'.repeat(10_000);
    const hard = splitMessage(solid);
    expect(hard.map((p) => p.length)).toEqual([4096 - 4, 4096 - 4, 10_000 - 2 * 4092]);
    expect(hard.join('')).toBe(solid);
  });

  it('never splits a surrogate pair', () => {
    const text = '😀'.repeat(5000); // 10000 UTF-16 units, no spaces
    const parts = splitMessage(text);
    expect(joinedLength(parts)).toBe(true);
    for (const p of parts) expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    expect(parts.join('')).toBe(text);
  });

  it('closes and reopens a code block that is cut', () => {
    const code = Array.from({ length: 400 }, (_, i) => `const value${i} = compute(${i});`).join('\n');
    const text = `Here is the code:\n\n\`\`\`ts\n${code}\n\`\`\`\n\nThat is all.`;
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(joinedLength(parts)).toBe(true);
    expect(parts[0].endsWith('\n```')).toBe(true);
    expect(parts[1].startsWith('```ts\n')).toBe(true);
    for (const p of parts) expect((p.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(parts[parts.length - 1].endsWith('That is all.')).toBe(true);
  });

  it('honours a custom limit', () => {
    const parts = splitMessage('one two three four five six seven eight nine ten', 20);
    expect(parts.every((p) => p.length <= 20)).toBe(true);
    expect(parts.join(' ')).toBe('one two three four five six seven eight nine ten');
  });
});
