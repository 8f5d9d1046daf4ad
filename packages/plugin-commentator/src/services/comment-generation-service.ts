import { type Llm, LlmError } from '@botloom/core';
import type { Logger } from 'pino';
import type { PersonalityService } from './personality-service.js';
import { analyseOffline, type PostAnalysis, PostAnalysisSchema } from './post-analysis.js';
import type { Account, Voice } from './records.js';

export interface AnalysisOutcome {
  analysis: PostAnalysis;
  /** True when no model was used (offline provider, or the model was unavailable). */
  offline: boolean;
}

export interface DraftOutcome {
  text: string;
  language: string;
  offline: boolean;
}

const OFFLINE_OPENERS: Record<string, (topic: string) => string> = {
  ru: (topic) => (topic ? `Спасибо за пост про ${topic}.` : 'Спасибо за пост.'),
  en: (topic) => (topic ? `Thanks for the post about ${topic}.` : 'Thanks for the post.'),
};

/**
 * Model failures (down, budget spent, refused, invalid output) after which the labelled
 * offline path is the honest answer; anything else is a bug and is rethrown.
 */
function modelUnavailable(error: unknown): boolean {
  return error instanceof LlmError;
}

/**
 * Analyses posts (structured output: main idea, keywords, tone, language, topic) and drafts
 * comments in an account's voice. With no model (core's offline provider) or a model that is
 * down, a deterministic analyser and a plain template stand in, and everything they make is
 * marked `offline` so a person sees it was not written by a model.
 */
export class CommentGenerationService {
  constructor(
    private readonly llm: Llm,
    private readonly personality: PersonalityService,
    private readonly topics: () => readonly string[],
    private readonly logger: Logger,
  ) {}

  async analyse(text: string): Promise<AnalysisOutcome> {
    try {
      const result = await this.llm.structured({
        purpose: 'commentator.analyse-post',
        schema: PostAnalysisSchema,
        schemaName: 'post_analysis',
        messages: [
          {
            role: 'system',
            content:
              "Analyse the Telegram channel post. main_idea: one sentence in the post's language. keywords: up to 8. " +
              'tone: positive, neutral or negative. language: en, ru or other. topic: two or three words.',
          },
          { role: 'user', content: text },
        ],
        temperature: 0,
        maxTokens: 400,
      });
      if (!result.offline && result.data.main_idea.trim()) return { analysis: result.data, offline: false };
    } catch (error) {
      if (!modelUnavailable(error)) throw error;
      this.logger.warn(
        { code: (error as { code?: string }).code },
        'post analysis fell back to the offline analyser',
      );
    }
    return { analysis: analyseOffline(text, this.topics()), offline: true };
  }

  async draft(input: {
    postText: string;
    analysis: PostAnalysis;
    account: Account;
    voice: Voice;
    maxChars: number;
  }): Promise<DraftOutcome> {
    const { analysis, account, voice, maxChars } = input;
    // A model writes in the post's language whatever it is; the offline template knows en and ru.
    const language = analysis.language;
    const disclosure = this.personality.disclosureLine(account);
    const bodyRoom = maxChars - (disclosure ? disclosure.length + 2 : 0);
    try {
      const reply = await this.llm.chat({
        purpose: 'commentator.draft-comment',
        messages: [
          { role: 'system', content: this.personality.instructions(account, voice, language, bodyRoom) },
          {
            role: 'user',
            content: `Post:\n${input.postText}\n\nMain idea: ${analysis.main_idea}\nTopic: ${analysis.topic}\nWrite the comment only.`,
          },
        ],
        temperature: 0.5,
        maxTokens: 300,
      });
      if (!reply.offline && reply.content.trim()) {
        return {
          text: this.personality.finalize(reply.content, disclosure, maxChars),
          language,
          offline: false,
        };
      }
    } catch (error) {
      if (!modelUnavailable(error)) throw error;
      this.logger.warn(
        { code: (error as { code?: string }).code },
        'comment draft fell back to the offline template',
      );
    }
    const offlineLanguage = language === 'ru' ? 'ru' : 'en';
    const opener = OFFLINE_OPENERS[offlineLanguage]!(analysis.topic);
    const body = [opener, voice.phrases[0] ?? ''].filter(Boolean).join(' ');
    return {
      text: this.personality.finalize(body, disclosure, maxChars),
      language: offlineLanguage,
      offline: true,
    };
  }
}
