import { createHmac, timingSafeEqual } from 'node:crypto';
import { telegramUserId } from '@botloom/core';

/** The Telegram user a web app was opened by (fields of WebAppUser that we use). */
export interface WebAppUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type InitDataFailure = 'missing' | 'malformed' | 'bad_hash' | 'expired' | 'no_user';

export type InitDataResult =
  | { ok: true; user: WebAppUser; authDate: number; startParam?: string }
  | { ok: false; reason: InitDataFailure };

const MAX_INIT_DATA_LENGTH = 8192;

function secretKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

/** The data-check-string: every field except `hash`, as `key=value`, sorted, joined by `\n`. */
export function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([key]) => key !== 'hash')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n');
}

/**
 * Validates `Telegram.WebApp.initData` as Telegram specifies: HMAC-SHA256 of the
 * data-check-string with the key HMAC_SHA256(key "WebAppData", bot token), compared in
 * constant time, and an `auth_date` no older than `maxAgeSeconds` (nor in the future).
 */
export function validateInitData(
  initData: string | undefined | null,
  botToken: string,
  options: { maxAgeSeconds: number; now?: number },
): InitDataResult {
  if (!initData) return { ok: false, reason: 'missing' };
  if (initData.length > MAX_INIT_DATA_LENGTH) return { ok: false, reason: 'malformed' };
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(initData);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/i.test(hash) || params.getAll('hash').length !== 1) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return { ok: false, reason: 'bad_hash' };

  const authDate = Number(params.get('auth_date'));
  if (!Number.isInteger(authDate) || authDate <= 0) return { ok: false, reason: 'malformed' };
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (now - authDate > options.maxAgeSeconds || authDate - now > 300) return { ok: false, reason: 'expired' };

  const rawUser = params.get('user');
  if (!rawUser) return { ok: false, reason: 'no_user' };
  let user: WebAppUser;
  try {
    user = JSON.parse(rawUser) as WebAppUser;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!user || !telegramUserId.safeParse(user.id).success || typeof user.first_name !== 'string') {
    return { ok: false, reason: 'no_user' };
  }
  return { ok: true, user, authDate, startParam: params.get('start_param') ?? undefined };
}

/** Signs initData like Telegram does (tests and the sandbox use it to open the web app). */
export function signInitData(
  botToken: string,
  fields: { user: WebAppUser; authDate?: number; queryId?: string; startParam?: string },
): string {
  const params = new URLSearchParams();
  if (fields.queryId) params.set('query_id', fields.queryId);
  params.set('user', JSON.stringify(fields.user));
  if (fields.startParam) params.set('start_param', fields.startParam);
  params.set('auth_date', String(fields.authDate ?? Math.floor(Date.now() / 1000)));
  params.set('hash', createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest('hex'));
  return params.toString();
}
