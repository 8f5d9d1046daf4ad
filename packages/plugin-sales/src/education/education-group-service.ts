import type { Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type {
  EducationGroupPort,
  EducationOfferInput,
  EducationOfferResult,
} from '../services/education-port.js';
import {
  EducationGroupExistsError,
  EducationGroupInUseError,
  EducationGroupNotFoundError,
  EducationGroupUnusableError,
} from './errors.js';
import type { EducationGroup, EducationGroupStore, OfferContext } from './group-store.js';
import type { EducationTelegram } from './ports.js';
import type { EducationScenarioRunner, GroupMessageInput } from './scenario-runner.js';

export interface EducationGroupServiceOptions {
  /** When no pool group is free, offer the request_chat button (the client creates a group). */
  clientGroups: boolean;
  /**
   * Send the invite link to the client (default). Off when the caller tells the client itself:
   * the sales conversation puts the link in its own reply, and one message is enough.
   */
  announceInvites?: boolean;
}

/**
 * Education groups: the operator's pool, single-use invites, the request_chat route and the
 * start of Script #2 when the client is in. The sales conversation calls `offer` (through
 * EducationGroupPort) once the client agreed.
 */
export class EducationGroupService implements EducationGroupPort {
  constructor(
    private readonly store: EducationGroupStore,
    private readonly telegram: EducationTelegram,
    private readonly runner: EducationScenarioRunner,
    private readonly translator: Translator,
    private readonly options: EducationGroupServiceOptions,
    private readonly logger: Logger,
  ) {}

  // ---- the pool (admin API) ------------------------------------------------------------------

  list(): Promise<EducationGroup[]> {
    return this.store.list();
  }

  /** Registers a group the operator created; checks with Telegram that the bot may invite there. */
  async registerPoolGroup(chatId: number): Promise<EducationGroup> {
    const existing = await this.store.byChat(chatId);
    if (existing && existing.status !== 'unusable' && existing.status !== 'finished') {
      throw new EducationGroupExistsError(chatId, existing.status);
    }
    const info = await this.telegram.inspectGroup(chatId);
    return this.store.upsertPoolGroup(chatId, info.title);
  }

  async removePoolGroup(chatId: number): Promise<void> {
    const group = await this.store.byChat(chatId);
    if (group?.source !== 'pool') throw new EducationGroupNotFoundError(chatId);
    if (group.status === 'invited' || group.status === 'active')
      throw new EducationGroupInUseError(chatId, group.status);
    await this.store.deletePoolGroup(group.id);
  }

  // ---- the offer -----------------------------------------------------------------------------

  async offer(input: EducationOfferInput): Promise<EducationOfferResult> {
    const context: OfferContext = {
      clientUserId: input.userId,
      clientChatId: input.chatId,
      conversationId: input.conversationId,
      scriptId: input.scriptId,
      scriptVersion: input.scriptVersion,
      locale: input.locale,
    };
    const open = await this.store.openInvite(input.userId, input.conversationId);
    if (open?.status === 'invited' && open.inviteLink && open.chatId !== null) {
      await this.sendInvite(input, open.title, open.inviteLink);
      return { status: 'invited', inviteLink: open.inviteLink, groupChatId: open.chatId };
    }
    if (open?.status === 'active' && open.chatId !== null && open.inviteLink) {
      return { status: 'invited', inviteLink: open.inviteLink, groupChatId: open.chatId };
    }
    // A group that turns out to be unusable is marked so and the next free one is tried.
    for (;;) {
      const group = await this.store.claimFree(context);
      if (!group) break;
      try {
        const link = await this.telegram.createSingleUseInvite(group.chatId!, `client ${input.userId}`);
        await this.store.setInviteLink(group.id, link);
        await this.sendInvite(input, group.title, link);
        return { status: 'invited', inviteLink: link, groupChatId: group.chatId! };
      } catch (err) {
        if (!(err instanceof EducationGroupUnusableError)) throw err;
        this.logger.warn(
          { chatId: group.chatId, code: err.code },
          'pool group is unusable; trying the next one',
        );
        await this.store.markUnusable(group.id, err.message);
      }
    }
    if (!this.options.clientGroups) {
      await this.telegram.sendText(input.chatId, this.translator.t(input.locale, 'sales-edu-no-group'));
      return { status: 'no_free_group' };
    }
    const awaiting = open?.status === 'awaiting_chat' ? open : await this.store.createAwaitingChat(context);
    await this.telegram.sendCreateGroupButton(
      input.chatId,
      this.translator.t(input.locale, 'sales-edu-create-group'),
      this.translator.t(input.locale, 'sales-edu-create-group-button'),
      awaiting.id,
    );
    return { status: 'request_chat' };
  }

  private async sendInvite(input: EducationOfferInput, title: string, link: string) {
    if (this.options.announceInvites === false) return;
    await this.telegram.sendText(
      input.chatId,
      this.translator.t(input.locale, 'sales-edu-invite', { title, link }),
    );
  }

  /**
   * Offers older than `before` that the client never used: the invite link is revoked and the
   * pool group is free again; an unanswered request_chat offer is closed. Returns how many.
   */
  async expireOffers(before: Date): Promise<{ released: number; closed: number }> {
    let released = 0;
    let closed = 0;
    for (const group of await this.store.staleOffers(before)) {
      if (group.status === 'awaiting_chat') {
        await this.store.closeAwaiting(group.id);
        closed++;
        continue;
      }
      if (group.inviteLink && group.chatId !== null) {
        // Revoke first, so nobody can join a group that is handed to someone else next.
        await this.telegram
          .revokeInvite(group.chatId, group.inviteLink)
          .catch((err) =>
            this.logger.warn({ err, chatId: group.chatId }, 'could not revoke an unused invite'),
          );
      }
      if (await this.store.releaseInvite(group.id)) released++;
    }
    if (released || closed) this.logger.info({ released, closed }, 'expired unused education group offers');
    return { released, closed };
  }

  // ---- what happens in Telegram --------------------------------------------------------------

  /** A `chat_member` update: someone joined `chatId`. The invited client joining starts Script #2. */
  async onMemberJoined(chatId: number, userId: number): Promise<void> {
    const group = await this.store.byChat(chatId);
    if (group?.status !== 'invited' || group.clientUserId !== userId) return;
    const active = await this.runner.start(group, (t) => this.store.activateInvited(group.id, t));
    if (!active?.inviteLink) return;
    // The link is used up already (member_limit 1); revoking it makes that explicit.
    await this.telegram
      .revokeInvite(chatId, active.inviteLink)
      .catch((err) => this.logger.warn({ err, chatId }, 'could not revoke the used invite link'));
  }

  /** A `chat_shared` message: the client created (or picked) a group for the request_chat button. */
  /** False when the button was not one of ours (another plugin's request_chat). */
  async onChatShared(userId: number, requestId: number, chatId: number): Promise<boolean> {
    const pending = await this.store.byId(requestId);
    if (!pending || pending.clientUserId !== userId) return false;
    if (pending.status !== 'awaiting_chat') return true;
    const locale = pending.locale;
    const privateChat = pending.clientChatId ?? userId;
    let title: string;
    try {
      if (await this.store.byChat(chatId)) throw new EducationGroupExistsError(chatId, 'registered');
      title = (await this.telegram.inspectGroup(chatId)).title;
    } catch (err) {
      if (!(err instanceof EducationGroupUnusableError) && !(err instanceof EducationGroupExistsError))
        throw err;
      await this.telegram.sendText(privateChat, this.translator.t(locale, 'sales-edu-group-unusable'));
      return true;
    }
    const active = await this.runner.start(pending, (t) =>
      this.store.activateShared(pending.id, chatId, title, t),
    );
    if (!active) return true;
    await this.telegram.sendText(privateChat, this.translator.t(locale, 'sales-edu-group-ready', { title }), {
      removeKeyboard: true,
    });
    return true;
  }

  /** A message in a group; false when the group is not an education group (other handlers go on). */
  async onGroupMessage(chatId: number, message: GroupMessageInput): Promise<boolean> {
    const group = await this.store.byChat(chatId);
    if (!group) return false;
    await this.runner.onMessage(group, message);
    return true;
  }
}
