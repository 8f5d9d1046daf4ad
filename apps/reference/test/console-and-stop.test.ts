import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxClient } from '@botloom/core/sandbox';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BANNER = 'Botloom reference app is ready';

interface Started {
  child: ChildProcess;
  output: () => string;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

/**
 * `npm start` as a terminal runs it: in a process group of its own (the foreground job), so
 * that Ctrl+C, which a terminal sends to the whole group, can be replayed with kill(-pid).
 * stdout is a pipe, not a TTY.
 */
function startReferenceApp(dataDir: string): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=botloom-source', 'src/main.ts'], {
    cwd: appDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', BOTLOOM_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl+C')) resolve(output);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then((code) => reject(new Error(`the app exited with ${code} before it was ready:\n${output}`)));
  });
  return { child, output: () => output, ready, exited };
}

/** What a terminal does on Ctrl+C: SIGINT to every process of the foreground group. */
function pressCtrlC(child: ChildProcess): void {
  process.kill(-child.pid!, 'SIGINT');
}

/** Lines a person would read as a failure: errors, fatal lines, stack traces. */
function alarmingLines(output: string): string[] {
  return output
    .split('\n')
    .filter(
      (line) =>
        /"level":(50|60)/.test(line) ||
        /\bERROR\b|DatabaseError|"stack"|^\s+at /.test(line) ||
        /terminating connection|ConnectionManager/.test(line),
    );
}

describe('the console of npm start, and Ctrl+C', () => {
  let dataDir = '';
  let current: Started | undefined;

  afterAll(async () => {
    if (current && current.child.exitCode === null) process.kill(-current.child.pid!, 'SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('logs JSON lines when stdout is not a terminal, and stops quietly with exit code 0', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-stop-'));
    await chmod(dataDir, 0o755);
    const data = path.join(dataDir, 'data');

    // 1. Ctrl+C right after the banner, while demo data is still being imported.
    current = startReferenceApp(data);
    const banner = await current.ready;
    const beforeBanner = banner.slice(0, banner.indexOf(BANNER)).split('\n').filter(Boolean);
    expect(beforeBanner.length).toBeGreaterThan(3);
    for (const line of beforeBanner) expect(() => JSON.parse(line), line).not.toThrow();
    expect(beforeBanner.map((line) => JSON.parse(line).level)).toContain(30); // info too, not only warnings
    expect(banner).toMatch(/Botloom is ready/);

    pressCtrlC(current.child);
    expect(await current.exited).toBe(0);
    expect(current.output()).toMatch(/Botloom stopped/);
    expect(alarmingLines(current.output())).toEqual([]);
    // The app stopped its PostgreSQL server: nothing holds the data folder.
    expect(existsSync(path.join(data, 'postgres', 'postmaster.pid'))).toBe(false);

    // 2. A restart on the same data, Ctrl+C after a conversation, with the demo data ready.
    current = startReferenceApp(data);
    const banner2 = await current.ready;
    await expect
      .poll(() => current!.output(), { timeout: 90_000, interval: 250 })
      .toMatch(/sandbox demo: synthetic/);
    const guest = new SandboxClient(banner2.match(/bot API emulator: (http:\/\/\S+)/)![1]).user('guest');
    await guest.send('/segments');
    await guest.expectReply(/Segments, version \d+: 1.500 clients/, { timeoutMs: 30_000 });
    await guest.send('How big is the deposit?');
    await guest.expectReply(/300 euros/, { timeoutMs: 30_000 });

    pressCtrlC(current.child);
    expect(await current.exited).toBe(0);
    expect(current.output()).toMatch(/Botloom stopped/);
    expect(alarmingLines(current.output())).toEqual([]);
    expect(existsSync(path.join(data, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 240_000);
});
