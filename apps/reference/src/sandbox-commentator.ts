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
 * there) and of the review group (so they are a reviewer). The emulator numbers supergroups and
 * channels -100200000000N in creation order; these are made right after the support desk's
 * group (N = 1), so their ids are known before the app is created.
 */
export const SANDBOX_COMMENTATOR = {
  owner: { id: 5_000_002, first_name: 'Olga Owner', username: 'olga_owner' },
  channelTitle: 'Acme news',
  channelChatId: -1_002_000_000_002,
  discussionTitle: 'Acme news chat',
  discussionChatId: -1_002_000_000_003,
  reviewTitle: 'Comment review',
  reviewChatId: -1_002_000_000_004,
} as const;

let sandboxGateway: UserAccountGateway | null = null;

/**
 * The user-account adapter for the commentator in sandbox mode (accounts are sandbox people,
 * the login code is 12345); null until the sandbox started, and always with a real bot token.
 */
export function sandboxAccountGateway(): UserAccountGateway | null {
  return sandboxGateway;
}

/** The commentator's settings for the demo, or `{}` with a real bot token. */
export function sandboxCommentatorSettings(sandboxMode = !telegramTokenConfigured()): {
  brandName?: string;
  reviewChatId?: number;
} {
  if (!sandboxMode) return {};
  return { brandName: 'Acme', reviewChatId: SANDBOX_COMMENTATOR.reviewChatId };
}

/** Creates the demo's people and chats; the support desk's must exist already. */
export async function prepareSandboxCommentator(emulatorUrl: string): Promise<void> {
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
  if (
    channel.chat.id !== SANDBOX_COMMENTATOR.channelChatId ||
    channel.linkedChatId !== SANDBOX_COMMENTATOR.discussionChatId ||
    review.chat.id !== SANDBOX_COMMENTATOR.reviewChatId
  ) {
    throw new Error('the commentator demo chats got other ids than its settings name');
  }
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
      { channel: SANDBOX_COMMENTATOR.channelChatId, review: SANDBOX_COMMENTATOR.reviewChatId },
      `sandbox commentator: channel "${SANDBOX_COMMENTATOR.channelTitle}" with "${SANDBOX_COMMENTATOR.discussionTitle}", review group "${SANDBOX_COMMENTATOR.reviewTitle}"`,
    );
    return handle;
  };
}

/** After start: the demo channel is monitored (the database may remember it from a previous run). */
export async function prepareSandboxCommentatorData(app: App): Promise<boolean> {
  if (!app.sandbox || !app.plugins.some((plugin) => plugin.id === 'commentator')) return false;
  const services = app.services<CommentatorServices>('commentator');
  if (await services.channels.byChatId(SANDBOX_COMMENTATOR.channelChatId)) return false;
  await services.channels.register({ chatId: SANDBOX_COMMENTATOR.channelChatId, route: 'bot' });
  return true;
}
