import type { ChatRequest, ChatResult, Llm, VectorDocument, VectorMatch, VectorStore } from '@botloom/core';
import { embedTextLocally } from '@botloom/core';
import { ManagerGroupError } from '../../src/services/errors.js';
import type {
  ButtonRows,
  OutgoingFile,
  RealtimeHub,
  TelegramPort,
  WebAppEvent,
} from '../../src/services/ports.js';
import { TopicGoneError } from '../../src/services/ports.js';

/** Exact cosine search over core's local embeddings, kept in memory (unit tests only). */
export class InMemoryVectorStore implements VectorStore {
  readonly namespaces = new Map<string, Map<string, VectorDocument & { vector: number[] }>>();
  adds = 0;

  async add(namespace: string, documents: VectorDocument[]) {
    const ns = this.namespaces.get(namespace) ?? new Map();
    this.namespaces.set(namespace, ns);
    for (const d of documents) ns.set(d.id, { ...d, vector: embedTextLocally(d.text) });
    this.adds += documents.length;
  }
  async search(
    namespace: string,
    query: string,
    options: { k?: number; minScore?: number } = {},
  ): Promise<VectorMatch[]> {
    const q = embedTextLocally(query);
    const all = [...(this.namespaces.get(namespace)?.values() ?? [])].map(({ vector, ...d }) => ({
      ...d,
      score: vector.reduce((s, x, i) => s + x * q[i]!, 0),
    }));
    return all
      .filter((m) => options.minScore === undefined || m.score >= options.minScore)
      .sort((a, b) => b.score - a.score)
      .slice(0, options.k ?? 4);
  }
  async delete(namespace: string, ids: string[]) {
    for (const id of ids) this.namespaces.get(namespace)?.delete(id);
  }
  async deleteNamespace(namespace: string) {
    this.namespaces.delete(namespace);
  }
  async count(namespace: string) {
    return this.namespaces.get(namespace)?.size ?? 0;
  }
}

/** An Llm whose replies the test scripts; it records every request. */
export class ScriptedLlm implements Llm {
  readonly requests: ChatRequest[] = [];
  offline = false;
  constructor(private reply: (request: ChatRequest) => string = () => 'OK') {}
  setReply(reply: (request: ChatRequest) => string) {
    this.reply = reply;
  }
  async chat(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    return {
      content: this.reply(request),
      model: 'scripted',
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      latencyMs: 1,
      offline: this.offline,
    };
  }
  structured(): never {
    throw new Error('not used');
  }
  stream(): never {
    throw new Error('not used');
  }
  async budget() {
    return { used: 0, limit: null, remaining: null, resetsAt: new Date() };
  }
}

export interface SentMessage {
  chatId: number;
  text: string;
  threadId?: number;
  buttons?: ButtonRows;
}

/** A Telegram port that records what was sent and can simulate a broken group or a deleted topic. */
export class RecordingTelegram implements TelegramPort {
  readonly sent: SentMessage[] = [];
  readonly files: Array<{ chatId: number; threadId?: number; file: OutgoingFile }> = [];
  readonly topics = new Map<number, { chatId: number; name: string; closed: boolean }>();
  readonly copies: Array<{ to: number; from: number; messageId: number; threadId?: number }> = [];
  groupProblem: string | undefined;
  private static nextThread = 100;

  async sendMessage(chatId: number, text: string, options: { threadId?: number; buttons?: ButtonRows } = {}) {
    if (options.threadId !== undefined && !this.topics.has(options.threadId))
      throw new TopicGoneError(chatId, options.threadId);
    this.sent.push({ chatId, text, threadId: options.threadId, buttons: options.buttons });
  }
  async sendFile(chatId: number, file: OutgoingFile, options: { threadId?: number } = {}) {
    if (options.threadId !== undefined && !this.topics.has(options.threadId))
      throw new TopicGoneError(chatId, options.threadId);
    this.files.push({ chatId, threadId: options.threadId, file });
  }
  async copyMessage(to: number, from: number, messageId: number, options: { threadId?: number } = {}) {
    this.copies.push({ to, from, messageId, threadId: options.threadId });
  }
  async createForumTopic(chatId: number, name: string) {
    if (this.groupProblem) throw new ManagerGroupError('MANAGER_GROUP_UNUSABLE', this.groupProblem);
    const id = RecordingTelegram.nextThread++;
    this.topics.set(id, { chatId, name, closed: false });
    return id;
  }
  async closeForumTopic(_chatId: number, threadId: number) {
    const topic = this.topics.get(threadId);
    if (!topic) throw new TopicGoneError(_chatId, threadId);
    topic.closed = true;
  }
  async checkForumRights() {
    if (this.groupProblem) throw new ManagerGroupError('MANAGER_GROUP_UNUSABLE', this.groupProblem);
  }
  inThread(threadId: number) {
    return this.sent.filter((m) => m.threadId === threadId);
  }
  to(chatId: number) {
    return this.sent.filter((m) => m.chatId === chatId && m.threadId === undefined);
  }
}

export class RecordingHub implements RealtimeHub {
  readonly connected = new Set<number>();
  readonly events: Array<{ customerId: number; event: WebAppEvent }> = [];
  isConnected(customerId: number) {
    return this.connected.has(customerId);
  }
  publish(customerId: number, event: WebAppEvent | ((id: number) => WebAppEvent)) {
    this.events.push({ customerId, event: typeof event === 'function' ? event(customerId) : event });
  }
}
