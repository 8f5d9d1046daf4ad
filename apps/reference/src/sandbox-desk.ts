import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { type App, type SandboxFactory, Tokens } from '@botloom/core';
import { SandboxClient, startSandbox } from '@botloom/core/sandbox';
import { ManagerService, MessageTextCodec, TicketService } from '@botloom/plugin-support';

/**
 * The support desk's manager side, made playable in sandbox mode: a forum supergroup of
 * managers with the bot as an administrator, and one manager who is also the support admin.
 * The emulator numbers supergroups -100200000000N from 1 in creation order and its world
 * starts empty on every start, so the group created first (before any plugin starts) has a
 * known id that the support plugin's settings can name before the app is created.
 */
export const SANDBOX_DESK = {
  groupTitle: 'Support managers',
  /** The emulator's first supergroup (see `SandboxWorld.createChat`). */
  managerGroupChatId: -1_002_000_000_001,
  /**
   * A fixed id outside the emulator's automatic range (100000001 upwards), so the settings
   * can name it too.
   */
  // One first name (no last name), so the playground's user list shows "Maria Manager".
  manager: { id: 5_000_001, first_name: 'Maria Manager', username: 'maria_manager' },
  /** The playground's default person: created first so the playground selects them. */
  customer: { first_name: 'Guest' },
} as const;

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
 * configured (then MANAGER_GROUP_CHAT_ID and ADMIN_USER_ID come from the environment).
 */
export function sandboxSupportSettings(sandboxMode = !telegramTokenConfigured()): {
  managerGroupChatId?: number;
  adminUserId?: number;
} {
  if (!sandboxMode) return {};
  return { managerGroupChatId: SANDBOX_DESK.managerGroupChatId, adminUserId: SANDBOX_DESK.manager.id };
}

/**
 * Creates the sandbox desk's people and group in a fresh emulator world. Throws when the
 * world is not fresh (the group would get another id than the settings name).
 */
export async function prepareSandboxDesk(emulatorUrl: string): Promise<void> {
  const client = new SandboxClient(emulatorUrl);
  if ((await client.listUsers()).length || (await client.listChats()).length)
    throw new Error('the sandbox desk needs an empty emulator world');
  await client.createUser(SANDBOX_DESK.customer);
  const manager = await client.createUser(SANDBOX_DESK.manager);
  const group = await client.createChat({
    type: 'supergroup',
    title: SANDBOX_DESK.groupTitle,
    isForum: true,
    ownerId: manager.id,
    botStatus: 'administrator',
  });
  if (group.chat.id !== SANDBOX_DESK.managerGroupChatId) {
    throw new Error(
      `the sandbox manager group got id ${group.chat.id}, the support settings name ${SANDBOX_DESK.managerGroupChatId}`,
    );
  }
}

/**
 * Core's sandbox, with the desk prepared before any plugin starts (so the support plugin's
 * start-up check of the manager group already finds it). Pass it as `createApp({ sandbox })`.
 */
export function sandboxWithSupportDesk(base: SandboxFactory = startSandbox): SandboxFactory {
  return async (options) => {
    const handle = await base(options);
    try {
      await prepareSandboxDesk(handle.apiRoot);
    } catch (err) {
      await handle.stop().catch(() => undefined);
      throw err;
    }
    options.logger.info(
      { managerGroupChatId: SANDBOX_DESK.managerGroupChatId, managerId: SANDBOX_DESK.manager.id },
      `sandbox desk: forum group "${SANDBOX_DESK.groupTitle}" with manager ${SANDBOX_DESK.manager.first_name}`,
    );
    return handle;
  };
}

/**
 * After start, in the sandbox desk: the support admin is registered as a manager named
 * "Admin" by the plugin; here that person is Maria, so she is listed under her own name.
 * And the database outlives the emulator's world: topics remembered from an earlier run are
 * gone (and their thread ids will be handed out again), so tickets forget them. An open
 * ticket gets a new topic with its whole history when the customer writes again.
 */
export async function prepareSandboxDeskData(app: App): Promise<{ topicsForgotten: number }> {
  if (!app.sandbox || !app.database || !app.plugins.some((plugin) => plugin.id === 'support'))
    return { topicsForgotten: 0 };
  const { adminUserId, managerGroupChatId } = app.pluginConfig<{
    adminUserId?: number;
    managerGroupChatId?: number;
  }>('support');
  if (managerGroupChatId !== SANDBOX_DESK.managerGroupChatId) return { topicsForgotten: 0 };
  const { sequelize } = app.database;
  if (adminUserId === SANDBOX_DESK.manager.id) {
    await new ManagerService(sequelize).add(adminUserId, SANDBOX_DESK.manager.first_name, null);
  }
  const tickets = new TicketService(sequelize, new MessageTextCodec(app.resolver('core')(Tokens.Crypto)));
  let topicsForgotten = 0;
  const limit = 200;
  for (let offset = 0; ; offset += limit) {
    const page = await tickets.list({ limit, offset });
    for (const ticket of page.tickets) {
      if (ticket.topicChatId !== managerGroupChatId) continue;
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
