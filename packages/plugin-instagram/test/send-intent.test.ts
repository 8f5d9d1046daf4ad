/**
 * Replies are sent from the processing job itself, with the intent recorded before each Send
 * API call: a crash between Meta's answer and recording it never sends the reply twice on its
 * own; the reply is marked `unknown_outcome` and a person retries it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstagramPluginServices } from '../src/index.js';
import { GraphClient, type InstagramApi } from '../src/services/graph-client.js';
import {
  api as adminApi,
  type InstagramTestApp,
  startInstagramTestApp,
} from './support/instagram-test-app.js';

let t: InstagramTestApp;
let services: InstagramPluginServices;
let inner: InstagramApi | undefined;
let dieAfterNextSend = false;

// The real Graph client against the fake Graph API; the process "dies" right after Meta answers.
const api: InstagramApi = {
  async sendMessage(recipient, content, options) {
    const sent = await inner!.sendMessage(recipient, content, options);
    if (dieAfterNextSend) {
      dieAfterNextSend = false;
      throw new Error('the process stopped after the Send API answered');
    }
    return sent;
  },
  userProfile: (igsid) => inner!.userProfile(igsid),
};

beforeAll(async () => {
  t = await startInstagramTestApp({}, { api });
  services = t.app.app.services<InstagramPluginServices>('instagram');
  inner = new GraphClient({
    apiRoot: t.graph.url,
    apiVersion: services.config.apiVersion,
    accountId: () => t.graph.accountId,
    accessToken: async () => t.graph.accessToken,
  });
});
afterAll(() => t?.stop());

const outboxOf = async (igsid: string) =>
  (
    await t.query<{ id: string; status: string; error_code: string | null; sending_part: number | null }>(
      'SELECT id, status, error_code, sending_part FROM instagram_outbox WHERE recipient = $1',
      [igsid],
    )
  )[0];

describe('send intent', () => {
  it('a DM is answered from the processing job, sent once', async () => {
    await t.sender.message('9401', 'Hi! Do you ship abroad?');
    await t.graph.waitForSent((m) => m.recipient === '9401');
    const row = await t.waitFor(
      async () => ((await outboxOf('9401'))?.status === 'sent' ? outboxOf('9401') : undefined),
      'the reply recorded as sent',
    );
    expect(row).toMatchObject({ status: 'sent', sending_part: null });
    expect(t.graph.sentTo('9401')).toHaveLength(1);
  });

  it('a crash after the send is never resent silently: unknown_outcome, then a person retries', async () => {
    dieAfterNextSend = true;
    await t.sender.message('9402', 'Hello, is the blue jacket in stock?');
    await t.graph.waitForSent((m) => m.recipient === '9402');
    const stuck = await t.waitFor(
      async () => ((await outboxOf('9402'))?.sending_part === 0 ? outboxOf('9402') : undefined),
      'the intent left behind',
    );
    expect(stuck!.status).toBe('queued');

    // Another run (the job's retry, the send job) finds the intent and does not send.
    await services.outbox.deliver(stuck!.id);
    expect(t.graph.sentTo('9402')).toHaveLength(1);
    expect(await services.outbox.markInterrupted()).toBe(0);

    // Long after: the outcome is unknown, shown as such.
    await t.query(`UPDATE instagram_outbox SET sending_since = now() - interval '10 minutes' WHERE id = $1`, [
      stuck!.id,
    ]);
    expect(await services.outbox.markInterrupted()).toBe(1);
    expect(await outboxOf('9402')).toMatchObject({ status: 'failed', error_code: 'unknown_outcome' });
    const [conversation] = await t.query<{ id: string }>(
      `SELECT id FROM instagram_conversations WHERE thread_id = '9402'`,
    );
    const shown = await t.app.admin.get(adminApi(`/conversations/${conversation!.id}/outbox`));
    expect(shown.body.items[0]).toMatchObject({ status: 'failed', errorCode: 'unknown_outcome' });
    expect(t.graph.sentTo('9402')).toHaveLength(1);

    // A person checked the thread and retries: sent again, on purpose.
    const retried = await t.app.admin.post(adminApi(`/outbox/${stuck!.id}/retry`));
    expect(retried.status).toBe(200);
    await t.waitFor(async () => t.graph.sentTo('9402').length === 2 || undefined, 'the retried reply');
    await t.waitFor(
      async () => ((await outboxOf('9402'))?.status === 'sent' ? true : undefined),
      'the retried reply recorded',
    );
  });
});
