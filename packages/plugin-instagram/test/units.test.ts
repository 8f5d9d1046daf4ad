import { describe, expect, it } from 'vitest';
import { graphErrorFrom } from '../src/services/errors.js';
import { assignVariant, judge, normalCdf, twoProportionZTest } from '../src/services/experiments.js';
import { decideWindow } from '../src/services/messaging-window.js';
import { conditionsToRows, parseRuleBody } from '../src/services/rule-form.js';
import { matches, parseRule } from '../src/services/rules.js';
import { SendPacer } from '../src/services/send-pacer.js';
import { signBody, verifySignature } from '../src/services/signature.js';
import { MAX_TEXT_BYTES, splitText } from '../src/services/text-split.js';
import { parseDelivery } from '../src/services/webhook-events.js';

describe('webhook signature', () => {
  // GitHub's documented test vector for X-Hub-Signature-256.
  const secret = "It's a Secret to Everybody";
  const body = 'Hello, World!';
  const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('matches the published vector', () => {
    expect(signBody(secret, body)).toBe(signature);
    expect(verifySignature(secret, body, signature)).toBe(true);
    expect(verifySignature(secret, Buffer.from(body), signature)).toBe(true);
  });

  it('refuses a tampered body, a wrong secret, a missing or malformed header', () => {
    expect(verifySignature(secret, 'Hello, World?', signature)).toBe(false);
    expect(verifySignature('another secret', body, signature)).toBe(false);
    expect(verifySignature(secret, body, undefined)).toBe(false);
    expect(verifySignature(secret, body, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifySignature(secret, body, 'sha256=zz')).toBe(false);
    expect(verifySignature(secret, body, `${signature}00`)).toBe(false);
  });

  it('fails for a body that was parsed and serialised again', () => {
    const raw = '{"object": "instagram",  "entry": [ {"id": "1"} ]}';
    const sig = signBody(secret, raw);
    expect(verifySignature(secret, raw, sig)).toBe(true);
    expect(verifySignature(secret, JSON.stringify(JSON.parse(raw)), sig)).toBe(false);
  });
});

describe('splitText', () => {
  const bytes = (s: string) => Buffer.byteLength(s);

  it('keeps short text whole', () => {
    expect(splitText('hello')).toEqual(['hello']);
  });

  it('splits Cyrillic (2 bytes a letter) and emoji (4 bytes) under 1,000 bytes, losing nothing', () => {
    const text = `${'Привет, как дела? '.repeat(60)}${'🙂'.repeat(300)}`;
    const parts = splitText(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(bytes(part)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(parts.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    expect(parts.join('')).not.toContain('\uFFFD');
  });

  it('prefers sentence boundaries', () => {
    const sentence = 'This is a sentence of moderate length. ';
    const parts = splitText(sentence.repeat(40));
    for (const part of parts.slice(0, -1)) expect(part.endsWith('.')).toBe(true);
  });
});

describe('messaging window', () => {
  const limits = { autoReplyWindowHours: 24, humanAgentWindowDays: 7 };
  const now = new Date('2026-01-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);

  it('lets the bot and people reply within 24 hours without a tag', () => {
    expect(decideWindow('bot', hoursAgo(23), now, limits)).toEqual({
      allowed: true,
      options: { messagingType: 'RESPONSE' },
    });
    expect(decideWindow('human', hoursAgo(23), now, limits)).toEqual({
      allowed: true,
      options: { messagingType: 'RESPONSE' },
    });
  });

  it('tags only a person’s reply with HUMAN_AGENT after 24 hours, never the bot’s', () => {
    expect(decideWindow('human', hoursAgo(30), now, limits)).toEqual({
      allowed: true,
      options: { messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' },
    });
    const bot = decideWindow('bot', hoursAgo(30), now, limits);
    expect(bot).toMatchObject({ allowed: false, reason: 'bot_outside_24h' });
  });

  it('refuses everyone after 7 days, and a first message', () => {
    expect(decideWindow('human', hoursAgo(7 * 24 + 1), now, limits)).toMatchObject({
      allowed: false,
      reason: 'outside_human_agent_window',
    });
    expect(decideWindow('human', null, now, limits)).toMatchObject({
      allowed: false,
      reason: 'no_user_message',
    });
  });
});

describe('Meta error envelope', () => {
  const err = (status: number, code: number, subcode?: number) =>
    graphErrorFrom(status, {
      error: { message: 'm', type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'x' },
    });

  it('names each error', () => {
    expect(err(400, 10, 2018278).kind).toBe('outside_window');
    expect(err(400, 4).kind).toBe('rate_limited');
    expect(err(400, 613).kind).toBe('rate_limited');
    expect(err(500, 2).kind).toBe('temporary');
    expect(err(401, 190).kind).toBe('bad_token');
    expect(err(400, 100).kind).toBe('invalid');
    expect(err(400, 10).kind).toBe('invalid');
    expect(err(400, 4).retryable).toBe(true);
    expect(err(401, 190).retryable).toBe(false);
  });
});

describe('rules', () => {
  const facts = {
    text: 'Сколько стоит доставка?',
    intent: 'pricing',
    sentiment: 'neutral',
    firstMessage: true,
    segment: 'vip',
    at: new Date('2026-01-05T10:30:00Z'), // a Monday
    timezone: 'UTC',
  };

  it('matches keywords by contains, whole word and exact', () => {
    const kw = (mode: 'contains' | 'word' | 'exact', values: string[]) =>
      matches({ keywords: { mode, values, caseSensitive: false } }, facts);
    expect(kw('contains', ['стоит'])).toBe(true);
    expect(kw('contains', ['стои'])).toBe(true);
    expect(kw('word', ['стои'])).toBe(false);
    expect(kw('word', ['Доставка'])).toBe(true);
    expect(kw('exact', ['сколько стоит доставка?'])).toBe(true);
    expect(kw('exact', ['доставка'])).toBe(false);
  });

  it('checks intent, sentiment, first message, segment, time of day and business hours', () => {
    expect(
      matches(
        { intents: ['pricing'], sentiments: ['neutral'], firstMessage: true, segments: ['vip'] },
        facts,
      ),
    ).toBe(true);
    expect(matches({ intents: ['complaint'] }, facts)).toBe(false);
    expect(matches({ segments: ['new'] }, facts)).toBe(false);
    // A behaviour cluster counts as a segment too.
    expect(matches({ segments: ['cluster-2'] }, { ...facts, segment: null, cluster: 'cluster-2' })).toBe(
      true,
    );
    expect(matches({ segments: ['cluster-2'] }, { ...facts, cluster: 'cluster-1' })).toBe(false);
    expect(matches({ timeOfDay: { from: '09:00', to: '11:00' } }, facts)).toBe(true);
    expect(matches({ timeOfDay: { from: '22:00', to: '06:00' } }, facts)).toBe(false);
    expect(
      matches({ businessHours: { inside: true, days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' } }, facts),
    ).toBe(true);
    expect(
      matches({ businessHours: { inside: false, days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' } }, facts),
    ).toBe(false);
    expect(
      matches({ businessHours: { inside: true, days: [6, 7], from: '09:00', to: '18:00' } }, facts),
    ).toBe(false);
    expect(
      matches({ timeOfDay: { from: '12:00', to: '14:00' } }, { ...facts, timezone: 'Europe/Moscow' }),
    ).toBe(true);
  });

  it('rejects bad definitions with the path', () => {
    expect(() => parseRule({ name: 'x', action: { type: 'template' } })).toThrow(/action\.text/);
    expect(() =>
      parseRule({
        name: 'x',
        action: { type: 'no_reply' },
        conditions: { timeOfDay: { from: '25:00', to: '01:00' } },
      }),
    ).toThrow(/conditions\.timeOfDay\.from/);
    expect(() => parseRule({ name: 'x', action: { type: 'explode' } })).toThrow(/action\.type/);
  });
});

describe('the rule form', () => {
  it('turns every condition kind into a row and back unchanged', () => {
    const conditions = {
      keywords: { mode: 'contains' as const, values: ['цена', 'price'], caseSensitive: true },
      intents: ['pricing', 'purchase'],
      sentiments: ['negative' as const],
      segments: ['vip', 'cluster-2'],
      firstMessage: true,
      timeOfDay: { from: '22:00', to: '06:00' },
      businessHours: { inside: false, days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '18:00' },
    };
    const rows = conditionsToRows(conditions);
    expect(rows.map((r) => r.kind)).toEqual([
      'keywords',
      'intents',
      'sentiments',
      'segments',
      'firstMessage',
      'timeOfDay',
      'businessHours',
    ]);
    const rule = parseRuleBody({ name: 'x', conditionRows: rows, action: { type: 'no_reply' } });
    expect(rule.conditions).toEqual(conditions);
    expect(conditionsToRows({})).toEqual([]);
    // Business days default to Monday–Friday; "not" on firstMessage means "not the first".
    expect(
      parseRuleBody({
        name: 'x',
        conditionRows: [
          { kind: 'businessHours', from: '09:00', to: '18:00' },
          { kind: 'firstMessage', not: true },
        ],
        action: { type: 'no_reply' },
      }).conditions,
    ).toEqual({
      businessHours: { inside: true, days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' },
      firstMessage: false,
    });
  });

  it('names the row input of each problem', () => {
    const fieldOf = (conditionRows: unknown[]) => {
      try {
        parseRuleBody({ name: 'x', conditionRows, action: { type: 'no_reply' } });
        return 'accepted';
      } catch (err) {
        return (err as { details?: { field?: string } }).details?.field;
      }
    };
    expect(fieldOf([{ kind: 'keywords', values: [] }])).toBe('conditionRows.0.values');
    expect(fieldOf([{ kind: 'businessHours', from: '09:00', to: '18:00', days: '0,8' }])).toBe(
      'conditionRows.0.days',
    );
    expect(fieldOf([{ kind: 'segments', values: ['a'], not: true }])).toBe('conditionRows.0.not');
    expect(fieldOf([{ kind: 'timeOfDay', from: '10:00' }])).toBe('conditionRows.0.to');
    expect(fieldOf([{ kind: 'intents', values: ['a'], colour: 'red' }])).toBe('conditionRows.0.colour');
    expect(fieldOf(['intents'])).toBe('conditionRows.0.kind');
  });
});

describe('parseDelivery', () => {
  it('names every kind, and records unknown ones without failing', () => {
    const parsed = parseDelivery({
      object: 'instagram',
      entry: [
        {
          id: 'A',
          time: 1,
          messaging: [
            { sender: { id: 'U' }, recipient: { id: 'A' }, timestamp: 1, message: { mid: 'm1', text: 'hi' } },
            {
              sender: { id: 'A' },
              recipient: { id: 'U' },
              timestamp: 1,
              message: { mid: 'm2', text: 'yo', is_echo: true },
            },
            {
              sender: { id: 'U' },
              recipient: { id: 'A' },
              timestamp: 1,
              message: { mid: 'm1', is_deleted: true },
            },
            {
              sender: { id: 'U' },
              recipient: { id: 'A' },
              timestamp: 1,
              reaction: { mid: 'm2', action: 'react', emoji: '❤️' },
            },
            {
              sender: { id: 'U' },
              recipient: { id: 'A' },
              timestamp: 1,
              postback: { mid: 'p', title: 'T', payload: 'P' },
            },
            { sender: { id: 'U' }, recipient: { id: 'A' }, timestamp: 1, read: { mid: 'm2' } },
            { sender: { id: 'U' }, recipient: { id: 'A' }, timestamp: 1, optin: { ref: 'x' } },
          ],
          standby: [
            {
              sender: { id: 'U' },
              recipient: { id: 'A' },
              timestamp: 1,
              message: { mid: 'm3', text: 'other app' },
            },
          ],
        },
      ],
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events.map((e) => e.kind)).toEqual([
      'message',
      'echo',
      'deleted',
      'reaction',
      'postback',
      'seen',
      'unknown',
      'message',
    ]);
    expect(parsed.events[1]!.igsid).toBe('U');
    expect(parsed.events.at(-1)!.standby).toBe(true);
  });

  it('reports a body that is not Meta’s shape', () => {
    expect(parseDelivery({ hello: 'world' })).toMatchObject({ ok: false });
    expect(parseDelivery([1, 2])).toMatchObject({ ok: false });
  });
});

describe('SendPacer', () => {
  /** A sliding-window log like core's memory backend: the state two pacers share. */
  const windows = () => {
    const logs = new Map<string, number[]>();
    return {
      async hit(
        key: string,
        { limit, windowMs, now = 0 }: { limit: number; windowMs: number; now?: number },
      ) {
        const live = (logs.get(key) ?? []).filter((t) => t > now - windowMs);
        if (live.length >= limit) {
          logs.set(key, live);
          return { allowed: false as const, notify: false, retryAfterMs: Math.min(...live) + windowMs - now };
        }
        logs.set(key, [...live, now]);
        return { allowed: true as const };
      },
    };
  };

  it('spaces sends to one thread and caps the global rate, on an injected clock', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const shared = windows();
    const limits = () => ({ perSecond: 2, perThreadIntervalMs: 500 });
    // Two pacers over one store: two instances of the app.
    const first = new SendPacer(limits, shared, clock);
    const second = new SendPacer(limits, shared, clock);
    await first.acquire('a');
    await second.acquire('a');
    expect(now).toBe(500);
    await first.acquire('b');
    await second.acquire('c');
    // Three sends in the window starting at 500 would exceed 2 per second: c waits for the window.
    expect(now).toBeGreaterThanOrEqual(1500);
    expect(sleeps.length).toBeGreaterThan(1);
  });
});

describe('A/B statistics', () => {
  it('computes the two-proportion z-test as statsmodels proportions_ztest does', () => {
    // proportions_ztest([250, 200], [1000, 1000]) -> z = 2.6774, p = 0.00742
    const a = twoProportionZTest(200, 1000, 250, 1000);
    expect(a.z).toBeCloseTo(2.6774, 3);
    expect(a.pValue).toBeCloseTo(0.00742, 4);
    // proportions_ztest([55, 45], [100, 100]) -> z = 1.4142, p = 0.1573
    const b = twoProportionZTest(45, 100, 55, 100);
    expect(b.z).toBeCloseTo(Math.SQRT2, 3);
    expect(b.pValue).toBeCloseTo(0.1573, 3);
    expect(twoProportionZTest(0, 0, 1, 10)).toEqual({ z: 0, pValue: 1 });
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 5);
  });

  it('assigns variants stickily and about evenly', () => {
    const keys = ['a', 'b'];
    expect(assignVariant('exp-1', 'user-1', keys)).toBe(assignVariant('exp-1', 'user-1', keys));
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 2000; i++) counts[assignVariant('exp-1', `user-${i}`, keys)]!++;
    expect(counts.a).toBeGreaterThan(900);
    expect(counts.b).toBeGreaterThan(900);
  });

  it('declares no winner below the minimum sample, even with a large difference', () => {
    const v = (key: string, exposed: number, successes: number) => ({
      key,
      exposed,
      successes,
      rate: successes / exposed,
    });
    expect(judge([v('a', 40, 4), v('b', 40, 30)], 50)).toMatchObject({ enoughSample: false, winner: null });
    expect(judge([v('a', 1000, 200), v('b', 1000, 250)], 50)).toMatchObject({
      enoughSample: true,
      winner: 'b',
    });
    expect(judge([v('a', 100, 45), v('b', 100, 55)], 50)).toMatchObject({ enoughSample: true, winner: null });
  });
});
