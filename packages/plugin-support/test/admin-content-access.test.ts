/**
 * Support transcripts through the running app: encrypted in the database, full text for admin
 * tokens, metadata for viewer tokens (core's content rule), searchable by admins.
 */
import { rm } from 'node:fs/promises';
import { Tokens } from '@botloom/core';
import type { TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SupportTestApp, startSupportApp } from './support/e2e-app.js';

const QUESTION = 'Do you rent yachts? My booking reference is QX-7731 for Lisbon';

let s: SupportTestApp;
let t: TestApp;
let ticketId: number;

beforeAll(async () => {
  s = await startSupportApp();
  t = s.t;
  const zoe = t.user('zoe_customer', { first_name: 'Zoe', language_code: 'en' });
  await zoe.send(QUESTION);
  await zoe.expectReply(/manager/);
  ticketId = (await s.latestTicketOf(await zoe.id())).id;
}, 120_000);

afterAll(async () => {
  await s?.t.stop();
  if (s) await rm(s.kbDir, { recursive: true, force: true });
});

describe('support transcripts at rest and in the admin API', { timeout: 60_000 }, () => {
  it('stores no message text in plaintext', async () => {
    const [rows] = await t.app
      .resolver('support')(Tokens.Database)
      .query('SELECT text, text_enc, search_terms FROM support_messages WHERE ticket_id = $1', {
        bind: [ticketId],
      });
    expect(rows.length).toBeGreaterThanOrEqual(2); // the question and the assistant's answer
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain('QX-7731');
    expect(dump).not.toContain('yachts');
    expect(dump).not.toContain('manager');
  });

  it('gives admins the transcript and viewers its metadata only', async () => {
    const admin = await t.admin.get(`/admin/api/support/tickets/${ticketId}`);
    expect(admin.status).toBe(200);
    expect(admin.body.contentIncluded).toBe(true);
    const asked = admin.body.messages.find((m: { author: string }) => m.author === 'customer');
    expect(asked.text).toBe(QUESTION);

    const viewer = await t.viewer.get(`/admin/api/support/tickets/${ticketId}`);
    expect(viewer.status).toBe(200);
    expect(viewer.body.contentIncluded).toBe(false);
    expect(viewer.body.ticket.id).toBe(ticketId);
    expect(viewer.body.events.length).toBeGreaterThan(0);
    expect(viewer.body.messages).toHaveLength(admin.body.messages.length);
    const seen = viewer.body.messages.find((m: { author: string }) => m.author === 'customer');
    expect(seen).not.toHaveProperty('text');
    expect(seen).toMatchObject({ id: asked.id, author: 'customer', chars: QUESTION.length });
    expect(JSON.stringify(viewer.body.messages)).not.toMatch(/QX-7731|yachts/);
  });

  it('lets admins search transcripts by words; viewers get 403, bad queries 400', async () => {
    const found = await t.admin.get('/admin/api/support/messages/search?q=qx%207731%20LISBON');
    expect(found.status).toBe(200);
    expect(found.body.messages.map((m: { ticketId: number; text: string }) => [m.ticketId, m.text])).toEqual([
      [ticketId, QUESTION],
    ]);
    const none = await t.admin.get('/admin/api/support/messages/search?q=submarine');
    expect(none.body.messages).toEqual([]);

    const viewer = await t.viewer.get('/admin/api/support/messages/search?q=lisbon');
    expect(viewer.status).toBe(403);
    expect(viewer.body.error.code).toBe('CONTENT_FORBIDDEN');
    for (const q of ['', '%20', 'x'.repeat(201)]) {
      const bad = await t.admin.get(`/admin/api/support/messages/search?q=${q}`);
      expect(bad.status, `q=${q}`).toBe(422);
    }
    expect((await t.admin.get('/admin/api/support/messages/search')).status).toBe(422);
    const noWord = await t.admin.get('/admin/api/support/messages/search?q=!%20a');
    expect(noWord.status).toBe(400);
    expect(noWord.body.error.code).toBe('BAD_SEARCH');
  });
});
