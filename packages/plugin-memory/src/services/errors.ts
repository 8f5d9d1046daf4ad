import { InvalidInputError, NotFoundError } from '@botloom/core';

/** A session, memory or user that does not exist (or belongs to someone else). */
export class MemoryNotFoundError extends NotFoundError {
  constructor(what: string, id: string) {
    super(`${what} ${id} not found`, { code: 'MEMORY_NOT_FOUND' });
  }
}

/** User input the agent refuses before anything is stored (too long, empty). */
export class MemoryInputError extends InvalidInputError {
  constructor(
    readonly reason: 'empty' | 'too_long',
    readonly limit?: number,
  ) {
    super(`Invalid input: ${reason}`, { code: 'MEMORY_INVALID_INPUT' });
  }
}

export type LlmFailureKind = 'budget' | 'unavailable' | 'other';

/** Classifies an error from core Llm by its stable code (the classes live in core). */
export function classifyLlmError(error: unknown): { kind: LlmFailureKind; resetsAt?: Date } {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'LLM_BUDGET_EXCEEDED') {
    const e = error as { resetsAt?: unknown; details?: { resetsAt?: unknown } };
    const raw = e.resetsAt ?? e.details?.resetsAt;
    const resetsAt = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
    return { kind: 'budget', resetsAt: resetsAt && !Number.isNaN(resetsAt.getTime()) ? resetsAt : undefined };
  }
  if (code === 'LLM_UNAVAILABLE') return { kind: 'unavailable' };
  return { kind: 'other' };
}
