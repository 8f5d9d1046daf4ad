import { z } from 'zod';

/**
 * Script #2: the teaching scenario that runs in an education group. The sales script carries
 * it as its optional `education` section. Stages run in order; a stage without an assignment
 * is posted and left at once, a stage with an assignment waits for the client's answer and
 * gives feedback on it.
 */

const Line = z.string().trim().min(1).max(2000);

/** A post by a disclosed assistant bot; the marker ("🤖 Assistant · …") is added when sending. */
export const AssistantPostSchema = z
  .object({
    kind: z.enum(['example', 'question']).describe('a worked example, or a question newcomers often ask'),
    text: Line,
    /** For a question: the answer the main bot gives right after it. */
    answer: Line.optional(),
  })
  .strict();

export const AssignmentSchema = z
  .object({
    task: Line,
    /** Words an answer that engages with the task tends to contain (any one counts; offline check). */
    keywords: z.array(z.string().trim().min(2).max(60)).max(40).default([]),
    /** Answers shorter than this many words get the "needs work" feedback. */
    minWords: z.number().int().min(1).max(500).default(5),
    /** Feedback on an answer that does the task. */
    goodFeedback: Line,
    /** Feedback on an answer that does not yet (the client can try again). */
    retryFeedback: Line,
    /** After this many answers that miss, the scenario moves on anyway (the last one still gets `retryFeedback`). */
    maxAttempts: z.number().int().min(1).max(10).default(2),
    /** What the main bot says to a question during this stage (a hint, not the answer). */
    hint: Line.optional(),
  })
  .strict();

export const EducationStageSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - and _'),
    kind: z.enum(['welcome', 'story', 'assignment', 'feedback', 'closing']),
    /** What the main bot posts when the stage begins. */
    lines: z.array(Line).min(1).max(10),
    assistantPosts: z.array(AssistantPostSchema).max(5).default([]),
    assignment: AssignmentSchema.optional(),
  })
  .strict()
  .superRefine((stage, ctx) => {
    if (stage.kind === 'assignment' && !stage.assignment) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['assignment'],
        message: 'an assignment stage needs an assignment',
      });
    }
  });

export const EducationScenarioSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    stages: z.array(EducationStageSchema).min(1).max(30),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const seen = new Set<string>();
    scenario.stages.forEach((stage, i) => {
      if (seen.has(stage.id)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['stages', i, 'id'],
          message: `duplicate stage id "${stage.id}"`,
        });
      }
      seen.add(stage.id);
    });
    if (scenario.stages[0]?.kind !== 'welcome') {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['stages', 0, 'kind'],
        message: 'the first stage is the welcome',
      });
    }
  });

export type EducationScenario = z.output<typeof EducationScenarioSchema>;
export type EducationStage = EducationScenario['stages'][number];
export type EducationAssignment = NonNullable<EducationStage['assignment']>;
export type AssistantPost = EducationStage['assistantPosts'][number];

/**
 * The demo course's Script #2: lesson one of "Data analysis from zero", the course the demo sales
 * scripts sell (its first dataset is the client's own monthly money: income, costs, savings).
 */
export const demoEducationScenario: Record<'en' | 'ru', EducationScenario> = {
  en: EducationScenarioSchema.parse({
    title: 'Data analysis from zero: study group',
    stages: [
      {
        id: 'welcome',
        kind: 'welcome',
        lines: [
          'Welcome to your study group of "Data analysis from zero"! I am the course bot. I will guide you through the first lesson here, step by step.',
        ],
      },
      {
        id: 'story',
        kind: 'story',
        lines: [
          'A short story first: the author of the course learned data analysis on the numbers closest to hand, her own monthly money. Your first dataset is the same: what comes in, what goes out, and what one column of totals tells you before the month starts.',
        ],
        assistantPosts: [
          {
            kind: 'example',
            text: 'Income 1500. Fixed costs (rent, transport) 900. Savings goal 150 (10%). That leaves 450 for food and everything else: about 15 a day.',
          },
        ],
      },
      {
        id: 'first_task',
        kind: 'assignment',
        lines: ['Your first assignment.'],
        assistantPosts: [
          {
            kind: 'question',
            text: 'Do I have to count every coffee?',
            answer: 'No. For the first week, rough categories are enough: housing, transport, food, other.',
          },
        ],
        assignment: {
          task: 'Write your monthly income, your three biggest fixed costs and how much you would like to save. Rough numbers are fine.',
          keywords: ['income', 'salary', 'rent', 'save', 'saving', 'costs', 'transport', 'food', 'loan'],
          minWords: 6,
          goodFeedback:
            'Good start: you have the skeleton of a budget. Next lesson we split the rest into weekly amounts.',
          retryFeedback:
            'Almost: give your income, your three biggest fixed costs and a savings goal, with rough numbers.',
          maxAttempts: 2,
          hint: 'A hint: start from what reaches your account each month, then list rent, transport and loans.',
        },
      },
      {
        id: 'closing',
        kind: 'closing',
        lines: ['That is the end of lesson one. The next lesson opens tomorrow; ask here any time.'],
      },
    ],
  }),
  ru: EducationScenarioSchema.parse({
    title: 'Анализ данных с нуля: учебная группа',
    stages: [
      {
        id: 'welcome',
        kind: 'welcome',
        lines: [
          'Добро пожаловать в учебную группу курса «Анализ данных с нуля»! Я бот курса и проведу вас по первому уроку здесь, шаг за шагом.',
        ],
      },
      {
        id: 'story',
        kind: 'story',
        lines: [
          'Сначала короткая история: автор курса училась анализу данных на самых близких цифрах — своих деньгах за месяц. Ваш первый набор данных такой же: что приходит, что уходит и что одна колонка итогов скажет вам до начала месяца.',
        ],
        assistantPosts: [
          {
            kind: 'example',
            text: 'Доход 60 000. Постоянные расходы (аренда, транспорт) 36 000. Цель накоплений 6 000 (10%). Остаётся 18 000 на еду и всё остальное: около 600 в день.',
          },
        ],
      },
      {
        id: 'first_task',
        kind: 'assignment',
        lines: ['Первое задание.'],
        assistantPosts: [
          {
            kind: 'question',
            text: 'Нужно ли записывать каждую чашку кофе?',
            answer: 'Нет. В первую неделю достаточно крупных категорий: жильё, транспорт, еда, прочее.',
          },
        ],
        assignment: {
          task: 'Напишите ваш месячный доход, три самых крупных постоянных расхода и сколько хотите откладывать. Примерные цифры подойдут.',
          keywords: [
            'доход',
            'зарплата',
            'аренда',
            'откладывать',
            'накопления',
            'расходы',
            'транспорт',
            'еда',
            'кредит',
          ],
          minWords: 6,
          goodFeedback:
            'Хорошее начало: каркас бюджета готов. На следующем уроке разделим остаток на недельные суммы.',
          retryFeedback:
            'Почти: укажите доход, три крупнейших постоянных расхода и цель накоплений, примерными цифрами.',
          maxAttempts: 2,
          hint: 'Подсказка: начните с того, что приходит на счёт каждый месяц, затем перечислите аренду, транспорт и кредиты.',
        },
      },
      {
        id: 'closing',
        kind: 'closing',
        lines: [
          'Первый урок окончен. Следующий откроется завтра; вопросы можно задавать здесь в любое время.',
        ],
      },
    ],
  }),
};

/** The scenario for a locale: Russian for `ru*`, English otherwise. */
export function demoScenarioFor(locale: string): EducationScenario {
  return locale.toLowerCase().startsWith('ru') ? demoEducationScenario.ru : demoEducationScenario.en;
}
