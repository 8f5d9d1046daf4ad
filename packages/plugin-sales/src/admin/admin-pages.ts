import { fileURLToPath } from 'node:url';
import type { AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';

// The scripts page is a custom page (panel/src, built by panel/build.mjs into dist/panel): a
// form editor over the draft with publish, diff and rollback. The rest are declarative pages
// over sales-admin-routes.ts.

/** The built scripts editor; the same path from src/admin and dist/admin. */
export const SCRIPTS_PAGE_MODULE = fileURLToPath(new URL('../../dist/panel/scripts.js', import.meta.url));

/** The sales pages of the admin panel: the scripts editor, conversations, funnel. */
export const salesAdminPages: AdminPageDefinition[] = [
  {
    id: 'scripts',
    title: { en: 'Sales scripts', ru: 'Скрипты продаж' },
    description: {
      en: 'Edit a script draft with a form (or as YAML), publish it with a changelog, compare versions, roll back.',
      ru: 'Редактируйте черновик скрипта формой (или в YAML), публикуйте с описанием изменений, сравнивайте версии, откатывайте.',
    },
    module: { file: SCRIPTS_PAGE_MODULE, uiVersion: '1.0.0' },
  },
  {
    id: 'conversations',
    title: { en: 'Sales conversations', ru: 'Диалоги продаж' },
    description: {
      en: 'Each conversation with its stage history; messages with their analysis, strategy and score (text for admins).',
      ru: 'Каждый диалог с историей этапов; сообщения с анализом, стратегией и оценкой (текст видят администраторы).',
    },
    list: {
      endpoint: '/conversations',
      items: 'conversations',
      total: 'total',
      columns: [
        { key: 'scriptSlug', label: { en: 'Script', ru: 'Скрипт' } },
        { key: 'scriptVersion', label: { en: 'Version', ru: 'Версия' }, format: 'number' },
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'stage', label: { en: 'Stage', ru: 'Этап' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'lastStrategy', label: { en: 'Strategy', ru: 'Стратегия' } },
        { key: 'updatedAt', label: { en: 'Updated', ru: 'Обновлён' }, format: 'date' },
      ],
      filters: [
        { param: 'status', label: { en: 'Status', ru: 'Статус' }, options: ['active', 'paused', 'ended'] },
        { param: 'strategy', label: { en: 'Strategy', ru: 'Стратегия' }, options: ['script_80', 'free_20'] },
      ],
    },
    detail: {
      endpoint: '/conversations/:id',
      item: 'conversation',
      fields: [
        { key: 'scriptSlug', label: { en: 'Script', ru: 'Скрипт' } },
        { key: 'scriptVersion', label: { en: 'Version', ru: 'Версия' }, format: 'number' },
        { key: 'stage', label: { en: 'Stage', ru: 'Этап' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'takenOverBy', label: { en: 'Taken over by', ru: 'Перехвачен' } },
        { key: 'endReason', label: { en: 'End reason', ru: 'Причина завершения' } },
        { key: 'educationStatus', label: { en: 'Education group', ru: 'Учебная группа' } },
        { key: 'startedAt', label: { en: 'Started', ru: 'Начат' }, format: 'date' },
      ],
      tables: [
        {
          key: 'transitions',
          title: { en: 'Stage history', ru: 'История этапов' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'from', label: { en: 'From', ru: 'Из' } },
            { key: 'to', label: { en: 'To', ru: 'В' } },
            { key: 'applied', label: { en: 'Applied', ru: 'Применён' }, format: 'boolean' },
            { key: 'reason', label: { en: 'Reason', ru: 'Причина' } },
          ],
        },
        {
          key: 'messages',
          title: { en: 'Transcript', ru: 'Переписка' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'author', label: { en: 'Author', ru: 'Автор' } },
            { key: 'text', label: { en: 'Text', ru: 'Текст' } },
            { key: 'stage', label: { en: 'Stage', ru: 'Этап' } },
            { key: 'strategy', label: { en: 'Strategy', ru: 'Стратегия' } },
            { key: 'scriptFitScore', label: { en: 'Fit', ru: 'Соответствие' }, format: 'percent' },
            { key: 'intent', label: { en: 'Intent', ru: 'Намерение' } },
            { key: 'consent', label: { en: 'Consent', ru: 'Согласие' }, format: 'boolean' },
            { key: 'analysis', label: { en: 'Analysis', ru: 'Анализ' }, format: 'json' },
          ],
        },
      ],
    },
  },
  {
    id: 'funnel',
    title: { en: 'Sales funnel', ru: 'Воронка продаж' },
    list: {
      endpoint: '/stats',
      items: 'funnel',
      rowKey: 'stage',
      columns: [
        { key: 'stage', label: { en: 'Stage', ru: 'Этап' } },
        { key: 'conversations', label: { en: 'Conversations', ru: 'Диалогов' }, format: 'number' },
        {
          key: 'medianSeconds',
          label: { en: 'Median seconds at the stage', ru: 'Медиана секунд на этапе' },
          format: 'number',
        },
      ],
    },
  },
];

/** Dashboard: the funnel chart and the headline numbers. */
export const salesAdminWidgets: AdminWidgetDefinition[] = [
  {
    kind: 'stats',
    id: 'sales-stats',
    title: { en: 'Sales conversations', ru: 'Диалоги продаж' },
    endpoint: '/stats',
    stats: [
      { key: 'conversations.total', label: { en: 'Conversations', ru: 'Диалогов' }, format: 'number' },
      { key: 'conversations.active', label: { en: 'Active', ru: 'Активных' }, format: 'number' },
      { key: 'conversionToGroup', label: { en: 'To a group', ru: 'В группу' }, format: 'percent' },
    ],
  },
  {
    kind: 'bar',
    id: 'sales-funnel',
    title: { en: 'Funnel by stage', ru: 'Воронка по этапам' },
    endpoint: '/stats',
    items: 'funnel',
    label: 'stage',
    value: 'conversations',
  },
];
