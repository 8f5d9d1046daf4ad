import type { BotContext } from '@botloom/core';
import { Context } from 'grammy';
import type { Update } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import { createCommentatorComposer } from '../src/bot/commentator-composer.js';
import { CommentatorChatScope } from '../src/services/chat-scope.js';
import type { CommentatorServices } from '../src/services/commentator-services.js';
import type { Sql } from '../src/services/sql.js';

/** An Sql that answers the scope's query with `ids`. */
function fakeSql(ids: number[]) {
  return {
    async select() {
      return ids.map((id) => ({ id: String(id) }));
    },
  };
}

describe('CommentatorChatScope', () => {
  it('holds every chat in scope until loaded, then only the loaded and added ones', async () => {
    const scope = new CommentatorChatScope(fakeSql([-1001, -2002]) as unknown as Sql);
    expect(scope.concerns(42)).toBe(true);
    await scope.reload();
    expect(scope.concerns(-1001)).toBe(true);
    expect(scope.concerns(-2002)).toBe(true);
    expect(scope.concerns(42)).toBe(false);
    await scope.add(-3003);
    expect(scope.concerns(-3003)).toBe(true);
  });

  it('keeps a chat added while a reload was reading', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let reads = 0;
    const sql = {
      async select() {
        reads++;
        if (reads > 1) await gate; // the second load waits until the chat was added
        return [{ id: '-1001' }];
      },
    };
    const scope = new CommentatorChatScope(sql as unknown as Sql);
    await scope.reload();
    const reloading = scope.reload();
    await scope.add(-5005);
    open();
    await reloading;
    expect(scope.concerns(-5005)).toBe(true);
    expect(scope.concerns(-1001)).toBe(true);
  });
});

describe('the commentator composer outside its scope', () => {
  const forbidden = () => {
    throw new Error('the database was asked about a chat outside the scope');
  };

  async function run(update: Update, scopeIds: number[]) {
    const scope = new CommentatorChatScope(fakeSql(scopeIds) as unknown as Sql);
    await scope.reload();
    const services = {
      scope,
      review: { chatId: -9009 },
      channels: { ingest: forbidden, recordDiscussionCopy: forbidden },
      inbox: { commentRepliedTo: forbidden },
      engagement: { recordReactionChange: forbidden, recordReactionCount: forbidden },
    } as unknown as CommentatorServices;
    const composer = createCommentatorComposer(() => services);
    let passedOn = false;
    const ctx = new Context(update, {} as never, { id: 1, is_bot: true } as never) as BotContext;
    await composer.middleware()(ctx, async () => {
      passedOn = true;
    });
    return passedOn;
  }

  const group = { id: -7007, type: 'supergroup' as const, title: 'Support managers' };
  const user = { id: 5, is_bot: false, first_name: 'Ann' };

  it('passes on a reply, a reaction and a channel post of other chats without a query', async () => {
    const reply: Update = {
      update_id: 1,
      message: {
        message_id: 10,
        date: 1,
        chat: group,
        from: user,
        text: 'thanks',
        reply_to_message: { message_id: 9, date: 1, chat: group, text: 'hi' } as never,
      },
    };
    const reaction: Update = {
      update_id: 2,
      message_reaction: {
        chat: group,
        message_id: 9,
        date: 1,
        user,
        old_reaction: [],
        new_reaction: [{ type: 'emoji', emoji: '👍' }],
      },
    };
    const reactionCount: Update = {
      update_id: 3,
      message_reaction_count: {
        chat: { id: -8008, type: 'channel', title: 'News' },
        message_id: 4,
        date: 1,
        reactions: [{ type: { type: 'emoji', emoji: '👍' }, total_count: 3 }],
      },
    };
    const post: Update = {
      update_id: 4,
      channel_post: {
        message_id: 4,
        date: 1,
        chat: { id: -8008, type: 'channel', title: 'News' },
        text: 'x',
      },
    };
    const forward: Update = {
      update_id: 5,
      message: {
        message_id: 11,
        date: 1,
        chat: group,
        text: 'x',
        is_automatic_forward: true,
        forward_origin: {
          type: 'channel',
          chat: { id: -8008, type: 'channel', title: 'News' },
          message_id: 4,
          date: 1,
        },
      } as never,
    };
    for (const update of [reply, reaction, reactionCount, post, forward])
      expect(await run(update, [-1001, -2002])).toBe(true);
  });
});
