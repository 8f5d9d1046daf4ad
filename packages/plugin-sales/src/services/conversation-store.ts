import { randomUUID } from 'node:crypto';
import type { Crypto } from '@botloom/core';
import type { MessageAnalysis } from './analysis.js';
import type { Sql } from './sql.js';
import type { Strategy } from './strategy.js';

export type ConversationStatus = 'active' | 'paused' | 'ended';

export interface Conversation {
  id: string;
  scriptRowId: number;
  scriptSlug: string;
  scriptVersion: number;
  userId: number;
  chatId: number;
  locale: string;
  stage: string;
  stageEnteredAt: Date;
  stageTurns: number;
  lineCursor: number;
  status: ConversationStatus;
  lastStrategy: Strategy | null;
  takenOverBy: string | null;
  endReason: string | null;
  educationStatus: string | null;
  lastClientAt: Date | null;
  followUpStage: string | null;
  startedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

export interface StoredMessage {
  id: number;
  author: 'client' | 'bot' | 'operator' | 'system';
  text: string;
  textLength: number;
  stage: string;
  scriptVersion: number;
  strategy: Strategy | null;
  scriptFitScore: number | null;
  intent: string | null;
  sentiment: string | null;
  tone: string | null;
  consent: boolean | null;
  analysisSource: string | null;
  analysisStatus: string | null;
  analysis: {
    summary: string;
    objections: string[];
    consentEvidence: string | null;
    proposedTransition: unknown;
    /** Why the offline analyser answered (offline_provider, invalid_output); null for the model. */
    fallbackReason?: string | null;
  } | null;
  tokens: number;
  latencyMs: number;
  operator: string | null;
  createdAt: string;
}

type Row = Record<string, any>;

function conversationOf(r: Row): Conversation {
  return {
    id: r.id,
    scriptRowId: r.script_id,
    scriptSlug: r.slug,
    scriptVersion: r.script_version,
    userId: Number(r.user_id),
    chatId: Number(r.chat_id),
    locale: r.locale,
    stage: r.stage,
    stageEnteredAt: new Date(r.stage_entered_at),
    stageTurns: r.stage_turns,
    lineCursor: r.line_cursor,
    status: r.status,
    lastStrategy: r.last_strategy,
    takenOverBy: r.taken_over_by,
    endReason: r.end_reason,
    educationStatus: r.education_status,
    lastClientAt: r.last_client_at ? new Date(r.last_client_at) : null,
    followUpStage: r.follow_up_stage,
    startedAt: new Date(r.started_at),
    updatedAt: new Date(r.updated_at),
    endedAt: r.ended_at ? new Date(r.ended_at) : null,
  };
}

const SELECT = `SELECT c.*, s.slug FROM sales_client_conversations c JOIN sales_scripts s ON s.id = c.script_id`;

/** The conversation tables; message text and analysis content are encrypted with core's crypto. */
export class ConversationStore {
  constructor(
    readonly sql: Sql,
    private readonly crypto: Crypto,
  ) {}

  async create(input: {
    scriptRowId: number;
    scriptVersion: number;
    userId: number;
    chatId: number;
    locale: string;
    stage: string;
    lineCursor: number;
    now: Date;
  }): Promise<Conversation> {
    const id = randomUUID();
    await this.sql.exec(
      `INSERT INTO sales_client_conversations (id, script_id, script_version, user_id, chat_id, locale, stage,
         stage_entered_at, line_cursor, status, started_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $8, $8)`,
      [
        id,
        input.scriptRowId,
        input.scriptVersion,
        input.userId,
        input.chatId,
        input.locale,
        input.stage,
        input.now,
        input.lineCursor,
      ],
    );
    await this.enterStage(id, input.userId, input.scriptRowId, input.stage, input.now);
    return (await this.get(id))!;
  }

  async get(id: string): Promise<Conversation | undefined> {
    const r = await this.sql.one(`${SELECT} WHERE c.id = $1`, [id]);
    return r ? conversationOf(r) : undefined;
  }

  /** The user's open (active or paused) conversation, newest first. */
  async openFor(userId: number): Promise<Conversation | undefined> {
    const r = await this.sql.one(
      `${SELECT} WHERE c.user_id = $1 AND c.status IN ('active', 'paused') ORDER BY c.started_at DESC LIMIT 1`,
      [userId],
    );
    return r ? conversationOf(r) : undefined;
  }

  async update(id: string, fields: Partial<Record<string, unknown>>, now: Date): Promise<void> {
    const keys = Object.keys(fields);
    const sets = keys.map((k, i) => `${k} = $${i + 2}`);
    sets.push(`updated_at = $${keys.length + 2}`);
    await this.sql.exec(`UPDATE sales_client_conversations SET ${sets.join(', ')} WHERE id = $1`, [
      id,
      ...keys.map((k) => fields[k]),
      now,
    ]);
  }

  async end(id: string, reason: string, now: Date): Promise<void> {
    await this.update(id, { status: 'ended', end_reason: reason, ended_at: now }, now);
    await this.sql.exec(
      'UPDATE sales_journey_progress SET left_at = $2 WHERE conversation_id = $1 AND left_at IS NULL',
      [id, now],
    );
  }

  async enterStage(id: string, userId: number, scriptRowId: number, stage: string, now: Date): Promise<void> {
    await this.sql.exec(
      'UPDATE sales_journey_progress SET left_at = $2 WHERE conversation_id = $1 AND left_at IS NULL',
      [id, now],
    );
    await this.sql.exec(
      'INSERT INTO sales_journey_progress (conversation_id, user_id, script_id, stage, entered_at) VALUES ($1, $2, $3, $4, $5)',
      [id, userId, scriptRowId, stage, now],
    );
  }

  async addMessage(
    conversation: Pick<Conversation, 'id' | 'stage' | 'scriptVersion'>,
    author: StoredMessage['author'],
    text: string,
    now: Date,
    extra: {
      operator?: string;
      analysisStatus?: string;
      tokens?: number;
      latencyMs?: number;
      strategy?: Strategy;
    } = {},
  ): Promise<number> {
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO sales_conversation_messages (conversation_id, author, text_enc, text_length, stage, script_version,
         operator, analysis_status, tokens, latency_ms, strategy, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
      [
        conversation.id,
        author,
        text ? this.crypto.encrypt(text) : null,
        text.length,
        conversation.stage,
        conversation.scriptVersion,
        extra.operator ?? null,
        extra.analysisStatus ?? null,
        extra.tokens ?? 0,
        Math.round(extra.latencyMs ?? 0),
        extra.strategy ?? null,
        now,
      ],
    );
    return row!.id;
  }

  /**
   * Stores a client's message once per Telegram message id: an update the inbox retries finds
   * the row of the first attempt (`fresh: false`) with how far that attempt got.
   */
  async addClientMessage(
    conversation: Pick<Conversation, 'id' | 'stage' | 'scriptVersion'>,
    text: string,
    now: Date,
    telegramMessageId: number | undefined,
  ): Promise<{ id: number; fresh: boolean; analysisStatus: string | null }> {
    if (telegramMessageId !== undefined) {
      const earlier = await this.sql.one<{ id: number; analysis_status: string | null }>(
        'SELECT id, analysis_status FROM sales_conversation_messages WHERE conversation_id = $1 AND telegram_message_id = $2',
        [conversation.id, telegramMessageId],
      );
      if (earlier) return { id: earlier.id, fresh: false, analysisStatus: earlier.analysis_status };
    }
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO sales_conversation_messages (conversation_id, author, text_enc, text_length, stage, script_version,
         analysis_status, telegram_message_id, created_at)
       VALUES ($1, 'client', $2, $3, $4, $5, 'pending', $6, $7)
       ON CONFLICT (conversation_id, telegram_message_id) WHERE telegram_message_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        conversation.id,
        this.crypto.encrypt(text),
        text.length,
        conversation.stage,
        conversation.scriptVersion,
        telegramMessageId ?? null,
        now,
      ],
    );
    if (row) return { id: row.id, fresh: true, analysisStatus: 'pending' };
    // Another instance stored it between the look-up and the insert.
    return this.addClientMessage(conversation, text, now, telegramMessageId);
  }

  /** Texts the bot stored after message `messageId` (what a retried update answers again). */
  async botRepliesAfter(conversationId: string, messageId: number): Promise<string[]> {
    const rows = await this.sql.rows<{ text_enc: string | null }>(
      `SELECT text_enc FROM sales_conversation_messages WHERE conversation_id = $1 AND id > $2
         AND author IN ('bot', 'system')
         AND id < COALESCE((SELECT min(id) FROM sales_conversation_messages
                            WHERE conversation_id = $1 AND id > $2 AND author = 'client'), 2147483647)
       ORDER BY id`,
      [conversationId, messageId],
    );
    return rows.map((r) => (r.text_enc ? this.crypto.decrypt(r.text_enc) : '')).filter(Boolean);
  }

  async recordAnalysis(messageId: number, analysis: MessageAnalysis, strategy: Strategy): Promise<void> {
    const content = {
      summary: analysis.summary,
      objections: analysis.objections,
      consentEvidence: analysis.consent.evidence,
      proposedTransition: analysis.proposedTransition,
      fallbackReason: analysis.fallbackReason,
    };
    await this.sql.exec(
      `UPDATE sales_conversation_messages SET strategy = $2, script_fit_score = $3, intent = $4, sentiment = $5,
         tone = $6, consent = $7, analysis_source = $8, analysis_enc = $9, analysis_status = 'done', tokens = $10,
         latency_ms = $11 WHERE id = $1`,
      [
        messageId,
        strategy,
        analysis.scriptFitScore,
        analysis.intent,
        analysis.sentiment,
        analysis.tone,
        analysis.consent.given,
        analysis.source,
        this.crypto.encrypt(JSON.stringify(content)),
        analysis.tokens,
        Math.round(analysis.latencyMs),
      ],
    );
  }

  async recordTransition(
    conversationId: string,
    messageId: number | null,
    from: string | null,
    to: string,
    applied: boolean,
    reason: string,
    now: Date,
  ): Promise<void> {
    await this.sql.exec(
      `INSERT INTO sales_stage_transitions (conversation_id, message_id, from_stage, to_stage, applied, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [conversationId, messageId, from, to, applied, reason.slice(0, 500), now],
    );
  }

  async recordAnswer(
    conversation: Pick<Conversation, 'id' | 'userId'>,
    questionnaireId: string,
    questionId: string,
    answer: string,
    now: Date,
  ): Promise<void> {
    await this.sql.exec(
      `INSERT INTO sales_diagnostic_results (conversation_id, user_id, questionnaire_id, question_id, answer_enc, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (conversation_id, questionnaire_id, question_id) DO UPDATE SET answer_enc = EXCLUDED.answer_enc`,
      [conversation.id, conversation.userId, questionnaireId, questionId, this.crypto.encrypt(answer), now],
    );
  }

  async answerCounts(conversationId: string): Promise<Record<string, number>> {
    const rows = await this.sql.rows<{ questionnaire_id: string; n: string }>(
      'SELECT questionnaire_id, count(*) AS n FROM sales_diagnostic_results WHERE conversation_id = $1 GROUP BY questionnaire_id',
      [conversationId],
    );
    return Object.fromEntries(rows.map((r) => [r.questionnaire_id, Number(r.n)]));
  }

  async recentTexts(conversationId: string, limit: number) {
    const rows = await this.sql.rows<{ author: string; text_enc: string | null }>(
      `SELECT author, text_enc FROM sales_conversation_messages WHERE conversation_id = $1 AND author <> 'system'
       ORDER BY id DESC LIMIT $2`,
      [conversationId, limit],
    );
    return rows.reverse().map((r) => ({
      author: r.author as 'client' | 'bot' | 'operator',
      text: r.text_enc ? this.crypto.decrypt(r.text_enc) : '',
    }));
  }

  async messages(conversationId: string): Promise<StoredMessage[]> {
    const rows = await this.sql.rows<Row>(
      'SELECT * FROM sales_conversation_messages WHERE conversation_id = $1 ORDER BY id',
      [conversationId],
    );
    return rows.map((r) => ({
      id: r.id,
      author: r.author,
      text: r.text_enc ? this.crypto.decrypt(r.text_enc) : '',
      textLength: r.text_length,
      stage: r.stage,
      scriptVersion: r.script_version,
      strategy: r.strategy,
      scriptFitScore: r.script_fit_score,
      intent: r.intent,
      sentiment: r.sentiment,
      tone: r.tone,
      consent: r.consent,
      analysisSource: r.analysis_source,
      analysisStatus: r.analysis_status,
      analysis: r.analysis_enc ? JSON.parse(this.crypto.decrypt(r.analysis_enc)) : null,
      tokens: r.tokens,
      latencyMs: r.latency_ms,
      operator: r.operator,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  async transitions(conversationId: string) {
    const rows = await this.sql.rows<Row>(
      'SELECT * FROM sales_stage_transitions WHERE conversation_id = $1 ORDER BY id',
      [conversationId],
    );
    return rows.map((r) => ({
      id: r.id,
      messageId: r.message_id,
      from: r.from_stage,
      to: r.to_stage,
      applied: r.applied,
      reason: r.reason,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  async list(filter: {
    stage?: string;
    strategy?: string;
    status?: string;
    script?: string;
    limit: number;
    offset: number;
  }) {
    const where: string[] = [];
    const bind: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      bind.push(value);
      where.push(sql.replace('?', `$${bind.length}`));
    };
    if (filter.stage) add('c.stage = ?', filter.stage);
    if (filter.strategy) add('c.last_strategy = ?', filter.strategy);
    if (filter.status) add('c.status = ?', filter.status);
    if (filter.script) add('s.slug = ?', filter.script);
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.sql.one<{ n: string }>(
      `SELECT count(*) AS n FROM sales_client_conversations c JOIN sales_scripts s ON s.id = c.script_id ${clause}`,
      bind,
    );
    const rows = await this.sql.rows(
      `${SELECT} ${clause} ORDER BY c.updated_at DESC LIMIT $${bind.length + 1} OFFSET $${bind.length + 2}`,
      [...bind, filter.limit, filter.offset],
    );
    return { total: Number(total?.n ?? 0), items: rows.map(conversationOf) };
  }

  /** Everything about one Telegram user (for /delete_my_data). */
  async eraseUser(userId: number): Promise<number> {
    await this.sql.exec('DELETE FROM sales_diagnostic_results WHERE user_id = $1', [userId]);
    await this.sql.exec('DELETE FROM sales_journey_progress WHERE user_id = $1', [userId]);
    const rows = await this.sql.rows(
      'DELETE FROM sales_client_conversations WHERE user_id = $1 RETURNING id',
      [userId],
    );
    return rows.length;
  }
}
