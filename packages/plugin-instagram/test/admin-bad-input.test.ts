/** Bad input on the admin API: a clear 4xx with a JSON error for each case, never a 500. */
import { findBadInputMismatches } from '@botloom/core/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InstagramTestApp, startInstagramTestApp } from './support/instagram-test-app.js';

let t: InstagramTestApp;
beforeAll(async () => {
  t = await startInstagramTestApp();
});
afterAll(() => t?.stop());

const P = '/admin/api/instagram';
const missing = '00000000-0000-4000-8000-000000000000';

it('answers every bad request with its status and code', async () => {
  const misses = await findBadInputMismatches(t.app.url, t.app.adminToken, [
    {
      method: 'POST',
      path: `${P}/agent/rules`,
      body: { name: '' },
      status: 400,
      code: 'INSTAGRAM_INVALID_RULE',
    },
    {
      method: 'POST',
      path: `${P}/agent/rules`,
      body: { name: 'x', action: { type: 'template', text: 'a' }, extra: 1 },
      status: 400,
    },
    {
      method: 'PUT',
      path: `${P}/agent/rules/${missing}`,
      body: { name: 'x', action: { type: 'no_reply' } },
      status: 404,
    },
    { method: 'DELETE', path: `${P}/agent/rules/nope`, status: 404 },
    { method: 'POST', path: `${P}/conversations/${missing}/reply`, body: { text: 'hi' }, status: 404 },
    { method: 'POST', path: `${P}/conversations/${missing}/reply`, body: {}, status: 404 },
    { method: 'PUT', path: `${P}/conversations/x/context`, body: { context: {} }, status: 404 },
    { method: 'POST', path: `${P}/agent/plans`, body: { goal: '' }, status: 422 },
    { method: 'POST', path: `${P}/agent/plans/${missing}/execute`, status: 404 },
    {
      method: 'POST',
      path: `${P}/agent/schedule`,
      body: { conversationId: 'x', text: 'a', delayMinutes: 5 },
      status: 422,
    },
    {
      method: 'POST',
      path: `${P}/experiments`,
      body: { name: 'x', kind: 'template', metric: 'reply', variants: [{ key: 'a', text: 'x' }] },
      status: 400,
    },
    { method: 'POST', path: `${P}/experiments/${missing}/stop`, body: {}, status: 404 },
    { method: 'POST', path: `${P}/users/segment`, body: { name: '', criteria: {} }, status: 400 },
    { method: 'POST', path: `${P}/users/clusters`, body: { k: 1 }, status: 400 },
    { method: 'POST', path: `${P}/users/clusters`, body: { k: 3, colour: 'red' }, status: 400 },
    { method: 'PUT', path: `${P}/users/abc/preferences`, body: { preferences: {} }, status: 404 },
    { method: 'DELETE', path: `${P}/users/123456`, status: 404 },
    { method: 'POST', path: `${P}/ai/analyze-sentiment`, body: { text: '' }, status: 422 },
    {
      method: 'POST',
      path: `${P}/ai/chat-completion`,
      raw: '{not json',
      contentType: 'application/json',
      status: 400,
    },
    { method: 'PUT', path: `${P}/knowledge/Bad Key`, body: { text: 'x' }, status: 400 },
    { method: 'DELETE', path: `${P}/knowledge/Bad Key`, status: 400 },
    { method: 'DELETE', path: `${P}/knowledge/a%00b`, status: 400 },
    { method: 'PUT', path: `${P}/account/token`, body: { accessToken: 'short' }, status: 422 },
    { method: 'POST', path: `${P}/outbox/${missing}/retry`, status: 404 },
  ]);
  expect(misses).toEqual([]);
});
