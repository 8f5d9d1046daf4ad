import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxClient } from '@botloom/core/sandbox';
import { afterAll, describe, expect, it } from 'vitest';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Starts the reference app the way `npm start` does, with no settings at all. */
function startReferenceApp(dataDir: string): {
  child: ChildProcess;
  output: () => string;
  ready: Promise<string>;
} {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: '0',
    BOTLOOM_DATA_DIR: dataDir,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=botloom-source', 'src/main.ts'], {
    cwd: appDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Stop with Ctrl+C')) resolve(output);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`the app exited with ${code} before it was ready:\n${output}`)),
    );
  });
  return { child, output: () => output, ready };
}

describe('npm start with no settings', () => {
  let dataDir = '';
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('boots on embedded PostgreSQL in sandbox mode, serves the admin API and stops on SIGINT', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'botloom-start-'));
    // Embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
    await chmod(dataDir, 0o755);
    const started = startReferenceApp(path.join(dataDir, 'data'));
    child = started.child;
    const banner = await started.ready;

    const url = banner.match(/HTTP:\s+(http:\/\/\S+)/)?.[1];
    expect(url).toBeDefined();
    expect(banner).toMatch(/offline provider/i);
    expect(banner).toMatch(/playground: http:\/\/\S+\/sandbox\//);

    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const playground = await fetch(`${url}/sandbox/`);
    expect(playground.status).toBe(200);
    expect(await playground.text()).toMatch(/<html/i);

    const token = banner.match(/Bearer (\S+)'/)?.[1];
    expect(token).toBeDefined();
    expect((await fetch(`${url}/admin/api/core/plugins`)).status).toBe(401);
    const plugins = await fetch(`${url}/admin/api/core/plugins`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(plugins.status).toBe(200);
    const body = JSON.stringify(await plugins.json());
    for (const id of ['memory', 'segmentation', 'support']) expect(body).toContain(`"${id}"`);

    // The sandbox demo: synthetic clients are segmented in the background, and any sandbox
    // user may ask for them (the allowlist is open only because this is the sandbox).
    const emulatorUrl = banner.match(/bot API emulator: (http:\/\/\S+)/)?.[1];
    expect(emulatorUrl).toBeDefined();
    await expect
      .poll(() => started.output(), { timeout: 60_000, interval: 250 })
      .toMatch(/sandbox demo: synthetic/);
    const guest = new SandboxClient(emulatorUrl!).user('guest');
    await guest.send('/segments');
    const segments = await guest.expectReply(/Segments, version \d+: 1.500 clients/, { timeoutMs: 30_000 });
    expect(segments.text).not.toMatch(/allowlist/);

    // Outside a memory session, free text goes to the support desk, which answers from the
    // shipped demo knowledge (the offline provider quotes the best passage).
    await guest.send('How big is the deposit?');
    const answer = await guest.expectReply(/300 euros/, { timeoutMs: 30_000 });
    expect(answer.text).toMatch(/offline/i);

    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(started.output()).toMatch(/Botloom stopped/);
  }, 120_000);
});
