import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxClient } from '@botloom/core/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * `npm start` as package.json spells it: `node start.mjs`, which builds what is stale
 * (scripts/ensure-built.mjs: a few milliseconds when CI built first, the whole build on a fresh
 * clone, and the app's bundle, bundle.mjs) and then runs the built JavaScript (the bundle
 * dist/bundle/main.mjs) in the same process. npm itself only adds its own start-up and signal forwarding.
 */
const startScript = (
  JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts.start!;

function nodeArgs(script: string): string[] {
  const [command, ...args] = script.split(' ');
  expect(command).toBe('node');
  return args;
}

/** Starts the reference app the way `npm start` does (the built JavaScript), with no settings at all. */
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
  const child = spawn(process.execPath, nodeArgs(startScript), {
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

describe('npm start (built JavaScript) with no settings', () => {
  let dataDir = '';
  let child: ChildProcess | undefined;

  // A fresh clone has no JavaScript yet: build it here, under a long timeout, rather than inside
  // the first start below (start.mjs would build too, against the test's own timeout).
  beforeAll(() => {
    const built = spawnSync(process.execPath, ['../../scripts/ensure-built.mjs'], {
      cwd: appDir,
      encoding: 'utf8',
    });
    expect(built.status, `${built.stdout}\n${built.stderr}`).toBe(0);
  }, 600_000);

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

    // The printed panel sign-in works as printed.
    const signIn = banner.match(/sign in as (\S+), password (\S+)\)/);
    expect(signIn, banner).not.toBeNull();
    const session = await fetch(`${url}/admin/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: signIn![1], password: signIn![2] }),
    });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { user: { role: string } }).user.role).toBe('admin');

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
      .poll(() => started.output(), { timeout: 150_000, interval: 250 })
      .toMatch(/sandbox demo: synthetic/);
    const guest = new SandboxClient(emulatorUrl!).user('guest');
    // Memory's /start intro tells the truth about this app: outside a session, others answer.
    await guest.send('/start');
    await guest.expectReply(/Talk to me inside a session: \/start_session/, { timeoutMs: 30_000 });
    await guest.send('/segments');
    const segments = await guest.expectReply(/Segments, version \d+: 1.500 clients/, { timeoutMs: 30_000 });
    expect(segments.text).not.toMatch(/allowlist/);

    // Outside a memory session, free text goes to the support desk, which answers from the
    // shipped demo knowledge (the offline provider quotes the best passage).
    await guest.send('How big is the deposit?');
    const answer = await guest.expectReply(/300 euros/, { timeoutMs: 30_000 });
    expect(answer.text).toMatch(/offline/i);

    // The support desk's manager side is prepared in the sandbox: a forum group with the bot
    // as an administrator and Maria, the support admin and only manager. The playground's
    // default person (the first user) is a customer.
    const sandbox = new SandboxClient(emulatorUrl!);
    const users = await sandbox.listUsers();
    expect(users[0]).toMatchObject({ first_name: 'Guest' });
    const maria = users.find((user) => user.username === 'maria_manager');
    expect(maria).toMatchObject({ first_name: 'Maria Manager' });
    // Found by its title: its id is whatever the emulator gave (src/sandbox-desk.ts).
    const group = (await sandbox.listChats()).find((c) => c.chat.title === 'Support managers')!;
    expect(group.chat).toMatchObject({ type: 'supergroup', title: 'Support managers', is_forum: true });
    const SANDBOX_GROUP_ID = group.chat.id;
    expect(group.botStatus).toBe('administrator');
    expect(group.members).toContainEqual({ userId: maria!.id, status: 'creator' });
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const status = await (await fetch(`${url}/admin/api/support/status`, auth)).json();
    expect(status.managerGroup).toMatchObject({ state: 'ok', chatId: SANDBOX_GROUP_ID });
    const managers = await (await fetch(`${url}/admin/api/support/managers`, auth)).json();
    expect(managers.managers).toMatchObject([{ userId: maria!.id, name: 'Maria Manager' }]);

    // A question the knowledge cannot answer -> the offer -> a ticket topic in the group ->
    // Maria answers there -> the customer gets it -> /close -> a rating.
    await guest.send('Do you rent yachts?');
    await guest.expectReply("I can't answer that, shall I call a manager?", { timeoutMs: 30_000 });
    await guest.press('🙋 Call a manager');
    const called = await guest.expectReply(/called a manager, ticket #\d+/, { timeoutMs: 30_000 });
    const ticketId = Number(called.text!.match(/#(\d+)/)![1]);
    let topic: { message_thread_id: number; name: string } | undefined;
    await expect
      .poll(
        async () => {
          const topics = (await sandbox.getChat(SANDBOX_GROUP_ID)).topics;
          topic = topics.find((t) => t.name === `#${ticketId} Guest`);
          return topic;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBeDefined();
    await sandbox.waitForBotMessage(SANDBOX_GROUP_ID, {
      threadId: topic!.message_thread_id,
      match: 'Customer: Do you rent yachts?',
      timeoutMs: 15_000,
    });
    await sandbox.sendMessage(maria!.id, 'No yachts, sorry, but the SUVs float nicely.', {
      chatId: SANDBOX_GROUP_ID,
      threadId: topic!.message_thread_id,
    });
    await guest.expectReply('👤 Maria Manager: No yachts, sorry, but the SUVs float nicely.', {
      timeoutMs: 15_000,
    });
    await sandbox.sendMessage(maria!.id, '/close', {
      chatId: SANDBOX_GROUP_ID,
      threadId: topic!.message_thread_id,
    });
    await guest.expectReply(/closed your request/, { timeoutMs: 15_000 });
    const rated = await guest.press('5 ⭐');
    expect((rated as { answer: { text?: string } | null }).answer?.text).toBe('Thank you for your rating!');

    const exited = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(started.output()).toMatch(/Botloom stopped/);

    // A restart keeps the database but starts an empty sandbox world whose topic ids repeat:
    // the desk still opens a topic for the same customer's next handoff.
    const restarted = startReferenceApp(path.join(dataDir, 'data'));
    child = restarted.child;
    const banner2 = await restarted.ready;
    const sandbox2 = new SandboxClient(banner2.match(/bot API emulator: (http:\/\/\S+)/)![1]);
    const group2 = (await sandbox2.listChats()).find((c) => c.chat.title === 'Support managers')!;
    const guestAgain = sandbox2.user('guest');
    expect(await guestAgain.id()).toBe(await guest.id());
    await guestAgain.send('I need a person please');
    await guestAgain.expectReply("I can't answer that, shall I call a manager?", { timeoutMs: 30_000 });
    await guestAgain.press('🙋 Call a manager');
    const calledAgain = await guestAgain.expectReply(/called a manager, ticket #\d+/, { timeoutMs: 30_000 });
    const secondTicket = Number(calledAgain.text!.match(/#(\d+)/)![1]);
    expect(secondTicket).toBeGreaterThan(ticketId);
    await expect
      .poll(async () => (await sandbox2.getChat(group2.chat.id)).topics.map((t) => t.name), {
        timeout: 15_000,
        interval: 200,
      })
      .toEqual([`#${secondTicket} Guest`]);
    const exited2 = new Promise<number | null>((resolve) => child?.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited2).toBe(0);
  }, 300_000);
});
