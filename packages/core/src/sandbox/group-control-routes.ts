import { z } from 'zod';
import { SandboxControlError } from './control-error.js';
import { ExtraBots } from './extra-bots.js';
import { GroupAccess } from './group-access.js';
import type { SandboxWorld } from './world.js';

/** The shape of a control route (control-api.ts spreads these into its table). */
export interface GroupControlRoute {
  method: string;
  pattern: RegExp;
  handler: (args: { match: RegExpMatchArray; query: URLSearchParams; body: unknown }) => unknown;
}

const JoinSchema = z.object({ userId: z.number().int(), inviteLink: z.string().min(1).max(256) });
const RequestChatSchema = z.object({
  userId: z.number().int(),
  chatId: z.number().int().optional(),
  buttonText: z.string().max(256).optional(),
  existingChatId: z.number().int().optional(),
  title: z.string().min(1).max(128).optional(),
});
const ExtraBotSchema = z.object({
  token: z.string().min(3).max(128).optional(),
  first_name: z.string().min(1).max(64),
  username: z.string().min(5).max(33),
});
const AddBotSchema = z.object({
  botId: z.number().int(),
  byUserId: z.number().int().optional(),
  status: z.enum(['member', 'administrator']).optional(),
});

function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new SandboxControlError('SANDBOX_BAD_REQUEST', detail, 400);
  }
  return result.data;
}

/**
 * Control routes for group access: join by invite link, press a request_chat button, list
 * links and join requests, register further bots and add them to groups.
 */
export function createGroupControlRoutes(world: SandboxWorld): GroupControlRoute[] {
  const access = GroupAccess.of(world);
  const bots = ExtraBots.of(world);
  return [
    {
      method: 'POST',
      pattern: /^\/control\/invite-links\/join$/,
      handler: ({ body }) => {
        const input = parse(JoinSchema, body);
        const result = access.join(input.userId, input.inviteLink);
        return { ...result, seq: world.feed.lastSeq };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/chats\/(-?\d+)\/invite-links$/,
      handler: ({ match }) => {
        const chatId = Number(match[1]);
        world.chatState(chatId);
        return {
          links: [...access.links.values()]
            .filter((l) => l.chatId === chatId)
            .map((l) => ({ ...l.link, joined: l.joined })),
          joinRequests: access.joinRequests.filter((r) => r.chatId === chatId),
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/request-chat$/,
      handler: ({ body }) => {
        const { message, chat } = access.requestChat(parse(RequestChatSchema, body));
        return { message, chatId: chat.chat.id, seq: world.feed.lastSeq };
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/bots$/,
      handler: ({ body }) => {
        const state = bots.add(parse(ExtraBotSchema, body));
        return { token: state.token, bot: state.bot };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/bots$/,
      handler: () =>
        [...bots.byToken.values()].map((b) => ({ bot: b.bot, chats: Object.fromEntries(b.chats) })),
    },
    {
      method: 'POST',
      pattern: /^\/control\/chats\/(-?\d+)\/bots$/,
      handler: ({ match, body }) => {
        const input = parse(AddBotSchema, body);
        bots.addToChat(Number(match[1]), input.botId, input.byUserId, input.status);
        return { added: true, seq: world.feed.lastSeq };
      },
    },
  ];
}
