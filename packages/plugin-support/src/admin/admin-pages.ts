import type { AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';
import { TICKET_STATUSES } from '../services/ticket-state.js';

/** The stored ticket statuses, channels and authors as the panel shows them. */
const STATUS_LABELS = {
  ai: { en: 'With the assistant', ru: 'У ассистента' },
  waiting_manager: { en: 'Waiting for a manager', ru: 'Ждёт менеджера' },
  with_manager: { en: 'With a manager', ru: 'У менеджера' },
  closed: { en: 'Closed', ru: 'Закрыто' },
};
const CHANNEL_LABELS = {
  bot: { en: 'Bot chat', ru: 'Чат с ботом' },
  webapp: { en: 'Web app', ru: 'Веб-приложение' },
};
const AUTHOR_LABELS = {
  customer: { en: 'Customer', ru: 'Клиент' },
  ai: { en: 'Assistant', ru: 'Ассистент' },
  manager: { en: 'Manager', ru: 'Менеджер' },
  system: { en: 'System', ru: 'Система' },
};

/** The support pages of the admin panel, drawn by core over the routes in support-admin-routes.ts. */
export const supportAdminPages: AdminPageDefinition[] = [
  {
    id: 'tickets',
    title: { en: 'Tickets', ru: 'Обращения' },
    description: {
      en: 'Conversations with customers; open one for its transcript, the knowledge used and confidence.',
      ru: 'Разговоры с клиентами; откройте обращение, чтобы увидеть переписку, использованные знания и уверенность.',
    },
    list: {
      endpoint: '/tickets',
      items: 'tickets',
      total: 'total',
      columns: [
        { key: 'id', label: { en: '#', ru: '№' }, format: 'number' },
        { key: 'customerName', label: { en: 'Customer', ru: 'Клиент' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: STATUS_LABELS },
        { key: 'channel', label: { en: 'Channel', ru: 'Канал' }, values: CHANNEL_LABELS },
        { key: 'openedAt', label: { en: 'Opened', ru: 'Открыто' }, format: 'date' },
        { key: 'rating', label: { en: 'Rating', ru: 'Оценка' }, format: 'number' },
      ],
      filters: [
        {
          param: 'status',
          label: { en: 'Status', ru: 'Статус' },
          options: [...TICKET_STATUSES],
          values: STATUS_LABELS,
        },
      ],
    },
    detail: {
      endpoint: '/tickets/:id',
      item: 'ticket',
      fields: [
        { key: 'customerName', label: { en: 'Customer', ru: 'Клиент' } },
        { key: 'customerId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: STATUS_LABELS },
        { key: 'openedAt', label: { en: 'Opened', ru: 'Открыто' }, format: 'date' },
        { key: 'handoffAt', label: { en: 'Handed to a manager', ru: 'Передано менеджеру' }, format: 'date' },
        {
          key: 'firstResponseAt',
          label: { en: 'First manager reply', ru: 'Первый ответ менеджера' },
          format: 'date',
        },
        { key: 'closedAt', label: { en: 'Closed', ru: 'Закрыто' }, format: 'date' },
        { key: 'rating', label: { en: 'Rating', ru: 'Оценка' }, format: 'number' },
      ],
      tables: [
        {
          key: 'messages',
          title: { en: 'Transcript', ru: 'Переписка' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'author', label: { en: 'Author', ru: 'Автор' }, values: AUTHOR_LABELS },
            { key: 'text', label: { en: 'Text', ru: 'Текст' } },
            { key: 'chars', label: { en: 'Characters', ru: 'Символов' }, format: 'number' },
            {
              key: 'knowledge',
              label: { en: 'Knowledge used', ru: 'Использованные знания' },
              format: 'json',
            },
            { key: 'confidence', label: { en: 'Confidence', ru: 'Уверенность' }, format: 'percent' },
          ],
        },
        {
          key: 'events',
          title: { en: 'Events', ru: 'События' },
          // The state changes of GET /tickets/:id: handoffs, hand-backs, the close, with who did it.
          columns: [
            { key: 'at', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'from', label: { en: 'From', ru: 'Из' }, values: STATUS_LABELS },
            { key: 'to', label: { en: 'To', ru: 'В' }, values: STATUS_LABELS },
            { key: 'actor', label: { en: 'By', ru: 'Кто' } },
          ],
        },
      ],
    },
    rowActions: [
      {
        id: 'handback',
        label: { en: 'Back to the assistant', ru: 'Вернуть ассистенту' },
        endpoint: '/tickets/:id/handback',
        confirm: {
          en: 'Hand this ticket back to the assistant? The customer is told the assistant answers again; the ticket stays open.',
          ru: 'Вернуть обращение ассистенту? Клиенту сообщат, что снова отвечает ассистент; обращение останется открытым.',
        },
        when: { key: 'status', in: ['waiting_manager', 'with_manager'] },
      },
      {
        id: 'close',
        label: { en: 'Close', ru: 'Закрыть' },
        endpoint: '/tickets/:id/close',
        tone: 'danger',
        confirm: {
          en: 'Close this ticket? The customer is told and asked for a rating.',
          ru: 'Закрыть обращение? Клиент получит уведомление и просьбу оценить.',
        },
        when: { key: 'status', in: ['ai', 'waiting_manager', 'with_manager'] },
      },
    ],
  },
  {
    id: 'knowledge',
    title: { en: 'Knowledge', ru: 'База знаний' },
    description: {
      en: 'What the assistant answers from. Items added here are indexed at once.',
      ru: 'То, на что опирается ассистент. Добавленные здесь статьи сразу индексируются.',
    },
    actions: [
      {
        id: 'sync',
        label: { en: 'Re-read the knowledge folder', ru: 'Перечитать папку знаний' },
        endpoint: '/knowledge/sync',
      },
    ],
    list: {
      endpoint: '/knowledge',
      items: 'items',
      columns: [
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' } },
        { key: 'source', label: { en: 'Source', ru: 'Источник' } },
        { key: 'chars', label: { en: 'Characters', ru: 'Символов' }, format: 'number' },
        { key: 'indexed', label: { en: 'Indexed', ru: 'Проиндексировано' }, format: 'boolean' },
        { key: 'updatedAt', label: { en: 'Updated', ru: 'Изменено' }, format: 'date' },
      ],
    },
    detail: {
      endpoint: '/knowledge/:id',
      item: 'item',
      fields: [
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' } },
        { key: 'source', label: { en: 'Source', ru: 'Источник' } },
        { key: 'chunkCount', label: { en: 'Chunks', ru: 'Фрагментов' }, format: 'number' },
        { key: 'content', label: { en: 'Content', ru: 'Текст' } },
      ],
    },
    create: {
      endpoint: '/knowledge',
      label: { en: 'Add a knowledge item', ru: 'Добавить статью' },
      fields: [
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' }, type: 'text', required: true },
        { key: 'content', label: { en: 'Content', ru: 'Текст' }, type: 'textarea', required: true },
      ],
    },
    // Items from the knowledge folder are edited in their files: the API refuses them (409).
    edit: {
      endpoint: '/knowledge/:id',
      label: { en: 'Edit the item', ru: 'Изменить статью' },
      fields: [
        { key: 'title', label: { en: 'Title', ru: 'Заголовок' }, type: 'text', required: true },
        { key: 'content', label: { en: 'Content', ru: 'Текст' }, type: 'textarea', required: true },
      ],
    },
    remove: { endpoint: '/knowledge/:id' },
  },
  {
    id: 'managers',
    title: { en: 'Managers', ru: 'Менеджеры' },
    list: {
      endpoint: '/managers',
      items: 'managers',
      rowKey: 'userId',
      columns: [
        { key: 'name', label: { en: 'Name', ru: 'Имя' } },
        { key: 'userId', label: { en: 'Telegram id', ru: 'Telegram id' } },
        { key: 'createdAt', label: { en: 'Added', ru: 'Добавлен' }, format: 'date' },
      ],
    },
    create: {
      endpoint: '/managers',
      label: { en: 'Add a manager', ru: 'Добавить менеджера' },
      fields: [
        {
          key: 'userId',
          label: { en: 'Telegram id', ru: 'Telegram id' },
          type: 'telegramId',
          required: true,
        },
        { key: 'name', label: { en: 'Name', ru: 'Имя' }, type: 'text', required: true },
      ],
    },
    edit: {
      endpoint: '/managers/:id',
      label: { en: 'Rename the manager', ru: 'Переименовать менеджера' },
      fields: [{ key: 'name', label: { en: 'Name', ru: 'Имя' }, type: 'text', required: true }],
    },
    remove: { endpoint: '/managers/:id' },
  },
];

/** Support's dashboard widgets: ticket numbers, handoff rate and CSAT, tickets per day. */
export const supportAdminWidgets: AdminWidgetDefinition[] = [
  {
    kind: 'stats',
    id: 'support-stats',
    title: { en: 'Support, 30 days', ru: 'Поддержка за 30 дней' },
    endpoint: '/stats',
    stats: [
      { key: 'tickets', label: { en: 'Tickets', ru: 'Обращений' }, format: 'number' },
      {
        key: 'handoffRate',
        label: { en: 'Handed to managers', ru: 'Передано менеджерам' },
        format: 'percent',
      },
      {
        key: 'aiResolvedRate',
        label: { en: 'Solved by the assistant', ru: 'Решено ассистентом' },
        format: 'percent',
      },
      { key: 'csat.average', label: { en: 'CSAT, average', ru: 'CSAT, средняя' }, format: 'number' },
    ],
  },
  {
    kind: 'bar',
    id: 'support-tickets-per-day',
    title: { en: 'Tickets per day', ru: 'Обращения по дням' },
    endpoint: '/stats',
    items: 'ticketsPerDay',
    label: 'day',
    labelFormat: 'date',
    value: 'opened',
  },
];
