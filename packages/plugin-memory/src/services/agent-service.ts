import type { Llm } from '@botloom/core';
import type { Logger } from 'pino';
import type { MemoryConfig } from '../config.js';
import { MemoryInputError } from './errors.js';
import type { MemoryStore, RetrievedMemory } from './memory-store.js';
import type { ProfileService } from './profile-service.js';
import { type BuiltPrompt, buildPrompt, systemPromptFor } from './prompt.js';
import type { SessionLifecycle } from './session-lifecycle.js';
import type { Session, SessionService } from './session-service.js';

export const REPLY_PURPOSE = 'memory.reply';

/** Offline, with no remembered fact matching: nobody else answers in the memory agent. */
export const OFFLINE_NO_MATCH = {
  en: 'No language model is configured, so I can only recall what you told me, and nothing I remember matches this message. Tell me more, or ask about something you shared earlier.',
  ru: 'Языковая модель не подключена, поэтому я могу только вспоминать то, что вы мне рассказывали, а по этому сообщению я ничего не помню. Расскажите подробнее или спросите о том, чем вы делились раньше.',
};

/** At least one character that is not a space, a zero-width character or a BOM. */
const HAS_VISIBLE_CHARACTER = /[^\s\u200b-\u200f\u2060\ufeff]/u;

export interface AgentReply {
  reply: string;
  session: Session;
  prompt: BuiltPrompt;
  memories: RetrievedMemory[];
  offline: boolean;
}

type AgentSettings = Pick<
  MemoryConfig,
  | 'maxMessageChars'
  | 'promptTokenBudget'
  | 'recentTurns'
  | 'memoriesTopK'
  | 'memoryMinScore'
  | 'replyMaxTokens'
>;

/**
 * One turn of the conversation with the agent. The user's message is stored before the model
 * is called, so a failing model (budget, outage) loses nothing: the caller apologises and the
 * user can simply try again.
 */
export class AgentService {
  constructor(
    private readonly llm: Llm,
    private readonly profiles: ProfileService,
    private readonly sessions: SessionService,
    private readonly memories: MemoryStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly settings: AgentSettings,
    private readonly logger: Logger,
  ) {}

  /** Validates a message before anything happens; trims it. */
  validate(text: string): string {
    const trimmed = text.trim();
    if (!HAS_VISIBLE_CHARACTER.test(trimmed)) throw new MemoryInputError('empty');
    if (trimmed.length > this.settings.maxMessageChars) {
      throw new MemoryInputError('too_long', this.settings.maxMessageChars);
    }
    return trimmed;
  }

  /** Stores the user's message in the active session. */
  async recordUserMessage(session: Session, text: string): Promise<void> {
    await this.sessions.appendMessage(session, 'user', text);
    await this.lifecycle.scheduleIdle(session);
  }

  /** Answers the message just recorded in `session` and stores the answer. */
  async answer(session: Session, text: string, signal?: AbortSignal): Promise<AgentReply> {
    const profile = await this.profiles.getOrDefault(session.userId);
    const memories = await this.retrieve(session.userId, text);
    const history = await this.sessions.recentMessages(session.id, this.settings.recentTurns + 1);
    // The last stored message is the one being answered; it goes in as the user message.
    const turns = history.slice(0, -1).map((m) => ({ role: m.role, content: m.content }));
    const prompt = buildPrompt({
      system: systemPromptFor(profile),
      memories: memories.map((m) => ({ id: m.id, content: m.content, score: m.score })),
      turns,
      userMessage: text,
      budgetTokens: this.settings.promptTokenBudget,
    });
    const result = await this.llm.chat({
      purpose: REPLY_PURPOSE,
      user: session.userId,
      messages: prompt.messages,
      maxTokens: this.settings.replyMaxTokens,
      offlineNoMatch: OFFLINE_NO_MATCH,
      signal,
    });
    const reply = result.content.trim() || '…';
    await this.sessions.appendMessage(session, 'assistant', reply);
    return { reply, session, prompt, memories, offline: result.offline };
  }

  /** Retrieval failures degrade to "no memories" rather than failing the turn. */
  private async retrieve(userId: string, text: string): Promise<RetrievedMemory[]> {
    try {
      return await this.memories.retrieve(
        userId,
        text,
        this.settings.memoriesTopK,
        this.settings.memoryMinScore,
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'memory retrieval failed; answering without memories');
      return [];
    }
  }
}
