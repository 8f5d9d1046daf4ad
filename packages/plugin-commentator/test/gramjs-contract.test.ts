import { Api, errors, helpers } from 'telegram';
import { describe, expect, it } from 'vitest';
import { createGramjsGateway, type GramjsClientLike } from '../src/gateway/gramjs-gateway.js';
import { isTelegramFailure } from '../src/gateway/telegram-errors.js';
import type { ChannelPostRead, UserAccountSession } from '../src/gateway/user-account-gateway.js';

// Contract tests of the gramjs adapter: `client.invoke` is stubbed and answers with gramjs's
// own Api objects, and failures are gramjs's own error classes, made by its own converter
// from the RPC error Telegram would send (errors.RPCMessageToError).

const big = (n: number | string) => helpers.returnBigInt(n);
const CHANNEL = 1_234_567_890; // MTProto id; Bot API id -1001234567890
const GROUP = 1_234_567_891;
const channelObj = new Api.Channel({
  id: big(CHANNEL),
  accessHash: big('987654321'),
  title: 'Trail news',
  username: 'trailnews',
  photo: new Api.ChatPhotoEmpty(),
  date: 0,
  broadcast: true,
});
const groupObj = new Api.Channel({
  id: big(GROUP),
  accessHash: big('123123'),
  title: 'Trail news chat',
  photo: new Api.ChatPhotoEmpty(),
  date: 0,
  megagroup: true,
});

function rpcError(request: Api.AnyRequest, message: string, code = 400): Error {
  return errors.RPCMessageToError(new Api.RpcError({ errorCode: code, errorMessage: message }), request);
}

type Responder = (request: Api.AnyRequest) => unknown;

function stubClient(respond: Responder) {
  const calls: Api.AnyRequest[] = [];
  const handlers: Array<(update: unknown) => void> = [];
  const client: GramjsClientLike & { calls: Api.AnyRequest[]; emit(update: unknown): void } = {
    calls,
    async connect() {},
    async disconnect() {},
    async invoke(request: any) {
      calls.push(request);
      const answer = respond(request);
      if (answer instanceof Error) throw answer;
      return answer as any;
    },
    session: { save: () => 'STRING-SESSION' },
    addEventHandler: (h) => {
      handlers.push(h);
    },
    removeEventHandler: (h) => {
      handlers.splice(handlers.indexOf(h), 1);
    },
    emit(update) {
      for (const h of handlers) h(update);
    },
  };
  return client;
}

function channelPost(
  id: number,
  text: string,
  extra: Partial<ConstructorParameters<typeof Api.Message>[0]> = {},
) {
  return new Api.Message({
    id,
    peerId: new Api.PeerChannel({ channelId: big(CHANNEL) }),
    date: 1_900_000_000 + id,
    message: text,
    post: true,
    ...extra,
  });
}

/** Telegram, for a signed-in account that follows the channel. */
function telegram(overrides: Partial<Record<string, Responder>> = {}): Responder {
  return (request) => {
    const override = overrides[request.className];
    if (override) return override(request);
    if (request instanceof Api.users.GetUsers) {
      return [new Api.User({ id: big(42), firstName: 'Acme', lastName: 'Team', username: 'acme_team' })];
    }
    if (request instanceof Api.contacts.ResolveUsername) {
      if (request.username !== 'trailnews') return rpcError(request, 'USERNAME_NOT_OCCUPIED');
      return new Api.contacts.ResolvedPeer({
        peer: new Api.PeerChannel({ channelId: big(CHANNEL) }),
        chats: [channelObj],
        users: [],
      });
    }
    if (request instanceof Api.messages.GetDialogs) {
      return new Api.messages.Dialogs({
        dialogs: [],
        messages: [],
        chats: [channelObj, groupObj],
        users: [],
      });
    }
    if (request instanceof Api.channels.GetFullChannel) {
      return new Api.messages.ChatFull({
        fullChat: new Api.ChannelFull({
          id: big(CHANNEL),
          about: '',
          readInboxMaxId: 0,
          readOutboxMaxId: 0,
          unreadCount: 0,
          chatPhoto: new Api.PhotoEmpty({ id: big(0) }),
          notifySettings: new Api.PeerNotifySettings({}),
          botInfo: [],
          pts: 1,
          linkedChatId: big(GROUP),
        }),
        chats: [channelObj, groupObj],
        users: [],
      });
    }
    if (request instanceof Api.messages.GetHistory) {
      const all = [channelPost(7, 'Seventh'), channelPost(6, 'Sixth'), channelPost(5, 'Fifth')];
      return new Api.messages.ChannelMessages({
        pts: 1,
        count: 3,
        messages: all.filter((m) => m.id > request.minId),
        topics: [],
        chats: [channelObj],
        users: [],
      });
    }
    if (request instanceof Api.messages.GetDiscussionMessage) {
      return new Api.messages.DiscussionMessage({
        messages: [
          new Api.Message({
            id: 900 + Number(request.msgId),
            peerId: new Api.PeerChannel({ channelId: big(GROUP) }),
            date: 0,
            message: 'copy',
          }),
        ],
        unreadCount: 0,
        chats: [channelObj, groupObj],
        users: [],
      });
    }
    if (request instanceof Api.messages.SendMessage) {
      return new Api.Updates({
        updates: [
          new Api.UpdateMessageID({ id: 1001, randomId: request.randomId }),
          new Api.UpdateNewChannelMessage({
            message: new Api.Message({
              id: 1001,
              peerId: new Api.PeerChannel({ channelId: big(GROUP) }),
              date: 0,
              message: request.message,
              out: true,
            }),
            pts: 2,
            ptsCount: 1,
          }),
        ],
        users: [],
        chats: [groupObj],
        date: 0,
        seq: 0,
      });
    }
    if (request instanceof Api.messages.GetReplies) {
      return new Api.messages.ChannelMessages({
        pts: 1,
        count: 2,
        messages: [
          new Api.Message({
            id: 1002,
            peerId: new Api.PeerChannel({ channelId: big(GROUP) }),
            fromId: new Api.PeerUser({ userId: big(555) }),
            date: 1_900_000_100,
            message: 'Are e-bikes allowed?',
          }),
          new Api.Message({
            id: 1003,
            peerId: new Api.PeerChannel({ channelId: big(GROUP) }),
            fromId: new Api.PeerUser({ userId: big(42) }),
            date: 1_900_000_200,
            message: 'our own follow-up',
            out: true,
          }),
        ],
        topics: [],
        chats: [groupObj],
        users: [new Api.User({ id: big(555), firstName: 'Dana' })],
      });
    }
    if (request instanceof Api.channels.GetMessages) {
      return new Api.messages.ChannelMessages({
        pts: 1,
        count: 1,
        messages: [
          new Api.Message({
            id: 1001,
            peerId: new Api.PeerChannel({ channelId: big(GROUP) }),
            date: 0,
            message: 'ours',
            reactions: new Api.MessageReactions({
              results: [
                new Api.ReactionCount({ reaction: new Api.ReactionEmoji({ emoticon: '👍' }), count: 3 }),
                new Api.ReactionCount({ reaction: new Api.ReactionEmoji({ emoticon: '🔥' }), count: 1 }),
              ],
            }),
          }),
        ],
        topics: [],
        chats: [groupObj],
        users: [],
      });
    }
    if (request instanceof Api.auth.LogOut) return new Api.auth.LoggedOut({});
    throw new Error(`unexpected request ${request.className}`);
  };
}

async function signedIn(
  respond: Responder,
): Promise<{ session: UserAccountSession; client: ReturnType<typeof stubClient> }> {
  const client = stubClient(respond);
  const gateway = createGramjsGateway({ apiId: 1, apiHash: 'h', createClient: () => client });
  return { session: await gateway.restore('STRING-SESSION'), client };
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (e) => e,
  );
  if (!isTelegramFailure(error)) throw new Error(`expected a TelegramFailure, got ${String(error)}`);
  return error;
}

describe('gramjs adapter: login', () => {
  const sentCode = new Api.auth.SentCode({
    type: new Api.auth.SentCodeTypeApp({ length: 5 }),
    phoneCodeHash: 'hash-1',
  });

  it('sends the code, then signs in on the same auth key', async () => {
    const sessions: string[] = [];
    const client = stubClient((r) => {
      if (r instanceof Api.auth.SendCode) return sentCode;
      if (r instanceof Api.auth.SignIn) {
        return new Api.auth.Authorization({ user: new Api.User({ id: big(42), firstName: 'Acme' }) });
      }
      return telegram()(r);
    });
    const gateway = createGramjsGateway({
      apiId: 12345,
      apiHash: 'abc',
      createClient: (s) => {
        sessions.push(s);
        return client;
      },
    });
    const { loginState } = await gateway.requestCode('+15551234567');
    const send = client.calls[0] as Api.auth.SendCode;
    expect(send).toBeInstanceOf(Api.auth.SendCode);
    expect(send.phoneNumber).toBe('+15551234567');
    expect(send.apiId).toBe(12345);
    const result = await gateway.signIn({ phone: '+15551234567', loginState, code: '12345' });
    expect(result.status).toBe('signed_in');
    const signIn = client.calls[1] as Api.auth.SignIn;
    expect(signIn.phoneCodeHash).toBe('hash-1');
    expect(signIn.phoneCode).toBe('12345');
    expect(sessions).toEqual(['', 'STRING-SESSION']);
    if (result.status === 'signed_in')
      expect(await result.session.getMe()).toEqual({ userId: 42, name: 'Acme Team', username: 'acme_team' });
  });

  it.each([
    ['PHONE_CODE_INVALID', 'PHONE_CODE_INVALID'],
    ['PHONE_CODE_EXPIRED', 'PHONE_CODE_EXPIRED'],
    ['PHONE_NUMBER_INVALID', 'PHONE_NUMBER_INVALID'],
  ])('maps %s', async (rpc, code) => {
    const client = stubClient((r) => (r instanceof Api.auth.SignIn ? rpcError(r, rpc) : sentCode));
    const gateway = createGramjsGateway({ apiId: 1, apiHash: 'h', createClient: () => client });
    const error = await failure(
      gateway.signIn({ phone: '+1555', loginState: JSON.stringify({ hash: 'h', session: 's' }), code: '1' }),
    );
    expect(error.failure).toBe(code);
    expect(error.kind).toBe('invalid_input');
  });

  it('2FA: asks for the password, then checks it with SRP; a wrong one is PASSWORD_INVALID', async () => {
    const prime = Buffer.from(
      'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b',
      'hex',
    );
    const p = BigInt(`0x${prime.toString('hex')}`);
    let b = 1n;
    for (let i = 0; i < 4000; i++) b = (b * 3n) % p;
    const srpB = Buffer.from(b.toString(16).padStart(512, '0'), 'hex');
    const passwordInfo = new Api.account.Password({
      hasPassword: true,
      currentAlgo: new Api.PasswordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow({
        salt1: Buffer.alloc(8, 1),
        salt2: Buffer.alloc(16, 2),
        g: 3,
        p: prime,
      }),
      srp_B: srpB,
      srpId: big(77),
      newAlgo: new Api.PasswordKdfAlgoUnknown(),
      newSecureAlgo: new Api.SecurePasswordKdfAlgoUnknown(),
      secureRandom: Buffer.alloc(32),
    });
    let accept = false;
    const client = stubClient((r) => {
      if (r instanceof Api.auth.SignIn) return rpcError(r, 'SESSION_PASSWORD_NEEDED', 401);
      if (r instanceof Api.account.GetPassword) return passwordInfo;
      if (r instanceof Api.auth.CheckPassword) {
        expect(r.password).toBeInstanceOf(Api.InputCheckPasswordSRP);
        return accept
          ? new Api.auth.Authorization({ user: new Api.User({ id: big(42), firstName: 'Acme' }) })
          : rpcError(r, 'PASSWORD_HASH_INVALID');
      }
      return telegram()(r);
    });
    const gateway = createGramjsGateway({ apiId: 1, apiHash: 'h', createClient: () => client });
    const loginState = JSON.stringify({ hash: 'h', session: 's' });
    expect((await gateway.signIn({ phone: '+1555', loginState, code: '12345' })).status).toBe(
      'password_needed',
    );
    const wrong = await failure(
      gateway.signIn({ phone: '+1555', loginState, code: '12345', password: 'nope' }),
    );
    expect(wrong.failure).toBe('PASSWORD_INVALID');
    accept = true;
    expect(
      (await gateway.signIn({ phone: '+1555', loginState, code: '12345', password: 'right' })).status,
    ).toBe('signed_in');
  });

  it('a revoked session is SESSION_REVOKED', async () => {
    const { session } = await signedIn(
      telegram({ 'users.GetUsers': (r) => rpcError(r, 'AUTH_KEY_UNREGISTERED', 401) }),
    );
    expect((await failure(session.getMe())).failure).toBe('SESSION_REVOKED');
  });
});

describe('gramjs adapter: channels and comments', () => {
  it('inspects a channel by id through the dialogs: discussion group and admin rights', async () => {
    const { session } = await signedIn(telegram());
    expect(await session.inspectChannel(-1_001_234_567_890)).toEqual({
      chatId: -1_001_234_567_890,
      title: 'Trail news',
      username: 'trailnews',
      linkedChatId: -1_001_234_567_891,
      isAdmin: false,
    });
  });

  it('polls new posts with min_id (the fallback when update events stop)', async () => {
    const { session, client } = await signedIn(telegram());
    const posts = await session.readNewPosts(-1_001_234_567_890, 5, 20);
    expect(posts.map((p) => [p.messageId, p.text])).toEqual([
      [6, 'Sixth'],
      [7, 'Seventh'],
    ]);
    expect(posts[0]!.channelId).toBe(-1_001_234_567_890);
    const history = client.calls.find((c) => c instanceof Api.messages.GetHistory) as Api.messages.GetHistory;
    expect(history.minId).toBe(5);
  });

  it('pushes new posts from UpdateNewChannelMessage, media-only ones included', async () => {
    const { session, client } = await signedIn(telegram());
    const seen: ChannelPostRead[] = [];
    const stop = session.watchPosts!((p) => seen.push(p));
    client.emit(new Api.UpdateNewChannelMessage({ message: channelPost(8, 'Eighth'), pts: 3, ptsCount: 1 }));
    client.emit(
      new Api.UpdateNewChannelMessage({
        message: channelPost(9, '', {
          media: new Api.MessageMediaPhoto({ photo: new Api.PhotoEmpty({ id: big(1) }) }),
        }),
        pts: 4,
        ptsCount: 1,
      }),
    );
    client.emit(
      new Api.UpdateNewChannelMessage({ message: new Api.MessageEmpty({ id: 10 }), pts: 5, ptsCount: 1 }),
    );
    stop();
    client.emit(
      new Api.UpdateNewChannelMessage({ message: channelPost(11, 'after stop'), pts: 6, ptsCount: 1 }),
    );
    expect(seen.map((p) => [p.messageId, p.text, p.media])).toEqual([
      [8, 'Eighth', null],
      [9, '', { kind: 'photo' }],
    ]);
  });

  it('finds the discussion copy and replies to it with the given random_id', async () => {
    const { session, client } = await signedIn(telegram());
    const target = await session.getDiscussion('trailnews', 7);
    expect(target).toEqual({ chatId: -1_001_234_567_891, messageId: 907 });
    const sent = await session.sendComment(target, 'Nice trail!\n\n— Acme team', 123456789012345n);
    expect(sent).toEqual({ messageId: 1001 });
    const send = client.calls.find((c) => c instanceof Api.messages.SendMessage) as Api.messages.SendMessage;
    expect(send.randomId?.toString()).toBe('123456789012345');
    expect((send.replyTo as Api.InputReplyToMessage).replyToMsgId).toBe(907);
    expect((send.peer as Api.InputPeerChannel).channelId.toString()).toBe(String(GROUP));
    const resolve = client.calls.find(
      (c) => c instanceof Api.contacts.ResolveUsername,
    ) as Api.contacts.ResolveUsername;
    expect(resolve.username).toBe('trailnews');
  });

  it('reads replies from other people and sums the reactions', async () => {
    const { session } = await signedIn(telegram());
    await session.getDiscussion(-1_001_234_567_890, 7);
    const engagement = await session.readEngagement(-1_001_234_567_891, 1001);
    expect(engagement.reactions).toBe(4);
    expect(engagement.replies).toEqual([
      expect.objectContaining({
        kind: 'reply',
        fromUserId: 555,
        fromName: 'Dana',
        text: 'Are e-bikes allowed?',
      }),
    ]);
  });

  it.each([
    [(r: Api.AnyRequest) => rpcError(r, 'FLOOD_WAIT_42', 420), 'FLOOD_WAIT', 42, errors.FloodWaitError],
    [
      (r: Api.AnyRequest) => rpcError(r, 'SLOWMODE_WAIT_30', 420),
      'SLOWMODE_WAIT',
      30,
      errors.SlowModeWaitError,
    ],
    [(r: Api.AnyRequest) => rpcError(r, 'PEER_FLOOD'), 'PEER_FLOOD', undefined, errors.RPCError],
    [
      (r: Api.AnyRequest) => rpcError(r, 'CHAT_GUEST_SEND_FORBIDDEN', 403),
      'CHAT_GUEST_SEND_FORBIDDEN',
      undefined,
      errors.RPCError,
    ],
  ])('sending: gramjs error %# is normalised', async (make, code, seconds, cls) => {
    const { session } = await signedIn(telegram({ 'messages.SendMessage': make }));
    expect(
      make(new Api.messages.SendMessage({ peer: new Api.InputPeerEmpty(), message: '' })),
    ).toBeInstanceOf(cls);
    const target = await session.getDiscussion(-1_001_234_567_890, 7);
    const error = await failure(session.sendComment(target, 'x', 1n));
    expect(error.failure).toBe(code);
    expect(error.seconds).toBe(seconds);
  });

  it('a post without comments (MSG_ID_INVALID) is COMMENTS_CLOSED; an unknown channel is POST_NOT_FOUND', async () => {
    const { session } = await signedIn(
      telegram({
        'messages.GetDiscussionMessage': (r) => rpcError(r, 'MSG_ID_INVALID'),
        'contacts.ResolveUsername': (r) => rpcError(r, 'USERNAME_NOT_OCCUPIED'),
      }),
    );
    expect((await failure(session.getDiscussion(-1_001_234_567_890, 7))).failure).toBe('COMMENTS_CLOSED');
    expect((await failure(session.inspectChannel('nosuchchannel'))).failure).toBe('POST_NOT_FOUND');
    expect((await failure(session.inspectChannel(-1_009_999_999_999))).failure).toBe('POST_NOT_FOUND');
  });

  it('logs out at Telegram', async () => {
    const { session, client } = await signedIn(telegram());
    await session.logOut();
    expect(client.calls.at(-1)).toBeInstanceOf(Api.auth.LogOut);
  });
});
