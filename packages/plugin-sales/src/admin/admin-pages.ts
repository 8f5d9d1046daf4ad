import { fileURLToPath } from 'node:url';
import type { AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';

// Scripts and conversations are custom pages (panel/src, built by panel/build.mjs into
// dist/panel): a form editor over the draft with publish, diff and rollback; transcripts with
// takeover, operator messages and hand back. The funnel is a declarative page.

const built = (name: string) => fileURLToPath(new URL(`../../dist/panel/${name}.js`, import.meta.url));
/** The built pages; the same paths from src/admin and dist/admin. */
export const SCRIPTS_PAGE_MODULE = built('scripts');
export const CONVERSATIONS_PAGE_MODULE = built('conversations');

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
      en: 'Each conversation with its stage history and transcript; take one over, write to the client, hand it back.',
      ru: 'Каждый диалог с историей этапов и перепиской; перехватите диалог, напишите клиенту, верните боту.',
    },
    module: { file: CONVERSATIONS_PAGE_MODULE, uiVersion: '1.0.0' },
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
