import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Message } from 'grammy/types';
import { z } from 'zod';
import { BotApiError } from './api-error.js';
import type { SandboxEvent } from './change-feed.js';
import { commandsFor } from './command-menu.js';
import { SandboxControlError } from './control-error.js';
import type { FaultInjector } from './faults.js';
import { createGroupControlRoutes } from './group-control-routes.js';
import { randomNumericId } from './ids.js';
import { ReadMarks } from './read-marks.js';
import { readRawBody } from './request-body.js';
import { signWebAppInitData, webAppLaunchUrl } from './web-app.js';
import type { WebhookDelivery } from './webhook.js';
import type { ChatState, SandboxWorld } from './world.js';

const FileSchema = z.object({
  base64: z.string().min(1),
  fileName: z.string().max(255).optional(),
  mimeType: z.string().max(255).optional(),
});

const CreateUserSchema = z.object({
  id: z.number().int().positive().optional(),
  first_name: z.string().min(1).max(64),
  last_name: z.string().max(64).optional(),
  username: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{4,31}$/)
    .optional(),
  language_code: z.string().max(35).optional(),
  is_premium: z.boolean().optional(),
});

const CreateChatSchema = z.object({
  type: z.enum(['group', 'supergroup', 'channel']),
  title: z.string().min(1).max(128),
  username: z.string().optional(),
  memberIds: z.array(z.number().int()).optional(),
  adminIds: z.array(z.number().int()).optional(),
  ownerId: z.number().int().optional(),
  isForum: z.boolean().optional(),
  botStatus: z.enum(['member', 'administrator']).optional(),
  discussionGroupTitle: z.string().min(1).max(128).optional(),
});

const SendSchema = z.object({
  userId: z.number().int(),
  chatId: z.number().int().optional(),
  threadId: z.number().int().optional(),
  replyToMessageId: z.number().int().optional(),
  text: z.string().optional(),
  photo: FileSchema.optional(),
  document: FileSchema.optional(),
  caption: z.string().max(1024).optional(),
});

const ChannelPostSchema = SendSchema.omit({ userId: true, threadId: true, replyToMessageId: true }).extend({
  chatId: z.number().int(),
  userId: z.number().int().optional(),
});

const ReactSchema = z.object({
  userId: z.number().int(),
  chatId: z.number().int(),
  messageId: z.number().int(),
  /** The person's reactions after this change; [] takes them back. */
  emoji: z.array(z.string().min(1).max(16)).max(3),
});

const PressSchema = z
  .object({
    userId: z.number().int(),
    chatId: z.number().int(),
    messageId: z.number().int(),
    data: z.string().optional(),
    text: z.string().optional(),
    waitForAnswerMs: z.number().int().min(0).max(60_000).optional(),
  })
  .refine((v) => v.data !== undefined || v.text !== undefined, 'Give the button text or its callback data');

const WebAppSchema = z.object({
  userId: z.number().int(),
  chatId: z.number().int().optional(),
  messageId: z.number().int().optional(),
  buttonText: z.string().optional(),
  menu: z.boolean().optional(),
  url: z.string().url().optional(),
  startParam: z.string().max(512).optional(),
});

const FaultsSchema = z.object({
  rules: z
    .array(
      z.object({
        methods: z.array(z.string()).optional(),
        kind: z.enum(['rate_limit', 'server_error', 'slow']),
        probability: z.number().min(0).max(1).optional(),
        every: z.number().int().min(1).optional(),
        times: z.number().int().min(1).optional(),
        retryAfter: z.number().int().min(1).max(3600).optional(),
        status: z.number().int().min(500).max(599).optional(),
        delayMs: z.number().int().min(0).max(120_000).optional(),
      }),
    )
    .optional(),
  flood: z
    .object({
      perSecond: z.number().int().min(1).optional(),
      perChatPerSecond: z.number().int().min(1).optional(),
      perGroupPerMinute: z.number().int().min(1).optional(),
    })
    .optional(),
});

export interface ControlApiDeps {
  world: SandboxWorld;
  token: string;
  faults: FaultInjector;
  webhook: WebhookDelivery;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: (args: {
    match: RegExpMatchArray;
    query: URLSearchParams;
    body: unknown;
    signal: AbortSignal;
  }) => unknown;
}

/** Query parameters that are Telegram ids: absent is fine, anything else but an integer is a 400. */
function optionalId(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const id = Number(value);
  if (!Number.isSafeInteger(id))
    throw new SandboxControlError('SANDBOX_BAD_REQUEST', `${name} must be an integer`);
  return id;
}

function chatSummary(world: SandboxWorld, chat: ChatState) {
  return {
    chat: chat.chat,
    botStatus: chat.botStatus,
    members: [...chat.members.entries()].map(([userId, status]) => ({ userId, status })),
    topics: [...chat.topics.values()].map((t) => ({ ...t.topic, is_closed: t.closed })),
    linkedChatId: chat.linkedChatId,
    replyKeyboard: chat.replyKeyboard ?? null,
    menuButton: world.menuButtons.get(chat.chat.id) ?? world.menuButtons.get(0) ?? { type: 'commands' },
  };
}

function fileUpload(file: z.infer<typeof FileSchema> | undefined) {
  if (!file) return undefined;
  return { data: Buffer.from(file.base64, 'base64'), fileName: file.fileName, mimeType: file.mimeType };
}

function parse<T extends z.ZodTypeAny>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new SandboxControlError('SANDBOX_BAD_REQUEST', detail, 400);
  }
  return result.data;
}

function textOf(message: Message): string {
  return message.text ?? message.caption ?? '';
}

/**
 * The control API: HTTP endpoints under `/control` that act as people (send, press,
 * post, open web apps), inspect chats and wait for the bot. Used by SandboxClient, the
 * test harness and the playground page.
 */
export function createControlApi(deps: ControlApiDeps) {
  const { world, token, faults, webhook } = deps;
  const readMarks = new ReadMarks();

  const chatIdOf = (value: string | null) => {
    const id = Number(value);
    if (!value || !Number.isSafeInteger(id))
      throw new SandboxControlError('SANDBOX_BAD_REQUEST', 'chatId is required');
    return id;
  };

  /** Waits for the first event after `afterSeq` that passes `accept`. */
  const waitForEvent = async (
    afterSeq: number,
    timeoutMs: number,
    signal: AbortSignal,
    accept: (e: SandboxEvent) => boolean,
  ): Promise<SandboxEvent | undefined> => {
    const deadline = Date.now() + timeoutMs;
    let cursor = afterSeq;
    for (;;) {
      for (const event of world.feed.since(cursor)) {
        cursor = event.seq;
        if (accept(event)) return event;
      }
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return undefined;
      await world.feed.waitForNext(left, signal);
    }
  };

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/control\/bot$/,
      handler: () => ({
        bot: world.bot,
        commands: [...world.commands.entries()].map(([key, commands]) => {
          const [scope, language] = key.split('|');
          return { scope: JSON.parse(scope), language_code: language || undefined, commands };
        }),
        menuButton: world.menuButtons.get(0) ?? { type: 'commands' },
        webhook: webhook.info(),
        lastSeq: world.feed.lastSeq,
      }),
    },
    { method: 'GET', pattern: /^\/control\/users$/, handler: () => [...world.users.values()].map(userView) },
    {
      method: 'POST',
      pattern: /^\/control\/users$/,
      handler: ({ body }) => world.createUser(parse(CreateUserSchema, body)),
    },
    {
      method: 'GET',
      pattern: /^\/control\/users\/(\d+)$/,
      handler: ({ match }) => userView(world.userState(Number(match[1]))),
    },
    {
      method: 'POST',
      pattern: /^\/control\/users\/(\d+)\/block$/,
      handler: ({ match, body }) => {
        const blocked = parse(z.object({ blocked: z.boolean().default(true) }), body).blocked;
        world.setBlocked(Number(match[1]), blocked);
        return userView(world.userState(Number(match[1])));
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/chats$/,
      handler: ({ query }) => {
        // With ?userId=: what that person has not read yet, per chat and topic.
        const userId = optionalId(query, 'userId');
        return [...world.chats.values()].map((c) => ({
          ...chatSummary(world, c),
          ...(userId === undefined ? {} : { unread: readMarks.unread(world, userId, c) }),
        }));
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/chats\/(-?\d+)\/read$/,
      handler: ({ match, body }) => {
        const input = parse(
          z.object({ userId: z.number().int(), threadId: z.number().int().optional() }),
          body,
        );
        world.userState(input.userId);
        readMarks.markRead(world, input.userId, Number(match[1]), input.threadId ?? 0);
        return { read: true };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/commands$/,
      handler: ({ query }) => {
        // The "/" menu a person sees in a chat (default: their private chat with the bot).
        const userId = optionalId(query, 'userId');
        if (userId === undefined) throw new SandboxControlError('SANDBOX_BAD_REQUEST', 'userId is required');
        const { user } = world.userState(userId);
        const chatId = optionalId(query, 'chatId') ?? userId;
        const chat = world.chats.get(chatId);
        const status = chat ? world.memberStatus(chat, userId) : 'member';
        return commandsFor(world.commands, {
          chatId,
          chatType: chat?.chat.type ?? 'private',
          userId,
          languageCode: user.language_code,
          isAdmin: status === 'administrator' || status === 'creator',
        });
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/chats$/,
      handler: ({ body }) => chatSummary(world, world.createChat(parse(CreateChatSchema, body))),
    },
    {
      method: 'GET',
      pattern: /^\/control\/chats\/(-?\d+)$/,
      handler: ({ match }) => chatSummary(world, world.chatState(Number(match[1]))),
    },
    {
      method: 'POST',
      pattern: /^\/control\/chats\/(-?\d+)\/members$/,
      handler: ({ match, body }) => {
        const input = parse(
          z.object({ userId: z.number().int(), status: z.enum(['member', 'administrator']).optional() }),
          body,
        );
        world.addMember(Number(match[1]), input.userId, input.status);
        return chatSummary(world, world.chatState(Number(match[1])));
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/chats\/(-?\d+)\/topics$/,
      handler: ({ match, body }) => {
        const input = parse(z.object({ userId: z.number().int(), name: z.string().min(1).max(128) }), body);
        const chat = world.chatState(Number(match[1]));
        const status = world.memberStatus(chat, input.userId);
        if (status === 'left' || status === 'kicked') {
          throw new SandboxControlError(
            'SANDBOX_NOT_A_MEMBER',
            `User ${input.userId} is not in chat ${chat.chat.id}`,
            403,
          );
        }
        return world.createTopic(chat, input.name, world.userState(input.userId).user);
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/chats\/(-?\d+)\/messages$/,
      handler: ({ match, query }) => {
        const threadId = query.get('threadId');
        return world.transcript(world.chatState(Number(match[1])), threadId ? Number(threadId) : undefined);
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/messages$/,
      handler: ({ body }) => {
        const input = parse(SendSchema, body);
        const message = world.userSends(
          input.userId,
          {
            text: input.text,
            photo: fileUpload(input.photo),
            document: fileUpload(input.document),
            caption: input.caption,
          },
          { chatId: input.chatId, threadId: input.threadId, replyToMessageId: input.replyToMessageId },
        );
        return { message, seq: world.feed.lastSeq };
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/channel-posts$/,
      handler: ({ body }) => {
        const input = parse(ChannelPostSchema, body);
        const message = world.channelPost(
          input.chatId,
          {
            text: input.text,
            photo: fileUpload(input.photo),
            document: fileUpload(input.document),
            caption: input.caption,
          },
          input.userId,
        );
        return { message, seq: world.feed.lastSeq };
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/reactions$/,
      handler: ({ body }) => {
        const input = parse(ReactSchema, body);
        world.userReacts(input.userId, input.chatId, input.messageId, input.emoji);
        return { reactions: world.reactionCounts(world.chatState(input.chatId), input.messageId) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/chats\/(-?\d+)\/messages\/(\d+)\/reactions$/,
      handler: ({ match }) => ({
        reactions: world.reactionCounts(world.chatState(Number(match[1])), Number(match[2])),
      }),
    },
    {
      method: 'POST',
      pattern: /^\/control\/callbacks$/,
      handler: async ({ body, signal }) => {
        const input = parse(PressSchema, body);
        const seq = world.feed.lastSeq;
        const query = world.pressButton(input.userId, input.chatId, input.messageId, {
          data: input.data,
          text: input.data === undefined ? input.text : undefined,
        });
        let answer = world.callbackQueries.get(query.id)?.answer;
        if (!answer && input.waitForAnswerMs) {
          const event = await waitForEvent(
            seq,
            input.waitForAnswerMs,
            signal,
            (e) => e.type === 'callback_answer' && e.callbackQueryId === query.id,
          );
          answer = event?.type === 'callback_answer' ? event.answer : undefined;
        }
        return { callbackQueryId: query.id, data: query.data, answer: answer ?? null, seq };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/callbacks\/([^/]+)$/,
      handler: ({ match }) => {
        const state = world.callbackQueries.get(decodeURIComponent(match[1]));
        if (!state) throw new SandboxControlError('SANDBOX_NOT_FOUND', 'Unknown callback query', 404);
        return { callbackQueryId: state.query.id, answer: state.answer ?? null };
      },
    },
    {
      method: 'POST',
      pattern: /^\/control\/web-app$/,
      handler: ({ body }) => openWebApp(world, token, parse(WebAppSchema, body)),
    },
    {
      method: 'GET',
      pattern: /^\/control\/wait$/,
      handler: async ({ query, signal }) => {
        const chatId = chatIdOf(query.get('chatId'));
        const afterSeq = Number(query.get('afterSeq') ?? 0);
        const timeoutMs = Math.min(Number(query.get('timeoutMs') ?? 5000), 120_000);
        const kind = query.get('kind') ?? 'message';
        const threadId = query.get('threadId') ? Number(query.get('threadId')) : undefined;
        const messageId = query.get('messageId') ? Number(query.get('messageId')) : undefined;
        const pattern = query.get('match');
        let regex: RegExp | undefined;
        try {
          regex = pattern ? new RegExp(pattern, query.get('flags') ?? '') : undefined;
        } catch {
          throw new SandboxControlError('SANDBOX_BAD_REQUEST', 'match is not a valid regular expression');
        }
        const event = await waitForEvent(afterSeq, timeoutMs, signal, (e) => {
          if (e.type !== 'message' && e.type !== 'edit') return false;
          if (e.chatId !== chatId) return false;
          if (!e.byBot) return false;
          if (kind !== 'any' && e.type !== kind) return false;
          if (messageId !== undefined && e.message.message_id !== messageId) return false;
          if (
            threadId !== undefined &&
            (e.message as { message_thread_id?: number }).message_thread_id !== threadId
          ) {
            return false;
          }
          return !regex || regex.test(textOf(e.message));
        });
        if (event && (event.type === 'message' || event.type === 'edit')) {
          return { seq: event.seq, kind: event.type, message: event.message };
        }
        const chat = world.chats.get(chatId);
        const recent = chat
          ? world
              .transcript(chat)
              .slice(-5)
              .map(
                (m) =>
                  `${world.isByBot(chat, m.message_id) ? 'bot' : (m.from?.first_name ?? 'user')}: ${textOf(m)}`,
              )
          : [];
        throw new SandboxControlError(
          'SANDBOX_TIMEOUT',
          `No ${kind === 'edit' ? 'edit of a bot message' : 'bot message'}${regex ? ` matching ${regex}` : ''} in chat ${chatId} within ${timeoutMs} ms. Last messages: ${recent.length ? recent.join(' | ') : '(none)'}`,
          408,
        );
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/events$/,
      handler: async ({ query, signal }) => {
        const after = Number(query.get('after') ?? 0);
        const timeoutMs = Math.min(Number(query.get('timeoutMs') ?? 0), 30_000);
        let events = world.feed.since(after);
        if (events.length === 0 && timeoutMs > 0) {
          await world.feed.waitForNext(timeoutMs, signal);
          events = world.feed.since(after);
        }
        return { events, lastSeq: world.feed.lastSeq };
      },
    },
    {
      method: 'GET',
      pattern: /^\/control\/faults$/,
      handler: () => ({ rules: faults.list(), injected: faults.log }),
    },
    {
      method: 'POST',
      pattern: /^\/control\/faults$/,
      handler: ({ body }) => {
        const input = parse(FaultsSchema, body);
        for (const rule of input.rules ?? []) faults.add(rule);
        if (input.flood) faults.setFloodLimits(input.flood);
        return { rules: faults.list() };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/control\/faults$/,
      handler: () => {
        faults.clear();
        return { rules: [] };
      },
    },
    ...createGroupControlRoutes(world),
  ];

  /** Serves a control request; answers `{ ok: true, result }` or `{ ok: false, error }`. */
  return async function handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string,
    query: URLSearchParams,
  ): Promise<void> {
    const fileMatch = /^\/control\/files\/([^/]+)$/.exec(pathname);
    if (fileMatch && req.method === 'GET') {
      const record = world.files.get(decodeURIComponent(fileMatch[1]));
      if (!record)
        return sendJson(res, 404, {
          ok: false,
          error: { code: 'SANDBOX_NOT_FOUND', message: 'No such file' },
        });
      res.writeHead(200, {
        'content-type': record.mimeType,
        'content-length': record.data.length,
        'cache-control': 'private, max-age=3600',
        ...(record.fileName
          ? { 'content-disposition': `inline; filename="${encodeURIComponent(record.fileName)}"` }
          : {}),
      });
      res.end(record.data);
      return;
    }
    const candidates = routes.filter((r) => r.pattern.test(pathname));
    if (candidates.length === 0) {
      return sendJson(res, 404, {
        ok: false,
        error: { code: 'SANDBOX_NOT_FOUND', message: `No control route ${pathname}` },
      });
    }
    const route = candidates.find((r) => r.method === req.method);
    if (!route) {
      return sendJson(res, 405, {
        ok: false,
        error: { code: 'SANDBOX_METHOD_NOT_ALLOWED', message: 'Method not allowed' },
      });
    }
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    try {
      let body: unknown;
      if (req.method === 'POST' || req.method === 'PUT') {
        const raw = await readRawBody(req, 30 * 1024 * 1024);
        if (raw.length > 0) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            throw new SandboxControlError('SANDBOX_BAD_JSON', 'The body is not valid JSON', 400);
          }
        }
      }
      const result = await route.handler({
        match: pathname.match(route.pattern)!,
        query,
        body,
        signal: controller.signal,
      });
      sendJson(res, 200, { ok: true, result });
    } catch (error) {
      if (error instanceof SandboxControlError) {
        return sendJson(res, error.status, {
          ok: false,
          error: { code: error.code, message: error.message },
        });
      }
      if (error instanceof BotApiError) {
        return sendJson(res, error.errorCode, {
          ok: false,
          error: { code: 'SANDBOX_TELEGRAM_ERROR', message: error.description },
        });
      }
      sendJson(res, 500, {
        ok: false,
        error: { code: 'SANDBOX_INTERNAL', message: (error as Error).message },
      });
    }
  };
}

function userView(state: { user: unknown; blocked: boolean; startedBot: boolean }) {
  return { ...(state.user as object), blocked: state.blocked, started_bot: state.startedBot };
}

function openWebApp(world: SandboxWorld, token: string, input: z.infer<typeof WebAppSchema>) {
  const { user } = world.userState(input.userId);
  let url = input.url;
  let withQuery = false;
  if (!url && input.messageId !== undefined) {
    const chat = world.chatState(input.chatId ?? input.userId);
    const message = world.findMessage(chat, input.messageId);
    const buttons =
      (message as { reply_markup?: { inline_keyboard?: Array<Array<Record<string, any>>> } } | undefined)
        ?.reply_markup?.inline_keyboard ?? [];
    const button = buttons
      .flat()
      .find((b) => b.web_app && (!input.buttonText || b.text === input.buttonText));
    if (!button)
      throw new SandboxControlError('SANDBOX_BUTTON_NOT_FOUND', 'No web_app button on that message', 404);
    url = button.web_app.url as string;
    withQuery = true;
  } else if (!url && input.menu) {
    const button = world.menuButtons.get(input.userId) ?? world.menuButtons.get(0);
    if (button?.type !== 'web_app') {
      throw new SandboxControlError('SANDBOX_NO_WEB_APP', 'The bot has not set a web_app menu button', 404);
    }
    url = button.web_app.url;
    withQuery = true;
  } else if (!url && input.chatId !== undefined) {
    const keyboard = world.chatState(input.chatId).replyKeyboard as
      | { keyboard?: Array<Array<Record<string, any>>> }
      | undefined;
    const button = keyboard?.keyboard
      ?.flat()
      .find((b) => b.web_app && (!input.buttonText || b.text === input.buttonText));
    if (!button)
      throw new SandboxControlError('SANDBOX_BUTTON_NOT_FOUND', 'No web_app button in the keyboard', 404);
    url = button.web_app.url as string;
  }
  if (!url)
    throw new SandboxControlError('SANDBOX_BAD_REQUEST', 'Give url, menu: true, or chatId + messageId');
  const queryId = withQuery ? `AAH${randomNumericId()}` : undefined;
  if (queryId) world.webAppQueries.set(queryId, { userId: input.userId, answered: false });
  const initData = signWebAppInitData(token, {
    user,
    queryId,
    chatType: 'sender',
    chatInstance: String(input.userId * 7 + 13),
    startParam: input.startParam,
  });
  return { url, launchUrl: webAppLaunchUrl(url, initData), initData, queryId: queryId ?? null };
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}
