import type { CoreConfig } from './core-config.js';

/**
 * Russian descriptions of core's settings, for the admin panel's Settings page in Russian (the
 * English ones are the schema's `.describe()`). Typed by the schema: a new setting needs its Russian text.
 */
export const CORE_SETTING_DESCRIPTIONS_RU: Readonly<Record<keyof CoreConfig, string>> = {
  NODE_ENV: 'production требует ENCRYPTION_KEY и пишет журнал в JSON',
  LOG_LEVEL: 'Уровень журнала pino',
  LOG_FORMAT: 'Формат журнала; не задан = короткие читаемые строки в терминале вне production, иначе JSON',
  PORT: 'HTTP-порт сервера Koa (0 = любой свободный порт)',
  HOST: 'Адрес, на котором слушает HTTP-сервер; не задан = 0.0.0.0, или 127.0.0.1 в режиме песочницы',
  PUBLIC_URL:
    'Публичный базовый адрес приложения (ссылки веб-приложений); по умолчанию http://localhost:PORT',
  BOTLOOM_DATA_DIR: 'Каталог данных: встроенный PostgreSQL, файлы, векторные индексы',
  DATABASE_URL: 'Адрес PostgreSQL; не задан = встроенный PostgreSQL в каталоге данных',
  EMBEDDED_PG_SOCKET:
    'Встроенный PostgreSQL: подключаться через Unix-сокет в каталоге данных (TCP на 127.0.0.1 остаётся); false = только TCP',
  BOTLOOM_AUTO_MIGRATE: 'Применять ожидающие миграции при запуске',
  KV_URL: 'Хранилище ключ-значение: postgres://..., redis://... или memory://; по умолчанию — база данных',
  TELEGRAM_BOT_TOKEN: 'Токен бота от @BotFather; не задан = режим песочницы (секрет)',
  TELEGRAM_API_ROOT: 'Другой адрес Bot API (например, локальный сервер Bot API)',
  WEBHOOK_URL: 'Публичный адрес /telegram/webhook; задан = режим вебхука вместо long polling',
  WEBHOOK_SECRET: 'Секретный токен, который Telegram присылает с обновлениями вебхука (секрет)',
  SANDBOX_CONTROL_TOKEN:
    'Режим песочницы: токен для /sandbox/* (заголовок X-Sandbox-Token или ?token=); создаётся при запуске, если HOST не локальный (секрет)',
  BOTLOOM_ADMIN_TOKEN: 'Начальный bearer-токен администратора (хранится в виде хеша) (секрет)',
  CORS_ORIGINS: 'Источники (через запятую), которым разрешено обращаться к API админки из браузера',
  TRUST_PROXY:
    'Обратные прокси перед приложением, чьему X-Forwarded-For можно доверять (true = 1); тогда ограничение попыток входа и журнал аудита используют переданный ими адрес клиента. Без прокси не включайте: заголовок легко подделать',
  RATE_LIMIT_PER_MINUTE: 'Сообщений от пользователя в минуту, после которых бот его притормаживает',
  RATE_LIMIT_SCOPE:
    'Где хранится окно ограничения на пользователя: shared (хранилище KV, точно для всех экземпляров) или process (память, только один экземпляр)',
  DEFAULT_CHAT_OWNER:
    'Плагин, который отвечает на свободный текст в личных чатах, никем не занятых; по умолчанию — первый плагин, отвечающий на любой текст',
  CONVERSATION_TTL_MINUTES:
    'Через сколько минут после последнего шага забывается незаконченный диалог (например, /personalize)',
  ENCRYPTION_KEY:
    '32-байтовый ключ (base64 или hex) для шифрования секретов при хранении; вне production создаётся в каталоге данных, если не задан (секрет)',
  OPENAI_API_KEY: 'API-ключ OpenAI-совместимого сервиса (секрет)',
  OPENAI_BASE_URL: 'OpenAI-совместимый сервис (OpenAI, Groq, vLLM, Ollama, LM Studio)',
  LLM_MODEL: 'Модель чата по умолчанию',
  LLM_MODEL_FAST: 'Модель для дешёвых быстрых вызовов; по умолчанию LLM_MODEL',
  EMBEDDING_MODEL: 'Модель эмбеддингов; не задана = локальные эмбеддинги (feature hashing)',
  LLM_DAILY_TOKEN_BUDGET: 'Токенов на пользователя в день по всем плагинам (не задано = без ограничения)',
  LLM_TIMEOUT_MS: 'Тайм-аут одной попытки запроса к LLM',
  LLM_MAX_CONCURRENCY: 'Сколько запросов к LLM выполняется одновременно (остальные ждут)',
  LLM_MAX_RETRIES:
    'Повторы вызова LLM при 429, 5xx, тайм-аутах и сетевых ошибках (экспоненциальная задержка, Retry-After учитывается)',
  LLM_PRICES: 'JSON-таблица цен: {"model": {"prompt": USD за 1 млн токенов, "completion": ...}}',
  LLM_PROVIDERS:
    'JSON: несколько OpenAI-совместимых провайдеров {"name": {"baseUrl", "apiKey", "model", "fastModel", "prices", "timeoutMs", "local"}}; не задано = OPENAI_BASE_URL/OPENAI_API_KEY как единственный провайдер (ключи скрыты)',
  LLM_ROUTES:
    'JSON: провайдеры для `default`, плагина или `plugin/purpose` в порядке запасных, например {"default": ["openai", "groq"], "memory": {"private": true}}; private = только локальные провайдеры',
  SENTRY_DSN:
    'DSN Sentry или GlitchTip: отправлять необработанные ошибки (без данных пользователей); не задан = ничего не загружается',
  SENTRY_ENVIRONMENT: 'Окружение, которое сообщается в Sentry; по умолчанию NODE_ENV',
  SENTRY_RELEASE:
    'Релиз, который сообщается в Sentry; по умолчанию botloom-core@<версия core> (версии плагинов — в контексте события)',
  SENTRY_SAMPLE_RATE: 'Доля ошибок, отправляемых в Sentry (0..1)',
  S3_ENDPOINT: 'S3-совместимое хранилище для файлов; не задано = локальный диск',
  S3_BUCKET: 'Бакет для файлов (обязателен вместе с S3_ENDPOINT)',
  S3_ACCESS_KEY_ID: 'Идентификатор ключа доступа для S3_ENDPOINT',
  S3_SECRET_ACCESS_KEY: 'Секретный ключ доступа для S3_ENDPOINT (секрет)',
  S3_REGION: 'Название региона для S3_ENDPOINT',
  S3_FORCE_PATH_STYLE:
    'Адресовать бакеты как <endpoint>/<bucket> (MinIO и большинство S3-совместимых серверов); false = virtual-hosted',
  TELEGRAM_FLOOD_GLOBAL_PER_SECOND:
    'Исходящих сообщений в секунду по всем чатам (Telegram: 30; увеличьте при платных лимитах рассылки)',
  TELEGRAM_FLOOD_PER_CHAT_PER_SECOND: 'Исходящих сообщений в секунду в один чат (Telegram: около 1)',
  TELEGRAM_FLOOD_GROUP_PER_MINUTE: 'Исходящих сообщений в минуту в одну группу или канал (Telegram: 20)',
  INBOX_LEASE_SECONDS:
    'Сколько экземпляр держит обрабатываемое обновление без продления (продлевается, пока идёт обработка); после этого его берёт другой экземпляр',
  INBOX_MAX_ATTEMPTS:
    'Попыток обработать обновление с ошибкой, прежде чем оно уходит в очередь недоставленных',
  INBOX_CONCURRENCY: 'Сколько обновлений разных чатов один экземпляр обрабатывает одновременно',
  INBOX_RETENTION_HOURS:
    'Сколько часов помнить обработанные обновления (отсев повторных доставок) до очистки',
  INBOX_MAX_PENDING:
    'Сколько принятых, но ещё не обработанных обновлений допускается на экземпляр, прежде чем вебхук отвечает 503 с Retry-After (Telegram доставит повторно)',
  INBOX_POLL_INTERVAL_MS:
    'Как часто простаивающий экземпляр ищет назревшие повторы, истёкшие аренды и обновления, сохранённые другими',
  SHUTDOWN_TIMEOUT_MS: 'Сколько может длиться плавная остановка, прежде чем она прерывается',
};
