import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../src/services/profile-service.js';
import { buildPrompt, MEMORIES_HEADER, systemPromptFor } from '../src/services/prompt.js';
import { estimateMessageTokens } from '../src/services/token-estimate.js';

const memory = (id: string, score: number, words = 20) => ({
  id,
  score,
  content: `${id} ${'memo '.repeat(words)}`.trim(),
});
const turn = (i: number, words = 30) => ({
  role: (i % 2 === 0 ? 'user' : 'assistant') as 'user' | 'assistant',
  content: `turn${i} ${'text '.repeat(words)}`.trim(),
});

describe('buildPrompt', () => {
  const system = systemPromptFor({ ...defaultProfile('1'), role: 'coder', answerLength: 'short' });
  const memories = [memory('m-low', 0.2), memory('m-high', 0.9), memory('m-mid', 0.5)];
  const turns = [turn(0), turn(1), turn(2), turn(3)];

  it('includes everything, in order, when the budget allows', () => {
    const p = buildPrompt({ system, memories, turns, userMessage: 'question?', budgetTokens: 10_000 });
    expect(p.messages[0]).toEqual({ role: 'system', content: system });
    expect(p.messages[1].content.startsWith(MEMORIES_HEADER)).toBe(true);
    // best memory first
    expect(p.messages[1].content.indexOf('m-high')).toBeLessThan(p.messages[1].content.indexOf('m-mid'));
    expect(p.messages.slice(2, 6)).toEqual(turns);
    expect(p.messages[6]).toEqual({ role: 'user', content: 'question?' });
    expect(p.dropped).toEqual({ turns: 0, memories: [] });
    expect(p.overBudget).toBe(false);
  });

  it('drops the oldest turns first, then the lowest-scoring memories; the profile stays', () => {
    const full = buildPrompt({ system, memories, turns, userMessage: 'question?', budgetTokens: 10_000 });
    const turnCost = estimateMessageTokens(turns[0]);

    // Room for everything but two turns: the two oldest go.
    const p1 = buildPrompt({
      system,
      memories,
      turns,
      userMessage: 'question?',
      budgetTokens: full.estimatedTokens - turnCost - 1,
    });
    expect(p1.dropped.turns).toBe(2);
    expect(p1.dropped.memories).toEqual([]);
    expect(
      p1.messages.filter((m) => m.content.startsWith('turn')).map((m) => m.content.split(' ')[0]),
    ).toEqual(['turn2', 'turn3']);
    expect(p1.estimatedTokens).toBeLessThanOrEqual(full.estimatedTokens - turnCost - 1);

    // Very tight: all turns go, then memories from the lowest score up; the profile and message stay.
    const onlyBest = buildPrompt({
      system,
      memories: [memories[1]],
      turns: [],
      userMessage: 'question?',
      budgetTokens: 10_000,
    }).estimatedTokens;
    const tight = buildPrompt({ system, memories, turns, userMessage: 'question?', budgetTokens: onlyBest });
    expect(tight.dropped.turns).toBe(4);
    expect(tight.dropped.memories.map((m) => m.id)).toEqual(['m-low', 'm-mid']);
    expect(tight.memories.map((m) => m.id)).toEqual(['m-high']);
    expect(tight.messages[0].content).toBe(system);
    expect(tight.messages[tight.messages.length - 1].content).toBe('question?');
    expect(tight.estimatedTokens).toBeLessThanOrEqual(onlyBest);
  });

  it('never drops the profile or the message, and says when the budget is still exceeded', () => {
    const p = buildPrompt({ system, memories, turns, userMessage: 'long '.repeat(500), budgetTokens: 50 });
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(p.overBudget).toBe(true);
  });
});

describe('systemPromptFor', () => {
  it('reflects the role, language and length', () => {
    const custom = systemPromptFor({
      ...defaultProfile('1'),
      role: 'custom',
      customInstruction: 'Talk like a pirate',
      answerLanguage: 'ru',
      answerLength: 'detailed',
    });
    expect(custom).toContain('Talk like a pirate');
    expect(custom).toContain('Russian');
    expect(custom).toContain('detailed');
    expect(systemPromptFor({ ...defaultProfile('1'), role: 'product_manager' })).toContain('product manager');
  });
});
