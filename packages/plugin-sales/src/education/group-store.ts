import type { Crypto } from '@botloom/core';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { AssistantPost } from './scenario-schema.js';

export type GroupStatus = 'free' | 'invited' | 'awaiting_chat' | 'active' | 'finished' | 'unusable';
export type GroupSource = 'pool' | 'client';
export type MessageAuthor = 'client' | 'member' | 'bot' | 'assistant';
export type Responder = 'bot' | 'assistant' | 'nobody';

export interface EducationGroup {
  id: number;
  chatId: number | null;
  title: string;
  source: GroupSource;
  status: GroupStatus;
  clientUserId: number | null;
  clientChatId: number | null;
  conversationId: string | null;
  scriptId: string | null;
  scriptVersion: number | null;
  locale: string;
  inviteLink: string | null;
  stageIndex: number;
  stageAttempts: number;
  problem: string | null;
  invitedAt: Date | null;
  joinedAt: Date | null;
  finishedAt: Date | null;
  createdAt: Date;
}

export interface OfferContext {
  clientUserId: number;
  clientChatId: number;
  conversationId: string;
  scriptId: string;
  scriptVersion: number;
  locale: string;
}

interface GroupRow {
  id: number;
  chat_id: string | null;
  title: string;
  source: GroupSource;
  status: GroupStatus;
  client_user_id: string | null;
  client_chat_id: string | null;
  conversation_id: string | null;
  script_id: string | null;
  script_version: number | null;
  locale: string;
  invite_link: string | null;
  stage_index: number;
  stage_attempts: number;
  problem: string | null;
  invited_at: Date | null;
  joined_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** One post of Script #2: the main bot's text, or an assistant's post (marked when sent). */
export type PostPayload = { text: string; replyTo?: number } | { assistant: AssistantPost };

export interface PlannedPost {
  stageId?: string;
  kind: 'bot' | 'assistant';
  payload: PostPayload;
}

export type PostStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unconfirmed';

export interface GroupPost extends PlannedPost {
  id: number;
  groupId: number;
  seq: number;
  status: PostStatus;
  attempts: number;
  messageId: number | null;
  problem: string | null;
  /** The group's chat and language, for sending. */
  chatId: number | null;
  locale: string;
}

interface PostRow {
  id: string;
  group_id: number;
  seq: number;
  stage_id: string | null;
  kind: 'bot' | 'assistant';
  payload: PostPayload;
  status: PostStatus;
  attempts: number;
  message_id: number | null;
  problem: string | null;
  chat_id: string | null;
  locale: string;
}

function toPost(r: PostRow): GroupPost {
  return {
    id: Number(r.id),
    groupId: r.group_id,
    seq: r.seq,
    stageId: r.stage_id ?? undefined,
    kind: r.kind,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    messageId: r.message_id,
    problem: r.problem,
    chatId: r.chat_id === null ? null : Number(r.chat_id),
    locale: r.locale,
  };
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));

function toGroup(r: GroupRow): EducationGroup {
  return {
    id: r.id,
    chatId: num(r.chat_id),
    title: r.title,
    source: r.source,
    status: r.status,
    clientUserId: num(r.client_user_id),
    clientChatId: num(r.client_chat_id),
    conversationId: r.conversation_id,
    scriptId: r.script_id,
    scriptVersion: r.script_version,
    locale: r.locale,
    inviteLink: r.invite_link,
    stageIndex: r.stage_index,
    stageAttempts: r.stage_attempts,
    problem: r.problem,
    invitedAt: r.invited_at,
    joinedAt: r.joined_at,
    finishedAt: r.finished_at,
    createdAt: r.created_at,
  };
}

/** The rows of education_groups and group_messages; message text is sealed with core's crypto. */
export class EducationGroupStore {
  constructor(
    private readonly db: Sequelize,
    private readonly crypto: Crypto,
    /** The education groups' chats held in memory (see createEducationModule): stored chats join. */
    private readonly chats?: { add(chatId: number): Promise<void> },
  ) {}

  /** Every chat that is or was an education group. */
  async chatIds(): Promise<number[]> {
    const rows = await this.db.query<{ chat_id: string }>(
      'SELECT chat_id FROM education_groups WHERE chat_id IS NOT NULL',
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => Number(r.chat_id));
  }

  private async rows(sql: string, replacements: Record<string, unknown>, transaction?: Transaction) {
    const rows = await this.db.query<GroupRow>(sql, { replacements, type: QueryTypes.SELECT, transaction });
    return rows.map(toGroup);
  }

  async byChat(chatId: number): Promise<EducationGroup | undefined> {
    return (await this.rows('SELECT * FROM education_groups WHERE chat_id = :chatId', { chatId }))[0];
  }

  async byId(id: number): Promise<EducationGroup | undefined> {
    return (await this.rows('SELECT * FROM education_groups WHERE id = :id', { id }))[0];
  }

  list(): Promise<EducationGroup[]> {
    return this.rows('SELECT * FROM education_groups ORDER BY id', {});
  }

  /** A pool group, free; a group registered before and left unusable or finished becomes free again. */
  async upsertPoolGroup(chatId: number, title: string): Promise<EducationGroup> {
    const [group] = await this.rows(
      `INSERT INTO education_groups (chat_id, title, source, status)
       VALUES (:chatId, :title, 'pool', 'free')
       ON CONFLICT (chat_id) DO UPDATE SET
         title = EXCLUDED.title, status = 'free', source = 'pool', problem = NULL, client_user_id = NULL,
         client_chat_id = NULL, conversation_id = NULL, script_id = NULL, script_version = NULL,
         invite_link = NULL, stage_index = 0, stage_attempts = 0, invited_at = NULL, joined_at = NULL,
         finished_at = NULL, updated_at = now()
       WHERE education_groups.status IN ('unusable', 'finished')
       RETURNING *`,
      { chatId, title },
    );
    if (!group) throw new Error('unreachable: caller checks the existing row first');
    await this.chats?.add(chatId);
    return group;
  }

  async deletePoolGroup(id: number): Promise<void> {
    await this.db.query('DELETE FROM education_groups WHERE id = :id', { replacements: { id } });
  }

  /**
   * Takes the oldest free pool group for this client, atomically (two instances never hand
   * out the same group): FOR UPDATE SKIP LOCKED.
   */
  async claimFree(offer: OfferContext): Promise<EducationGroup | undefined> {
    return (
      await this.rows(
        `UPDATE education_groups SET status = 'invited', client_user_id = :clientUserId,
           client_chat_id = :clientChatId, conversation_id = :conversationId, script_id = :scriptId,
           script_version = :scriptVersion, locale = :locale, invited_at = now(), updated_at = now()
         WHERE id = (SELECT id FROM education_groups WHERE status = 'free' ORDER BY id
                     FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING *`,
        { ...offer },
      )
    )[0];
  }

  async setInviteLink(id: number, link: string): Promise<void> {
    await this.db.query(
      'UPDATE education_groups SET invite_link = :link, updated_at = now() WHERE id = :id',
      {
        replacements: { id, link },
      },
    );
  }

  async markUnusable(id: number, problem: string): Promise<void> {
    await this.db.query(
      `UPDATE education_groups SET status = 'unusable', problem = :problem, client_user_id = NULL,
         client_chat_id = NULL, conversation_id = NULL, invite_link = NULL, updated_at = now()
       WHERE id = :id AND source = 'pool'`,
      { replacements: { id, problem: problem.slice(0, 500) } },
    );
  }

  /** The client's open invite for this conversation (offered twice: the same link again). */
  async openInvite(clientUserId: number, conversationId: string): Promise<EducationGroup | undefined> {
    return (
      await this.rows(
        `SELECT * FROM education_groups WHERE client_user_id = :clientUserId AND conversation_id = :conversationId
           AND status IN ('invited', 'awaiting_chat', 'active') ORDER BY id DESC LIMIT 1`,
        { clientUserId, conversationId },
      )
    )[0];
  }

  /** A row for the request_chat route; its id is the button's request_id. */
  async createAwaitingChat(offer: OfferContext): Promise<EducationGroup> {
    const [group] = await this.rows(
      `INSERT INTO education_groups (source, status, client_user_id, client_chat_id, conversation_id,
         script_id, script_version, locale, invited_at)
       VALUES ('client', 'awaiting_chat', :clientUserId, :clientChatId, :conversationId, :scriptId,
         :scriptVersion, :locale, now())
       RETURNING *`,
      { ...offer },
    );
    return group!;
  }

  /** Invites sent before `before` that nobody used, and request_chat buttons nobody pressed. */
  staleOffers(before: Date): Promise<EducationGroup[]> {
    return this.rows(
      `SELECT * FROM education_groups WHERE status IN ('invited', 'awaiting_chat') AND invited_at < :before
       ORDER BY id LIMIT 500`,
      { before },
    );
  }

  /** An unused invite: the pool group is free again (only if it is still waiting for that client). */
  async releaseInvite(id: number): Promise<boolean> {
    const released = await this.rows(
      `UPDATE education_groups SET status = 'free', client_user_id = NULL, client_chat_id = NULL,
         conversation_id = NULL, script_id = NULL, script_version = NULL, invite_link = NULL,
         invited_at = NULL, updated_at = now()
       WHERE id = :id AND status = 'invited' RETURNING *`,
      { id },
    );
    return released.length > 0;
  }

  /** A request_chat offer nobody answered: closed (a late chat_shared is then ignored). */
  async closeAwaiting(id: number): Promise<void> {
    await this.db.query(
      `UPDATE education_groups SET status = 'finished', problem = 'the client did not create a group in time',
         finished_at = now(), updated_at = now()
       WHERE id = :id AND status = 'awaiting_chat'`,
      { replacements: { id } },
    );
  }

  /** invited → active, once (a redelivered chat_member update does not start the scenario twice). */
  async activateInvited(id: number, transaction?: Transaction): Promise<EducationGroup | undefined> {
    return (
      await this.rows(
        `UPDATE education_groups SET status = 'active', joined_at = now(), updated_at = now()
         WHERE id = :id AND status = 'invited' RETURNING *`,
        { id },
        transaction,
      )
    )[0];
  }

  /** awaiting_chat → active in the group the client shared, once. */
  async activateShared(
    id: number,
    chatId: number,
    title: string,
    transaction?: Transaction,
  ): Promise<EducationGroup | undefined> {
    // Before the commit: a chat in the set too early only costs a lookup, one missing loses messages.
    await this.chats?.add(chatId);
    return (
      await this.rows(
        `UPDATE education_groups SET status = 'active', chat_id = :chatId, title = :title, joined_at = now(),
           updated_at = now()
         WHERE id = :id AND status = 'awaiting_chat' RETURNING *`,
        { id, chatId, title },
        transaction,
      )
    )[0];
  }

  async setStage(
    id: number,
    stageIndex: number,
    stageAttempts: number,
    finished: boolean,
    transaction?: Transaction,
  ): Promise<void> {
    await this.db.query(
      `UPDATE education_groups SET stage_index = :stageIndex, stage_attempts = :stageAttempts,
         status = CASE WHEN :finished THEN 'finished' ELSE status END,
         finished_at = CASE WHEN :finished THEN now() ELSE finished_at END, updated_at = now()
       WHERE id = :id`,
      { replacements: { id, stageIndex, stageAttempts, finished }, transaction },
    );
  }

  /**
   * Stores one message of the transcript. A client's or member's message is stored once per
   * Telegram id: false when it was stored before (a retried update), so it is not handled twice.
   */
  async addMessage(
    input: {
      groupId: number;
      messageId?: number;
      author: MessageAuthor;
      authorId?: number;
      stageId?: string;
      text: string;
      analysis?: unknown;
      responder?: Responder;
    },
    transaction?: Transaction,
  ): Promise<boolean> {
    const inserted = await this.db.query(
      `INSERT INTO group_messages (group_id, message_id, author, author_id, stage_id, text_enc, analysis, responder)
       VALUES (:groupId, :messageId, :author, :authorId, :stageId, :textEnc, CAST(:analysis AS JSONB), :responder)
       ON CONFLICT (group_id, message_id) WHERE author IN ('client', 'member') AND message_id IS NOT NULL DO NOTHING
       RETURNING id`,
      {
        type: QueryTypes.SELECT,
        transaction,
        replacements: {
          groupId: input.groupId,
          messageId: input.messageId ?? null,
          author: input.author,
          authorId: input.authorId ?? null,
          stageId: input.stageId ?? null,
          textEnc: this.crypto.encrypt(input.text),
          analysis: input.analysis === undefined ? null : JSON.stringify(input.analysis),
          responder: input.responder ?? null,
        },
      },
    );
    return inserted.length > 0;
  }

  /** Whether a client's or member's message with this Telegram id is stored already. */
  async hasIncoming(groupId: number, messageId: number): Promise<boolean> {
    const rows = await this.db.query(
      `SELECT 1 FROM group_messages WHERE group_id = :groupId AND message_id = :messageId
         AND author IN ('client', 'member')`,
      { replacements: { groupId, messageId }, type: QueryTypes.SELECT },
    );
    return rows.length > 0;
  }

  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  // ---- Script #2's posts (education_group_posts) ---------------------------------------------

  /** Appends posts after the group's last one, in order; returns their ids. */
  async appendPosts(groupId: number, posts: PlannedPost[], transaction: Transaction): Promise<number[]> {
    if (posts.length === 0) return [];
    // The group's row lock orders concurrent plans of one group.
    await this.db.query('SELECT id FROM education_groups WHERE id = :groupId FOR UPDATE', {
      replacements: { groupId },
      transaction,
    });
    const [last] = await this.db.query<{ seq: number | null }>(
      'SELECT max(seq) AS seq FROM education_group_posts WHERE group_id = :groupId',
      { replacements: { groupId }, type: QueryTypes.SELECT, transaction },
    );
    const ids: number[] = [];
    let seq = last?.seq ?? 0;
    for (const post of posts) {
      const [row] = await this.db.query<{ id: string }>(
        `INSERT INTO education_group_posts (group_id, seq, stage_id, kind, payload)
         VALUES (:groupId, :seq, :stageId, :kind, CAST(:payload AS JSONB)) RETURNING id`,
        {
          replacements: {
            groupId,
            seq: ++seq,
            stageId: post.stageId ?? null,
            kind: post.kind,
            payload: JSON.stringify(post.payload),
          },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      ids.push(Number(row!.id));
    }
    return ids;
  }

  /**
   * pending → sending, only when every earlier post of its group is settled (posts go out in
   * order, and one instance sends each). Undefined when it cannot be taken now.
   */
  async claimPost(id: number): Promise<GroupPost | undefined> {
    const rows = await this.db.query<PostRow>(
      `WITH claimed AS (
         UPDATE education_group_posts p SET status = 'sending', attempts = attempts + 1, claimed_at = now()
         WHERE p.id = :id AND p.status = 'pending' AND NOT EXISTS (
           SELECT 1 FROM education_group_posts e
           WHERE e.group_id = p.group_id AND e.seq < p.seq AND e.status IN ('pending', 'sending'))
         RETURNING p.*)
       SELECT claimed.*, g.chat_id, g.locale FROM claimed JOIN education_groups g ON g.id = claimed.group_id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] && toPost(rows[0]);
  }

  async post(id: number): Promise<GroupPost | undefined> {
    const rows = await this.db.query<PostRow>(
      `SELECT p.*, g.chat_id, g.locale FROM education_group_posts p JOIN education_groups g ON g.id = p.group_id
       WHERE p.id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return rows[0] && toPost(rows[0]);
  }

  /** The group's first post not yet settled (pending or being sent). */
  async firstOpenPost(groupId: number): Promise<GroupPost | undefined> {
    const rows = await this.db.query<PostRow>(
      `SELECT p.*, g.chat_id, g.locale FROM education_group_posts p JOIN education_groups g ON g.id = p.group_id
       WHERE p.group_id = :groupId AND p.status IN ('pending', 'sending') ORDER BY p.seq LIMIT 1`,
      { replacements: { groupId }, type: QueryTypes.SELECT },
    );
    return rows[0] && toPost(rows[0]);
  }

  /** Sent: the post's Telegram id and its line in the transcript, together. */
  async postSent(post: GroupPost, message: Parameters<EducationGroupStore['addMessage']>[0]): Promise<void> {
    await this.db.transaction(async (transaction) => {
      await this.db.query(
        `UPDATE education_group_posts SET status = 'sent', message_id = :messageId, sent_at = now()
         WHERE id = :id AND status = 'sending'`,
        { replacements: { id: post.id, messageId: message.messageId ?? null }, transaction },
      );
      await this.addMessage(message, transaction);
    });
  }

  /** A send that failed: back to pending for another try, or failed for good (the next post goes on). */
  async postFailed(id: number, problem: string, final: boolean): Promise<void> {
    await this.db.query(
      `UPDATE education_group_posts SET status = :status, problem = :problem, claimed_at = NULL
       WHERE id = :id AND status = 'sending'`,
      { replacements: { id, problem: problem.slice(0, 500), status: final ? 'failed' : 'pending' } },
    );
  }

  /**
   * A post an instance took more than `staleSeconds` ago and never settled (it died while
   * sending): Telegram may have it, so it is marked unconfirmed and not sent again.
   */
  async settleStalePost(id: number, staleSeconds: number): Promise<boolean> {
    const changed = await this.db.query(
      `UPDATE education_group_posts SET status = 'unconfirmed',
         problem = 'the instance sending it stopped; not sent again, so it is never posted twice'
       WHERE id = :id AND status = 'sending' AND claimed_at < now() - make_interval(secs => :staleSeconds)
       RETURNING id`,
      { replacements: { id, staleSeconds }, type: QueryTypes.SELECT },
    );
    return changed.length > 0;
  }

  /**
   * The first open post of each group whose delivery looks stalled: pending for more than
   * `pendingSeconds` (its job was never queued: the instance stopped after planning), or being
   * sent for more than `sendingSeconds`.
   */
  async stalledPosts(pendingSeconds: number, sendingSeconds: number): Promise<number[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM (
         SELECT DISTINCT ON (group_id) id, status, created_at, claimed_at FROM education_group_posts
         WHERE status IN ('pending', 'sending') ORDER BY group_id, seq) first
       WHERE (status = 'pending' AND created_at < now() - make_interval(secs => :pendingSeconds))
          OR (status = 'sending' AND claimed_at < now() - make_interval(secs => :sendingSeconds))
       LIMIT 500`,
      { replacements: { pendingSeconds, sendingSeconds }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => Number(r.id));
  }

  async posts(groupId: number): Promise<GroupPost[]> {
    const rows = await this.db.query<PostRow>(
      `SELECT p.*, g.chat_id, g.locale FROM education_group_posts p JOIN education_groups g ON g.id = p.group_id
       WHERE p.group_id = :groupId ORDER BY p.seq`,
      { replacements: { groupId }, type: QueryTypes.SELECT },
    );
    return rows.map(toPost);
  }

  async messages(groupId: number): Promise<
    Array<{
      id: number;
      author: MessageAuthor;
      authorId: number | null;
      stageId: string | null;
      text: string;
      analysis: unknown;
      responder: Responder | null;
      createdAt: Date;
    }>
  > {
    const rows = await this.db.query<{
      id: string;
      author: MessageAuthor;
      author_id: string | null;
      stage_id: string | null;
      text_enc: string;
      analysis: unknown;
      responder: Responder | null;
      created_at: Date;
    }>('SELECT * FROM group_messages WHERE group_id = :groupId ORDER BY id', {
      replacements: { groupId },
      type: QueryTypes.SELECT,
    });
    return rows.map((r) => ({
      id: Number(r.id),
      author: r.author,
      authorId: num(r.author_id),
      stageId: r.stage_id,
      text: this.crypto.decrypt(r.text_enc),
      analysis: r.analysis,
      responder: r.responder,
      createdAt: r.created_at,
    }));
  }

  /**
   * Forgets a client: their messages (and every message of groups they created) are deleted,
   * their groups lose the link to them, and a scenario still running for them ends.
   */
  async eraseClient(userId: number): Promise<void> {
    await this.db.transaction(async (transaction) => {
      await this.db.query(
        `DELETE FROM group_messages WHERE author_id = :userId
           OR group_id IN (SELECT id FROM education_groups WHERE source = 'client' AND client_user_id = :userId)`,
        { replacements: { userId }, transaction },
      );
      await this.db.query(
        `DELETE FROM education_group_posts WHERE status = 'pending'
           AND group_id IN (SELECT id FROM education_groups WHERE client_user_id = :userId)`,
        { replacements: { userId }, transaction },
      );
      await this.db.query(
        `UPDATE education_groups SET client_user_id = NULL, client_chat_id = NULL, conversation_id = NULL,
           invite_link = NULL, problem = 'the client asked to delete their data',
           status = CASE WHEN status IN ('invited', 'awaiting_chat', 'active') THEN 'finished' ELSE status END,
           finished_at = COALESCE(finished_at, now()), updated_at = now()
         WHERE client_user_id = :userId`,
        { replacements: { userId }, transaction },
      );
    });
  }

  async messageCounts(): Promise<Map<number, number>> {
    const rows = await this.db.query<{ group_id: number; n: string }>(
      'SELECT group_id, count(*) AS n FROM group_messages GROUP BY group_id',
      { type: QueryTypes.SELECT },
    );
    return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
  }
}
