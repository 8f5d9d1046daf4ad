import type { Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { AssistantBotsPort, AssistantIdentity } from './ports.js';
import type { AssistantPost } from './scenario-schema.js';

/** Every assistant message starts with this, whatever the translation says. */
export const ASSISTANT_MARKER = '🤖';

/**
 * The disclosed assistant bots. They are bots (Telegram shows it), and every message they send
 * goes through `markAssistantText`, which states it is an automated assistant and what the
 * post is (a worked example, a question newcomers often ask). Nothing here can send an
 * unmarked text as an assistant, and none of them receives updates: the main bot orchestrates.
 */
export class DisclosedAssistants {
  private next = 0;

  constructor(
    private readonly port: AssistantBotsPort,
    private readonly translator: Translator,
    private readonly logger: Logger,
  ) {}

  identities(): Promise<AssistantIdentity[]> {
    return this.port.identities();
  }

  async available(): Promise<boolean> {
    return (await this.port.identities()).length > 0;
  }

  /**
   * Posts `post` as the next assistant (round robin), trying each once; resolves with the
   * text and message id, or undefined when no assistant could write in the chat.
   */
  async post(
    chatId: number,
    locale: string,
    post: AssistantPost,
  ): Promise<{ text: string; messageId: number; assistant: AssistantIdentity } | undefined> {
    const assistants = await this.port.identities();
    const text = markAssistantText(this.translator, locale, post);
    for (let tried = 0; tried < assistants.length; tried++) {
      const index = this.next++ % assistants.length;
      try {
        const messageId = await this.port.send(index, chatId, text);
        return { text, messageId, assistant: assistants[index]! };
      } catch (err) {
        this.logger.warn(
          { err, chatId, assistant: assistants[index]!.username },
          'assistant bot could not post (is it in the group?)',
        );
      }
    }
    return undefined;
  }
}

/** The assistant's text with its disclosure: "🤖 Assistant (a bot) · worked example: …". */
export function markAssistantText(translator: Translator, locale: string, post: AssistantPost): string {
  const key = post.kind === 'example' ? 'sales-edu-assistant-example' : 'sales-edu-assistant-question';
  const text = translator.t(locale, key, { text: post.text });
  return text.startsWith(ASSISTANT_MARKER) ? text : `${ASSISTANT_MARKER} Assistant (bot): ${text}`;
}
