import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { type App, type SandboxFactory, Tokens } from '@botloom/core';
import { SandboxClient, startSandbox } from '@botloom/core/sandbox';
import { ManagerService, MessageTextCodec, TicketService } from '@botloom/plugin-support';

/**
 * The support desk's manager side, made playable in sandbox mode: a forum supergroup of
 * managers with the bot as an administrator, and one manager who is also the support admin.
 * The group's chat id is whatever the emulator answers when the group is made (or found by
 * its title, when the world already has it); it reaches the support plugin through its
 * wiring (`managerGroupChatId`, read whenever the desk needs it), not through a setting.
 */
export const SANDBOX_DESK = {
  groupTitle: 'Support managers',
  /**
   * A fixed id outside the emulator's automatic range (100000001 upwards), so the settings
   * can name it as the support admin.
   */
  // One first name (no last name), so the playground's user list shows "Maria Manager".
  manager: { id: 5_000_001, first_name: 'Maria Manager', username: 'maria_manager' },
  /** The playground's default person: created first so the playground selects them. */
  customer: { first_name: 'Guest' },
} as const;

/** The sandbox desk as the emulator has it. */
export interface SandboxDesk {
  managerGroupChatId: number;
  managerId: number;
  /** False when the group was already in the emulator's world (found by its title). */
  createdGroup: boolean;
}

let preparedDesk: SandboxDesk | null = null;

/**
 * The sandbox desk's manager group, once the sandbox made or found it (the support plugin's
 * `managerGroupChatId` wiring); undefined before, and always with a real bot token.
 */
export function sandboxManagerGroupChatId(): number | undefined {
  return preparedDesk?.managerGroupChatId;
}

/**
 * True when a real bot token is configured, read the way `createApp` reads it: the
 * environment first, then `.env` in `cwd`; empty values count as unset.
 */
export function telegramTokenConfigured(
  cwd: string = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (env.TELEGRAM_BOT_TOKEN) return true;
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return false;
  return Boolean(parseEnv(readFileSync(file, 'utf8')).TELEGRAM_BOT_TOKEN);
}

/**
 * The support plugin's settings for the sandbox desk, or `{}` when a real bot token is
 * configured (then MANAGER_GROUP_CHAT_ID and ADMIN_USER_ID come from the environment). The
 * manager group is not a setting here: it is wired (`sandboxManagerGroupChatId`).
 */
export function sandboxSupportSettings(sandboxMode = !telegramTokenConfigured()): {
  adminUserId?: number;
} {
  if (!sandboxMode) return {};
  return { adminUserId: SANDBOX_DESK.manager.id };
}

/**
 * Makes the sandbox desk's people and group in the emulator, or finds them when the world
 * already has them (the group by its title, the manager by id, the customer by name), and
 * returns the group's id as the emulator answered it.
 */
export async function prepareSandboxDesk(emulatorUrl: string): Promise<SandboxDesk> {
  const client = new SandboxClient(emulatorUrl);
  const users = await client.listUsers();
  // The customer first: in a fresh world the playground selects the first person.
  if (!users.some((u) => u.first_name === SANDBOX_DESK.customer.first_name && !u.is_bot))
    await client.createUser(SANDBOX_DESK.customer);
  const manager =
    users.find((u) => u.id === SANDBOX_DESK.manager.id) ?? (await client.createUser(SANDBOX_DESK.manager));
  const existing = (await client.listChats()).find(
    (c) =>
      c.chat.type === 'supergroup' &&
      c.chat.title === SANDBOX_DESK.groupTitle &&
      (c.chat as { is_forum?: boolean }).is_forum === true,
  );
  let group = existing;
  if (group && !group.members.some((m) => m.userId === manager.id))
    group = await client.addMember(group.chat.id, manager.id, 'administrator');
  group ??= await client.createChat({
    type: 'supergroup',
    title: SANDBOX_DESK.groupTitle,
    isForum: true,
    ownerId: manager.id,
    botStatus: 'administrator',
  });
  preparedDesk = { managerGroupChatId: group.chat.id, managerId: manager.id, createdGroup: !existing };
  return preparedDesk;
}

/**
 * Core's sandbox, with the desk prepared before any plugin starts (so the support plugin's
 * start-up check of the manager group already finds it). Pass it as `createApp({ sandbox })`.
 */
export function sandboxWithSupportDesk(base: SandboxFactory = startSandbox): SandboxFactory {
  return async (options) => {
    const handle = await base(options);
    let desk: SandboxDesk;
    try {
      desk = await prepareSandboxDesk(handle.apiRoot);
    } catch (err) {
      await handle.stop().catch(() => undefined);
      throw err;
    }
    options.logger.info(
      { managerGroupChatId: desk.managerGroupChatId, managerId: desk.managerId },
      `sandbox desk: forum group "${SANDBOX_DESK.groupTitle}" ${desk.createdGroup ? 'created' : 'found'} with manager ${SANDBOX_DESK.manager.first_name}`,
    );
    return handle;
  };
}

/**
 * After start, in the sandbox desk: the support admin is registered as a manager named
 * "Admin" by the plugin; here that person is Maria, so she is listed under her own name.
 * And the database outlives the emulator's world: topics remembered from an earlier run are
 * gone (and their thread ids will be handed out again), so tickets forget every topic the
 * emulator does not have. An open ticket gets a new topic with its whole history when the
 * customer writes again.
 */
export async function prepareSandboxDeskData(app: App): Promise<{ topicsForgotten: number }> {
  const managerGroupChatId = sandboxManagerGroupChatId();
  if (
    !app.sandbox ||
    !app.database ||
    managerGroupChatId === undefined ||
    !app.plugins.some((plugin) => plugin.id === 'support')
  )
    return { topicsForgotten: 0 };
  const { adminUserId } = app.pluginConfig<{ adminUserId?: number }>('support');
  const { sequelize } = app.database;
  if (adminUserId === SANDBOX_DESK.manager.id) {
    await new ManagerService(sequelize).add(adminUserId, SANDBOX_DESK.manager.first_name, null);
  }
  const emulator = new SandboxClient(app.sandbox.apiRoot, { token: app.sandbox.controlToken });
  const group = await emulator.getChat(managerGroupChatId);
  const live = new Set(group.topics.map((topic) => topic.message_thread_id));
  const tickets = new TicketService(sequelize, new MessageTextCodec(app.resolver('core')(Tokens.Crypto)));
  let topicsForgotten = 0;
  const limit = 200;
  for (let offset = 0; ; offset += limit) {
    const page = await tickets.list({ limit, offset });
    for (const ticket of page.tickets) {
      if (ticket.topicChatId === null || ticket.topicThreadId === null) continue;
      if (ticket.topicChatId === managerGroupChatId && live.has(ticket.topicThreadId)) continue;
      await tickets.setTopic(ticket.id, null);
      topicsForgotten++;
    }
    if (page.tickets.length < limit) break;
  }
  if (topicsForgotten)
    app.logger.info(
      { topicsForgotten },
      'sandbox desk: tickets forgot the topics of the previous sandbox run',
    );
  return { topicsForgotten };
}
