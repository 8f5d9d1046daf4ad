/**
 * Message reactions in the emulator, as Telegram delivers them: `message_reaction` (group,
 * bot is an admin, opt-in through allowed_updates), `message_reaction_count` (channel,
 * anonymous), and `setMessageReaction` for the bot's own reaction.
 */
import { Api, GrammyError } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotApiEmulator, createBotApiEmulator, SandboxClient } from '../src/sandbox/index.js';

let emulator: BotApiEmulator;
let api: Api;
let client: SandboxClient;
let aliceId: number;
let bobId: number;

beforeAll(async () => {
  emulator = createBotApiEmulator();
  const url = await emulator.listen(0);
  api = new Api(emulator.token, { apiRoot: url });
  client = new SandboxClient(url);
  aliceId = (await client.createUser({ first_name: 'Alice' })).id;
  bobId = (await client.createUser({ first_name: 'Bob' })).id;
});

afterAll(() => emulator?.close());

const reactionUpdates = ['message_reaction', 'message_reaction_count'] as const;

/** The pending updates, confirmed (as a bot does with the next offset). */
async function drain(allowed?: readonly string[]) {
  const updates = await api.getUpdates({
    timeout: 0,
    ...(allowed ? { allowed_updates: [...allowed] as never } : {}),
  });
  const last = updates.at(-1);
  if (last) await api.getUpdates({ timeout: 0, offset: last.update_id + 1 });
  return updates;
}

describe('reactions in the emulator', () => {
  it('a group reaction reaches an admin bot as message_reaction with old and new lists', async () => {
    const group = await client.createChat({ type: 'supergroup', title: 'Club', memberIds: [aliceId, bobId] });
    const message = await client.sendMessage(aliceId, 'Ride on Sunday?', { chatId: group.chat.id });
    // Not asked for: Telegram does not send reactions by default.
    await client.react(bobId, group.chat.id, message.message_id, ['👍']);
    expect((await drain()).filter((u) => u.message_reaction || u.message_reaction_count)).toEqual([]);

    await client.react(bobId, group.chat.id, message.message_id, ['🔥']);
    const counts = await client.react(aliceId, group.chat.id, message.message_id, ['🔥']);
    expect(counts).toEqual([{ type: { type: 'emoji', emoji: '🔥' }, total_count: 2 }]);
    const updates = (await drain(reactionUpdates)).map((u) => u.message_reaction);
    expect(updates).toHaveLength(2);
    expect(updates[0]).toMatchObject({
      chat: { id: group.chat.id },
      message_id: message.message_id,
      user: { id: bobId },
      old_reaction: [{ type: 'emoji', emoji: '👍' }],
      new_reaction: [{ type: 'emoji', emoji: '🔥' }],
    });
    expect(updates[1]).toMatchObject({ user: { id: aliceId }, old_reaction: [] });
  });

  it('channel reactions are anonymous: the admin bot gets message_reaction_count', async () => {
    const channel = await client.createChat({ type: 'channel', title: 'News', memberIds: [aliceId, bobId] });
    const post = await client.postInChannel(channel.chat.id, 'New shop opens', aliceId);
    await client.react(bobId, channel.chat.id, post.message_id, ['❤']);
    const updates = await drain(reactionUpdates);
    const counts = updates.map((u) => u.message_reaction_count).filter(Boolean);
    expect(counts).toEqual([
      expect.objectContaining({
        chat: expect.objectContaining({ id: channel.chat.id }),
        message_id: post.message_id,
        reactions: [{ type: { type: 'emoji', emoji: '❤' }, total_count: 1 }],
      }),
    ]);
    expect(updates.some((u) => u.message_reaction)).toBe(false);
  });

  it('setMessageReaction: the bot reacts once, Telegram errors for the rest', async () => {
    const group = await client.createChat({ type: 'supergroup', title: 'Bot reacts', memberIds: [aliceId] });
    const message = await client.sendMessage(aliceId, 'Thanks!', { chatId: group.chat.id });
    expect(
      await api.setMessageReaction(group.chat.id, message.message_id, [{ type: 'emoji', emoji: '👌' }]),
    ).toBe(true);
    expect(await client.reactions(group.chat.id, message.message_id)).toEqual([
      { type: { type: 'emoji', emoji: '👌' }, total_count: 1 },
    ]);
    // The bot hears nothing about its own reaction.
    const own = await drain(reactionUpdates);
    expect(own.filter((u) => u.message_reaction)).toEqual([]);

    const tooMany = await api
      .setMessageReaction(group.chat.id, message.message_id, [
        { type: 'emoji', emoji: '👌' },
        { type: 'emoji', emoji: '🔥' },
      ])
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(GrammyError);
    expect((tooMany as GrammyError).description).toBe('Bad Request: REACTIONS_TOO_MANY');
    const missing = await api
      .setMessageReaction(group.chat.id, 999_999, [{ type: 'emoji', emoji: '👌' }])
      .catch((e: unknown) => e);
    expect((missing as GrammyError).description).toBe('Bad Request: message to react not found');
    // An empty list takes the bot's reaction back.
    expect(await api.setMessageReaction(group.chat.id, message.message_id, [])).toBe(true);
    expect(await client.reactions(group.chat.id, message.message_id)).toEqual([]);
  });
});
