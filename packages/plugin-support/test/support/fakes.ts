import { ManagerGroupError } from '../../src/services/errors.js';
import type {
  ButtonRows,
  OutgoingFile,
  RealtimeHub,
  TelegramPort,
  WebAppEvent,
} from '../../src/services/ports.js';
import { TopicGoneError } from '../../src/services/ports.js';

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
  async deleteForumTopic(_chatId: number, threadId: number) {
    this.topics.delete(threadId);
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
