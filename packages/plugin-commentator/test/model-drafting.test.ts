import {
  type FakeChatRequest,
  type FakeOpenAI,
  startFakeOpenAI,
  startTestApp,
  type TestApp,
} from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import commentatorPlugin from '../src/index.js';
import { createChannel, eventually, type SandboxChannel } from './support/helpers.js';

const OWNER = 650_001;
const API = '/admin/api/commentator';
const POST = 'Unsere neuen E-Bikes fahren 120 km mit einer Ladung. Probefahrten am Wochenende im Park!';
const LONG_REPLY =
  'Danke für den Beitrag! Wir sind am Samstag mit den neuen E-Bikes im Park und freuen uns auf eure Fragen zur Reichweite, zum Akku und zu den Probefahrten. Ride on! Kommt einfach vorbei, wir bringen auch Helme in allen Größen mit.';

let fake: FakeOpenAI;
let t: TestApp;
let ch: SandboxChannel;
const draftRequests: FakeChatRequest[] = [];

beforeAll(async () => {
  fake = await startFakeOpenAI();
  fake.script({
    match: { purpose: 'commentator.analyse-post' },
    reply: {
      content: {
        main_idea: 'Neue E-Bikes mit 120 km Reichweite, Probefahrten am Wochenende.',
        keywords: ['E-Bikes', 'Probefahrten', 'electric bikes'],
        tone: 'positive',
        language: 'other',
        topic: 'electric bikes',
      },
    },
  });
  fake.script({
    match: { purpose: 'commentator.draft-comment' },
    reply: (request) => {
      draftRequests.push(request);
      return LONG_REPLY;
    },
  });
  t = await startTestApp({
    plugins: [
      commentatorPlugin({ brandName: 'Acme Bikes', topics: ['electric bikes'], maxCommentChars: 160 }),
    ],
    config: { OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'test-key', LLM_TIMEOUT_MS: 20_000 },
  });
  await t.sandbox.createUser({ id: OWNER, first_name: 'Olga' });
  ch = await createChannel(t, OWNER, 'Acme Neuigkeiten');
});

afterAll(async () => {
  await t?.stop();
  await fake?.close();
});

describe('drafting with a model', { timeout: 180_000 }, () => {
  it("writes in the post's language and the account's voice, cut to the limit, with the disclosure line", async () => {
    const channel = (await t.admin.post(`${API}/channels`, { chatId: ch.channelId })).body.channel;
    const voice = { style: 'short and warm', tone: 'helpful', phrases: ['Ride on!'] };
    expect((await t.admin.patch(`${API}/accounts/${channel.accountId}`, { voice })).status).toBe(200);

    await t.sandbox.postInChannel(ch.channelId, POST, OWNER);
    const draft = await eventually(async () => {
      const res = await t.admin.get(`${API}/drafts?status=pending`);
      return res.body.items.find((d: { postText: string }) => d.postText === POST) ?? null;
    });
    expect(draft.offline).toBe(false);
    expect(draft.language).toBe('other');
    expect(draft.text.length).toBeLessThanOrEqual(160);
    expect(draft.text).toMatch(/^Danke für den Beitrag! .*…\n\n— Acme Bikes$/s);

    const posts = (await t.viewer.get(`${API}/posts?channel=${channel.id}`)).body.items;
    expect(posts[0]).toMatchObject({ analysisOffline: false, relevance: 1 });
    expect(posts[0].analysis).toMatchObject({ language: 'other', topic: 'electric bikes' });

    // What the model was told: speak openly as the account, in its voice, in the post's language.
    expect(draftRequests).toHaveLength(1);
    const { system, lastUser } = draftRequests[0]!;
    expect(system).toContain('as Acme Bikes, openly');
    expect(system).toContain('Never claim or imply to be an independent customer');
    expect(system).toContain("Write in the post's language.");
    expect(system).toContain('Style: short and warm');
    expect(system).toContain('Phrases this account uses: Ride on!');
    expect(system).toMatch(/At most \d+ characters/);
    expect(lastUser).toContain(POST);
    expect(lastUser).toContain('Main idea: Neue E-Bikes mit 120 km Reichweite');
  });
});
