import { describe, expect, it } from 'vitest';
import { resolvePluginConfig } from '../../core/src/config/resolve-config.js';
import memoryPlugin from '../src/index.js';

describe('memory settings table', () => {
  it('shows token budgets (numbers, not credentials) unmasked', () => {
    const env = { BOTLOOM_MEMORY_PROMPT_TOKEN_BUDGET: '4096', BOTLOOM_MEMORY_REPLY_MAX_TOKENS: '500' };
    const result = resolvePluginConfig(memoryPlugin(), { dotenv: {}, env });
    expect(result.problems).toEqual([]);
    const rows = Object.fromEntries(result.rows.map((r) => [r.name, r]));
    expect(rows.promptTokenBudget).toMatchObject({ secret: false, value: 4096, source: 'env' });
    expect(rows.replyMaxTokens).toMatchObject({ secret: false, value: 500, source: 'env' });
  });
});
