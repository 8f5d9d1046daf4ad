import { describe, expect, it } from 'vitest';
import { extractUserFacts, phraseTitle } from '../src/services/offline-extraction.js';
import type { StoredMessage } from '../src/services/session-service.js';
import { normaliseSummary, offlineSummary } from '../src/services/session-summarizer.js';

const message = (content: string): StoredMessage =>
  ({ role: 'user', content, createdAt: new Date() }) as StoredMessage;

describe('normaliseSummary', () => {
  it('drops facts that repeat the summary or each other', () => {
    const result = normaliseSummary(
      {
        title: ' Porto ',
        summary: 'My sister Maria lives in Porto.',
        facts: ['my sister Maria lives in  Porto', 'Maria is an architect.', 'Maria is an architect', ' '],
      },
      [message('My sister Maria lives in Porto.')],
    );
    expect(result).toEqual({
      title: 'Porto',
      summary: 'My sister Maria lives in Porto.',
      facts: ['Maria is an architect.'],
    });
  });

  it("falls back to the user's words when the summary is empty", () => {
    const result = normaliseSummary({ title: '', summary: '', facts: [] }, [
      message('I like tea'),
      message('and jam'),
    ]);
    expect(result).toEqual({ title: 'I like tea', summary: 'I like tea and jam', facts: [] });
  });
});

const said = (role: 'user' | 'assistant', content: string): StoredMessage =>
  ({ role, content, createdAt: new Date() }) as StoredMessage;

describe('offline extraction (no model)', () => {
  it('keeps the name, the city and the dog, drops the greeting', () => {
    const result = offlineSummary([
      said('user', 'Hi! My name is Alex and I live in Lisbon. I have a dog named Biscuit.'),
      said('assistant', '[offline] No language model is configured…'),
    ]);
    expect(result).toEqual({
      title: 'My name is Alex',
      summary: 'My name is Alex and I live in Lisbon. I have a dog named Biscuit.',
      facts: [],
    });
  });

  it('drops questions, greetings, thanks and commands; keeps statements about the user', () => {
    expect(
      extractUserFacts([
        'Where do I live?',
        'do I like tea',
        'Привет!',
        'Спасибо, Меня зовут Ольга.',
        'Как зовут моего кота?',
        '/memories',
        'The weather is nice today.',
        'Моего кота зовут Барсик.',
      ]),
    ).toEqual(['Меня зовут Ольга.', 'Моего кота зовут Барсик.']);
    // A session of questions only leaves nothing to remember.
    expect(offlineSummary([said('user', 'Where do I live?'), said('user', 'hello')])).toBeNull();
  });

  it('ends titles at a phrase boundary', () => {
    expect(phraseTitle('My name is Alex and I live in Lisbon.')).toBe('My name is Alex');
    expect(phraseTitle('I moved to Berlin last year, and I started learning German there')).toBe(
      'I moved to Berlin last year',
    );
    expect(phraseTitle('I have a dog named Biscuit.')).toBe('I have a dog named Biscuit');
    expect(phraseTitle('I really like spending long weekends hiking in the mountains near Sintra')).toBe(
      'I really like spending long weekends hiking in…',
    );
  });
});
