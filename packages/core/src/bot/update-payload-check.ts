/**
 * Checks the fields of an update's payload that core and plugins read (ids, texts, the sender,
 * the chat, callback data) against the Bot API types. Telegram never breaks them, so an update
 * that does is refused as a whole at intake instead of throwing deep inside a handler
 * (`text.startsWith is not a function`). Fields nobody reads are left to grammY.
 *
 * Problems name the field and the expected type, never the value: they are logged, and a value
 * may be user text.
 */

/** Bot API: user and chat ids have at most 52 significant bits. */
const TELEGRAM_ID_LIMIT = 2 ** 52;

/** A user or chat id as Telegram issues them: a non-zero integer of at most 52 bits. */
export function isTelegramId(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value !== 0 &&
    Math.abs(value) < TELEGRAM_ID_LIMIT
  );
}

type Fields = Record<string, unknown>;

/** A field that is there (JSON has no `undefined`; in-process callers may leave one in). */
function has(fields: Fields, key: string): boolean {
  return fields[key] !== undefined;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Payload types whose handlers need the sender: Telegram always sends `from` with them. */
const NEEDS_FROM: ReadonlySet<string> = new Set([
  'message',
  'edited_message',
  'business_message',
  'edited_business_message',
  'callback_query',
  'inline_query',
  'chosen_inline_result',
  'shipping_query',
  'pre_checkout_query',
  'purchased_paid_media',
  'my_chat_member',
  'chat_member',
  'chat_join_request',
]);

/** Payload types that are messages (a chat is required); channel posts may lack `from`. */
const MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'message',
  'edited_message',
  'channel_post',
  'edited_channel_post',
  'business_message',
  'edited_business_message',
]);

/** Payload types that belong to a chat. */
const NEEDS_CHAT: ReadonlySet<string> = new Set([
  'my_chat_member',
  'chat_member',
  'chat_join_request',
  'message_reaction',
  'message_reaction_count',
  'chat_boost',
  'removed_chat_boost',
  'deleted_business_messages',
]);

class Problem extends Error {}

function fail(path: string, expected: string): never {
  throw new Problem(`${path} is not ${expected}`);
}

function optionalString(fields: Fields, key: string, path: string): void {
  if (has(fields, key) && typeof fields[key] !== 'string') fail(`${path}.${key}`, 'a string');
}

function optionalInteger(fields: Fields, key: string, path: string): void {
  if (has(fields, key) && !Number.isSafeInteger(fields[key])) fail(`${path}.${key}`, 'an integer');
}

function checkUser(value: unknown, path: string): void {
  if (!isObject(value)) fail(path, 'an object');
  if (!isTelegramId(value.id) || value.id < 0) fail(`${path}.id`, 'a Telegram user id');
  if (typeof value.first_name !== 'string') fail(`${path}.first_name`, 'a string');
  for (const key of ['last_name', 'username', 'language_code']) optionalString(value, key, path);
}

function checkChat(value: unknown, path: string): void {
  if (!isObject(value)) fail(path, 'an object');
  if (!isTelegramId(value.id)) fail(`${path}.id`, 'a Telegram chat id');
  if (typeof value.type !== 'string') fail(`${path}.type`, 'a string');
  for (const key of ['title', 'username', 'first_name', 'last_name']) optionalString(value, key, path);
}

function checkEntities(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'an array');
  value.forEach((entity, i) => {
    if (!isObject(entity) || typeof entity.type !== 'string') fail(`${path}[${i}]`, 'a message entity');
    if (!Number.isSafeInteger(entity.offset) || (entity.offset as number) < 0)
      fail(`${path}[${i}].offset`, 'a non-negative integer');
    if (!Number.isSafeInteger(entity.length) || (entity.length as number) < 0)
      fail(`${path}[${i}].length`, 'a non-negative integer');
  });
}

function checkMessage(value: unknown, path: string, needsFrom: boolean, depth = 0): void {
  if (!isObject(value)) fail(path, 'an object');
  if (!Number.isSafeInteger(value.message_id)) fail(`${path}.message_id`, 'an integer');
  checkChat(value.chat, `${path}.chat`);
  if (needsFrom || has(value, 'from')) checkUser(value.from, `${path}.from`);
  if (has(value, 'sender_chat')) checkChat(value.sender_chat, `${path}.sender_chat`);
  optionalString(value, 'text', path);
  optionalString(value, 'caption', path);
  optionalInteger(value, 'message_thread_id', path);
  if (has(value, 'entities')) checkEntities(value.entities, `${path}.entities`);
  if (has(value, 'caption_entities')) checkEntities(value.caption_entities, `${path}.caption_entities`);
  if (has(value, 'photo') && !Array.isArray(value.photo)) fail(`${path}.photo`, 'an array');
  if (has(value, 'document')) {
    if (!isObject(value.document)) fail(`${path}.document`, 'an object');
    optionalString(value.document, 'file_name', `${path}.document`);
  }
  for (const key of ['reply_to_message', 'pinned_message']) {
    if (!has(value, key)) continue;
    // Telegram nests one level (a reply's own reply is never included).
    if (depth >= 1) fail(`${path}.${key}`, 'expected at this depth');
    checkMessage(value[key], `${path}.${key}`, false, depth + 1);
  }
}

function checkPayload(type: string, payload: Fields): void {
  if (MESSAGE_TYPES.has(type)) {
    checkMessage(payload, type, NEEDS_FROM.has(type));
    return;
  }
  if (NEEDS_FROM.has(type) || has(payload, 'from')) checkUser(payload.from, `${type}.from`);
  if (has(payload, 'user')) checkUser(payload.user, `${type}.user`);
  if (NEEDS_CHAT.has(type) || has(payload, 'chat')) checkChat(payload.chat, `${type}.chat`);
  if (has(payload, 'message')) checkMessage(payload.message, `${type}.message`, false);
  if (type === 'callback_query') {
    if (typeof payload.id !== 'string') fail('callback_query.id', 'a string');
    for (const key of ['data', 'inline_message_id', 'game_short_name', 'chat_instance'])
      optionalString(payload, key, type);
  }
  if (type === 'inline_query' || type === 'chosen_inline_result') {
    if (typeof payload.query !== 'string') fail(`${type}.query`, 'a string');
  }
}

/**
 * The first problem of an update's payload, or `undefined` when what core and plugins read is
 * well-typed. `type` is the payload's key, `payload` its (object) value.
 */
export function payloadProblem(type: string, payload: object): string | undefined {
  try {
    checkPayload(type, payload as Fields);
    return undefined;
  } catch (error) {
    if (error instanceof Problem) return error.message;
    throw error;
  }
}
