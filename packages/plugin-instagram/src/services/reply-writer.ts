import { type ChatMessage, formatContextBlock, type Llm } from '@botloom/core';
import type { Conversation, StoredMessage } from './conversation-store.js';
import type { KnowledgeSource } from './knowledge.js';

export interface DraftReply {
  text: string;
  /** Score of the best knowledge passage (0 when nothing matched). */
  confidence: number;
  offline: boolean;
}

/** Writes an AI reply grounded in the knowledge base and the thread's summary and history. */
export class ReplyWriter {
  constructor(
    private readonly llm: Llm,
    private readonly knowledge: KnowledgeSource,
    private readonly settings: () => { assistantName: string },
  ) {}

  async draft(
    conversation: Conversation,
    history: StoredMessage[],
    instructions?: string,
  ): Promise<DraftReply> {
    const last = [...history].reverse().find((m) => m.direction === 'in' && m.text);
    const question = last?.text ?? '';
    const passages = question ? await this.knowledge.search(question, 4) : [];
    const system = [
      `You are ${this.settings().assistantName}, an AI assistant answering Instagram direct messages for this business.`,
      'You are an assistant, not a person: say so if asked. Answer briefly and only from the context below; when it does not cover the question, say a teammate will follow up.',
      instructions ? `Instructions: ${instructions}` : '',
      conversation.summary ? `Conversation so far (summary): ${conversation.summary}` : '',
      passages.length
        ? formatContextBlock(passages.map((p) => ({ label: p.label, text: p.text })))
        : 'No knowledge passage matched this question.',
    ]
      .filter(Boolean)
      .join('\n\n');
    const turns: ChatMessage[] = history
      .filter((m) => m.text && !m.deletedAt)
      .slice(-8)
      .map((m) => ({ role: m.direction === 'in' ? 'user' : 'assistant', content: m.text! }));
    const result = await this.llm.chat({
      purpose: 'instagram.reply',
      user: conversation.igsid,
      messages: [{ role: 'system', content: system }, ...turns],
    });
    return { text: result.content.trim(), confidence: passages[0]?.score ?? 0, offline: result.offline };
  }

  async summarise(conversation: Conversation, history: StoredMessage[]): Promise<string> {
    const transcript = history
      .filter((m) => m.text && !m.deletedAt)
      .map((m) => `${m.direction === 'in' ? 'Customer' : 'Us'}: ${m.text}`)
      .join('\n');
    const result = await this.llm.chat({
      purpose: 'instagram.summary',
      fast: true,
      user: conversation.igsid,
      messages: [
        {
          role: 'system',
          content:
            'Summarise this Instagram conversation in two or three sentences: who wants what, and what is open.',
        },
        {
          role: 'user',
          content: `${conversation.summary ? `Earlier summary: ${conversation.summary}\n\n` : ''}${transcript}`,
        },
      ],
    });
    return result.content.trim();
  }
}
