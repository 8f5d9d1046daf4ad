import type { MiddlewareFn } from 'grammy';
import type { ChatOwnership, OwnerRecord } from '../chat-ownership.js';
import type { BotContext } from '../context.js';

/** Commands core answers itself (before any plugin); /cancel goes to the owner first. */
const CORE_ANSWERED = new Set(['start', 'help', 'language', 'delete_my_data']);
const COMMAND = /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s+([\s\S]*))?$/;

/** Where core sends one update: to one plugin (`target`), or to every plugin (no target). */
export interface Route {
  target?: string;
  /** A non-command message in a private chat. */
  freeInput: boolean;
  /** The command of a command message, lowercase. */
  command?: string;
  /** `/start <payload>` handed the chat to `target`. */
  deepLink?: boolean;
  /** The /start menu just handed the chat to `target` (its button's callback query). */
  handedOver?: boolean;
  /** The default owner already had its turn after the claimed owner let the message through. */
  handedToDefault?: boolean;
}

const ROUTE = Symbol('botloom.route');
type Routed = BotContext & { [ROUTE]?: Route };

export function routeOf(ctx: BotContext): Route | undefined {
  return (ctx as Routed)[ROUTE];
}

/** The chat's session record, or undefined where there is none (e.g. inline queries). */
export function sessionRecord(ctx: BotContext): OwnerRecord | undefined {
  try {
    return ctx.session ?? undefined;
  } catch {
    return undefined;
  }
}

export function parseCommand(text: string | undefined): { command: string; payload: string } | undefined {
  const match = COMMAND.exec(text ?? '');
  return match ? { command: match[1]!.toLowerCase(), payload: (match[2] ?? '').trim() } : undefined;
}

/**
 * Decides, before core's commands and the plugins, who gets an update:
 * - private chats: a deep link (`/start support`) and a command of a plugin that reads free
 *   text hand the chat to that plugin; free input and unknown commands go to the owner only;
 * - any chat: a plugin's declared command goes to that plugin only;
 * - callback queries go to the plugin their data is prefixed with (`memory:...`);
 * - everything else (groups' messages, other updates) goes to every plugin, as before.
 */
export function routeUpdates(ownership: ChatOwnership): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const route = decide(ctx, ownership);
    if (route) (ctx as Routed)[ROUTE] = route;
    return next();
  };
}

function decide(ctx: BotContext, ownership: ChatOwnership): Route | undefined {
  const data = ctx.callbackQuery?.data;
  if (data !== undefined) {
    const prefix = data.split(':', 1)[0]!;
    return ownership.isPlugin(prefix) || prefix === 'core' ? { target: prefix, freeInput: false } : undefined;
  }
  const message = ctx.message;
  if (!message) return undefined;
  const parsed = parseCommand(message.text);
  const privateChat = ctx.chat?.type === 'private';
  if (!parsed) {
    if (!privateChat) return undefined;
    return { target: ownership.owner(sessionRecord(ctx)), freeInput: true };
  }
  const { command, payload } = parsed;
  if (!privateChat) {
    const owner = ownership.commandOwner(command);
    return owner ? { target: owner, freeInput: false, command } : undefined;
  }
  if (command === 'start' && payload) {
    const owner = ownership.deepLinkOwner(payload);
    if (owner) {
      ownership.claim(sessionRecord(ctx), owner);
      return { target: owner, freeInput: false, command, deepLink: true };
    }
  }
  if (CORE_ANSWERED.has(command)) return { target: 'core', freeInput: false, command };
  const declaredBy = ownership.commandOwner(command);
  if (declaredBy) {
    ownership.claim(sessionRecord(ctx), declaredBy);
    return { target: declaredBy, freeInput: false, command };
  }
  return { target: ownership.owner(sessionRecord(ctx)), freeInput: false, command };
}

/**
 * Wraps one plugin's handlers: they run only for updates routed to that plugin (or to all), and
 * see `ctx.chatOwner` bound to that plugin.
 */
export function gatePlugin(
  pluginId: string,
  ownership: ChatOwnership,
  handlers: MiddlewareFn<BotContext>,
): MiddlewareFn<BotContext> {
  return (ctx, next) => {
    const target = routeOf(ctx)?.target;
    if (target !== undefined && target !== pluginId) return next();
    ctx.chatOwner = ownership.port(
      () => sessionRecord(ctx),
      pluginId,
      () => routeOf(ctx)?.handedOver === true && routeOf(ctx)?.target === pluginId,
    );
    return handlers(ctx, next);
  };
}
