import type { RawApi, Transformer } from 'grammy';
import type { Logger } from 'pino';
import { liveCallScope } from './outgoing-api.js';

/** One Bot API call of an update that reached Telegram and succeeded. */
export interface RecordedSend {
  /** Its place among the update's recorded-kind calls (0, 1, ...), the same on every attempt. */
  seq: number;
  method: string;
  /** `chat_id` of the call, '' without one. */
  chat: string;
  /** Telegram's response, returned again instead of repeating the call. */
  response: unknown;
}

/**
 * Where an update's sends are recorded (the update inbox's table). A port: the runtime knows
 * nothing of PostgreSQL.
 */
export interface SendLog {
  /** Sends recorded by earlier attempts of this update. */
  earlier(): Promise<RecordedSend[]>;
  record(send: RecordedSend): Promise<void>;
}

/** The ledger state of one attempt at one update. */
export interface AttemptSends {
  log: SendLog;
  /** An earlier attempt may have sent something (the update was taken before). */
  rehandled: boolean;
  next: number;
  earlier?: Promise<Map<number, RecordedSend>>;
  /** A call differed from the earlier attempt's at its place: nothing after it is skipped. */
  diverged?: boolean;
  /** A call was answered from the ledger: something was sent for this update. */
  onSkipped(): void;
}

/** Calls a repeat of which nobody notices: not recorded, not numbered. */
const UNRECORDED = new Set([
  'getMe',
  'getChat',
  'getChatMember',
  'getFile',
  'getMyCommands',
  'getUpdates',
  'sendChatAction',
]);

/**
 * Makes a re-handled update skip the sends its earlier attempt already made. Each successful
 * call that reached Telegram is recorded under (update, seq) before the handler goes on; when
 * an update is handled again (its instance died before marking it done), call number `seq`
 * with the same method and chat returns the recorded response instead of going out again; once
 * a call differs from the recorded one at its place, the rest of the attempt goes out as usual.
 *
 * The bound that stays: a call Telegram answered whose record was not yet committed when the
 * process died is made again, so at most one repeated message per call in flight at the crash.
 * Install between the retry transformer (inside) and flood control (outside).
 */
export function sendLedgerTransformer(
  current: () => AttemptSends | undefined,
  logger: Logger,
): Transformer<RawApi> {
  return async (prev, method, payload, signal) => {
    const sends = current();
    if (!sends || UNRECORDED.has(method)) return prev(method, payload, signal);
    const seq = sends.next++;
    const rawChat = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    const chat = typeof rawChat === 'number' || typeof rawChat === 'string' ? String(rawChat) : '';
    if (sends.rehandled && !sends.diverged) {
      sends.earlier ??= sends.log
        .earlier()
        .then((list) => new Map(list.map((s) => [s.seq, s])))
        .catch((err) => {
          logger.warn({ err }, 'could not read the sends of an earlier attempt; they may be repeated');
          return new Map<number, RecordedSend>();
        });
      const done = (await sends.earlier).get(seq);
      if (done && done.method === method && done.chat === chat) {
        sends.onSkipped();
        logger.debug({ method, seq }, 'skipped a call an earlier attempt of this update made');
        return done.response as Awaited<ReturnType<typeof prev>>;
      }
      if (done) sends.diverged = true;
    }
    const live = liveCallScope();
    const before = live?.fetches ?? 0;
    const response = await prev(method, payload, signal);
    // Calls replayed inside a conversation never reached Telegram: nothing to record.
    if (response.ok && (!live || live.fetches > before)) {
      try {
        await sends.log.record({ seq, method, chat, response });
      } catch (err) {
        logger.warn({ err, method }, 'could not record a send; a re-handled update may repeat it');
      }
    }
    return response;
  };
}
