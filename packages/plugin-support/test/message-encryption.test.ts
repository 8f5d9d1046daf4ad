import { randomBytes } from 'node:crypto';
import { createAesGcmCrypto } from '@botloom/core';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptPlaintextMessages } from '../src/db/encrypt-plaintext-messages.js';
import { MessageTextCodec, normalisedTerms } from '../src/db/message-text.js';
import { TicketService } from '../src/services/ticket-service.js';
import { createDbFixture } from './support/db-fixture.js';

let fx: Awaited<ReturnType<typeof createDbFixture>>;
let codec: MessageTextCodec;
let tickets: TicketService;
let nextCustomer = 900_001;

async function openTicket() {
  const id = nextCustomer++;
  return (await tickets.openOrContinue({ id, chatId: id, name: `Customer ${id}` }, 'bot')).ticket;
}

async function rawRow(id: number) {
  const [row] = await fx.sequelize.query<{ text: string; text_enc: string | null; search_terms: string[] }>(
    'SELECT text, text_enc, search_terms FROM support_messages WHERE id = :id',
    { type: QueryTypes.SELECT, replacements: { id } },
  );
  return row!;
}

beforeAll(async () => {
  fx = await createDbFixture();
  codec = new MessageTextCodec(createAesGcmCrypto(randomBytes(32)));
  tickets = new TicketService(fx.sequelize, codec);
});

afterAll(async () => {
  await fx?.close();
});

describe('support message text at rest', () => {
  it('is stored encrypted and read back as written, transparently to the services', async () => {
    const ticket = await openTicket();
    const text = 'My booking is ZX-4471, passport 7702 123456, arriving Friday';
    const added = await tickets.addMessage(ticket.id, { author: 'customer', channel: 'bot', text });
    expect(added.text).toBe(text);
    const row = await rawRow(added.id);
    expect(row.text).toBe('');
    expect(row.text_enc).toMatch(/^v1:/);
    // Whole words only: a short or case-insensitive pattern can occur in random ciphertext.
    expect(JSON.stringify(row)).not.toMatch(/ZX-4471|7702 123456|passport|Friday/);
    expect((await tickets.messages(ticket.id)).map((m) => m.text)).toEqual([text]);

    const empty = await tickets.addMessage(ticket.id, { author: 'system', channel: 'system', text: '' });
    expect(await rawRow(empty.id)).toMatchObject({ text: '', text_enc: null, search_terms: [] });
    expect((await tickets.messages(ticket.id)).at(-1)!.text).toBe('');
  });

  it('is searchable by whole words (all of them, any case, ё as е) without decrypting', async () => {
    const ticket = await openTicket();
    const a = await tickets.addMessage(ticket.id, {
      author: 'customer',
      channel: 'bot',
      text: 'Ёлка and the WALRUS booking',
    });
    const b = await tickets.addMessage(ticket.id, {
      author: 'manager',
      channel: 'topic',
      text: 'walrus ticket',
    });
    const ids = async (q: string) => (await tickets.searchMessages(q)).messages.map((m) => m.id);
    expect(await ids('walrus')).toEqual([b.id, a.id]);
    expect(await ids('Walrus BOOKING')).toEqual([a.id]);
    expect(await ids('елка')).toEqual([a.id]);
    expect(await ids('walrus giraffe')).toEqual([]);
    expect(await ids('walr')).toEqual([]); // whole words only
    expect((await tickets.searchMessages('walrus')).messages[1]!.text).toBe('Ёлка and the WALRUS booking');
    expect(await tickets.searchMessages('a !')).toEqual({ messages: [], terms: 0 });
    expect(normalisedTerms('Ёлка, ёлка! x 42')).toEqual(['елка', '42']);
  });

  it('seals rows written in plaintext before encryption, which stay readable until then', async () => {
    const ticket = await openTicket();
    const [legacy] = await fx.sequelize.query<{ id: string }>(
      `INSERT INTO support_messages (ticket_id, author, channel, text) VALUES (:ticketId, 'customer', 'bot', :text) RETURNING id`,
      {
        type: QueryTypes.SELECT,
        replacements: { ticketId: ticket.id, text: 'Old plaintext about the OCELOT' },
      },
    );
    const legacyId = Number(legacy!.id);
    expect((await tickets.messages(ticket.id))[0]!.text).toBe('Old plaintext about the OCELOT');
    expect(await tickets.searchMessages('ocelot')).toMatchObject({ messages: [] });

    expect(await encryptPlaintextMessages(fx.sequelize, codec, 2)).toBeGreaterThanOrEqual(1);
    const row = await rawRow(legacyId);
    expect(row.text).toBe('');
    expect(row.text_enc).not.toContain('OCELOT');
    expect((await tickets.messages(ticket.id))[0]!.text).toBe('Old plaintext about the OCELOT');
    expect((await tickets.searchMessages('ocelot')).messages.map((m) => m.id)).toEqual([legacyId]);
    expect(await encryptPlaintextMessages(fx.sequelize, codec)).toBe(0); // nothing left
  });
});
