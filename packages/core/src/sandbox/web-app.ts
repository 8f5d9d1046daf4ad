import { createHmac, timingSafeEqual } from 'node:crypto';
import type { User } from 'grammy/types';

export interface WebAppInitDataInput {
  user: User;
  queryId?: string;
  chatType?: 'sender' | 'private' | 'group' | 'supergroup' | 'channel';
  chatInstance?: string;
  startParam?: string;
  authDate?: number;
}

function secretKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken).digest();
}

function dataCheckString(params: URLSearchParams): string {
  return [...params.entries()]
    .filter(([key]) => key !== 'hash')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join('\n');
}

/**
 * Web App initData signed as Telegram signs it: the data-check-string (sorted `key=value`
 * lines without `hash`) HMAC-SHA256'd with the key HMAC_SHA256("WebAppData", bot_token).
 */
export function signWebAppInitData(botToken: string, input: WebAppInitDataInput): string {
  const params = new URLSearchParams();
  if (input.queryId) params.set('query_id', input.queryId);
  params.set('user', JSON.stringify(input.user));
  if (input.chatType) params.set('chat_type', input.chatType);
  if (input.chatInstance) params.set('chat_instance', input.chatInstance);
  if (input.startParam) params.set('start_param', input.startParam);
  params.set('auth_date', String(input.authDate ?? Math.floor(Date.now() / 1000)));
  const hash = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest('hex');
  params.set('hash', hash);
  return params.toString();
}

/**
 * Checks initData the way a bot's backend must: a valid hash and, when `maxAgeSeconds` is
 * given, a recent auth_date. Returns the parsed fields or undefined.
 */
export function verifyWebAppInitData(
  botToken: string,
  initData: string,
  options: { maxAgeSeconds?: number } = {},
): { user?: User; authDate: number; queryId?: string; startParam?: string } | undefined {
  const params = new URLSearchParams(initData);
  const hash = params.get('hash');
  if (!hash || !/^[0-9a-f]{64}$/.test(hash)) return undefined;
  const expected = createHmac('sha256', secretKey(botToken)).update(dataCheckString(params)).digest();
  if (!timingSafeEqual(expected, Buffer.from(hash, 'hex'))) return undefined;
  const authDate = Number(params.get('auth_date'));
  if (!Number.isFinite(authDate)) return undefined;
  if (options.maxAgeSeconds !== undefined && Date.now() / 1000 - authDate > options.maxAgeSeconds)
    return undefined;
  const userRaw = params.get('user');
  return {
    authDate,
    user: userRaw ? (JSON.parse(userRaw) as User) : undefined,
    queryId: params.get('query_id') ?? undefined,
    startParam: params.get('start_param') ?? undefined,
  };
}

/** The URL Telegram opens: initData travels in the fragment as `tgWebAppData`. */
export function webAppLaunchUrl(url: string, initData: string): string {
  const fragment = new URLSearchParams({
    tgWebAppData: initData,
    tgWebAppVersion: '8.0',
    tgWebAppPlatform: 'web',
    tgWebAppThemeParams: JSON.stringify({
      bg_color: '#ffffff',
      text_color: '#000000',
      button_color: '#3390ec',
    }),
  });
  const base = url.split('#')[0];
  return `${base}#${fragment.toString()}`;
}
