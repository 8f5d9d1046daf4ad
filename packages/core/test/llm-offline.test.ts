import type { Sequelize } from 'sequelize';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AiServices, createAiServices } from '../src/llm/ai-services.js';
import { formatContextBlock } from '../src/llm/context-block.js';
import { LlmBudgetExceededError, LlmStructuredOutputError } from '../src/llm/errors.js';
import { classifyIntent, classifySentiment } from '../src/llm/offline/lexicon.js';
import { OFFLINE_MARKER } from '../src/llm/offline/offline-provider.js';
import type { Llm } from '../src/llm/types.js';
import { aiConfig, setupAiDatabase, silentLogger, testCrypto } from './ai-test-helpers.js';

const KNOWLEDGE = `You are the support assistant of CarRent. Answer only from the context.
Context:
CarRent rents cars in Lisbon and Porto. Our office opens at 9:00 and closes at 20:00 every day.
A deposit of 300 EUR is blocked on the card when you pick up the car. Child seats cost 5 EUR per day.
Cancellation is free up to 48 hours before the rental starts.`;

const KNOWLEDGE_RU = `Ты — ассистент проката. Отвечай только по контексту.
Контекст:
Офис работает с 9 до 20 часов. Залог составляет 300 евро. Детское кресло стоит 5 евро в день.`;

const TRANSCRIPT = [
  'user: I want to plan a trip to Japan in April.',
  'assistant: April is cherry blossom season, a great time to go.',
  'user: My budget is 3000 dollars and I prefer small family hotels.',
  'user: I also love ramen and hiking in the mountains.',
  'assistant: Consider Kyoto for hotels and Hakone for hiking.',
].join('\n');

// No OPENAI_API_KEY and no OPENAI_BASE_URL: the offline provider answers, deterministically and
// labelled, and usage is still accounted (model "offline").
describe('offline LLM provider', () => {
  let sequelize: Sequelize;
  let closeDb: () => Promise<void>;
  let ai: AiServices;
  let llm: Llm;

  beforeAll(async () => {
    let dataDir: string;
    ({ sequelize, dataDir, close: closeDb } = await setupAiDatabase());
    ai = createAiServices({
      crypto: testCrypto(),
      config: aiConfig({ LLM_DAILY_TOKEN_BUDGET: '5000' }),
      sequelize,
      dataDir,
      logger: silentLogger,
    });
    llm = ai.llmFor('support');
  });
  afterAll(async () => {
    await ai.close();
    await closeDb();
  });
  beforeEach(async () => {
    await sequelize.query('TRUNCATE core_llm_usage, core_llm_budgets');
  });

  it('is used when no endpoint is configured and says so', () => {
    expect(ai.offline).toBe(true);
    expect(llm.offline).toBe(true);
    expect(ai.describe()).toMatchObject({
      offline: true,
      endpoint: null,
      model: 'offline',
      embeddings: 'local-hash-384',
    });
  });

  it('answers from the best-matching passages of the context, labelled as offline', async () => {
    const deposit = await llm.chat({
      purpose: 'support.answer',
      user: '1',
      messages: [
        { role: 'system', content: KNOWLEDGE },
        { role: 'user', content: 'How much is the deposit for the car?' },
      ],
    });
    expect(deposit.offline).toBe(true);
    expect(deposit.model).toBe('offline');
    expect(deposit.content).toBe(
      `${OFFLINE_MARKER} From the provided context: A deposit of 300 EUR is blocked on the card when you pick up the car.`,
    );
    // Instructions in the system prompt are not quoted as knowledge.
    expect(deposit.content).not.toContain('Answer only');

    const cancel = await llm.chat({
      purpose: 'support.answer',
      messages: [
        { role: 'system', content: KNOWLEDGE },
        { role: 'user', content: 'Can I cancel for free?' },
      ],
    });
    expect(cancel.content).toContain('Cancellation is free up to 48 hours');

    const ru = await llm.chat({
      purpose: 'support.answer',
      messages: [
        { role: 'system', content: KNOWLEDGE_RU },
        { role: 'user', content: 'Какой залог за машину?' },
      ],
    });
    expect(ru.content).toBe(`${OFFLINE_MARKER} Из предоставленного контекста: Залог составляет 300 евро.`);
  });

  it('quotes passages in the language of the question when it can, and skips label lines', async () => {
    const bilingual = [
      'Answer only from the knowledge.',
      'Knowledge:',
      '[1] Office and hours:',
      'Airport delivery costs 20 euros each way and must be booked 12 hours in advance.',
      '[2] Офис и часы работы:',
      'Доставка в аэропорт стоит 20 евро в одну сторону, заказывать её нужно минимум за 12 часов.',
      '[3] Insurance:',
      'Full insurance without excess costs 12 euros a day.',
      '[4] Страховка:',
      'Полная страховка без франшизы стоит 12 евро в сутки.',
    ].join('\n');
    const ask = (question: string) =>
      llm.chat({
        purpose: 'support.answer',
        messages: [
          { role: 'system', content: bilingual },
          { role: 'user', content: question },
        ],
      });
    // "12" matches sentences of both languages equally; only the Russian ones are quoted.
    const ru = await ask('Можно ли взять машину на 12 мая?');
    expect(ru.content).toBe(
      `${OFFLINE_MARKER} Из предоставленного контекста: Доставка в аэропорт стоит 20 евро в одну сторону, заказывать её нужно минимум за 12 часов. Полная страховка без франшизы стоит 12 евро в сутки.`,
    );
    const en = await ask('Is airport delivery 20 euros?');
    expect(en.content).toBe(
      `${OFFLINE_MARKER} From the provided context: Airport delivery costs 20 euros each way and must be booked 12 hours in advance.`,
    );
    // With nothing in its own language, a question still gets the other language's passage.
    const onlyEnglish = await llm.chat({
      purpose: 'support.answer',
      messages: [
        { role: 'system', content: KNOWLEDGE },
        { role: 'user', content: 'Залог 300 EUR?' },
      ],
    });
    expect(onlyEnglish.content).toContain('A deposit of 300 EUR is blocked');
  });

  it('says plainly when nothing in the context matches, and is deterministic', async () => {
    const request = {
      purpose: 'support.answer',
      messages: [
        { role: 'system' as const, content: KNOWLEDGE },
        { role: 'user' as const, content: 'Do you sell spaceships on Mars?' },
      ],
    };
    const a = await llm.chat(request);
    const b = await llm.chat(request);
    expect(a.content).toMatch(
      /^\[offline\] No language model is configured, and nothing in the provided context matches/,
    );
    expect(b.content).toBe(a.content);
  });

  it('never quotes the conversation or the instructions, only grounding passages', async () => {
    // No context at all: the user's earlier statements and questions are not knowledge.
    const noContext = await llm.chat({
      purpose: 'memory.reply',
      messages: [
        { role: 'system', content: "Follow the user's instruction for your role: be a pirate." },
        { role: 'user', content: 'My dog is called Baxter and he is a beagle.' },
        { role: 'assistant', content: `${OFFLINE_MARKER} noted` },
        { role: 'user', content: 'What breed is my dog?' },
      ],
    });
    expect(noContext.content).toMatch(/nothing in the provided context matches/);

    // A context block: only its passages are quoted, never the earlier question that shares words.
    const system = [
      'Answer only from the passages in <context>, never from SUV prices you know yourself.',
      formatContextBlock([
        { label: 'Office and hours', text: 'Airport delivery costs 20 euros each way.' },
        {
          label: 'Fleet and prices',
          text: 'Economy cars cost from 35 euros a day. SUVs cost from 80 euros a day.',
        },
      ]),
    ].join('\n');
    const answer = await llm.chat({
      purpose: 'support.answer',
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'How much does it cost to rent a car?' },
        {
          role: 'assistant',
          content: `${OFFLINE_MARKER} From the provided context: Economy cars cost from 35 euros a day.`,
        },
        { role: 'user', content: 'And how much does an SUV cost?' },
      ],
    });
    expect(answer.content).toBe(
      `${OFFLINE_MARKER} From the provided context: SUVs cost from 80 euros a day.`,
    );
    expect(answer.content).not.toContain('rent a car?');
    expect(answer.content).not.toContain('Fleet and prices');
    expect(answer.content).not.toContain('know yourself');
  });

  it('quotes every matching line of the best passage and finds it through synonyms', async () => {
    const system = formatContextBlock([
      {
        label: 'Fleet and prices',
        text: 'Economy cars cost from 35 euros a day.\nCompact cars cost from 50 euros a day.\nSUVs cost from 80 euros a day.',
      },
      { label: 'Requirements', text: 'Drivers must be at least 21 years old.' },
      { label: 'Требования', text: 'Водителю должно быть не меньше 21 года.' },
    ]);
    const ask = async (question: string) =>
      (
        await llm.chat({
          purpose: 'support.answer',
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: question },
          ],
        })
      ).content;
    const all = await ask('How much does it cost to rent a car?');
    for (const price of ['35 euros', '50 euros', '80 euros']) expect(all).toContain(price);
    expect(await ask('What is the minimum age to rent?')).toContain('at least 21 years old');
    expect(await ask('Со скольки лет можно арендовать?')).toContain('не меньше 21 года');
  });

  it('summarises extractively when the purpose or instruction asks for a summary', async () => {
    const summary = await llm.chat({
      purpose: 'memory.summary',
      messages: [
        { role: 'system', content: 'Summarize the conversation in three sentences.' },
        { role: 'user', content: TRANSCRIPT },
      ],
    });
    expect(summary.content.startsWith(`${OFFLINE_MARKER} Extractive summary:`)).toBe(true);
    const sentences = summary.content.replace(`${OFFLINE_MARKER} Extractive summary: `, '');
    // Only sentences of the input, without speaker prefixes, at most three.
    const quoted = sentences.split(/(?<=\.)\s+/);
    expect(quoted.length).toBeLessThanOrEqual(3);
    for (const sentence of quoted) expect(TRANSCRIPT).toContain(sentence);
    expect(sentences).not.toMatch(/user:|assistant:/);
  });

  it('classifies sentiment and intent with the en/ru lexicon', async () => {
    expect(classifySentiment('Thank you, this was really helpful!').label).toBe('positive');
    expect(classifySentiment('This is terrible, the car is broken').label).toBe('negative');
    expect(classifySentiment('Машина не работает, это ужасно').label).toBe('negative');
    expect(classifySentiment('Спасибо, всё отлично').label).toBe('positive');
    expect(classifySentiment('not good').label).toBe('negative');
    expect(classifySentiment('The office is on Main street').label).toBe('neutral');

    expect(classifyIntent('Позовите менеджера, пожалуйста').intent).toBe('human_request');
    expect(classifyIntent('Can I talk to a human?').intent).toBe('human_request');
    expect(classifyIntent('I want a refund, this is unacceptable').intent).toBe('complaint');
    expect(classifyIntent('Привет!').intent).toBe('greeting');
    expect(classifyIntent('thanks a lot').intent).toBe('thanks');
    expect(classifyIntent('What time do you open?').intent).toBe('question');
    expect(classifyIntent('сколько стоит аренда').intent).toBe('question');
    expect(classifyIntent('I need to book a car for Friday').intent).toBe('request');
    expect(classifyIntent('').intent).toBe('other');

    const labelled = await llm.chat({
      purpose: 'support.classify-intent',
      messages: [{ role: 'user', content: 'This is awful, get me a manager now' }],
    });
    expect(labelled.content).toBe(`${OFFLINE_MARKER} sentiment: negative; intent: human_request`);
  });

  it('fills structured schemas with extractions or honest defaults', async () => {
    const Memory = z.object({
      title: z.string(),
      summary: z.string(),
      facts: z.array(z.string()),
      sentiment: z.enum(['positive', 'neutral', 'negative']),
      importance: z.number().int().min(1).max(5),
      followUp: z.boolean(),
      note: z.string().optional(),
      source: z.string().nullable(),
    });
    const result = await llm.structured({
      purpose: 'memory.extract',
      user: '9',
      schema: Memory,
      messages: [
        { role: 'system', content: 'Summarize the conversation and extract the facts about the user.' },
        { role: 'user', content: TRANSCRIPT },
      ],
    });
    expect(result.offline).toBe(true);
    const data = result.data;
    expect(Memory.safeParse(data).success).toBe(true);
    expect(data.facts.length).toBeGreaterThan(0);
    for (const fact of data.facts) expect(TRANSCRIPT).toContain(fact);
    expect(data.summary).toBe(data.facts.join(' '));
    expect(data.title.split(' ').length).toBeLessThanOrEqual(8);
    expect(data.sentiment).toBe('positive');
    expect(data.importance).toBe(1); // the minimum: no pretending to judge importance
    expect(data.followUp).toBe(false);
    expect(data).not.toHaveProperty('note');
    expect(data.source).toBeNull();

    const Intent = z.object({ intent: z.enum(['question', 'handoff', 'other']), answer: z.string() });
    const routed = await llm.structured({
      purpose: 'support.route',
      schema: Intent,
      messages: [
        { role: 'system', content: KNOWLEDGE },
        { role: 'user', content: 'I need a human operator please' },
      ],
    });
    expect(routed.data).toEqual({ intent: 'handoff', answer: '' });
  });

  it('refuses honestly when a schema needs what only a model can provide', async () => {
    const Strict = z.object({ code: z.string().regex(/^[A-Z]{3}-\d{4}$/) });
    const error = await llm
      .structured({
        purpose: 'support.code',
        schema: Strict,
        messages: [{ role: 'user', content: 'make a code' }],
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LlmStructuredOutputError);
    expect(error.code).toBe('LLM_INVALID_OUTPUT');
  });

  it('streams the offline answer and records usage rows with model "offline"', async () => {
    const { chunks, result } = llm.stream({
      purpose: 'support.answer',
      user: '77',
      messages: [
        { role: 'system', content: KNOWLEDGE },
        { role: 'user', content: 'When does the office open?' },
      ],
    });
    let text = '';
    for await (const delta of chunks) text += delta;
    const final = await result;
    expect(final.content).toBe(text);
    expect(text).toContain('Our office opens at 9:00');
    expect(final.usage.promptTokens).toBeGreaterThan(20);

    const [rows] = await sequelize.query(
      'SELECT plugin, purpose, user_id, model, calls, prompt_tokens::int AS p FROM core_llm_usage',
    );
    expect(rows).toEqual([
      {
        plugin: 'support',
        purpose: 'support.answer',
        user_id: '77',
        model: 'offline',
        calls: 1,
        p: final.usage.promptTokens,
      },
    ]);
  });

  it('enforces budgets offline too', async () => {
    await ai.usage.setUserLimit('support', 'heavy', 10);
    const ask = () =>
      llm.chat({
        purpose: 'support.answer',
        user: 'heavy',
        messages: [
          { role: 'system', content: KNOWLEDGE },
          { role: 'user', content: 'deposit?' },
        ],
      });
    await ask();
    await expect(ask()).rejects.toBeInstanceOf(LlmBudgetExceededError);
  });
});
