import type { AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';

/** Stored draft and account statuses as the panel shows them. */
const DRAFT_STATUS = {
  pending: { en: 'Waiting for approval', ru: 'Ждёт одобрения' },
  scheduled: { en: 'Scheduled', ru: 'Запланирован' },
  sending: { en: 'Sending', ru: 'Отправляется' },
  sent: { en: 'Sent', ru: 'Отправлен' },
  rejected: { en: 'Rejected', ru: 'Отклонён' },
  failed: { en: 'Not sent', ru: 'Не отправлен' },
};
const ACCOUNT_STATUS = {
  pending_code: { en: 'Waiting for the login code', ru: 'Ждёт код входа' },
  active: { en: 'Active', ru: 'Активен' },
  paused: { en: 'Paused', ru: 'На паузе' },
  logged_out: { en: 'Logged out', ru: 'Вышел из аккаунта' },
  deactivated: { en: 'Deactivated', ru: 'Отключён' },
};
const ACCOUNT_KIND = { bot: { en: 'Bot', ru: 'Бот' }, user: { en: 'Team account', ru: 'Аккаунт команды' } };

/** The commentator pages of the admin panel, drawn by core over commentator-admin-routes.ts. */
export const commentatorAdminPages: AdminPageDefinition[] = [
  {
    id: 'approval',
    title: { en: 'Approval queue', ru: 'Очередь одобрения' },
    description: {
      en: 'Drafted comments waiting for a person, each beside the post it answers. Nothing is sent without approval unless a channel you own has auto-approve on.',
      ru: 'Черновики комментариев ждут решения человека, рядом — пост, на который они отвечают. Без одобрения ничего не отправляется, кроме ваших каналов с автоодобрением.',
    },
    list: {
      endpoint: '/drafts',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'id', label: { en: 'Draft', ru: 'Черновик' }, format: 'number' },
        { key: 'channelTitle', label: { en: 'Channel', ru: 'Канал' } },
        { key: 'postText', label: { en: 'Post', ru: 'Пост' } },
        { key: 'text', label: { en: 'Comment', ru: 'Комментарий' } },
        { key: 'relevance', label: { en: 'Relevance', ru: 'Релевантность' }, format: 'percent' },
        { key: 'offline', label: { en: 'Offline draft', ru: 'Офлайн-черновик' }, format: 'boolean' },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: DRAFT_STATUS },
        { key: 'dueAt', label: { en: 'Scheduled for', ru: 'Отправка' }, format: 'date' },
      ],
      filters: [
        {
          param: 'status',
          label: { en: 'Status', ru: 'Статус' },
          options: ['pending', 'scheduled', 'sent', 'rejected', 'failed'],
          values: DRAFT_STATUS,
          default: 'pending',
        },
      ],
    },
    detail: {
      endpoint: '/drafts/:id',
      item: 'draft',
      fields: [
        { key: 'postText', label: { en: 'Post', ru: 'Пост' } },
        { key: 'text', label: { en: 'Comment', ru: 'Комментарий' } },
        { key: 'accountLabel', label: { en: 'Comments as', ru: 'От имени' } },
        { key: 'language', label: { en: 'Language', ru: 'Язык' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: DRAFT_STATUS },
        { key: 'decidedBy', label: { en: 'Decided by', ru: 'Решение принял(а)' } },
        { key: 'failureReason', label: { en: 'Failure', ru: 'Ошибка' } },
        {
          key: 'outcomeUnknown',
          label: { en: 'Outcome unknown', ru: 'Исход неизвестен' },
          format: 'boolean',
        },
      ],
    },
    rowActions: [
      {
        id: 'approve',
        label: { en: 'Approve', ru: 'Одобрить' },
        endpoint: '/drafts/:id/approve',
        tone: 'primary',
        when: { key: 'status', equals: 'pending' },
      },
      {
        id: 'edit-approve',
        label: { en: 'Edit and approve', ru: 'Изменить и одобрить' },
        endpoint: '/drafts/:id/approve',
        when: { key: 'status', equals: 'pending' },
        input: {
          fields: [
            { key: 'text', label: { en: 'Comment', ru: 'Комментарий' }, type: 'textarea', required: true },
          ],
          submit: { en: 'Approve this text', ru: 'Одобрить этот текст' },
        },
      },
      {
        id: 'reject',
        label: { en: 'Reject', ru: 'Отклонить' },
        endpoint: '/drafts/:id/reject',
        tone: 'danger',
        confirm: {
          en: 'Reject this draft? It will not be sent.',
          ru: 'Отклонить черновик? Он не будет отправлен.',
        },
        when: { key: 'status', equals: 'pending' },
      },
      {
        id: 'retry',
        label: { en: 'Send again', ru: 'Отправить снова' },
        endpoint: '/drafts/:id/retry',
        when: { key: 'status', equals: 'failed' },
        input: {
          fields: [
            {
              key: 'confirm',
              label: {
                en: 'The send was interrupted (outcome unknown) and I checked the comment is not under the post',
                ru: 'Отправка прервалась (исход неизвестен), и я проверил(а), что комментария под постом нет',
              },
              type: 'boolean',
            },
          ],
          submit: { en: 'Send again', ru: 'Отправить снова' },
        },
      },
    ],
  },
  {
    id: 'sent',
    title: { en: 'Sent comments', ru: 'Отправленные комментарии' },
    list: {
      endpoint: '/comments',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'sentAt', label: { en: 'Sent', ru: 'Отправлен' }, format: 'date' },
        { key: 'channelTitle', label: { en: 'Channel', ru: 'Канал' } },
        { key: 'accountLabel', label: { en: 'Account', ru: 'Аккаунт' } },
        { key: 'text', label: { en: 'Comment', ru: 'Комментарий' } },
        { key: 'replies', label: { en: 'Replies', ru: 'Ответов' }, format: 'number' },
        { key: 'reactions', label: { en: 'Reactions', ru: 'Реакций' }, format: 'number' },
        { key: 'measuredAt', label: { en: 'Measured', ru: 'Измерено' }, format: 'date' },
      ],
    },
  },
  {
    id: 'channels',
    title: { en: 'Channels', ru: 'Каналы' },
    description: {
      en: 'Monitored channels. "Never comment" keeps a channel read-only; comments go only where the channel has a discussion group.',
      ru: 'Отслеживаемые каналы. «Никогда не комментировать» оставляет канал только для чтения; комментарии — только там, где есть группа обсуждения.',
    },
    list: {
      endpoint: '/channels',
      items: 'items',
      columns: [
        { key: 'id', label: { en: 'Id', ru: 'Id' }, format: 'number' },
        { key: 'title', label: { en: 'Title', ru: 'Название' } },
        { key: 'chatId', label: { en: 'Chat id', ru: 'Id чата' } },
        { key: 'route', label: { en: 'Read by', ru: 'Читает' } },
        { key: 'commentsOpen', label: { en: 'Comments open', ru: 'Комментарии открыты' }, format: 'boolean' },
        { key: 'owned', label: { en: 'Ours', ru: 'Наш' }, format: 'boolean' },
        { key: 'neverComment', label: { en: 'Never comment', ru: 'Не комментировать' }, format: 'boolean' },
        { key: 'autoApprove', label: { en: 'Auto-approve', ru: 'Автоодобрение' }, format: 'boolean' },
        { key: 'posts', label: { en: 'Posts', ru: 'Постов' }, format: 'number' },
        { key: 'sent', label: { en: 'Comments sent', ru: 'Отправлено' }, format: 'number' },
      ],
    },
    create: {
      endpoint: '/channels',
      label: { en: 'Monitor a channel', ru: 'Отслеживать канал' },
      fields: [
        {
          key: 'chatId',
          label: { en: 'Channel chat id', ru: 'Id канала' },
          type: 'telegramId',
          required: true,
        },
        {
          key: 'route',
          label: { en: 'Read by', ru: 'Читает' },
          type: 'select',
          options: ['bot', 'account'],
          required: true,
        },
        {
          key: 'accountId',
          label: { en: 'Account (route "account")', ru: 'Аккаунт (для "account")' },
          type: 'number',
        },
      ],
    },
    // Booleans are always sent: the form starts from the row, so an untouched switch keeps its value.
    edit: {
      endpoint: '/channels/:id',
      method: 'PATCH',
      label: { en: 'Channel switches', ru: 'Настройки канала' },
      fields: [
        {
          key: 'neverComment',
          label: { en: 'Never comment here', ru: 'Никогда не комментировать здесь' },
          type: 'boolean',
        },
        {
          key: 'autoApprove',
          label: {
            en: 'Auto-approve drafts (only channels we own)',
            ru: 'Одобрять черновики автоматически (только наши каналы)',
          },
          type: 'boolean',
        },
        {
          key: 'dailyCap',
          label: {
            en: 'Comments per day (empty: the default)',
            ru: 'Комментариев в день (пусто — по умолчанию)',
          },
          type: 'number',
        },
      ],
    },
    remove: {
      endpoint: '/channels/:id',
      confirm: {
        en: 'Stop monitoring this channel and delete its posts?',
        ru: 'Перестать отслеживать канал и удалить его посты?',
      },
    },
  },
  {
    id: 'accounts',
    title: { en: 'Accounts', ru: 'Аккаунты' },
    description: {
      en: "The operator's own accounts: the bot and signed-in team accounts that show who they are. Adding one sends a login code to its Telegram app; enter it below (with the 2FA password if it has one). Sessions are stored encrypted and never shown.",
      ru: 'Собственные аккаунты оператора: бот и аккаунты команды, которые не скрывают, кто они. При добавлении Telegram присылает код входа; введите его ниже (и пароль 2FA, если он есть). Сессии хранятся зашифрованными и не показываются.',
    },
    list: {
      endpoint: '/accounts',
      items: 'items',
      columns: [
        { key: 'id', label: { en: 'Id', ru: 'Id' }, format: 'number' },
        { key: 'label', label: { en: 'Name', ru: 'Имя' } },
        { key: 'kind', label: { en: 'Kind', ru: 'Тип' }, values: ACCOUNT_KIND },
        { key: 'phoneHint', label: { en: 'Phone', ru: 'Телефон' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: ACCOUNT_STATUS },
        { key: 'pauseReason', label: { en: 'Paused for', ru: 'Причина паузы' } },
        { key: 'disclosureEnabled', label: { en: 'Disclosure line', ru: 'Подпись' }, format: 'boolean' },
        { key: 'voice.style', label: { en: 'Voice', ru: 'Стиль' } },
      ],
    },
    detail: {
      endpoint: '/accounts/:id/log',
      fields: [{ key: 'items', label: { en: 'Entries', ru: 'Записи' }, format: 'json' }],
      tables: [
        {
          key: 'items',
          title: { en: 'Security log', ru: 'Журнал безопасности' },
          columns: [
            { key: 'createdAt', label: { en: 'When', ru: 'Когда' }, format: 'date' },
            { key: 'event', label: { en: 'Event', ru: 'Событие' } },
            { key: 'details', label: { en: 'Details', ru: 'Подробности' }, format: 'json' },
          ],
        },
      ],
    },
    rowActions: [
      {
        id: 'resume',
        label: { en: 'Resume', ru: 'Возобновить' },
        endpoint: '/accounts/:id/resume',
        tone: 'primary',
        confirm: {
          en: 'Resume this account? After PEER_FLOOD, first check in Telegram (@SpamBot) that the limit is lifted.',
          ru: 'Возобновить аккаунт? После PEER_FLOOD сначала проверьте в Telegram (@SpamBot), что ограничение снято.',
        },
        when: { key: 'status', equals: 'paused' },
      },
      {
        id: 'settings',
        label: { en: 'Disclosure and caps', ru: 'Подпись и лимиты' },
        endpoint: '/accounts/:id',
        method: 'PATCH',
        when: { key: 'status', in: ['active', 'paused'] },
        input: {
          fields: [
            { key: 'label', label: { en: 'Name shown in comments', ru: 'Имя в подписи' }, required: true },
            {
              key: 'disclosureEnabled',
              label: { en: 'Add the disclosure line', ru: 'Добавлять подпись' },
              type: 'boolean',
            },
            {
              key: 'disclosureText',
              label: { en: 'Disclosure text (empty: "— name")', ru: 'Текст подписи (пусто — «— имя»)' },
            },
            {
              key: 'hourlyCap',
              label: {
                en: 'Comments per hour (empty: the default)',
                ru: 'Комментариев в час (пусто — по умолчанию)',
              },
              type: 'number',
            },
            {
              key: 'dailyCap',
              label: {
                en: 'Comments per day (empty: the default)',
                ru: 'Комментариев в день (пусто — по умолчанию)',
              },
              type: 'number',
            },
          ],
          submit: { en: 'Save', ru: 'Сохранить' },
        },
      },
      {
        id: 'voice',
        label: { en: 'Voice guide', ru: 'Манера письма' },
        endpoint: '/accounts/:id/voice',
        method: 'PUT',
        input: {
          fields: [
            {
              key: 'voice.style',
              label: { en: 'How this account writes', ru: 'Как пишет этот аккаунт' },
              type: 'textarea',
              hint: {
                en: 'Its own real style: it comments as itself, openly, never as a character, a customer or a reader. The disclosure line is added either way.',
                ru: 'Его настоящий стиль: он комментирует от своего имени, открыто, никогда не как персонаж, клиент или читатель. Подпись добавляется в любом случае.',
              },
            },
            { key: 'voice.tone', label: { en: 'Tone', ru: 'Тон' } },
            {
              key: 'voice.interests',
              label: { en: 'Interests (one per line)', ru: 'Интересы (по одному в строке)' },
              type: 'list',
            },
            {
              key: 'voice.vocabulary',
              label: {
                en: 'Words it uses (one per line)',
                ru: 'Слова, которые он использует (по одному в строке)',
              },
              type: 'list',
            },
            {
              key: 'voice.phrases',
              label: {
                en: 'Phrases it uses (one per line)',
                ru: 'Фразы, которые он использует (по одной в строке)',
              },
              type: 'list',
            },
          ],
          submit: { en: 'Save the voice guide', ru: 'Сохранить манеру письма' },
        },
      },
      {
        id: 'health',
        label: { en: 'Health check', ru: 'Проверить' },
        endpoint: '/accounts/:id/health',
        when: { key: 'kind', equals: 'user' },
      },
      {
        id: 'logout',
        label: { en: 'Log out', ru: 'Выйти' },
        endpoint: '/accounts/:id/logout',
        tone: 'danger',
        confirm: {
          en: 'Log this account out? The session also ends at Telegram; signing in again needs a new code.',
          ru: 'Выйти из аккаунта? Сессия завершится и в Telegram; для входа снова понадобится новый код.',
        },
        when: { key: 'kind', equals: 'user' },
      },
      {
        id: 'deactivate',
        label: { en: 'Deactivate', ru: 'Отключить' },
        endpoint: '/accounts/:id/deactivate',
        tone: 'danger',
        confirm: {
          en: 'Deactivate this account? Its session is dropped, no drafts are written for it, and its scheduled comments become failed (send them again after reactivating if still wanted).',
          ru: 'Отключить аккаунт? Его сессия удаляется, черновики для него не пишутся, а запланированные комментарии становятся неотправленными (после включения их можно отправить снова).',
        },
        when: { key: 'canDeactivate', equals: true },
      },
      {
        id: 'reactivate',
        label: { en: 'Reactivate (sends a login code)', ru: 'Включить (придёт код входа)' },
        endpoint: '/accounts/:id/reactivate',
        tone: 'primary',
        confirm: {
          en: "Send a new login code to this account's Telegram app? Enter it on the Account login code page.",
          ru: 'Отправить новый код входа в Telegram этого аккаунта? Введите его на странице «Код входа аккаунта».',
        },
        when: { key: 'canReactivate', equals: true },
      },
    ],
    create: {
      endpoint: '/accounts',
      label: { en: 'Add an account (sends a login code)', ru: 'Добавить аккаунт (придёт код входа)' },
      fields: [
        { key: 'label', label: { en: 'Name shown in comments', ru: 'Имя в подписи' }, required: true },
        { key: 'phone', label: { en: 'Phone, +15551234567', ru: 'Телефон, +79991234567' }, required: true },
      ],
    },
  },
  {
    id: 'login',
    title: { en: 'Account login code', ru: 'Код входа аккаунта' },
    list: {
      endpoint: '/accounts',
      items: 'items',
      columns: [
        { key: 'id', label: { en: 'Id', ru: 'Id' }, format: 'number' },
        { key: 'label', label: { en: 'Name', ru: 'Имя' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: ACCOUNT_STATUS },
      ],
    },
    create: {
      endpoint: '/login-codes',
      label: { en: 'Enter the login code', ru: 'Ввести код входа' },
      fields: [
        { key: 'accountId', label: { en: 'Account id', ru: 'Id аккаунта' }, type: 'number', required: true },
        { key: 'code', label: { en: 'Code', ru: 'Код' }, required: true },
        { key: 'password', label: { en: '2FA password, if asked', ru: 'Пароль 2FA, если спросят' } },
      ],
    },
  },
];

/** Dashboard: the funnel numbers and comments sent per channel. */
export const commentatorAdminWidgets: AdminWidgetDefinition[] = [
  {
    kind: 'stats',
    id: 'commentator-stats',
    title: { en: 'Comments', ru: 'Комментарии' },
    endpoint: '/stats',
    stats: [
      { key: 'postsSeen', label: { en: 'Posts seen', ru: 'Постов' }, format: 'number' },
      { key: 'pending', label: { en: 'Waiting for approval', ru: 'Ждут одобрения' }, format: 'number' },
      { key: 'sent', label: { en: 'Sent', ru: 'Отправлено' }, format: 'number' },
      { key: 'failed', label: { en: 'Failed', ru: 'Ошибок' }, format: 'number' },
      { key: 'engagement.replies', label: { en: 'Replies', ru: 'Ответов' }, format: 'number' },
      { key: 'engagement.reactions', label: { en: 'Reactions', ru: 'Реакций' }, format: 'number' },
    ],
  },
  {
    kind: 'bar',
    id: 'commentator-per-channel',
    title: { en: 'Comments sent per channel', ru: 'Отправлено по каналам' },
    endpoint: '/stats',
    items: 'perChannel',
    label: 'title',
    value: 'sent',
  },
];
