import type { AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';

/** The segmentation pages of the admin panel, drawn by core over segmentation-admin.ts. */
export const segmentationAdminPages: AdminPageDefinition[] = [
  {
    id: 'segments',
    title: { en: 'Segments', ru: 'Сегменты' },
    description: {
      en: 'Client segments of the latest completed run.',
      ru: 'Сегменты клиентов по последнему завершённому расчёту.',
    },
    actions: [
      {
        id: 'recompute',
        label: { en: 'Recompute segments', ru: 'Пересчитать сегменты' },
        endpoint: '/recompute',
      },
    ],
    list: {
      endpoint: '/segments',
      items: 'segments',
      rowKey: 'segment',
      columns: [
        { key: 'segment', label: { en: '#', ru: '№' }, format: 'number' },
        { key: 'name', label: { en: 'Segment', ru: 'Сегмент' }, format: 'localized' },
        { key: 'description', label: { en: 'Description', ru: 'Описание' }, format: 'localized' },
        { key: 'size', label: { en: 'Clients', ru: 'Клиентов' }, format: 'number' },
        { key: 'share', label: { en: 'Share', ru: 'Доля' }, format: 'percent' },
      ],
      chart: {
        title: { en: 'Clients per segment', ru: 'Клиентов в сегментах' },
        label: 'name',
        labelFormat: 'localized',
        value: 'size',
      },
    },
  },
  {
    id: 'clients',
    title: { en: 'Client lookup', ru: 'Поиск клиента' },
    description: {
      en: "A client's segment and habits in the latest run, against the segment and everyone.",
      ru: 'Сегмент и привычки клиента по последнему расчёту — в сравнении с сегментом и со всеми.',
    },
    lookup: {
      label: { en: 'Card id', ru: 'Номер карты' },
      placeholder: { en: 'as in the imported file', ru: 'как в загруженном файле' },
    },
    detail: {
      endpoint: '/clients/:cardId',
      fields: [
        { key: 'cardId', label: { en: 'Card id', ru: 'Номер карты' } },
        { key: 'segment.name', label: { en: 'Segment', ru: 'Сегмент' }, format: 'localized' },
        {
          key: 'segment.description',
          label: { en: 'About the segment', ru: 'О сегменте' },
          format: 'localized',
        },
        { key: 'features.tx_count', label: { en: 'Transactions', ru: 'Транзакций' }, format: 'number' },
        {
          key: 'features.total_spend',
          label: { en: 'Total spend', ru: 'Всего потрачено' },
          format: 'number',
        },
        {
          key: 'features.avg_spend',
          label: { en: 'Average purchase', ru: 'Средняя покупка' },
          format: 'number',
        },
        {
          key: 'features.recency_days',
          label: { en: 'Days since last purchase', ru: 'Дней с последней покупки' },
          format: 'number',
        },
        { key: 'features.online_share', label: { en: 'Online', ru: 'Онлайн' }, format: 'percent' },
        { key: 'run.finishedAt', label: { en: 'Segmentation of', ru: 'Расчёт от' }, format: 'date' },
      ],
      tables: [
        {
          key: 'comparisons',
          title: { en: 'Compared with the segment and everyone', ru: 'В сравнении с сегментом и со всеми' },
          columns: [
            { key: 'feature', label: { en: 'Feature', ru: 'Признак' } },
            { key: 'client', label: { en: 'Client', ru: 'Клиент' }, format: 'number' },
            { key: 'segment', label: { en: 'Segment mean', ru: 'Среднее сегмента' }, format: 'number' },
            { key: 'population', label: { en: 'Mean of all', ru: 'Среднее всех' }, format: 'number' },
            { key: 'vsPopulation', label: { en: 'vs all', ru: 'Отличие от всех' }, format: 'percent' },
          ],
        },
      ],
    },
  },
  {
    id: 'imports',
    title: { en: 'Imports', ru: 'Импорт' },
    list: {
      endpoint: '/imports',
      items: 'imports',
      columns: [
        { key: 'id', label: { en: '#', ru: '№' } },
        { key: 'filename', label: { en: 'File', ru: 'Файл' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'rowsImported', label: { en: 'Imported', ru: 'Загружено' }, format: 'number' },
        { key: 'rowsInvalid', label: { en: 'Bad rows', ru: 'Ошибочных строк' }, format: 'number' },
        { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
      ],
    },
    detail: {
      endpoint: '/imports/:id',
      fields: [
        { key: 'filename', label: { en: 'File', ru: 'Файл' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'rowsTotal', label: { en: 'Rows', ru: 'Строк' }, format: 'number' },
        { key: 'rowsImported', label: { en: 'Imported', ru: 'Загружено' }, format: 'number' },
        { key: 'rowsInvalid', label: { en: 'Bad rows', ru: 'Ошибочных строк' }, format: 'number' },
      ],
    },
    upload: {
      endpoint: '/imports',
      label: { en: 'Import transactions (CSV or Parquet)', ru: 'Загрузить транзакции (CSV или Parquet)' },
      field: 'file',
      accept: '.csv,.parquet,text/csv',
      options: [{ key: 'skipInvalid', label: { en: 'Skip bad rows', ru: 'Пропускать ошибочные строки' } }],
      report: {
        fields: [
          { key: 'status', label: { en: 'Status', ru: 'Статус' } },
          { key: 'error', label: { en: 'Error', ru: 'Ошибка' } },
          { key: 'report.rowsTotal', label: { en: 'Rows', ru: 'Строк' }, format: 'number' },
          { key: 'report.rowsImported', label: { en: 'Imported', ru: 'Загружено' }, format: 'number' },
          { key: 'report.rowsInvalid', label: { en: 'Bad rows', ru: 'Ошибочных строк' }, format: 'number' },
          { key: 'report.reasons', label: { en: 'Problems', ru: 'Проблемы' }, format: 'json' },
        ],
        rows: {
          key: 'report.badRows',
          title: { en: 'Bad rows', ru: 'Ошибочные строки' },
          columns: [
            { key: 'line', label: { en: 'Line', ru: 'Строка' }, format: 'number' },
            { key: 'column', label: { en: 'Column', ru: 'Колонка' } },
            { key: 'reason', label: { en: 'Problem', ru: 'Проблема' } },
            { key: 'value', label: { en: 'Value', ru: 'Значение' } },
          ],
        },
      },
    },
  },
  {
    id: 'allowlist',
    title: { en: 'Allowlist', ru: 'Доступ' },
    description: {
      en: 'Telegram users who may ask the bot about segments.',
      ru: 'Пользователи Telegram, которым бот отвечает о сегментах.',
    },
    list: {
      endpoint: '/allowlist',
      items: 'users',
      rowKey: 'telegramUserId',
      columns: [
        { key: 'telegramUserId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'note', label: { en: 'Note', ru: 'Заметка' } },
        { key: 'addedBy', label: { en: 'Added by', ru: 'Добавил' } },
        { key: 'createdAt', label: { en: 'Added', ru: 'Добавлен' }, format: 'date' },
      ],
    },
    create: {
      endpoint: '/allowlist',
      label: { en: 'Allow a user', ru: 'Разрешить пользователю' },
      fields: [
        {
          key: 'telegramUserId',
          label: { en: 'Telegram id', ru: 'Telegram id' },
          type: 'telegramId',
          required: true,
        },
        { key: 'note', label: { en: 'Note', ru: 'Заметка' }, type: 'text' },
      ],
    },
    remove: { endpoint: '/allowlist/:telegramUserId' },
  },
];

/** Segmentation's dashboard widget: the size of each segment of the latest run. */
export const segmentationAdminWidgets: AdminWidgetDefinition[] = [
  {
    kind: 'bar',
    id: 'segment-sizes',
    title: { en: 'Segment sizes', ru: 'Размеры сегментов' },
    endpoint: '/segments',
    items: 'segments',
    label: 'name',
    labelFormat: 'localized',
    value: 'size',
  },
];
