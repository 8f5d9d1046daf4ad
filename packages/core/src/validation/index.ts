export { MAX_SERIAL_ID, serialIdParam } from './row-ids.js';
export {
  MAX_TELEGRAM_ID,
  telegramChatId,
  telegramChatIdParam,
  telegramUserId,
  telegramUserIdParam,
} from './telegram-ids.js';
