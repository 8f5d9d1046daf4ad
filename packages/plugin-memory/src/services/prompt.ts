import { type ChatMessage, formatContextBlock } from '@botloom/core';
import type { Profile } from './profile-service.js';
import { estimateMessageTokens } from './token-estimate.js';

const ROLE_INSTRUCTIONS: Record<Exclude<Profile['role'], 'custom'>, string> = {
  coder:
    'You are an expert software engineer and pair programmer. Give precise, working code and explain trade-offs briefly.',
  product_manager:
    'You are an experienced product manager. Think in user problems, outcomes, priorities and measurable results.',
  assistant:
    'You are a helpful personal assistant. Be practical, organised and kind; help the user plan and get things done.',
};

const LENGTH_INSTRUCTIONS: Record<Profile['answerLength'], string> = {
  short: 'Keep answers short: a few sentences at most.',
  normal: 'Keep answers reasonably concise.',
  detailed: 'Give detailed, thorough answers with examples where useful.',
};

const LANGUAGE_INSTRUCTIONS: Record<Profile['answerLanguage'], string> = {
  auto: "Answer in the language of the user's message.",
  en: 'Always answer in English.',
  ru: 'Always answer in Russian.',
};

/** The system prompt of a profile: role, answer language and length. Never dropped from a prompt. */
export function systemPromptFor(profile: Profile): string {
  const role =
    profile.role === 'custom' && profile.customInstruction
      ? `Follow the user's instruction for your role: ${profile.customInstruction}`
      : ROLE_INSTRUCTIONS[profile.role === 'custom' ? 'assistant' : profile.role];
  return [
    role,
    LANGUAGE_INSTRUCTIONS[profile.answerLanguage],
    LENGTH_INSTRUCTIONS[profile.answerLength],
    'You remember earlier sessions with this user through the memories given to you; use them when relevant and do not invent memories.',
  ].join('\n');
}

export const MEMORIES_HEADER = 'What you remember about the user from earlier sessions:';

export interface PromptMemory {
  id: string;
  content: string;
  score: number;
}

export interface PromptInput {
  system: string;
  memories: PromptMemory[];
  /** Earlier messages of the session, oldest first (without the current message). */
  turns: ChatMessage[];
  userMessage: string;
  budgetTokens: number;
}

export interface BuiltPrompt {
  messages: ChatMessage[];
  estimatedTokens: number;
  /** Memories included, best first. */
  memories: PromptMemory[];
  /** What was left out: the number of oldest turns, and memories in the order they were dropped. */
  dropped: { turns: number; memories: PromptMemory[] };
  /** True when even the profile and the message alone exceed the budget (sent anyway). */
  overBudget: boolean;
}

function memoriesMessage(memories: PromptMemory[]): ChatMessage | null {
  if (memories.length === 0) return null;
  return {
    role: 'system',
    // Core's marked context block: a model reads the memories as reference material, and the
    // offline provider quotes only them (never the profile's instructions or the conversation).
    content: `${MEMORIES_HEADER}\n${formatContextBlock(memories.map((m) => m.content))}`,
  };
}

/**
 * Assembles the prompt within `budgetTokens`. Layout: system (profile), memories (best first),
 * recent turns (oldest first), the user's message. When it does not fit, it drops, in order:
 *   1. the oldest turns, one by one, until none are left;
 *   2. then the lowest-scoring memories, one by one.
 * The profile and the current message are never dropped.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const system: ChatMessage = { role: 'system', content: input.system };
  const user: ChatMessage = { role: 'user', content: input.userMessage };
  let memories = [...input.memories].sort((a, b) => b.score - a.score);
  let turns = [...input.turns];
  const droppedMemories: PromptMemory[] = [];
  let droppedTurns = 0;

  const cost = () => {
    const mem = memoriesMessage(memories);
    return (
      estimateMessageTokens(system) +
      (mem ? estimateMessageTokens(mem) : 0) +
      turns.reduce((sum, t) => sum + estimateMessageTokens(t), 0) +
      estimateMessageTokens(user)
    );
  };

  let total = cost();
  while (total > input.budgetTokens && (turns.length > 0 || memories.length > 0)) {
    if (turns.length > 0) {
      turns = turns.slice(1);
      droppedTurns++;
    } else {
      droppedMemories.push(memories[memories.length - 1]);
      memories = memories.slice(0, -1);
    }
    total = cost();
  }

  const mem = memoriesMessage(memories);
  return {
    messages: [system, ...(mem ? [mem] : []), ...turns, user],
    estimatedTokens: total,
    memories,
    dropped: { turns: droppedTurns, memories: droppedMemories },
    overBudget: total > input.budgetTokens,
  };
}
