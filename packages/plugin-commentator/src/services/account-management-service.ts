import type { Crypto } from '@botloom/core';
import { isTelegramFailure, TelegramFailure } from '../gateway/telegram-errors.js';
import type { AccountSecurityService } from './account-security-service.js';
import type { AccountSessionManager } from './account-session-manager.js';
import { CommentatorInputError, CommentatorNotFoundError, CommentatorStateError } from './errors.js';
import type { Clock } from './ports.js';
import { type Account, toAccount, toVoice, type Voice } from './records.js';
import type { Sql } from './sql.js';

/** An account as the admin API shows it: never the phone number or the session. */
export interface AccountView extends Account {
  /** The last two digits only, so a person can tell two accounts apart. */
  phoneHint: string | null;
  voice: Voice;
  signedIn: boolean;
  /** A user account in use (the bot's cannot be): the panel offers Deactivate. */
  canDeactivate: boolean;
  /** A user account without a session (deactivated or logged out): the panel offers Reactivate. */
  canReactivate: boolean;
}

export interface AccountPatch {
  label?: string;
  disclosureEnabled?: boolean;
  disclosureText?: string | null;
  hourlyCap?: number | null;
  dailyCap?: number | null;
  voice?: Partial<Voice>;
  active?: boolean;
}

const PHONE = /^\+[1-9]\d{6,14}$/;
/** Statuses without a session, from which a new login code brings an account back. */
const REACTIVATABLE: readonly string[] = ['deactivated', 'logged_out'];

/**
 * The operator's accounts: the bot itself (one row, kind `bot`) and user accounts the
 * operator signs in with the two-step login. Each has a voice guide (its real style, not an
 * invented persona), its caps and its disclosure line.
 */
export class AccountManagementService {
  constructor(
    private readonly sql: Sql,
    private readonly crypto: Crypto,
    private readonly sessions: AccountSessionManager,
    private readonly security: AccountSecurityService,
    private readonly clock: Clock,
    private readonly codeTtlSeconds: number,
  ) {}

  /** The bot's own account row (created on first use): bot-administered channels comment with it. */
  async botAccount(label: string): Promise<Account> {
    await this.sql.execute(
      `INSERT INTO commentator_accounts (kind, label, status) VALUES ('bot', $1, 'active') ON CONFLICT DO NOTHING`,
      [label],
    );
    const row = await this.sql.one<any>(`SELECT * FROM commentator_accounts WHERE kind = 'bot'`);
    return toAccount(row);
  }

  async get(id: number): Promise<Account> {
    const row = await this.sql.one<any>('SELECT * FROM commentator_accounts WHERE id = $1', [id]);
    if (!row) throw new CommentatorNotFoundError('account', id);
    return toAccount(row);
  }

  async voice(accountId: number): Promise<Voice> {
    return toVoice(
      await this.sql.one<any>('SELECT * FROM commentator_account_personalities WHERE account_id = $1', [
        accountId,
      ]),
    );
  }

  async list(): Promise<AccountView[]> {
    const rows = await this.sql.select<any>(
      `SELECT a.*, p.style, p.tone, p.interests, p.vocabulary, p.phrases, s.session_enc IS NOT NULL AS signed_in
       FROM commentator_accounts a
       LEFT JOIN commentator_account_personalities p ON p.account_id = a.id
       LEFT JOIN commentator_telegram_account_sessions s ON s.account_id = a.id
       ORDER BY a.id`,
    );
    return rows.map((r) => this.view(r));
  }

  async show(id: number): Promise<AccountView> {
    const all = await this.list();
    const found = all.find((a) => a.id === id);
    if (!found) throw new CommentatorNotFoundError('account', id);
    return found;
  }

  private view(r: any): AccountView {
    let phoneHint: string | null = null;
    if (r.phone_enc) {
      const phone = this.crypto.decrypt(r.phone_enc);
      phoneHint = `••${phone.slice(-2)}`;
    }
    const account = toAccount(r);
    const user = account.kind === 'user';
    return {
      ...account,
      phoneHint,
      voice: toVoice(r.style === null ? null : r),
      signedIn: r.kind === 'bot' ? true : Boolean(r.signed_in),
      canDeactivate: user && account.status !== 'deactivated',
      canReactivate: user && REACTIVATABLE.includes(account.status),
    };
  }

  /** Step 1 of the login: Telegram sends a code to the phone's Telegram app. */
  async startLogin(input: { phone: string; label: string }): Promise<AccountView> {
    const phone = input.phone.replace(/[\s()-]/g, '');
    if (!PHONE.test(phone)) {
      throw new CommentatorInputError(
        'PHONE_NUMBER_INVALID',
        'A phone number in international format: +15551234567',
      );
    }
    const gateway = this.sessions.gatewayOrFail();
    const digest = this.crypto.digest(phone);
    const existing = await this.sql.one<any>('SELECT * FROM commentator_accounts WHERE phone_digest = $1', [
      digest,
    ]);
    if (existing && existing.status === 'active') {
      throw new CommentatorStateError('This account is already signed in', { code: 'ACCOUNT_EXISTS' });
    }
    const { loginState } = await gateway.requestCode(phone);
    const now = this.clock();
    const id = await this.sql.transaction(async (t) => {
      const row = existing
        ? await this.sql.one<{ id: number }>(
            `UPDATE commentator_accounts SET status = 'pending_code', label = $2, updated_at = now() WHERE id = $1 RETURNING id`,
            [existing.id, input.label],
            t,
          )
        : await this.sql.one<{ id: number }>(
            `INSERT INTO commentator_accounts (kind, label, phone_enc, phone_digest, status)
             VALUES ('user', $1, $2, $3, 'pending_code') RETURNING id`,
            [input.label, this.crypto.encrypt(phone), digest],
            t,
          );
      const accountId = Number(row!.id);
      await this.sql.execute(
        `INSERT INTO commentator_telegram_account_sessions (account_id, phone_code_hash_enc, code_requested_at, code_attempts)
         VALUES ($1, $2, $3, 0)
         ON CONFLICT (account_id) DO UPDATE SET phone_code_hash_enc = $2, code_requested_at = $3, code_attempts = 0, updated_at = now()`,
        [accountId, this.crypto.encrypt(loginState), now],
        t,
      );
      return accountId;
    });
    await this.security.record(id, 'code_requested', { via: gateway.name });
    return this.show(id);
  }

  /**
   * Step 2: the code, and the 2FA password when Telegram asks for one (the first answer is
   * then `password_needed`; send the same code again with the password).
   */
  async finishLogin(
    accountId: number,
    input: { code: string; password?: string },
  ): Promise<{ status: 'signed_in' | 'password_needed'; account: AccountView }> {
    const account = await this.get(accountId);
    if (account.status !== 'pending_code') {
      throw new CommentatorStateError('No login is waiting for a code on this account', {
        code: 'NO_LOGIN_PENDING',
      });
    }
    const row = await this.sql.one<any>(
      `SELECT a.phone_enc, s.phone_code_hash_enc, s.code_requested_at
       FROM commentator_accounts a JOIN commentator_telegram_account_sessions s ON s.account_id = a.id WHERE a.id = $1`,
      [accountId],
    );
    if (!row?.phone_code_hash_enc) {
      throw new CommentatorStateError('Request a code first', { code: 'NO_LOGIN_PENDING' });
    }
    const age = (this.clock().getTime() - new Date(row.code_requested_at).getTime()) / 1000;
    if (age > this.codeTtlSeconds) {
      await this.security.record(accountId, 'login_failed', { code: 'PHONE_CODE_EXPIRED' });
      throw new TelegramFailure('PHONE_CODE_EXPIRED', 'The code has expired: request a new one');
    }
    const gateway = this.sessions.gatewayOrFail();
    try {
      const result = await gateway.signIn({
        phone: this.crypto.decrypt(row.phone_enc),
        loginState: this.crypto.decrypt(row.phone_code_hash_enc),
        code: input.code,
        password: input.password,
      });
      if (result.status === 'password_needed') {
        await this.security.record(accountId, 'password_needed');
        return { status: 'password_needed', account: await this.show(accountId) };
      }
      const me = await result.session.getMe();
      await this.sessions.store(accountId, result.session);
      await this.sql.execute(
        `UPDATE commentator_accounts SET status = 'active', telegram_user_id = $2, updated_at = now() WHERE id = $1`,
        [accountId, me.userId],
      );
      await this.security.record(accountId, 'login', { via: gateway.name });
      return { status: 'signed_in', account: await this.show(accountId) };
    } catch (error) {
      if (isTelegramFailure(error)) {
        await this.sql.execute(
          'UPDATE commentator_telegram_account_sessions SET code_attempts = code_attempts + 1 WHERE account_id = $1',
          [accountId],
        );
        await this.security.record(accountId, 'login_failed', { code: error.failure });
      }
      throw error;
    }
  }

  async update(accountId: number, patch: AccountPatch, by = 'api'): Promise<AccountView> {
    const account = await this.get(accountId);
    if (
      patch.label !== undefined ||
      patch.disclosureEnabled !== undefined ||
      patch.disclosureText !== undefined
    ) {
      await this.sql.execute(
        `UPDATE commentator_accounts SET label = COALESCE($2, label),
           disclosure_enabled = COALESCE($3, disclosure_enabled),
           disclosure_text = CASE WHEN $4::boolean THEN $5 ELSE disclosure_text END, updated_at = now()
         WHERE id = $1`,
        [
          accountId,
          patch.label ?? null,
          patch.disclosureEnabled ?? null,
          patch.disclosureText !== undefined,
          patch.disclosureText ?? null,
        ],
      );
    }
    if (patch.hourlyCap !== undefined || patch.dailyCap !== undefined) {
      await this.sql.execute(
        `UPDATE commentator_accounts SET
           hourly_cap = CASE WHEN $2::boolean THEN $3::int ELSE hourly_cap END,
           daily_cap = CASE WHEN $4::boolean THEN $5::int ELSE daily_cap END, updated_at = now()
         WHERE id = $1`,
        [
          accountId,
          patch.hourlyCap !== undefined,
          patch.hourlyCap ?? null,
          patch.dailyCap !== undefined,
          patch.dailyCap ?? null,
        ],
      );
    }
    if (patch.voice) await this.saveVoice(accountId, { ...(await this.voice(accountId)), ...patch.voice });
    if (patch.active === false && account.status !== 'deactivated') await this.deactivate(accountId, by);
    return this.show(accountId);
  }

  /**
   * Replaces the account's voice guide: how this real account writes (its style, tone,
   * interests, words and phrases), never a character to play. What is left out is cleared.
   * The disclosure line and the honesty rules of the prompt do not depend on it.
   */
  async replaceVoice(accountId: number, voice: Partial<Voice>): Promise<AccountView> {
    await this.get(accountId);
    await this.saveVoice(accountId, { ...toVoice(null), ...voice });
    return this.show(accountId);
  }

  private async saveVoice(accountId: number, voice: Voice): Promise<void> {
    await this.sql.execute(
      `INSERT INTO commentator_account_personalities (account_id, style, tone, interests, vocabulary, phrases)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id) DO UPDATE SET style = $2, tone = $3, interests = $4, vocabulary = $5, phrases = $6, updated_at = now()`,
      [
        accountId,
        voice.style,
        voice.tone,
        JSON.stringify(voice.interests),
        JSON.stringify(voice.vocabulary),
        JSON.stringify(voice.phrases),
      ],
    );
  }

  /**
   * Takes a user account out of use: its session is dropped (here; a logout at Telegram is
   * separate), no drafts are written for it, and its scheduled comments become `failed`
   * (ACCOUNT_DEACTIVATED) for a person to retry, so nothing goes out later unasked.
   */
  async deactivate(accountId: number, by: string): Promise<AccountView> {
    const account = await this.get(accountId);
    if (account.kind === 'bot') {
      throw new CommentatorStateError('The bot account cannot be deactivated', { code: 'BOT_ACCOUNT' });
    }
    const already = () =>
      new CommentatorStateError('This account is already deactivated', { code: 'ACCOUNT_DEACTIVATED' });
    if (account.status === 'deactivated') throw already();
    await this.sessions.forget(accountId);
    const withdrawn = await this.sql.transaction(async (t) => {
      const changed = await this.sql.execute(
        `UPDATE commentator_accounts SET status = 'deactivated', updated_at = now() WHERE id = $1 AND status <> 'deactivated'`,
        [accountId],
        t,
      );
      if (changed === 0) throw already();
      return this.sql.execute(
        `UPDATE commentator_generated_comments SET status = 'failed', updated_at = now(),
           failure_reason = 'ACCOUNT_DEACTIVATED: the account was deactivated before this comment was sent'
         WHERE account_id = $1 AND status = 'scheduled'`,
        [accountId],
        t,
      );
    });
    await this.security.record(accountId, 'deactivated', { by, withdrawn });
    return this.show(accountId);
  }

  /**
   * Brings a deactivated or logged-out user account back: Telegram sends a new login code to
   * its app (step 1 of the login again; the phone is the stored one), entered as for a new
   * account. Its session was dropped, so nothing else can bring it back.
   */
  async reactivate(accountId: number, by: string): Promise<AccountView> {
    const account = await this.get(accountId);
    if (account.kind === 'bot') {
      throw new CommentatorStateError('The bot account is always active', { code: 'BOT_ACCOUNT' });
    }
    if (!REACTIVATABLE.includes(account.status)) {
      throw new CommentatorStateError(
        `Only a deactivated or logged-out account can be reactivated (this one is ${account.status})`,
        {
          code: 'ACCOUNT_NOT_DEACTIVATED',
        },
      );
    }
    const row = await this.sql.one<{ phone_enc: string | null }>(
      'SELECT phone_enc FROM commentator_accounts WHERE id = $1',
      [accountId],
    );
    if (!row?.phone_enc) {
      throw new CommentatorStateError('This account has no phone number to sign in with', {
        code: 'NO_PHONE',
      });
    }
    await this.security.record(accountId, 'reactivation_requested', { by });
    return this.startLogin({ phone: this.crypto.decrypt(row.phone_enc), label: account.label });
  }

  /** Logs out at Telegram too (the session stops working everywhere), then forgets it. */
  async logout(accountId: number): Promise<AccountView> {
    const account = await this.get(accountId);
    if (account.kind === 'bot')
      throw new CommentatorStateError('The bot account has no login', { code: 'BOT_ACCOUNT' });
    let atTelegram = false;
    try {
      const session = await this.sessions.session(accountId);
      await session.logOut();
      atTelegram = true;
    } catch (error) {
      if (!isTelegramFailure(error)) throw error;
    }
    await this.sessions.forget(accountId);
    await this.sql.execute(
      `UPDATE commentator_accounts SET status = 'logged_out', updated_at = now() WHERE id = $1 AND status <> 'deactivated'`,
      [accountId],
    );
    await this.security.record(accountId, 'logout', { atTelegram });
    return this.show(accountId);
  }

  /** `getMe` through the account's session: is it still signed in? */
  async health(accountId: number): Promise<{ ok: boolean; userId?: number; name?: string; code?: string }> {
    const account = await this.get(accountId);
    if (account.kind === 'bot') return { ok: true };
    try {
      const me = await (await this.sessions.session(accountId)).getMe();
      await this.security.record(accountId, 'health_ok');
      return { ok: true, userId: me.userId, name: me.name };
    } catch (error) {
      const code = isTelegramFailure(error) ? error.failure : 'TELEGRAM_ERROR';
      await this.security.record(accountId, 'health_failed', { code });
      return { ok: false, code };
    }
  }
}
