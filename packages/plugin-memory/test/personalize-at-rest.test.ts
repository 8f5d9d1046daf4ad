/**
 * A /personalize left half-way holds what the user typed in core's conversation state
 * (`botloom_kv`, key `core.conversations:<chat>`): it must be encrypted and must expire.
 */
import { Tokens } from '@botloom/core';
import { startTestApp, type TestApp } from '@botloom/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import memoryPlugin from '../src/index.js';

const WAIT = { timeoutMs: 30_000 };
const HOUR = 60 * 60 * 1000;
const INSTRUCTION = 'Always call me Captain Nemo and mention my submarine';

let app: TestApp;
const query = async <R = Record<string, unknown>>(sql: string, bind: unknown[] = []) =>
  (await app.app.resolver('memory')(Tokens.Database).query(sql, { bind }))[0] as R[];

beforeAll(async () => {
  app = await startTestApp({
    plugins: [memoryPlugin()],
    config: { RATE_LIMIT_PER_MINUTE: 1000 },
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
});

describe('an abandoned /personalize', { timeout: 120_000 }, () => {
  it('is stored encrypted, expires a day after its last step, and keeps its finished steps', async () => {
    const nemo = app.user('nemo');
    const chatId = String(await nemo.id());
    await nemo.send('/personalize');
    await nemo.expectReply(/Which role/, WAIT);
    await nemo.press('✍️ My own instruction');
    await nemo.expectReply(/Write the instruction/, WAIT);
    await nemo.send(INSTRUCTION);
    await nemo.expectReply(/In which language/, WAIT);
    // The user walks away here. The state is written after the question is sent: wait for it.
    await app.settled();

    const [row] = await query<{ value: string; expires_at: string }>(
      'SELECT value, expires_at FROM botloom_kv WHERE key = $1',
      [`core.conversations:${chatId}`],
    );
    expect(row, 'the half-finished conversation is stored').toBeDefined();
    expect(row!.value).not.toContain('Captain Nemo');
    expect(row!.value).not.toContain('submarine');
    expect(row!.value).toMatch(/"sealed":"v1:/);
    const expiresIn = new Date(row!.expires_at).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(23 * HOUR);
    expect(expiresIn).toBeLessThan(25 * HOUR);

    // A day passes (for the store): the entry is past its expiry.
    await query(`UPDATE botloom_kv SET expires_at = now() - interval '1 minute' WHERE key = $1`, [
      `core.conversations:${chatId}`,
    ]);
    // The language button of the abandoned conversation no longer continues it...
    await nemo.press('English');
    await nemo.send('/profile');
    // ...but the step finished before the user walked away was kept, encrypted at rest.
    const profile = await nemo.expectReply(/Your agent profile/, WAIT);
    expect(profile.text).toContain(`Instruction: ${INSTRUCTION}`);
    expect(profile.text).toContain('Answer language: Same as my message');
    const transcript = await nemo.transcript();
    expect(transcript.some((m) => /How long should my answers be/.test(m.text ?? ''))).toBe(false);
    const [saved] = await query<{ custom_instruction_enc: string }>(
      'SELECT custom_instruction_enc FROM memory_profiles WHERE user_id = $1',
      [chatId],
    );
    expect(saved!.custom_instruction_enc).not.toContain('Captain Nemo');
  });
});
