import type { PostAnalysis } from './post-analysis.js';

// Rows as the services use them. PostgreSQL BIGINT arrives as text; the mappers make numbers
// of Telegram ids (they fit in a double: Telegram keeps ids under 2^52).

export interface Channel {
  id: number;
  chatId: number;
  title: string;
  username: string | null;
  route: 'bot' | 'account';
  accountId: number;
  discussionChatId: number | null;
  commentsOpen: boolean;
  owned: boolean;
  neverComment: boolean;
  autoApprove: boolean;
  dailyCap: number | null;
  lastMessageId: number;
  createdAt: Date;
}

export interface Post {
  id: number;
  channelId: number;
  messageId: number;
  text: string;
  media: { kind: string } | null;
  postedAt: Date;
  discussionMessageId: number | null;
  analysis: PostAnalysis | null;
  analysisOffline: boolean | null;
  relevance: number | null;
  status: 'new' | 'skipped' | 'drafted' | 'failed';
  skipReason: string | null;
}

export type CommentStatus = 'pending' | 'rejected' | 'scheduled' | 'sending' | 'sent' | 'failed';

export interface Comment {
  id: number;
  postId: number;
  accountId: number;
  text: string;
  language: string;
  offline: boolean;
  edited: boolean;
  status: CommentStatus;
  idempotencyKey: string;
  decidedBy: string | null;
  decidedAt: Date | null;
  failureReason: string | null;
  sentChatId: number | null;
  sentMessageId: number | null;
  sentAt: Date | null;
  reviewChatId: number | null;
  reviewMessageId: number | null;
  createdAt: Date;
  dueAt?: Date | null;
}

export type AccountStatus = 'pending_code' | 'active' | 'paused' | 'logged_out' | 'deactivated';

export interface Account {
  id: number;
  kind: 'bot' | 'user';
  label: string;
  status: AccountStatus;
  pausedUntil: Date | null;
  pauseReason: string | null;
  telegramUserId: number | null;
  disclosureEnabled: boolean;
  disclosureText: string | null;
  hourlyCap: number | null;
  dailyCap: number | null;
  createdAt: Date;
}

export interface Voice {
  style: string;
  tone: string;
  interests: string[];
  vocabulary: string[];
  phrases: string[];
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

export function toChannel(r: any): Channel {
  return {
    id: num(r.id),
    chatId: num(r.chat_id),
    title: r.title,
    username: r.username ?? null,
    route: r.route,
    accountId: num(r.account_id),
    discussionChatId: numOrNull(r.discussion_chat_id),
    commentsOpen: r.comments_open,
    owned: r.owned,
    neverComment: r.never_comment,
    autoApprove: r.auto_approve,
    dailyCap: numOrNull(r.daily_cap),
    lastMessageId: num(r.last_message_id),
    createdAt: date(r.created_at),
  };
}

export function toPost(r: any): Post {
  return {
    id: num(r.id),
    channelId: num(r.channel_id),
    messageId: num(r.message_id),
    text: r.text,
    media: r.media ?? null,
    postedAt: date(r.posted_at),
    discussionMessageId: numOrNull(r.discussion_message_id),
    analysis: r.analysis ?? null,
    analysisOffline: r.analysis_offline ?? null,
    relevance: numOrNull(r.relevance),
    status: r.status,
    skipReason: r.skip_reason ?? null,
  };
}

export function toComment(r: any): Comment {
  return {
    id: num(r.id),
    postId: num(r.post_id),
    accountId: num(r.account_id),
    text: r.text,
    language: r.language,
    offline: r.offline,
    edited: r.edited,
    status: r.status,
    idempotencyKey: r.idempotency_key,
    decidedBy: r.decided_by ?? null,
    decidedAt: dateOrNull(r.decided_at),
    failureReason: r.failure_reason ?? null,
    sentChatId: numOrNull(r.sent_chat_id),
    sentMessageId: numOrNull(r.sent_message_id),
    sentAt: dateOrNull(r.sent_at),
    reviewChatId: numOrNull(r.review_chat_id),
    reviewMessageId: numOrNull(r.review_message_id),
    createdAt: date(r.created_at),
    ...(r.due_at !== undefined ? { dueAt: dateOrNull(r.due_at) } : {}),
  };
}

export function toAccount(r: any): Account {
  return {
    id: num(r.id),
    kind: r.kind,
    label: r.label,
    status: r.status,
    pausedUntil: dateOrNull(r.paused_until),
    pauseReason: r.pause_reason ?? null,
    telegramUserId: numOrNull(r.telegram_user_id),
    disclosureEnabled: r.disclosure_enabled,
    disclosureText: r.disclosure_text ?? null,
    hourlyCap: numOrNull(r.hourly_cap),
    dailyCap: numOrNull(r.daily_cap),
    createdAt: date(r.created_at),
  };
}

export function toVoice(r: any | null): Voice {
  return {
    style: r?.style ?? '',
    tone: r?.tone ?? '',
    interests: r?.interests ?? [],
    vocabulary: r?.vocabulary ?? [],
    phrases: r?.phrases ?? [],
  };
}
