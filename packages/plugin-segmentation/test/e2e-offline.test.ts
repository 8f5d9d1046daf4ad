/**
 * /insight with no model configured: core's offline Llm provider answers, and the handler
 * still shows the computed, numbers-grounded part and says plainly that no AI text exists.
 * The app is booted by `startTestApp` without `openai`, so the offline provider is in use.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import segmentationPlugin, { SegmentationTokens } from '../src/index.js';
import { FEATURES } from '../src/services/features.js';
import { cardIdFor, writeGeneratedCsv } from '../src/services/generator.js';
import { highlightsOf } from '../src/services/insight-service.js';
import { keyComparisons } from '../src/services/presentation.js';

let app: TestApp;
let dataDir: string;

beforeAll(async () => {
  app = await startTestApp({ plugins: [segmentationPlugin({ restarts: 2 })] });
  dataDir = await mkdtemp(path.join(tmpdir(), 'seg-offline-'));
  const csv = path.join(dataDir, 'tx.csv');
  const out = createWriteStream(csv);
  await writeGeneratedCsv(out, { clients: 60, seed: 2, end: new Date('2024-06-01T00:00:00Z') });
  out.end();
  await finished(out);
  const services = app.app.resolver('segmentation')(SegmentationTokens.Services);
  expect((await services.imports.importFile(csv)).status).toBe('completed');
  await services.recompute.recompute({ trigger: 'manual' });
});

afterAll(async () => {
  await app?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('offline insight', () => {
  it('shows the computed deltas and labels the missing AI part', async () => {
    const bob = app.user('bobby');
    await app.app
      .resolver('segmentation')(SegmentationTokens.Services)
      .allowlist.add(await bob.id(), 'test');
    await bob.send('/insight C0000007');
    const reply = await bob.expectReply(/Insight for C0000007/);
    const lines = reply.text?.split('\n') ?? [];
    const highlights = lines.filter((line) => line.startsWith('• '));
    expect(highlights).toHaveLength(5);
    for (const line of highlights) expect(line).toMatch(/^• .+: .+ · (same|[+−].+) · (same|[+−].+)$/);
    expect(reply.text).toContain('No AI model is configured (offline mode)');
    expect(reply.text).not.toContain('Summary:');
  });
});

/** Latin words left in a reply once card ids and /commands (which stay as typed) are removed. */
function latinWords(text: string | undefined): string[] {
  return (
    (text ?? '')
      .replace(/\/\w+/g, ' ')
      .replace(/\bC\d{7}\b/g, ' ')
      .match(/[A-Za-z]+/g) ?? []
  );
}

describe('Russian replies are Russian', () => {
  it('/segment and /insight of a digital traveller: category names and percentage points translated', async () => {
    const services = app.app.resolver('segmentation')(SegmentationTokens.Services);
    const shares = new Set<string>(FEATURES.filter((f) => f.unit === 'share').map((f) => f.name));
    // A client of the archetype whose description named a category in English, with a share among
    // the highlights (so /insight shows a difference in percentage points).
    let cardId: string | undefined;
    for (let i = 0; i < 60; i++) {
      const id = cardIdFor(i);
      const profile = await services.queries.clientProfile(id);
      const label = profile?.segment.label;
      if (label?.kind !== 'archetype' || label.archetype !== 'digital_traveller') continue;
      const highlights = highlightsOf(profile!);
      if (highlights.some((c) => shares.has(c.feature) && c.client !== c.segment)) {
        cardId = id;
        break;
      }
    }
    expect(cardId).toBeDefined();

    const olga = app.user('olga', { language_code: 'ru' });
    await services.allowlist.add(await olga.id(), 'test');
    await olga.send(`/segment ${cardId}`);
    const profile = await olga.expectReply(new RegExp(`Клиент ${cardId}`));
    expect(profile.text).toContain('Цифровой путешественник');
    expect(profile.text).toContain('высокая доля трат на путешествия');
    expect(latinWords(profile.text)).toEqual([]);
    const chart = await olga.expectReply();
    expect(latinWords(chart.caption)).toEqual([]);

    await olga.send(`/insight ${cardId}`);
    const insight = await olga.expectReply(new RegExp(`Инсайт по ${cardId}`));
    expect(insight.text).toMatch(/[+−][\d,]+ п\. п\./);
    expect(insight.text).not.toMatch(/\bpp\b/);
    expect(latinWords(insight.text)).toEqual([]);

    await olga.send('/segment');
    expect(latinWords((await olga.expectReply()).text)).toEqual([]);
  });
});

describe('amounts carry the base currency', () => {
  it('shows spend in RUB per locale (en "RUB 1,234", ru "1 234 ₽")', async () => {
    const services = app.app.resolver('segmentation')(SegmentationTokens.Services);
    const money = new Set<string>(FEATURES.filter((f) => f.unit === 'money').map((f) => f.name));
    let cardId: string | undefined;
    for (let i = 0; i < 60 && !cardId; i++) {
      const profile = await services.queries.clientProfile(cardIdFor(i));
      if (profile && keyComparisons(profile).some((c) => money.has(c.feature))) cardId = cardIdFor(i);
    }
    expect(cardId).toBeDefined();
    const moneyLines = (text: string | undefined, labels: string[]) =>
      (text ?? '').split('\n').filter((line) => labels.some((label) => line.startsWith(`• ${label}:`)));

    const bob = app.user('bobby');
    await bob.send(`/segment ${cardId}`);
    const en = moneyLines((await bob.expectReply(/^Client /)).text, [
      'Total spend',
      'Average transaction',
      'Spend variability',
    ]);
    expect(en.length).toBeGreaterThan(0);
    for (const line of en) expect(line).toMatch(/^• .+: RUB\s[\d,]+ \/ RUB\s[\d,]+ \/ RUB\s[\d,]+$/);
    await bob.expectReply();

    const olga = app.user('olga', { language_code: 'ru' });
    await olga.send(`/segment ${cardId}`);
    const ru = moneyLines((await olga.expectReply(/^Клиент /)).text, [
      'Сумма трат',
      'Средний чек',
      'Разброс трат',
    ]);
    expect(ru.length).toBe(en.length);
    for (const line of ru) expect(line).toMatch(/^• .+: [\d\s]+\s₽ \/ [\d\s]+\s₽ \/ [\d\s]+\s₽$/);
    await olga.expectReply();
  });
});

describe('client counts use plural forms', () => {
  it('en one/other, ru one/few/many', () => {
    const i18n = app.app.resolver('segmentation')(Tokens.I18n);
    const count = (locale: string, size: number) =>
      i18n.t(locale, 'segmentation-profile-segment', { segment: 'S', size, share: '1%' });
    expect(count('en', 1)).toBe('Segment: S (1 client, 1%)');
    expect(count('en', 2)).toBe('Segment: S (2 clients, 1%)');
    expect(count('ru', 1)).toBe('Сегмент: S (1 клиент, 1%)');
    expect(count('ru', 21)).toBe('Сегмент: S (21 клиент, 1%)');
    expect(count('ru', 3)).toBe('Сегмент: S (3 клиента, 1%)');
    expect(count('ru', 11)).toBe('Сегмент: S (11 клиентов, 1%)');
    const title = (locale: string, clients: number) =>
      i18n.t(locale, 'segmentation-segments-title', { version: 1, clients, asOf: '2024-06-01' });
    expect(title('en', 1)).toBe('Segments, version 1: 1 client, data as of 2024-06-01');
    expect(title('ru', 1502)).toBe('Сегменты, версия 1: 1\u00a0502 клиента, данные на 2024-06-01');
  });
});
