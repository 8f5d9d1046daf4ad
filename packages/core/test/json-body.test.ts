import { describe, expect, it } from 'vitest';
import { byteLimit, parseStrictJson } from '../src/http/json-body.js';

const parse = (text: string) => parseStrictJson(Buffer.from(text, 'utf8'));
const refusal = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    return { syntax: error instanceof SyntaxError, status: (error as { status?: number }).status };
  }
  return undefined;
};

describe('parseStrictJson (the webhook fast path: co-body strict JSON with bourne)', () => {
  it('parses objects and arrays after JSON whitespace; an empty body is {}', () => {
    expect(parse('{"update_id":1,"message":{"text":"hi"}}')).toEqual({
      update_id: 1,
      message: { text: 'hi' },
    });
    expect(parse(' \n\t[1,2]')).toEqual([1, 2]);
    expect(parse('')).toEqual({});
    expect(parse('\ufeff{"a":1}')).toEqual({ a: 1 }); // a BOM is dropped, as raw-body's decoder does
  });

  it('refuses scalars, bad JSON and __proto__ keys (escaped too) with a 400 SyntaxError', () => {
    for (const text of ['1', '"x"', 'null', '{"update_id":', '{"a":1}x', '{"__proto__":{"x":1}}']) {
      expect(refusal(text), text).toEqual({ syntax: true, status: 400 });
    }
    expect(refusal('{"a":[{"\\u005f_proto__":{}}]}')).toEqual({ syntax: true, status: 400 });
    // Only keys count: the text "__proto__" as a value is fine.
    expect(parse('{"text":"__proto__"}')).toEqual({ text: '__proto__' });
    expect(parse('{"text":"\\"__proto__\\": 1"}')).toEqual({ text: '"__proto__": 1' });
  });
});

describe('byteLimit', () => {
  it('reads bodyparser-style limits, and says when it does not understand one', () => {
    expect(byteLimit('1mb')).toBe(1024 * 1024);
    expect(byteLimit('16kb')).toBe(16 * 1024);
    expect(byteLimit('100')).toBe(100);
    expect(byteLimit(2048)).toBe(2048);
    expect(byteLimit('lots')).toBeUndefined();
  });
});
