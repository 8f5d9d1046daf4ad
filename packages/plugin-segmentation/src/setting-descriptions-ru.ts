import type { SegmentationConfig } from './config.js';

/** Russian descriptions of the settings (the schema's `.describe()` is the English one). */
export const SETTING_DESCRIPTIONS_RU: Record<keyof SegmentationConfig, string> = {
  allowedUserIds:
    'Telegram id пользователей, которым можно видеть данные клиентов (начальный список доступа)',
  openAccessInSandbox:
    'Демо в песочнице: пускать всех пользователей песочницы (никогда не действует с настоящим TELEGRAM_BOT_TOKEN)',
  defaultK: 'Число сегментов; 0 = выбрать по силуэту',
  minK: 'Наименьшее k при выборе по силуэту',
  maxK: 'Наибольшее k при выборе по силуэту',
  restarts: 'Перезапуски KMeans (k-means++), побеждает наименьшая инерция',
  seed: 'Зерно кластеризации (воспроизводимые запуски)',
  silhouetteSample: 'Сколько клиентов берётся в выборку для оценки силуэта',
  scheduleCron: 'Cron-выражение (UTC) для пересчёта по расписанию; пусто — без расписания',
  recomputeAfterImport: 'Ставить пересчёт в очередь после каждого успешного импорта',
  keepRuns: 'Сколько завершённых запусков хранить (более старые удаляются)',
  baseCurrency: 'Валюта, в которой выражены все признаки трат (суммы в ответах показываются в ней)',
  fxRates: 'Курс каждой принимаемой валюты к базовой (JSON); другие валюты отклоняются',
  maxAmount: 'Наибольшая правдоподобная сумма одной транзакции в базовой валюте',
  maxUploadBytes: 'Наибольший размер загрузки в админке',
  clientsPageSize: 'Id карт на странице /clients',
  clientsFileThreshold: 'Если клиентов больше этого числа, /clients также присылает CSV-файл',
};
