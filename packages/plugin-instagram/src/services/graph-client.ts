import { GraphApiError, graphErrorFrom } from './errors.js';

export type AttachmentType = 'image' | 'video' | 'audio' | 'file';

/** One Send API message: text, or an attachment by URL. */
export type OutgoingContent = { text: string } | { attachment: { type: AttachmentType; url: string } };

export interface SendOptions {
  /** `RESPONSE` inside the 24-hour window; `MESSAGE_TAG` with `HUMAN_AGENT` for a person's late reply. */
  messagingType: 'RESPONSE' | 'MESSAGE_TAG';
  tag?: 'HUMAN_AGENT';
}

export interface SendResult {
  recipientId: string;
  messageId: string;
}

/** What the rest of the plugin needs from the Graph API (a port; tests may replace it). */
export interface InstagramApi {
  sendMessage(recipient: string, content: OutgoingContent, options: SendOptions): Promise<SendResult>;
  userProfile(igsid: string): Promise<{ username?: string; name?: string } | undefined>;
}

export interface GraphClientOptions {
  apiRoot: string;
  apiVersion: string;
  accountId: () => string | undefined;
  accessToken: () => Promise<string | undefined>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The Instagram API with Instagram Login (`graph.instagram.com`) over fetch. */
export class GraphClient implements InstagramApi {
  private readonly fetch: typeof fetch;

  constructor(private readonly options: GraphClientOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async sendMessage(recipient: string, content: OutgoingContent, options: SendOptions): Promise<SendResult> {
    const account = this.options.accountId();
    if (!account) throw new GraphApiError('invalid', 'INSTAGRAM_ACCOUNT_ID is not set', { status: 0 });
    const message =
      'text' in content
        ? { text: content.text }
        : { attachment: { type: content.attachment.type, payload: { url: content.attachment.url } } };
    const body: Record<string, unknown> = {
      recipient: { id: recipient },
      message,
      messaging_type: options.messagingType,
    };
    if (options.tag) body.tag = options.tag;
    const answer = (await this.call('POST', `/${encodeURIComponent(account)}/messages`, body)) as {
      recipient_id?: string;
      message_id?: string;
    };
    if (!answer.message_id)
      throw new GraphApiError('unknown', 'Send API answered without message_id', { status: 200 });
    return { recipientId: answer.recipient_id ?? recipient, messageId: answer.message_id };
  }

  async userProfile(igsid: string) {
    try {
      return (await this.call('GET', `/${encodeURIComponent(igsid)}?fields=name,username`)) as {
        username?: string;
        name?: string;
      };
    } catch (err) {
      if (err instanceof GraphApiError && err.kind === 'invalid') return undefined;
      throw err;
    }
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const token = await this.options.accessToken();
    if (!token) throw new GraphApiError('bad_token', 'INSTAGRAM_ACCESS_TOKEN is not set', { status: 0 });
    const url = `${this.options.apiRoot.replace(/\/+$/, '')}/${this.options.apiVersion}${path}`;
    let res: Response;
    try {
      res = await this.fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 20_000),
      });
    } catch (err) {
      // Network errors and timeouts: the request may not have arrived; worth retrying.
      throw new GraphApiError('temporary', `Graph API unreachable: ${(err as Error).message}`, { status: 0 });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = undefined;
    }
    if (!res.ok || (parsed as { error?: unknown } | undefined)?.error)
      throw graphErrorFrom(res.status, parsed);
    return parsed;
  }
}
