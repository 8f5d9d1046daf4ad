import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { definePlugin, type Jobs, Tokens } from '../src/index.js';
import {
  InMemoryVectorStore,
  ScriptedLlm,
  serviceOverride,
  startTestApp,
  type TestApp,
} from '../src/testing/index.js';

/** A plugin whose command answers through the Llm and VectorStore it resolves from its container. */
function askPlugin(id: string) {
  return definePlugin({
    id,
    version: '1.0.0',
    core: '*',
    commands: [{ command: `ask_${id}`, description: { en: 'Ask', ru: 'Спросить' } }],
    bot({ composer, resolve }) {
      composer.command(`ask_${id}`, async (ctx) => {
        const question = ctx.match || 'nothing';
        const hits = await resolve(Tokens.VectorStore).search('kb', question, { k: 1 });
        const answer = await resolve(Tokens.Llm).chat({
          purpose: `${id}.answer`,
          user: String(ctx.from?.id),
          messages: [
            { role: 'system', content: hits[0]?.text ?? '' },
            { role: 'user', content: question },
          ],
        });
        await ctx.reply(answer.content);
      });
    },
  });
}

const fakeJobs: Jobs = {
  send: async () => 'fake-job',
  cancel: async () => undefined,
};

describe('startTestApp service overrides', () => {
  const llm = new ScriptedLlm({ reply: (r) => `scripted (${r.purpose}): ${r.messages[0]?.content}` });
  const vectors = new InMemoryVectorStore();
  let app: TestApp;

  beforeAll(async () => {
    await vectors.add('kb', [
      { id: 'deposit', text: 'The deposit is 300 euros.' },
      { id: 'office', text: 'The office opens at 9:00.' },
    ]);
    app = await startTestApp({
      plugins: [askPlugin('alpha'), askPlugin('beta')],
      services: { llm, vectorStore: vectors },
      serviceOverrides: [serviceOverride(Tokens.Jobs, fakeJobs)],
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("every plugin's bot talks to the scripted Llm and the in-memory store", async () => {
    const alice = app.user('alice');
    await alice.send('/ask_alpha How big is the deposit?');
    await alice.expectReply('scripted (alpha.answer): The deposit is 300 euros.');
    await alice.send('/ask_beta When does the office open?');
    await alice.expectReply('scripted (beta.answer): The office opens at 9:00.');
    expect(llm.requests.map((r) => r.purpose)).toEqual(['alpha.answer', 'beta.answer']);
    expect(llm.requests[0]?.user).toBe(String(await alice.id()));
  });

  it('replaces plugin-scoped tokens in each plugin container and core tokens in the root', () => {
    for (const scope of ['core', 'alpha', 'beta']) {
      const resolve = app.app.resolver(scope);
      expect(resolve(Tokens.Llm)).toBe(llm);
      expect(resolve(Tokens.VectorStore)).toBe(vectors);
      expect(resolve(Tokens.Jobs)).toBe(fakeJobs);
    }
    // Tokens that were not overridden keep the app's own services.
    expect(app.app.resolver('alpha')(Tokens.Kv)).not.toBe(app.app.resolver('beta')(Tokens.Kv));
  });
});
