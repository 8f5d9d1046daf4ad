import type { AdminPageDefinition } from '@botloom/core';

/** The "Study groups" page of the admin panel, over the routes in admin-routes.ts. */
export const educationAdminPages: AdminPageDefinition[] = [
  {
    id: 'groups',
    title: { en: 'Study groups', ru: 'Учебные группы' },
    description: {
      en: 'Education groups: the pool you registered (the bot must be an admin that may invite users) and groups clients created. Open one for its Script #2 transcript.',
      ru: 'Учебные группы: зарегистрированный пул (бот должен быть администратором с правом приглашать) и группы, созданные клиентами. Откройте группу, чтобы увидеть ход сценария №2.',
    },
    list: {
      endpoint: '/groups',
      items: 'groups',
      rowKey: 'chatId',
      columns: [
        { key: 'title', label: { en: 'Group', ru: 'Группа' } },
        { key: 'chatId', label: { en: 'Chat id', ru: 'Id чата' } },
        { key: 'source', label: { en: 'Source', ru: 'Источник' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'clientUserId', label: { en: 'Client', ru: 'Клиент' } },
        { key: 'stageIndex', label: { en: 'Stage', ru: 'Этап' }, format: 'number' },
        { key: 'messages', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
        { key: 'problem', label: { en: 'Problem', ru: 'Проблема' } },
      ],
    },
    detail: {
      endpoint: '/groups/:chatId',
      item: 'group',
      fields: [
        { key: 'title', label: { en: 'Group', ru: 'Группа' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'clientUserId', label: { en: 'Client', ru: 'Клиент' } },
        { key: 'scriptId', label: { en: 'Script', ru: 'Скрипт' } },
        { key: 'invitedAt', label: { en: 'Invited', ru: 'Приглашён' }, format: 'date' },
        { key: 'joinedAt', label: { en: 'Joined', ru: 'Вступил' }, format: 'date' },
        { key: 'finishedAt', label: { en: 'Finished', ru: 'Завершено' }, format: 'date' },
      ],
      tables: [
        {
          key: 'messages',
          title: { en: 'Transcript', ru: 'Переписка' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'author', label: { en: 'Author', ru: 'Автор' } },
            { key: 'stageId', label: { en: 'Stage', ru: 'Этап' } },
            { key: 'text', label: { en: 'Text', ru: 'Текст' } },
            { key: 'responder', label: { en: 'Who answered', ru: 'Кто ответил' } },
            { key: 'analysis', label: { en: 'Analysis', ru: 'Анализ' }, format: 'json' },
          ],
        },
      ],
    },
    create: {
      endpoint: '/groups/pool',
      label: { en: 'Register a pool group', ru: 'Добавить группу в пул' },
      fields: [
        {
          key: 'chatId',
          label: { en: 'Group chat id (negative)', ru: 'Id группы (отрицательный)' },
          type: 'number',
          required: true,
        },
      ],
    },
    remove: { endpoint: '/groups/pool/:chatId' },
  },
];
