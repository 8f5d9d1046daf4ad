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
