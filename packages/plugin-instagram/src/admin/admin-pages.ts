import type { AdminField, AdminPageDefinition, AdminWidgetDefinition } from '@botloom/core';
import type { HandoffReason } from '../services/conversation-store.js';
import { ACTION_TYPES, CONDITION_KINDS, KEYWORD_MODES } from '../services/rule-form.js';

/** Stored conversation statuses as the panel shows them. */
const CONVERSATION_STATUS = {
  active: { en: 'Bot answers', ru: 'Отвечает бот' },
  handoff: { en: 'Waiting for a person', ru: 'Ждёт человека' },
  closed: { en: 'Closed', ru: 'Закрыта' },
};

/** Why a thread waits for a person, as the inbox shows it (`handoffNote` of a conversation). */
export const HANDOFF_REASON_TEXT: Record<HandoffReason, { en: string; ru: string }> = {
  rule: { en: 'A handoff rule', ru: 'Правило передачи' },
  operator: { en: 'Handed over by a person', ru: 'Передано вручную' },
  low_confidence: { en: 'Weak grounding for an AI reply', ru: 'Мало данных для ответа ИИ' },
  budget: { en: 'LLM budget spent: no AI reply', ru: 'Бюджет LLM исчерпан: ИИ не ответил' },
};

/** The Instagram pages of the admin panel, drawn by core over the routes in instagram-admin-routes.ts. */
export const instagramAdminPages: AdminPageDefinition[] = [
  {
    id: 'inbox',
    title: { en: 'Instagram inbox', ru: 'Входящие Instagram' },
    description: {
      en: 'Instagram threads, newest first. A thread "Waiting for a person" is with a person; the bot is paused there.',
      ru: 'Переписки в Instagram, новые сверху. В статусе «Ждёт человека» переписка ждёт человека, бот молчит.',
    },
    list: {
      endpoint: '/conversations',
      items: 'items',
      total: 'total',
      columns: [
        { key: 'igsid', label: { en: 'Instagram user', ru: 'Пользователь Instagram' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: CONVERSATION_STATUS },
        { key: 'handoffNote', label: { en: 'Why a person', ru: 'Почему человеку' }, format: 'localized' },
        { key: 'window.bot', label: { en: 'Bot window', ru: 'Окно бота' } },
        { key: 'window.human', label: { en: 'Human window', ru: 'Окно человека' } },
        { key: 'sentiment', label: { en: 'Sentiment', ru: 'Тональность' } },
        { key: 'tags', label: { en: 'Tags', ru: 'Метки' }, format: 'tags' },
        { key: 'messageCount', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
        { key: 'lastUserMessageAt', label: { en: 'User wrote', ru: 'Писал' }, format: 'date' },
      ],
      filters: [
        {
          param: 'status',
          label: { en: 'Status', ru: 'Статус' },
          options: ['active', 'handoff', 'closed'],
          values: CONVERSATION_STATUS,
        },
      ],
      // The inbox hub (src/http/inbox-hub.ts) tells the list about every changed conversation.
      live: { socket: '/inbox', ticket: '/inbox/ticket' },
    },
    detail: {
      endpoint: '/conversations/:id',
      item: 'conversation',
      fields: [
        { key: 'igsid', label: { en: 'Instagram user', ru: 'Пользователь Instagram' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' }, values: CONVERSATION_STATUS },
        { key: 'handoffNote', label: { en: 'Why a person', ru: 'Почему человеку' }, format: 'localized' },
        { key: 'summary', label: { en: 'Summary', ru: 'Сводка' } },
        { key: 'window', label: { en: 'Messaging window', ru: 'Окно сообщений' }, format: 'json' },
      ],
    },
    rowActions: [
      {
        id: 'handoff',
        label: { en: 'Hand to a person', ru: 'Передать человеку' },
        endpoint: '/conversations/:id/handoff',
        confirm: {
          en: 'Pause the bot in this thread until someone hands it back?',
          ru: 'Остановить бота в этой переписке, пока её не вернут боту?',
        },
        when: { key: 'status', equals: 'active' },
      },
      {
        id: 'hand-back',
        label: { en: 'Hand back to the bot', ru: 'Вернуть боту' },
        endpoint: '/conversations/:id/hand-back',
        tone: 'primary',
        when: { key: 'status', equals: 'handoff' },
      },
      {
        id: 'reply',
        label: { en: 'Reply', ru: 'Ответить' },
        endpoint: '/conversations/:id/reply',
        input: {
          fields: [
            {
              key: 'text',
              label: { en: 'Your reply', ru: 'Ваш ответ' },
              type: 'textarea',
              required: true,
              hint: {
                en: 'Sent as a person: within 24 hours of the user’s last message, or up to 7 days with the HUMAN_AGENT tag; later it is refused.',
                ru: 'Уходит от имени человека: в течение 24 часов после последнего сообщения пользователя или до 7 дней с меткой HUMAN_AGENT; позже отправка отклоняется.',
              },
            },
          ],
          submit: { en: 'Send', ru: 'Отправить' },
        },
      },
    ],
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
    create: {
      endpoint: '/agent/rules',
      label: { en: 'New rule', ru: 'Новое правило' },
      fields: ruleFields('create'),
    },
    edit: {
      endpoint: '/agent/rules/:id',
      method: 'PUT',
      label: { en: 'Edit the rule', ru: 'Изменить правило' },
      fields: ruleFields('edit'),
    },
    remove: { endpoint: '/agent/rules/:id' },
  },
  {
    id: 'plans',
    title: { en: 'Agent plans', ru: 'Планы агента' },
    description: {
      en: 'The AI drafts steps from a fixed tool set; an admin reviews a draft, then approves it (it runs at once) or rejects it. Messages reach only people inside the 24-hour window.',
      ru: 'ИИ составляет шаги из фиксированного набора инструментов; администратор проверяет черновик и одобряет его (он сразу запускается) или отклоняет. Сообщения получают только те, кто писал за последние 24 часа.',
    },
    list: {
      endpoint: '/agent/plans',
      items: 'items',
      columns: [
        { key: 'name', label: { en: 'Name', ru: 'Название' } },
        { key: 'goal', label: { en: 'Goal', ru: 'Цель' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'progress', label: { en: 'Progress', ru: 'Прогресс' }, format: 'percent' },
        { key: 'createdAt', label: { en: 'Created', ru: 'Создан' }, format: 'date' },
      ],
    },
    detail: {
      endpoint: '/agent/plans/:id',
      item: 'plan',
      fields: [
        { key: 'goal', label: { en: 'Goal', ru: 'Цель' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'progress', label: { en: 'Progress', ru: 'Прогресс' }, format: 'percent' },
        { key: 'steps', label: { en: 'Steps', ru: 'Шаги' }, format: 'json' },
        { key: 'report', label: { en: 'Report', ru: 'Отчёт' }, format: 'json' },
      ],
    },
    edit: {
      endpoint: '/agent/plans/:id/steps',
      method: 'PUT',
      label: { en: 'Edit the steps', ru: 'Изменить шаги' },
      fields: [
        {
          key: 'steps',
          label: { en: 'Steps', ru: 'Шаги' },
          type: 'objects',
          required: true,
          hint: {
            en: 'A draft only, one row per step. Fill only what the tool uses; the audience (segment, tag, intent) narrows who the step is for.',
            ru: 'Только черновик, по строке на шаг. Заполняйте только то, что нужно инструменту; аудитория (сегмент, метка, намерение) сужает, кого касается шаг.',
          },
          fields: [
            {
              key: 'tool',
              label: { en: 'Tool', ru: 'Инструмент' },
              type: 'select',
              options: [
                'send_template',
                'tag_users',
                'schedule_follow_up',
                'summarise_conversations',
                'report',
              ],
              required: true,
            },
            {
              key: 'text',
              label: { en: 'Message', ru: 'Сообщение' },
              type: 'textarea',
              hint: { en: 'send_template, schedule_follow_up', ru: 'send_template, schedule_follow_up' },
            },
            {
              key: 'tags',
              label: { en: 'Tags to add', ru: 'Добавить метки' },
              type: 'list',
              hint: { en: 'tag_users; one per line', ru: 'tag_users; по одной в строке' },
            },
            {
              key: 'delayHours',
              label: { en: 'Delay, hours', ru: 'Задержка, ч' },
              type: 'number',
              hint: { en: 'schedule_follow_up; 0–23', ru: 'schedule_follow_up; 0–23' },
            },
            {
              key: 'limit',
              label: { en: 'Conversations', ru: 'Переписок' },
              type: 'number',
              hint: { en: 'summarise_conversations; up to 200', ru: 'summarise_conversations; до 200' },
            },
            { key: 'audience.segment', label: { en: 'Audience: segment', ru: 'Аудитория: сегмент' } },
            { key: 'audience.tag', label: { en: 'Audience: tag', ru: 'Аудитория: метка' } },
            { key: 'audience.intent', label: { en: 'Audience: intent', ru: 'Аудитория: намерение' } },
          ],
        },
      ],
    },
    rowActions: [
      {
        id: 'approve',
        label: { en: 'Approve and run', ru: 'Одобрить и запустить' },
        endpoint: '/agent/plans/:id/execute',
        tone: 'primary',
        confirm: {
          en: 'Run this plan now? Its messages go out to the people it names.',
          ru: 'Запустить план сейчас? Его сообщения уйдут людям, которых он касается.',
        },
        when: { key: 'status', equals: 'draft' },
      },
      {
        id: 'reject',
        label: { en: 'Reject', ru: 'Отклонить' },
        endpoint: '/agent/plans/:id/cancel',
        tone: 'danger',
        when: { key: 'status', equals: 'draft' },
      },
      {
        id: 'stop',
        label: { en: 'Stop', ru: 'Остановить' },
        endpoint: '/agent/plans/:id/cancel',
        tone: 'danger',
        confirm: {
          en: 'Stop this plan? Later steps will not run.',
          ru: 'Остановить план? Следующие шаги не выполнятся.',
        },
        when: { key: 'status', in: ['approved', 'running'] },
      },
    ],
    create: {
      endpoint: '/agent/plans',
      label: { en: 'Draft a plan', ru: 'Составить план' },
      fields: [{ key: 'goal', label: { en: 'Goal', ru: 'Цель' }, type: 'textarea', required: true }],
    },
  },
  {
    id: 'experiments',
    title: { en: 'A/B experiments', ru: 'A/B-эксперименты' },
    description: {
      en: 'Template or prompt variants, sticky per user. A winner needs the minimum sample and p < 0.05 (two-proportion z-test).',
      ru: 'Варианты шаблонов или промптов, закреплённые за пользователем. Победитель — только при минимальной выборке и p < 0,05 (z-тест двух долей).',
    },
    list: {
      endpoint: '/experiments',
      items: 'items',
      columns: [
        { key: 'name', label: { en: 'Name', ru: 'Название' } },
        { key: 'kind', label: { en: 'Kind', ru: 'Тип' } },
        { key: 'metric', label: { en: 'Metric', ru: 'Метрика' } },
        { key: 'status', label: { en: 'Status', ru: 'Статус' } },
        { key: 'winner', label: { en: 'Winner', ru: 'Победитель' } },
        { key: 'minSample', label: { en: 'Minimum sample', ru: 'Мин. выборка' }, format: 'number' },
      ],
    },
    detail: {
      endpoint: '/experiments/:id/results',
      fields: [
        { key: 'experiment.name', label: { en: 'Name', ru: 'Название' } },
        { key: 'enoughSample', label: { en: 'Enough sample', ru: 'Выборки достаточно' }, format: 'boolean' },
        { key: 'winner', label: { en: 'Winner', ru: 'Победитель' } },
        { key: 'reason', label: { en: 'Why', ru: 'Почему' } },
      ],
      tables: [
        {
          key: 'variants',
          title: { en: 'Variants', ru: 'Варианты' },
          columns: [
            { key: 'key', label: { en: 'Variant', ru: 'Вариант' } },
            { key: 'exposed', label: { en: 'Exposed', ru: 'Показов' }, format: 'number' },
            { key: 'successes', label: { en: 'Successes', ru: 'Успехов' }, format: 'number' },
            { key: 'rate', label: { en: 'Rate', ru: 'Доля' }, format: 'percent' },
          ],
        },
        {
          key: 'comparisons',
          title: { en: 'Against the first variant', ru: 'Против первого варианта' },
          columns: [
            { key: 'key', label: { en: 'Variant', ru: 'Вариант' } },
            { key: 'z', label: { en: 'z', ru: 'z' }, format: 'number' },
            { key: 'pValue', label: { en: 'p-value', ru: 'p-значение' }, format: 'number' },
          ],
        },
      ],
    },
    create: {
      endpoint: '/experiments',
      label: { en: 'New experiment', ru: 'Новый эксперимент' },
      fields: [
        { key: 'name', label: { en: 'Name', ru: 'Название' }, required: true },
        {
          key: 'kind',
          label: { en: 'Kind', ru: 'Тип' },
          type: 'select',
          options: ['template', 'prompt'],
          required: true,
        },
        {
          key: 'metric',
          label: { en: 'Metric', ru: 'Метрика' },
          type: 'select',
          options: ['conversion', 'reply', 'positive_sentiment'],
          required: true,
        },
        { key: 'variantA', label: { en: 'Variant A', ru: 'Вариант A' }, type: 'textarea', required: true },
        { key: 'variantB', label: { en: 'Variant B', ru: 'Вариант B' }, type: 'textarea', required: true },
        {
          key: 'minSample',
          label: { en: 'Minimum sample per variant', ru: 'Мин. выборка на вариант' },
          type: 'number',
        },
      ],
    },
    rowActions: [
      {
        id: 'stop',
        label: { en: 'Stop', ru: 'Остановить' },
        endpoint: '/experiments/:id/stop',
        tone: 'danger',
        when: { key: 'status', equals: 'running' },
        input: {
          fields: [
            {
              key: 'promote',
              label: { en: 'Promote the variant', ru: 'Сделать победителем вариант' },
              hint: {
                en: 'Its key (see the results), e.g. "b"; empty: stop without a winner.',
                ru: 'Его ключ (см. результаты), например «b»; пусто — остановить без победителя.',
              },
            },
          ],
          submit: { en: 'Stop the experiment', ru: 'Остановить эксперимент' },
        },
      },
    ],
    remove: { endpoint: '/experiments/:id' },
  },
  {
    id: 'analytics',
    title: { en: 'Instagram analytics', ru: 'Аналитика Instagram' },
    description: {
      en: 'Last 30 days: conversations and messages per day. The dashboard shows AI and human replies, the median response time, sentiment, intents and conversions; see also Conversions and Rule and plan results.',
      ru: 'Последние 30 дней: переписки и сообщения по дням. На главной — ответы ИИ и людей, медиана времени ответа, тональность, намерения и конверсии; см. также «Конверсии» и «Результаты правил и планов».',
    },
    list: {
      endpoint: '/analytics/conversations',
      items: 'perDay',
      rowKey: 'day',
      chart: {
        title: { en: 'Conversations per day', ru: 'Переписки по дням' },
        label: 'day',
        labelFormat: 'date',
        value: 'conversations',
      },
      columns: [
        { key: 'day', label: { en: 'Day', ru: 'День' }, format: 'date' },
        { key: 'conversations', label: { en: 'Conversations', ru: 'Переписок' }, format: 'number' },
        { key: 'messages', label: { en: 'Messages', ru: 'Сообщений' }, format: 'number' },
      ],
    },
  },
  {
    id: 'conversions',
    title: { en: 'Instagram conversions', ru: 'Конверсии Instagram' },
    description: {
      en: 'Last 30 days: conversions per day (a message with a conversion intent or matching the conversion pattern) and the threads they came from.',
      ru: 'Последние 30 дней: конверсии по дням (сообщение с намерением-конверсией или подходящее под шаблон конверсии) и переписки, где они были.',
    },
    list: {
      endpoint: '/analytics/conversions',
      items: 'perDay',
      rowKey: 'day',
      chart: {
        title: { en: 'Conversions per day', ru: 'Конверсии по дням' },
        label: 'day',
        labelFormat: 'date',
        value: 'conversions',
      },
      columns: [
        { key: 'day', label: { en: 'Day', ru: 'День' }, format: 'date' },
        { key: 'conversions', label: { en: 'Conversions', ru: 'Конверсий' }, format: 'number' },
        {
          key: 'conversations',
          label: { en: 'Converted threads', ru: 'Переписок с конверсией' },
          format: 'number',
        },
      ],
    },
  },
  {
    id: 'performance',
    title: { en: 'Rule and plan results', ru: 'Результаты правил и планов' },
    description: {
      en: 'Last 30 days: threads each rule answered or each plan messaged (triggered), and how many of them converted afterwards. Tag rules only add tags, so they are not listed.',
      ru: 'Последние 30 дней: переписки, в которых сработало правило или куда написал план (сработало), и сколько из них потом дали конверсию. Правила-метки только ставят метки, их здесь нет.',
    },
    list: {
      endpoint: '/analytics/conversions',
      items: 'performance',
      rowKey: 'key',
      chart: {
        title: { en: 'Conversion rate, %', ru: 'Доля конверсий, %' },
        label: 'name',
        value: 'ratePercent',
      },
      columns: [
        { key: 'kind', label: { en: 'Kind', ru: 'Вид' } },
        { key: 'name', label: { en: 'Name', ru: 'Название' } },
        { key: 'triggered', label: { en: 'Triggered', ru: 'Сработало' }, format: 'number' },
        { key: 'converted', label: { en: 'Converted', ru: 'Конверсий' }, format: 'number' },
        { key: 'rate', label: { en: 'Rate', ru: 'Доля' }, format: 'percent' },
      ],
      filters: [{ param: 'kind', label: { en: 'Kind', ru: 'Вид' }, options: ['rule', 'plan'] }],
    },
  },
  {
    id: 'segments',
    title: { en: 'Instagram segments', ru: 'Сегменты Instagram' },
    description: {
      en: 'Rule-based segments (a new one is applied to everyone who matches now) and behaviour clusters (KMeans on messages, recency, negative share and intents; "Cluster by behaviour" recomputes them).',
      ru: 'Сегменты по правилам (новый применяется ко всем, кто подходит сейчас) и кластеры поведения (KMeans по сообщениям, давности, доле негатива и намерениям; «Кластеризовать по поведению» пересчитывает их).',
    },
    list: {
      endpoint: '/users/segments',
      items: 'items',
      rowKey: 'id',
      columns: [
        { key: 'segment', label: { en: 'Segment', ru: 'Сегмент' } },
        { key: 'kind', label: { en: 'Kind', ru: 'Вид' } },
        { key: 'users', label: { en: 'Users', ru: 'Пользователей' }, format: 'number' },
        { key: 'avgMessages', label: { en: 'Avg messages', ru: 'Сообщений в среднем' }, format: 'number' },
        {
          key: 'avgRecencyDays',
          label: { en: 'Days since last message', ru: 'Дней с последнего сообщения' },
          format: 'number',
        },
        { key: 'negativeShare', label: { en: 'Negative', ru: 'Негатив' }, format: 'percent' },
      ],
      filters: [{ param: 'kind', label: { en: 'Kind', ru: 'Вид' }, options: ['rule', 'cluster'] }],
    },
    actions: [
      {
        id: 'cluster',
        label: { en: 'Cluster by behaviour', ru: 'Кластеризовать по поведению' },
        endpoint: '/users/clusters',
        confirm: {
          en: 'Recompute the behaviour clusters of all users (4 clusters)?',
          ru: 'Пересчитать кластеры поведения всех пользователей (4 кластера)?',
        },
      },
    ],
    create: {
      endpoint: '/users/segment',
      label: { en: 'Apply a segment', ru: 'Применить сегмент' },
      fields: [
        { key: 'name', label: { en: 'Name', ru: 'Название' }, required: true },
        { key: 'minMessages', label: { en: 'At least messages', ru: 'Не меньше сообщений' }, type: 'number' },
        { key: 'seenWithinDays', label: { en: 'Wrote within days', ru: 'Писал за дней' }, type: 'number' },
        { key: 'intent', label: { en: 'Had intent', ru: 'Было намерение' } },
        { key: 'tag', label: { en: 'Has tag', ru: 'Есть метка' } },
        {
          key: 'sentiment',
          label: { en: 'Sentiment', ru: 'Тональность' },
          type: 'select',
          options: ['positive', 'neutral', 'negative'],
        },
      ],
    },
  },
];

/**
 * The rule form: conditions as rows of the panel's `objects` field and the action as flat inputs,
 * translated to the API's shape by rule-form.ts and checked there. A new rule starts enabled
 * (the schema's default), so only the edit form has the checkbox: an unticked box sends false.
 */
function ruleFields(form: 'create' | 'edit'): AdminField[] {
  const fields: AdminField[] = [
    { key: 'name', label: { en: 'Name', ru: 'Название' }, required: true },
    {
      key: 'priority',
      label: { en: 'Priority', ru: 'Приоритет' },
      type: 'number',
      hint: { en: 'Higher runs first; 100 when empty.', ru: 'Больший проверяется раньше; пусто — 100.' },
    },
    ...(form === 'edit'
      ? [{ key: 'enabled', label: { en: 'Enabled', ru: 'Включено' }, type: 'boolean' } as const]
      : []),
    {
      key: 'cooldownSeconds',
      label: { en: 'Cooldown, s', ru: 'Пауза, с' },
      type: 'number',
      hint: {
        en: 'The rule fires at most once per thread in this time.',
        ru: 'Правило срабатывает в переписке не чаще раза за это время.',
      },
    },
    {
      key: 'conditionRows',
      label: { en: 'Conditions', ru: 'Условия' },
      type: 'objects',
      hint: {
        en: 'All must hold; none: always. One row per kind. keywords, intents, sentiments (positive, neutral, negative), segments: values one per line. firstMessage: the first message of a thread. timeOfDay, businessHours: from–to as HH:MM (past midnight when "to" is earlier); business days 1 (Monday) to 7, comma-separated, Monday–Friday when empty. "Not": not the first message, outside business hours.',
        ru: 'Должны выполняться все; без строк — всегда. По строке на вид. keywords (слова), intents (намерения), sentiments (тональность: positive, neutral, negative), segments (сегменты): значения по одному в строке. firstMessage: первое сообщение переписки. timeOfDay, businessHours: с–до как ЧЧ:ММ (через полночь, если «до» раньше); рабочие дни от 1 (понедельник) до 7 через запятую, пусто — понедельник–пятница. «Не»: не первое сообщение, вне рабочих часов.',
      },
      fields: [
        {
          key: 'kind',
          label: { en: 'Condition', ru: 'Условие' },
          type: 'select',
          options: [...CONDITION_KINDS],
          required: true,
        },
        {
          key: 'values',
          label: { en: 'Values, one per line', ru: 'Значения, по одному в строке' },
          type: 'list',
        },
        {
          key: 'mode',
          label: { en: 'Keyword match', ru: 'Совпадение слов' },
          type: 'select',
          options: [...KEYWORD_MODES],
          hint: { en: 'keywords only', ru: 'только для keywords' },
        },
        { key: 'caseSensitive', label: { en: 'Case-sensitive', ru: 'С учётом регистра' }, type: 'boolean' },
        { key: 'not', label: { en: 'Not', ru: 'Не' }, type: 'boolean' },
        { key: 'from', label: { en: 'From', ru: 'С' }, placeholder: { en: '09:00', ru: '09:00' } },
        { key: 'to', label: { en: 'To', ru: 'До' }, placeholder: { en: '18:00', ru: '18:00' } },
        {
          key: 'days',
          label: { en: 'Business days', ru: 'Рабочие дни' },
          placeholder: { en: '1,2,3,4,5', ru: '1,2,3,4,5' },
        },
      ],
    },
    {
      key: 'action.type',
      label: { en: 'Action', ru: 'Действие' },
      type: 'select',
      options: [...ACTION_TYPES],
      required: true,
      hint: {
        en: 'ai_reply: the AI answers (optional instructions); template: a fixed text; tag: add tags and go on to the next rule; handoff: hand to a person (optional message); no_reply: stay silent.',
        ru: 'ai_reply — отвечает ИИ (можно дать указания); template — готовый текст; tag — добавить метки и перейти к следующему правилу; handoff — передать человеку (можно с сообщением); no_reply — промолчать.',
      },
    },
    {
      key: 'action.instructions',
      label: { en: 'AI instructions', ru: 'Указания ИИ' },
      type: 'textarea',
      hint: { en: 'ai_reply only', ru: 'только для ai_reply' },
    },
    {
      key: 'action.text',
      label: { en: 'Template text', ru: 'Текст шаблона' },
      type: 'textarea',
      hint: { en: 'template only', ru: 'только для template' },
    },
    {
      key: 'action.tags',
      label: { en: 'Tags', ru: 'Метки' },
      type: 'list',
      hint: { en: 'tag only; one per line', ru: 'только для tag; по одной в строке' },
    },
    {
      key: 'action.message',
      label: { en: 'Handoff message', ru: 'Сообщение при передаче' },
      type: 'textarea',
      hint: { en: 'handoff only', ru: 'только для handoff' },
    },
  ];
  return fields;
}

export const instagramAdminWidgets: AdminWidgetDefinition[] = [
  {
    kind: 'stats',
    id: 'instagram-replies',
    title: { en: 'Instagram, 30 days', ru: 'Instagram, 30 дней' },
    endpoint: '/analytics/conversations',
    stats: [
      { key: 'replies.bot', label: { en: 'AI replies', ru: 'Ответов ИИ' }, format: 'number' },
      { key: 'replies.human', label: { en: 'Human replies', ru: 'Ответов людей' }, format: 'number' },
      { key: 'replies.aiShare', label: { en: 'AI share', ru: 'Доля ИИ' }, format: 'percent' },
      {
        key: 'responseSeconds.p50',
        label: { en: 'Median response, s', ru: 'Медиана ответа, с' },
        format: 'number',
      },
    ],
  },
  {
    kind: 'bar',
    id: 'instagram-per-day',
    title: { en: 'Instagram conversations per day', ru: 'Переписки Instagram по дням' },
    endpoint: '/analytics/conversations',
    items: 'perDay',
    label: 'day',
    labelFormat: 'date',
    value: 'conversations',
  },
  {
    kind: 'stats',
    id: 'instagram-conversions',
    title: { en: 'Instagram conversions, 30 days', ru: 'Конверсии Instagram, 30 дней' },
    endpoint: '/analytics/conversions',
    stats: [
      { key: 'totals.conversions', label: { en: 'Conversions', ru: 'Конверсий' }, format: 'number' },
      {
        key: 'totals.conversations',
        label: { en: 'Converted threads', ru: 'Переписок с конверсией' },
        format: 'number',
      },
      {
        key: 'totals.rate',
        label: { en: 'Of active threads', ru: 'От активных переписок' },
        format: 'percent',
      },
    ],
  },
  {
    kind: 'bar',
    id: 'instagram-conversions-per-day',
    title: { en: 'Instagram conversions per day', ru: 'Конверсии Instagram по дням' },
    endpoint: '/analytics/conversions',
    items: 'perDay',
    label: 'day',
    labelFormat: 'date',
    value: 'conversions',
  },
  {
    kind: 'bar',
    id: 'instagram-rule-conversion',
    title: {
      en: 'Instagram conversion rate by rule, %, 30 days',
      ru: 'Доля конверсий Instagram по правилам, %, 30 дней',
    },
    endpoint: '/analytics/conversions',
    items: 'rules',
    label: 'name',
    value: 'ratePercent',
  },
  {
    kind: 'bar',
    id: 'instagram-plan-conversion',
    title: {
      en: 'Instagram conversion rate by plan, %, 30 days',
      ru: 'Доля конверсий Instagram по планам, %, 30 дней',
    },
    endpoint: '/analytics/conversions',
    items: 'plans',
    label: 'name',
    value: 'ratePercent',
  },
  {
    kind: 'bar',
    id: 'instagram-sentiment',
    title: {
      en: 'Instagram messages by sentiment, 30 days',
      ru: 'Сообщения Instagram по тональности, 30 дней',
    },
    endpoint: '/analytics/conversations',
    items: 'sentiment',
    label: 'label',
    value: 'n',
  },
  {
    kind: 'bar',
    id: 'instagram-intents',
    title: { en: 'Instagram messages by intent, 30 days', ru: 'Сообщения Instagram по намерениям, 30 дней' },
    endpoint: '/analytics/conversations',
    items: 'intents',
    label: 'label',
    value: 'n',
  },
];
