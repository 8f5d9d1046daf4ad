/**
 * With plugin-support in the same app, the Instagram agent answers from support's knowledge
 * base (support's `supportKnowledgeRef`, an optional dependency); the offline LLM quotes the
 * passage it was given.
 */
import supportPlugin from '@botloom/plugin-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstagramPluginServices } from '../src/index.js';
import { type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

let t: InstagramTestApp;
beforeAll(async () => {
  t = await startInstagramTestApp({}, {}, { plugins: [supportPlugin()] });
});
afterAll(() => t?.stop());

describe('support knowledge in Instagram replies', () => {
  it('a DM is answered from a fact only support knows', async () => {
    const created = await t.app.admin.post('/admin/api/support/knowledge', {
      title: 'Bike rental deposit',
      content: 'The deposit for a rental bike is 150 euros, returned when the bike comes back undamaged.',
    });
    expect(created.status).toBe(201);
    const services = t.app.app.services<InstagramPluginServices>('instagram');
    const [best] = await services.knowledge.search('rental bike deposit', 2);
    expect(best?.source).toMatch(/^support:/);
    expect(best?.text).toMatch(/150 euros/);
    // Instagram's own knowledge is empty: the fact can only come from support.
    expect(await services.ownKnowledge.search('rental bike deposit', 2)).toEqual([]);

    await t.sender.message('9301', 'How much is the deposit for a rental bike?');
    const reply = await t.graph.waitForSent((m) => m.recipient === '9301');
    expect(reply.text).toMatch(/150 euros/);
    // The passage's title is for the model, not part of the answer.
    expect(reply.text).not.toContain('Bike rental deposit');
  });
});
