import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The envelope Meta posts: `{ object: 'instagram', entry: [...] }`. */
const Envelope = z.object({
  object: z.string(),
  entry: z.array(
    z
      .object({
        id: z.union([z.string(), z.number()]).transform(String),
        time: z.number().optional(),
        messaging: z.array(z.record(z.unknown())).optional(),
        standby: z.array(z.record(z.unknown())).optional(),
        changes: z.array(z.record(z.unknown())).optional(),
      })
      .passthrough(),
  ),
});

const Party = z.object({ id: z.union([z.string(), z.number()]).transform(String) }).passthrough();

const Attachment = z.object({ type: z.string(), payload: z.record(z.unknown()).nullish() }).passthrough();

const MessageBody = z
  .object({
    mid: z.string(),
    text: z.string().optional(),
    attachments: z.array(Attachment).optional(),
    is_echo: z.boolean().optional(),
    is_deleted: z.boolean().optional(),
    is_unsupported: z.boolean().optional(),
    reply_to: z
      .object({
        mid: z.string().optional(),
        story: z.object({ id: z.string().optional(), url: z.string().optional() }).passthrough().optional(),
      })
      .passthrough()
      .optional(),
    quick_reply: z.object({ payload: z.string() }).passthrough().optional(),
  })
  .passthrough();

const Messaging = z
  .object({
    sender: Party,
    recipient: Party,
    timestamp: z.number().optional(),
    message: MessageBody.optional(),
    reaction: z
      .object({
        mid: z.string(),
        action: z.string(),
        reaction: z.string().optional(),
        emoji: z.string().optional(),
      })
      .passthrough()
      .optional(),
    postback: z
      .object({ mid: z.string().optional(), title: z.string().optional(), payload: z.string().optional() })
      .passthrough()
      .optional(),
    read: z.object({ mid: z.string().optional(), watermark: z.number().optional() }).passthrough().optional(),
  })
  .passthrough();

export type AttachmentSummary = { type: string; url?: string; title?: string };

interface Base {
  /** Unique per event across redeliveries: the message id where Meta gives one. */
  dedupeKey: string;
  accountId: string;
  /** The other party of the thread (the customer's IGSID). */
  igsid: string;
  timestamp: Date;
  /** From `standby`: another app owns the thread, so we only record. */
  standby: boolean;
}

export type InstagramEvent =
  | (Base & {
      kind: 'message';
      mid: string;
      text?: string;
      attachments: AttachmentSummary[];
      storyReply?: { id?: string; url?: string };
      replyToMid?: string;
      quickReply?: string;
    })
  | (Base & { kind: 'echo'; mid: string; text?: string; attachments: AttachmentSummary[] })
  | (Base & { kind: 'deleted'; mid: string })
  | (Base & { kind: 'reaction'; mid: string; action: string; reaction?: string; emoji?: string })
  | (Base & { kind: 'postback'; mid?: string; title?: string; payload?: string })
  | (Base & { kind: 'seen'; mid?: string })
  | (Base & { kind: 'unknown'; field: string; summary: string });

export type ParsedDelivery = { ok: true; events: InstagramEvent[] } | { ok: false; error: string };

const hash = (value: unknown) =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);

/**
 * Turns a delivery into events. A body that is not Meta's shape is `{ ok: false }` (recorded as
 * bad); an item of a kind we do not know becomes an `unknown` event, never an error.
 */
export function parseDelivery(body: unknown): ParsedDelivery {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) {
    return {
      ok: false,
      error: envelope.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    };
  }
  const events: InstagramEvent[] = [];
  for (const entry of envelope.data.entry) {
    const items = [
      ...(entry.messaging ?? []).map((item) => ({ item, standby: false })),
      ...(entry.standby ?? []).map((item) => ({ item, standby: true })),
    ];
    for (const { item, standby } of items) events.push(toEvent(entry.id, item, standby, entry.time));
    for (const change of entry.changes ?? []) {
      const field = typeof change.field === 'string' ? change.field : 'change';
      events.push({
        kind: 'unknown',
        field,
        summary: `changes.${field}`,
        dedupeKey: `change:${hash(change)}`,
        accountId: entry.id,
        igsid: '',
        timestamp: new Date(entry.time ?? Date.now()),
        standby: false,
      });
    }
  }
  return { ok: true, events };
}

function toEvent(
  accountId: string,
  raw: Record<string, unknown>,
  standby: boolean,
  entryTime?: number,
): InstagramEvent {
  const parsed = Messaging.safeParse(raw);
  if (!parsed.success) {
    return {
      kind: 'unknown',
      field: 'messaging',
      summary: `unreadable messaging item: ${Object.keys(raw).join(',')}`,
      dedupeKey: `unknown:${hash(raw)}`,
      accountId,
      igsid: '',
      timestamp: new Date(entryTime ?? Date.now()),
      standby,
    };
  }
  const m = parsed.data;
  const timestamp = new Date(m.timestamp ?? entryTime ?? Date.now());
  // An echo is sent by the account itself: the thread's other party is the recipient.
  const echo = m.message?.is_echo === true;
  const igsid = echo || m.sender.id === accountId ? m.recipient.id : m.sender.id;
  const base = { accountId, igsid, timestamp, standby };
  if (m.message) {
    const attachments = (m.message.attachments ?? []).map(summariseAttachment);
    if (m.message.is_deleted)
      return { ...base, kind: 'deleted', mid: m.message.mid, dedupeKey: `deleted:${m.message.mid}` };
    if (echo)
      return {
        ...base,
        kind: 'echo',
        mid: m.message.mid,
        text: m.message.text,
        attachments,
        dedupeKey: `msg:${m.message.mid}`,
      };
    return {
      ...base,
      kind: 'message',
      mid: m.message.mid,
      text: m.message.text,
      attachments,
      storyReply: m.message.reply_to?.story,
      replyToMid: m.message.reply_to?.mid,
      quickReply: m.message.quick_reply?.payload,
      dedupeKey: `msg:${m.message.mid}`,
    };
  }
  if (m.reaction) {
    return {
      ...base,
      kind: 'reaction',
      mid: m.reaction.mid,
      action: m.reaction.action,
      reaction: m.reaction.reaction,
      emoji: m.reaction.emoji,
      dedupeKey: `reaction:${m.reaction.mid}:${m.reaction.action}:${m.reaction.reaction ?? ''}:${timestamp.getTime()}`,
    };
  }
  if (m.postback) {
    return {
      ...base,
      kind: 'postback',
      mid: m.postback.mid,
      title: m.postback.title,
      payload: m.postback.payload,
      dedupeKey: `postback:${m.postback.mid ?? hash(raw)}`,
    };
  }
  if (m.read)
    return { ...base, kind: 'seen', mid: m.read.mid, dedupeKey: `seen:${m.read.mid ?? hash(raw)}:${igsid}` };
  const known = new Set(['sender', 'recipient', 'timestamp']);
  const field = Object.keys(raw).find((k) => !known.has(k)) ?? 'empty';
  return {
    ...base,
    kind: 'unknown',
    field,
    summary: `messaging.${field}`,
    dedupeKey: `unknown:${hash(raw)}`,
  };
}

function summariseAttachment(a: z.infer<typeof Attachment>): AttachmentSummary {
  const payload = (a.payload ?? {}) as Record<string, unknown>;
  const url = typeof payload.url === 'string' ? payload.url : undefined;
  const title = typeof payload.title === 'string' ? payload.title : undefined;
  return { type: a.type, ...(url ? { url } : {}), ...(title ? { title } : {}) };
}
