import type { SendOptions } from './graph-client.js';

const HOUR = 3600_000;

export type ReplyAuthor = 'bot' | 'human';

export type WindowDecision =
  | { allowed: true; options: SendOptions }
  | {
      allowed: false;
      reason: 'no_user_message' | 'bot_outside_24h' | 'outside_human_agent_window';
      message: string;
    };

export interface WindowLimits {
  autoReplyWindowHours: number;
  humanAgentWindowDays: number;
}

/**
 * Meta's messaging window. Anyone may answer within 24 hours of the user's last message. A
 * person (never the bot) may answer up to 7 days after it with the HUMAN_AGENT tag. After that
 * nothing is sent. The tag is decided here only, from who wrote the reply.
 */
export function decideWindow(
  author: ReplyAuthor,
  lastUserMessageAt: Date | null | undefined,
  now: Date,
  limits: WindowLimits,
): WindowDecision {
  if (!lastUserMessageAt) {
    return {
      allowed: false,
      reason: 'no_user_message',
      message: 'The user has never written: Instagram allows no first message',
    };
  }
  const age = now.getTime() - lastUserMessageAt.getTime();
  if (age <= limits.autoReplyWindowHours * HOUR)
    return { allowed: true, options: { messagingType: 'RESPONSE' } };
  if (author === 'bot') {
    return {
      allowed: false,
      reason: 'bot_outside_24h',
      message: `The user last wrote ${hours(age)} hours ago: automatic replies are allowed only within ${limits.autoReplyWindowHours} hours`,
    };
  }
  if (age <= limits.humanAgentWindowDays * 24 * HOUR) {
    return { allowed: true, options: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' } };
  }
  return {
    allowed: false,
    reason: 'outside_human_agent_window',
    message: `The user last wrote ${hours(age)} hours ago: even a person may reply only within ${limits.humanAgentWindowDays} days`,
  };
}

const hours = (ms: number) => Math.floor(ms / HOUR);
