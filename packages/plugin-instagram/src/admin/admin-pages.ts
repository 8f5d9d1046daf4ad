import type { AdminPageDefinition } from '@botloom/core';

/** The Instagram pages of the admin panel, drawn by core over the routes in instagram-admin-routes.ts. */
export const instagramAdminPages: AdminPageDefinition[] = [
  {
    id: 'inbox',
    title: { en: 'Instagram inbox', ru: 'Входящие Instagram' },
    description: {
      en: 'Instagram threads, newest first. A thread in "handoff" waits for a person; the bot is paused there.',
      ru: 'Переписки в Instagram, новые сверху. В статусе «handoff» переписка ждёт человека, бот молчит.',
    },
    list: {
      endpoint: '/conversations',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'igsid', label: { en: 'Instagram user', ru: 'Пользователь Instagram' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'window.bot', label: { en: 'Bot window', ru: 'Окно бота' } },
        { key: 'window.human', label: { en: 'Human window', ru: 'Окно человека' } },
        { key: 'sentiment', label: { en: 'Sentiment', ru: 'Тональность' } },
        { key: 'tags', label: { en: 'Tags', ru: 'Метки' }, format: 'tags' },
        { key: 'messageCount', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
        { key: 'lastUserMessageAt', label: { en: 'User wrote', ru: 'Писал' }, format: 'date' },
      ],
      filters: [
        { param: 'status', label: { en: 'Status', ru: 'Статус' }, options: ['active', 'handoff', 'closed'] },
      ],
    },
    detail: {
      endpoint: '/conversations/:id',
      item: 'conversation',
      fields: [
        { key: 'igsid', label: { en: 'Instagram user', ru: 'Пользователь Instagram' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'summary', label: { en: 'Summary', ru: 'Сводка' } },
        { key: 'window', label: { en: 'Messaging window', ru: 'Окно сообщений' }, format: 'json' },
      ],
    },
  },
  {
    id: 'rules',
    title: { en: 'Auto-reply rules', ru: 'Правила автоответа' },
    description: {
      en: 'Tried by priority, highest first; the first matching rule decides (tag rules add tags and go on).',
      ru: 'Проверяются по приоритету, от большего; решает первое подошедшее правило (правила-метки ставят метки и идут дальше).',
    },
    list: {
      endpoint: '/agent/rules',
      items: 'items',
      columns: [
        { key: 'name', label: { en: 'Name', ru: 'Название' } },
        { key: 'priority', label: { en: 'Priority', ru: 'Приоритет' }, format: 'number' },
        { key: 'enabled', label: { en: 'Enabled', ru: 'Включено' }, format: 'boolean' },
        { key: 'action.type', label: { en: 'Action', ru: 'Действие' } },
        { key: 'conditions', label: { en: 'Conditions', ru: 'Условия' }, format: 'json' },
        { key: 'cooldownSeconds', label: { en: 'Cooldown, s', ru: 'Пауза, с' }, format: 'number' },
      ],
    },
    detail: {
      endpoint: '/agent/rules/:id',
      item: 'rule',
      fields: [
        { key: 'name', label: { en: 'Name', ru: 'Название' } },
        { key: 'conditions', label: { en: 'Conditions', ru: 'Условия' }, format: 'json' },
        { key: 'action', label: { en: 'Action', ru: 'Действие' }, format: 'json' },
      ],
    },
    remove: { endpoint: '/agent/rules/:id' },
  },
];
