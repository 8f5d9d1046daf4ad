import type { SupportConfig } from './config.js';

/** Russian descriptions of the settings (the schema's `.describe()` is the English one). */
export const SETTING_DESCRIPTIONS_RU: Record<keyof SupportConfig, string> = {
  managerGroupChatId:
    'Супергруппа с темами, где менеджеры получают по теме на обращение (бот должен быть администратором с правом «Управление темами»)',
  adminUserId:
    'Telegram id администратора поддержки: управляет менеджерами, получает уведомления о настройке',
  knowledgeDir:
    'Каталог с файлами знаний .txt/.md (например, company_context.txt); переиндексируется при изменениях',
  knowledgeRescanSeconds: 'Как часто проверять каталог знаний на изменения (0 = только при запуске)',
  minConfidence:
    'Минимальная уверенность лучшего найденного фрагмента (гибридная векторная и лексическая оценка); ниже неё ассистент предлагает менеджера',
  lexicalWeight:
    'Вес лексического совпадения (общих слов) в уверенности; остальное — сходство эмбеддингов (0 = только эмбеддинги)',
  retrievalTopK: 'Сколько фрагментов извлекается на вопрос',
  chunkSize: 'Символов в одном фрагменте знаний',
  historyForAnswer: 'Сколько последних сообщений обращения передаётся модели с каждым вопросом',
  maxMessageChars: 'Максимальная длина сообщения клиента',
  outageRetrySeconds: 'Пока модель недоступна: секунд между попытками ответить на ожидающий вопрос',
  outageRetryAttempts: 'Попыток ответить на ожидающий вопрос, прежде чем он передаётся менеджеру',
  webAppUrl:
    'Публичный адрес чата веб-приложения; по умолчанию PUBLIC_URL + /p/support/app (Telegram требует https)',
  uploadMaxBytes: 'Наибольший файл, который клиент может загрузить из веб-приложения',
  initDataMaxAgeSeconds: 'Насколько старыми могут быть initData веб-приложения Telegram (auth_date)',
};
