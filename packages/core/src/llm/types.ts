import type { ZodType } from 'zod';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  messages: ChatMessage[];
  /** What the call is for (`memory.reply`, `support.answer`, ...): usage accounting, fake-server scripting, model choice. */
  purpose: string;
  /** Explicit model; otherwise LLM_MODEL, or LLM_MODEL_FAST when `fast` is set. */
  model?: string;
  fast?: boolean;
  temperature?: number;
  maxTokens?: number;
  /** End-user id (e.g. Telegram user id) for budgets and usage. */
  user?: string;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatResult {
  content: string;
  model: string;
  usage: TokenUsage;
  latencyMs: number;
  /** True when the offline provider answered (no model was called). */
  offline: boolean;
}

export interface StructuredRequest<T> extends ChatRequest {
  schema: ZodType<T>;
  schemaName?: string;
}

export interface StructuredResult<T> extends Omit<ChatResult, 'content'> {
  data: T;
}

export interface BudgetStatus {
  used: number;
  limit: number | null;
  remaining: number | null;
  resetsAt: Date;
}

/** The gateway every plugin uses instead of an OpenAI client. Scoped per plugin. */
export interface Llm {
  readonly offline: boolean;
  chat(request: ChatRequest): Promise<ChatResult>;
  structured<T>(request: StructuredRequest<T>): Promise<StructuredResult<T>>;
  /** Yields text deltas; the final result (with usage) resolves when the stream ends. */
  stream(request: ChatRequest): { chunks: AsyncIterable<string>; result: Promise<ChatResult> };
  budget(user: string): Promise<BudgetStatus>;
}
