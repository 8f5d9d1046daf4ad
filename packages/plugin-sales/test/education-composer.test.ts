import { Context } from 'grammy';
import type { Update } from 'grammy/types';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createEducationComposer } from '../src/education/education-composer.js';
import type { EducationGroupService } from '../src/education/education-group-service.js';

describe('the education composer outside the education groups', () => {
  const group = { id: -7007, type: 'supergroup' as const, title: 'Support managers' };
  const user = { id: 5, is_bot: false, first_name: 'Ann' };
  const text: Update = {
    update_id: 1,
    message: { message_id: 10, date: 1, chat: group, from: user, text: 'hello' },
  };
  const joined: Update = {
    update_id: 2,
    chat_member: {
      chat: group,
      from: user,
      date: 1,
      old_chat_member: { status: 'left', user },
      new_chat_member: { status: 'member', user },
    },
  };

  async function run(update: Update, groups: number[]) {
    const asked: string[] = [];
    const service = {
      async onGroupMessage() {
        asked.push('message');
        return false;
      },
      async onMemberJoined() {
        asked.push('joined');
      },
    } as unknown as EducationGroupService;
    const composer = createEducationComposer(() => service, pino({ level: 'silent' }), {
      has: (id) => groups.includes(id),
    });
    let passedOn = false;
    const ctx = new Context(update, {} as never, { id: 1, is_bot: true } as never);
    await composer.middleware()(ctx, async () => {
      passedOn = true;
    });
    return { passedOn, asked };
  }

  it('passes on other groups’ messages and joins without a lookup', async () => {
    expect(await run(text, [-1001])).toEqual({ passedOn: true, asked: [] });
    expect(await run(joined, [-1001])).toEqual({ passedOn: true, asked: [] });
  });

  it('looks up the groups it holds', async () => {
    expect((await run(text, [-7007])).asked).toEqual(['message']);
    expect((await run(joined, [-7007])).asked).toEqual(['joined']);
  });
});
