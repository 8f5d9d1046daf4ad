import type { MemoryConfig } from './config.js';

/** Russian descriptions of the settings (the schema's `.describe()` is the English one). */
export const SETTING_DESCRIPTIONS_RU: Record<keyof MemoryConfig, string> = {
  sessionIdleMinutes: 'Минут без сообщений, после которых активная сессия завершается и резюмируется',
  promptTokenBudget:
    'Бюджет токенов промпта для модели (профиль + воспоминания + последние реплики + сообщение)',
  replyMaxTokens: 'Максимум токенов в ответе',
  recentTurns: 'Сколько последних сообщений сессии учитывается в промпте',
  memoriesTopK: 'Сколько воспоминаний извлекается из долговременной памяти на сообщение',
  memoryMinScore: 'Минимальное косинусное сходство извлечённого воспоминания',
  maxMessageChars: 'Максимальная длина сообщения пользователя; более длинные отклоняются с пояснением',
  maxCustomInstructionChars: 'Максимальная длина своей инструкции роли в /personalize',
  sessionsPageSize: 'Сессий на странице в /list_sessions',
  memoriesPageSize: 'Воспоминаний на странице в /memories',
  outsideSession:
    'Свободный текст вне сессии: начать сессию автоматически (и сказать об этом), предложить кнопку или не отвечать (передать другим плагинам)',
  typingIntervalMs: 'Как часто повторяется индикатор набора, пока работает модель',
};
