import type { CommentatorConfig } from './config.js';

/** Russian descriptions of the settings (the schema's `.describe()` is the English one). */
export const SETTING_DESCRIPTIONS_RU: Record<keyof CommentatorConfig, string> = {
  brandName: 'От чьего имени бот комментирует (строка раскрытия)',
  topics: 'Темы бренда (через запятую); посты оцениваются по ним. Пусто: релевантен каждый пост',
  relevanceThreshold: 'Посты с оценкой ниже порога сохраняются и анализируются, но без черновика',
  maxCommentChars: 'Максимальная длина черновика комментария вместе со строкой раскрытия',
  accountHourlyCap: 'Комментариев от одного аккаунта в час',
  accountDailyCap: 'Комментариев от одного аккаунта в день',
  channelDailyCap: 'Комментариев в одном канале в день',
  minSpacingSeconds: 'Постоянная пауза между двумя комментариями одного аккаунта',
  reviewChatId: 'Чат Telegram, куда бот присылает каждый черновик с кнопками Одобрить / Изменить / Отклонить',
  reviewerIds: 'Telegram id тех, кто может нажимать кнопки проверки (пусто: администраторы чата проверки)',
  apiId: 'MTProto api_id с my.telegram.org (только для пользовательских аккаунтов)',
  apiHash: 'MTProto api_hash с my.telegram.org (только для пользовательских аккаунтов) (секрет)',
  loginCodeTtlSeconds: 'Сколько действует запрошенный код входа',
  timeZone: 'Часовой пояс времени, которое видят проверяющие (имя IANA, например Europe/Moscow)',
  engagementDays: 'Сколько дней после отправки читаются ответы и реакции на комментарий',
};
