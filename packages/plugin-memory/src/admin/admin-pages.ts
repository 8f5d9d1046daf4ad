import type { AdminPageDefinition } from '@botloom/core';

/** Stored session statuses and memory kinds as the panel shows them. */
const SESSION_STATUS = { active: { en: 'Active', ru: 'Активна' }, ended: { en: 'Ended', ru: 'Завершена' } };
const MEMORY_KIND = {
  fact: { en: 'Fact', ru: 'Факт' },
  summary: { en: 'Session summary', ru: 'Сводка сессии' },
};

/** The memory pages of the admin panel, drawn by core over the routes in memory-admin-routes.ts. */
export const memoryAdminPages: AdminPageDefinition[] = [
  {
    id: 'users',
    title: { en: 'Users', ru: 'Пользователи' },
    description: {
      en: 'People the bot remembers. Viewers see counts; admins also see titles and summaries.',
      ru: 'Люди, которых помнит бот. Наблюдатели видят числа, администраторы — ещё и заголовки и сводки.',
    },
    list: {
      endpoint: '/users',
      items: 'items',
      total: 'total',
      rowKey: 'userId',
      columns: [
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'sessions', label: { en: 'Sessions', ru: 'Сессий' }, format: 'number' },
        { key: 'activeSessions', label: { en: 'Active', ru: 'Активных' }, format: 'number' },
        { key: 'messages', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
        { key: 'memories', label: { en: 'Memories', ru: 'Воспоминаний' }, format: 'number' },
        { key: 'tokens.today', label: { en: 'Tokens today', ru: 'Токенов сегодня' }, format: 'number' },
        { key: 'lastActivityAt', label: { en: 'Last activity', ru: 'Последняя активность' }, format: 'date' },
      ],
    },
    detail: {
      endpoint: '/users/:userId/sessions',
      fields: [
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        {
          key: 'contentIncluded',
          label: { en: 'Content shown', ru: 'Содержимое показано' },
          format: 'boolean',
        },
      ],
      tables: [
        {
          key: 'items',
          title: { en: 'Sessions', ru: 'Сессии' },
          columns: [
            { key: 'startedAt', label: { en: 'Started', ru: 'Начата' }, format: 'date' },
            { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: SESSION_STATUS },
            { key: 'messageCount', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
            { key: 'title', label: { en: 'Title', ru: 'Заголовок' } },
            { key: 'summary', label: { en: 'Summary', ru: 'Сводка' } },
          ],
        },
      ],
    },
    remove: {
      endpoint: '/users/:userId',
      confirm: {
        en: 'Delete everything the bot remembers about this user?',
        ru: 'Удалить всё, что бот помнит об этом пользователе?',
      },
    },
  },
  {
    id: 'sessions',
    title: { en: 'Sessions', ru: 'Сессии' },
    description: {
      en: 'Conversations of every user, latest first. Open one for its messages; only admins see what was written.',
      ru: 'Разговоры всех пользователей, сначала последние. Откройте сессию, чтобы увидеть сообщения; их текст видят только администраторы.',
    },
    list: {
      endpoint: '/sessions',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: SESSION_STATUS },
        { key: 'messageCount', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' } },
        { key: 'startedAt', label: { en: 'Started', ru: 'Начата' }, format: 'date' },
        { key: 'lastActivityAt', label: { en: 'Last activity', ru: 'Последняя активность' }, format: 'date' },
      ],
      filters: [{ param: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } }],
    },
    detail: {
      endpoint: '/sessions/:id/messages',
      item: 'session',
      fields: [
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: SESSION_STATUS },
        { key: 'summaryStatus', label: { en: 'Summary', ru: 'Сводка' } },
        { key: 'endReason', label: { en: 'Ended because', ru: 'Причина завершения' } },
        { key: 'startedAt', label: { en: 'Started', ru: 'Начата' }, format: 'date' },
        { key: 'endedAt', label: { en: 'Ended', ru: 'Завершена' }, format: 'date' },
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' } },
        { key: 'summary', label: { en: 'Summary text', ru: 'Текст сводки' } },
      ],
      tables: [
        {
          key: 'messages',
          title: { en: 'Messages', ru: 'Сообщения' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'role', label: { en: 'Author', ru: 'Автор' } },
            { key: 'chars', label: { en: 'Characters', ru: 'Символов' }, format: 'number' },
            { key: 'content', label: { en: 'Text', ru: 'Текст' } },
          ],
        },
      ],
    },
  },
  {
    id: 'memories',
    title: { en: 'Memories', ru: 'Воспоминания' },
    description: {
      en: 'What the bot keeps about users (facts and session summaries). Viewers see sizes; admins see the text.',
      ru: 'Что бот помнит о пользователях (факты и сводки сессий). Наблюдатели видят размер, администраторы — текст.',
    },
    list: {
      endpoint: '/memories',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'kind', label: { en: 'Kind', ru: 'Вид' }, values: MEMORY_KIND },
        { key: 'chars', label: { en: 'Characters', ru: 'Символов' }, format: 'number' },
        { key: 'content', label: { en: 'Text', ru: 'Текст' } },
        { key: 'createdAt', label: { en: 'Created', ru: 'Создано' }, format: 'date' },
      ],
      filters: [
        { param: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        {
          param: 'kind',
          label: { en: 'Kind', ru: 'Вид' },
          options: ['fact', 'summary'],
          values: MEMORY_KIND,
        },
      ],
    },
  },
];
