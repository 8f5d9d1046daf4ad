import { randomBytes } from 'node:crypto';
import { signBody } from '../services/signature.js';

export interface MessageOptions {
  mid?: string;
  /** When the user wrote (Meta's `timestamp`); default now. */
  at?: Date;
  attachments?: Array<{ type: string; payload?: Record<string, unknown> }>;
  storyReply?: { id: string; url: string };
  standby?: boolean;
}

export const newMid = () => `aWdfZAG1faWQ${randomBytes(14).toString('hex')}`;

/** Meta's envelope around messaging items of one account. */
export function webhookEnvelope(
  accountId: string,
  items: unknown[],
  options: { standby?: boolean; time?: number } = {},
) {
  return {
    object: 'instagram',
    entry: [
      { id: accountId, time: options.time ?? Date.now(), [options.standby ? 'standby' : 'messaging']: items },
    ],
  };
}

/** A customer's DM as Meta delivers it. */
export function messageItem(
  accountId: string,
  igsid: string,
  text: string | undefined,
  options: MessageOptions = {},
) {
  return {
    sender: { id: igsid },
    recipient: { id: accountId },
    timestamp: (options.at ?? new Date()).getTime(),
    message: {
      mid: options.mid ?? newMid(),
      ...(text !== undefined ? { text } : {}),
      ...(options.attachments ? { attachments: options.attachments } : {}),
      ...(options.storyReply ? { reply_to: { story: options.storyReply } } : {}),
    },
  };
}

/** The echo of a message the account sent (from our Send API call or the Instagram app). */
export function echoItem(accountId: string, igsid: string, text: string, mid = newMid(), at = new Date()) {
  return {
    sender: { id: accountId },
    recipient: { id: igsid },
    timestamp: at.getTime(),
    message: { mid, text, is_echo: true },
  };
}

export function reactionItem(
  accountId: string,
  igsid: string,
  mid: string,
  emoji = '❤️',
  action: 'react' | 'unreact' = 'react',
) {
  return {
    sender: { id: igsid },
    recipient: { id: accountId },
    timestamp: Date.now(),
    reaction: { mid, action, reaction: 'love', emoji },
  };
}

export function seenItem(accountId: string, igsid: string, mid: string) {
  return { sender: { id: igsid }, recipient: { id: accountId }, timestamp: Date.now(), read: { mid } };
}

export function deletedItem(accountId: string, igsid: string, mid: string) {
  return {
    sender: { id: igsid },
    recipient: { id: accountId },
    timestamp: Date.now(),
    message: { mid, is_deleted: true },
  };
}

export function postbackItem(accountId: string, igsid: string, title: string, payload: string) {
  return {
    sender: { id: igsid },
    recipient: { id: accountId },
    timestamp: Date.now(),
    postback: { mid: newMid(), title, payload },
  };
}

export interface WebhookResponse {
  status: number;
  text: string;
}

/** Posts webhook deliveries signed as Meta signs them (`X-Hub-Signature-256` over the raw body). */
export class WebhookSender {
  constructor(
    private readonly webhookUrl: string,
    private readonly appSecret: string,
    readonly accountId: string,
  ) {}

  /** Serialises `payload` once and signs exactly those bytes. */
  async deliver(payload: unknown): Promise<WebhookResponse & { raw: string }> {
    const raw = JSON.stringify(payload);
    return { ...(await this.deliverRaw(raw, signBody(this.appSecret, raw))), raw };
  }

  /** Sends `raw` with the given signature header (or none). */
  async deliverRaw(raw: string, signature?: string): Promise<WebhookResponse> {
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body: raw,
    });
    return { status: res.status, text: await res.text() };
  }

  /** A DM from `igsid`; returns the message id. */
  async message(igsid: string, text: string | undefined, options: MessageOptions = {}) {
    const item = messageItem(this.accountId, igsid, text, options);
    const response = await this.deliver(
      webhookEnvelope(this.accountId, [item], { standby: options.standby }),
    );
    return { ...response, mid: item.message.mid };
  }

  async items(items: unknown[], options: { standby?: boolean } = {}) {
    return this.deliver(webhookEnvelope(this.accountId, items, options));
  }

  /** Meta's subscription check. */
  async verify(
    verifyToken: string,
    challenge = randomBytes(8).toString('hex'),
  ): Promise<WebhookResponse & { challenge: string }> {
    const url = new URL(this.webhookUrl);
    url.searchParams.set('hub.mode', 'subscribe');
    url.searchParams.set('hub.verify_token', verifyToken);
    url.searchParams.set('hub.challenge', challenge);
    const res = await fetch(url);
    return { status: res.status, text: await res.text(), challenge };
  }
}
