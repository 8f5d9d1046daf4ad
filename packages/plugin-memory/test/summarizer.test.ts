import { describe, expect, it } from 'vitest';
import type { StoredMessage } from '../src/services/session-service.js';
import { normaliseSummary } from '../src/services/session-summarizer.js';

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
