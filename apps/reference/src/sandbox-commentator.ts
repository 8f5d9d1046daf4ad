import type { App, SandboxFactory } from '@botloom/core';
import { SandboxClient } from '@botloom/core/sandbox';
import {
  type CommentatorServices,
  createSandboxGateway,
  type UserAccountGateway,
} from '@botloom/plugin-commentator';
import { SANDBOX_DESK, telegramTokenConfigured } from './sandbox-desk.js';

/**
 * The commentator's demo in sandbox mode: a channel "Acme news" with its discussion group and a
 * review group. The playground's Guest is an administrator of the channel (so they can post
 * there) and of the review group (so they are a reviewer). Chat ids are whatever the emulator
 * answers when the chats are made: the review chat's id reaches the plugin through its wiring
 * (`reviewChatId`), read lazily, and the channel is found by its title after start.
 */
export const SANDBOX_COMMENTATOR = {
  owner: { id: 5_000_002, first_name: 'Olga Owner', username: 'olga_owner' },
  channelTitle: 'Acme news',
  discussionTitle: 'Acme news chat',
  reviewTitle: 'Comment review',
} as const;

/** The demo's chats as the emulator created them. */
export interface SandboxCommentatorChats {
  channelChatId: number;
  discussionChatId: number;
  reviewChatId: number;
}

let sandboxGateway: UserAccountGateway | null = null;
let demoChats: SandboxCommentatorChats | null = null;

/**
 * The user-account adapter for the commentator in sandbox mode (accounts are sandbox people,
 * the login code is 12345); null until the sandbox started, and always with a real bot token.
 */
export function sandboxAccountGateway(): UserAccountGateway | null {
  return sandboxGateway;
}

/** The demo's review group, once the sandbox made it (the plugin's `reviewChatId` wiring). */
export function sandboxReviewChatId(): number | undefined {
  return demoChats?.reviewChatId;
}

/** The commentator's settings for the demo, or `{}` with a real bot token. */
export function sandboxCommentatorSettings(sandboxMode = !telegramTokenConfigured()): {
  brandName?: string;
} {
  if (!sandboxMode) return {};
  return { brandName: 'Acme' };
}

/** Creates the demo's people and chats and returns their ids as the emulator answered them. */
export async function prepareSandboxCommentator(emulatorUrl: string): Promise<SandboxCommentatorChats> {
  const client = new SandboxClient(emulatorUrl);
  const guest = (await client.listUsers()).find((u) => u.first_name === SANDBOX_DESK.customer.first_name);
  const owner = await client.createUser(SANDBOX_COMMENTATOR.owner);
  const admins = guest ? [guest.id] : [];
  const channel = await client.createChat({
    type: 'channel',
    title: SANDBOX_COMMENTATOR.channelTitle,
    ownerId: owner.id,
    memberIds: [owner.id, ...admins],
    adminIds: admins,
    discussionGroupTitle: SANDBOX_COMMENTATOR.discussionTitle,
  });
  const review = await client.createChat({
    type: 'supergroup',
    title: SANDBOX_COMMENTATOR.reviewTitle,
    ownerId: owner.id,
    memberIds: [owner.id, ...admins],
    adminIds: admins,
  });
  if (channel.linkedChatId === undefined) throw new Error('the demo channel got no discussion group');
  demoChats = {
    channelChatId: channel.chat.id,
    discussionChatId: channel.linkedChatId,
    reviewChatId: review.chat.id,
  };
  return demoChats;
}

/** Wraps a sandbox factory: after it, the commentator demo's chats are created. */
export function sandboxWithCommentatorDemo(base: SandboxFactory): SandboxFactory {
  return async (options) => {
    const handle = await base(options);
    try {
      await prepareSandboxCommentator(handle.apiRoot);
      sandboxGateway = createSandboxGateway(handle.apiRoot);
    } catch (err) {
      await handle.stop().catch(() => undefined);
      throw err;
    }
    options.logger.info(
      { channel: demoChats?.channelChatId, review: demoChats?.reviewChatId },
      `sandbox commentator: channel "${SANDBOX_COMMENTATOR.channelTitle}" with "${SANDBOX_COMMENTATOR.discussionTitle}", review group "${SANDBOX_COMMENTATOR.reviewTitle}"`,
    );
    return handle;
  };
}

/**
 * After start: the demo channel is monitored (the database may remember it from a previous
 * run). The channel is found by its title in the emulator, not by a predicted id.
 */
export async function prepareSandboxCommentatorData(app: App): Promise<boolean> {
  if (!app.sandbox || !app.plugins.some((plugin) => plugin.id === 'commentator')) return false;
  const chats = await new SandboxClient(app.sandbox.apiRoot, { token: app.sandbox.controlToken }).listChats();
  const channel = chats.find(
    (c) => c.chat.type === 'channel' && c.chat.title === SANDBOX_COMMENTATOR.channelTitle,
  );
  if (!channel) return false;
  const services = app.services<CommentatorServices>('commentator');
  if (await services.channels.byChatId(channel.chat.id)) return false;
  await services.channels.register({ chatId: channel.chat.id, route: 'bot' });
  return true;
}
