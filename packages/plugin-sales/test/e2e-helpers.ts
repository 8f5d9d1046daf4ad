import { Tokens } from '@botloom/core';
import type { SandboxUser, TestApp } from '@botloom/core/testing';
import type { Message } from 'grammy/types';

export const WAIT = { timeoutMs: 45_000 };
const HELP_REPLY = /^(Available commands|Доступные команды)/;

/**
 * Sends one message and returns the texts of every bot message it caused: a chat's updates are
 * handled one at a time, so what the bot sent before its answer to a following /help belongs to it.
 */
export async function turn(user: SandboxUser, text: string): Promise<string[]> {
  const sent = await user.send(text);
  await user.send('/help');
  const sentinel = await user.expectReply(HELP_REPLY, WAIT);
  const transcript = await user.transcript();
  return transcript
    .filter(
      (m: Message) => m.from?.is_bot && m.message_id > sent.message_id && m.message_id < sentinel.message_id,
    )
    .map((m: Message) => m.text ?? '');
}

export async function query<R = Record<string, any>>(
  t: TestApp,
  sql: string,
  bind: unknown[] = [],
): Promise<R[]> {
  return (await t.app.resolver('core')(Tokens.Database).query(sql, { bind }))[0] as R[];
}
