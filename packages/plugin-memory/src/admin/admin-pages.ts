import type { AdminPageDefinition } from '@botloom/core';

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
            { key: 'status', label: { en: 'Status', ru: 'Статус' } },
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
];
