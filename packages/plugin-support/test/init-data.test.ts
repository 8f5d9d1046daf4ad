import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signInitData, validateInitData } from '../src/services/init-data.js';

const TOKEN = '123456:TEST-token-for-init-data';
const user = { id: 42, first_name: 'Alice', username: 'alice', language_code: 'en' };
const now = Math.floor(Date.now() / 1000);
const opts = { maxAgeSeconds: 86_400 };

function withField(initData: string, key: string, value: string): string {
  const params = new URLSearchParams(initData);
  params.set(key, value);
  return params.toString();
}

describe('validateInitData', () => {
  it('accepts initData signed with the bot token and returns the user', () => {
    const result = validateInitData(
      signInitData(TOKEN, { user, authDate: now - 60, queryId: 'AAQ' }),
      TOKEN,
      opts,
    );
    expect(result).toEqual({ ok: true, user, authDate: now - 60, startParam: undefined });
  });

  it('refuses initData signed with another token (forged hash)', () => {
    const forged = signInitData('999:other-bot-token', { user, authDate: now });
    expect(validateInitData(forged, TOKEN, opts)).toEqual({ ok: false, reason: 'bad_hash' });
  });

  it('refuses a hash that is well-formed but made up', () => {
    const data = withField(signInitData(TOKEN, { user, authDate: now }), 'hash', 'a'.repeat(64));
    expect(validateInitData(data, TOKEN, opts)).toEqual({ ok: false, reason: 'bad_hash' });
  });

  it('refuses a tampered field (another user id) even with the original hash', () => {
    const signed = signInitData(TOKEN, { user, authDate: now });
    const tampered = withField(signed, 'user', JSON.stringify({ ...user, id: 43 }));
    expect(validateInitData(tampered, TOKEN, opts)).toEqual({ ok: false, reason: 'bad_hash' });
    const extra = `${signed}&start_param=admin`;
    expect(validateInitData(extra, TOKEN, opts)).toEqual({ ok: false, reason: 'bad_hash' });
  });

  it('refuses an expired auth_date and one far in the future', () => {
    const old = signInitData(TOKEN, { user, authDate: now - 86_401 });
    expect(validateInitData(old, TOKEN, opts)).toEqual({ ok: false, reason: 'expired' });
    const fresh = signInitData(TOKEN, { user, authDate: now - 86_399 });
    expect(validateInitData(fresh, TOKEN, opts).ok).toBe(true);
    const future = signInitData(TOKEN, { user, authDate: now + 3600 });
    expect(validateInitData(future, TOKEN, opts)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses missing, malformed and user-less initData', () => {
    expect(validateInitData('', TOKEN, opts)).toEqual({ ok: false, reason: 'missing' });
    expect(validateInitData('user=1&auth_date=1', TOKEN, opts)).toEqual({ ok: false, reason: 'malformed' });
    expect(validateInitData('x'.repeat(10_000), TOKEN, opts)).toEqual({ ok: false, reason: 'malformed' });
    const noUser = new URLSearchParams({ auth_date: String(now) });
    // A valid signature over data that lacks a user.
    const secret = createHmac('sha256', 'WebAppData').update(TOKEN).digest();
    noUser.set('hash', createHmac('sha256', secret).update(`auth_date=${now}`).digest('hex'));
    expect(validateInitData(noUser.toString(), TOKEN, opts)).toEqual({ ok: false, reason: 'no_user' });
  });
});
