import type { TestApp } from '@botloom/core/testing';
import type { CommentatorServices } from '../../src/index.js';

/** Polls `probe` until it returns something truthy; wide margins for a busy CI machine. */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function servicesOf(t: TestApp): CommentatorServices {
  return t.app.services<CommentatorServices>('commentator');
}

/** A clock the test moves by hand. */
export function fakeClock(start = new Date('2030-01-07T09:00:00Z')) {
  let now = start.getTime();
  const clock = () => new Date(now);
  return {
    clock,
    set(d: Date) {
      now = d.getTime();
    },
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

export interface SandboxChannel {
  channelId: number;
  groupId: number;
}

/** A channel the bot administers, with a linked discussion group (or none). */
export async function createChannel(
  t: TestApp,
  ownerId: number,
  title: string,
  options: { discussion?: boolean; memberIds?: number[] } = {},
): Promise<SandboxChannel> {
  const channel = await t.sandbox.createChat({
    type: 'channel',
    title,
    ownerId,
    memberIds: [ownerId, ...(options.memberIds ?? [])],
    ...(options.discussion === false ? {} : { discussionGroupTitle: `${title} chat` }),
  });
  const groupId = channel.linkedChatId ?? 0;
  return { channelId: channel.chat.id, groupId };
}
