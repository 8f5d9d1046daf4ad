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
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import segmentationPlugin, { SegmentationTokens } from '../src/index.js';
import { writeGeneratedCsv } from '../src/services/generator.js';

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
