import type { Translator } from '@botloom/core';
import { ScriptedLlm } from '@botloom/core/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  ASSISTANT_MARKER,
  decideResponder,
  demoEducationScenario,
  EducationScenarioSchema,
  GroupMessageAnalyzer,
  markAssistantText,
  offlineAnalysis,
} from '../src/education/index.js';

const logger = pino({ level: 'silent' });
const en = demoEducationScenario.en;
const ru = demoEducationScenario.ru;
const taskIndex = en.stages.findIndex((s) => s.assignment);

describe('Script #2 schema', () => {
  it('the demo scenarios are valid in both languages and have the same stages', () => {
    expect(EducationScenarioSchema.safeParse(en).success).toBe(true);
    expect(ru.stages.map((s) => s.id)).toEqual(en.stages.map((s) => s.id));
  });

  it('refuses duplicate stage ids, a missing welcome and an assignment stage without a task, with paths', () => {
    const result = EducationScenarioSchema.safeParse({
      title: 'Broken',
      stages: [
        { id: 'story', kind: 'story', lines: ['a'] },
        { id: 'story', kind: 'assignment', lines: ['b'] },
      ],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'stages.1.assignment: an assignment stage needs an assignment',
        'stages.1.id: duplicate stage id "story"',
        'stages.0.kind: the first stage is the welcome',
      ]),
    );
  });
});

describe('who answers in the group', () => {
  const decide = (text: string, scenario = en, assistantsAvailable = true) =>
    decideResponder({
      analysis: offlineAnalysis(text, scenario.stages[taskIndex]),
      scenario,
      stageIndex: taskIndex,
      assistantsAvailable,
    });

  it('an answer that does the assignment gets the main bot’s feedback (en and ru)', () => {
    expect(decide('My income is 1500, rent 700, transport 100 and I save 150')).toMatchObject({
      responder: 'bot',
      action: 'feedback_good',
    });
    expect(decide('Мой доход 60 тысяч, аренда 25, транспорт 5, хочу откладывать 6', ru)).toMatchObject({
      responder: 'bot',
      action: 'feedback_good',
    });
  });

  it('an attempt that misses gets retry feedback; a question a hint; small talk nobody', () => {
    expect(decide('I am not sure what to write here at all')).toMatchObject({ action: 'feedback_retry' });
    expect(decide('How detailed should it be?')).toMatchObject({ responder: 'bot', action: 'hint' });
    expect(decide('thanks!')).toEqual({ responder: 'nobody', action: 'none' });
    expect(decide('спасибо')).toEqual({ responder: 'nobody', action: 'none' });
  });

  it('asking for an example brings an assistant with a worked example, or the main bot without assistants', () => {
    const withAssistant = decide("I don't understand, can you show an example?");
    expect(withAssistant).toMatchObject({ responder: 'assistant', action: 'example' });
    expect(withAssistant.responder === 'assistant' && withAssistant.example.kind).toBe('example');
    expect(decide('Не понимаю, покажите пример', ru, false)).toMatchObject({
      responder: 'bot',
      action: 'hint',
    });
  });

  it('the offline analysis says it is offline', () => {
    expect(offlineAnalysis('hello', en.stages[0])).toMatchObject({
      source: 'offline',
      answersAssignment: false,
    });
  });
});

describe('message analysis with a model', () => {
  const stage = en.stages[taskIndex];

  it('uses the model’s structured answer, labelled model', async () => {
    const llm = new ScriptedLlm({
      data: {
        summary: 'Lists income and costs',
        intent: 'answer',
        answersAssignment: true,
        sentiment: 'neutral',
      },
    });
    const analysis = await new GroupMessageAnalyzer(llm, logger).analyse({
      text: 'income 10, rent 5',
      stage,
      locale: 'en',
      userId: 1,
    });
    expect(analysis).toMatchObject({ source: 'model', answersAssignment: true, intent: 'answer' });
    expect(llm.requestsFor('sales.education.analyse')[0]!.messages[0]!.content).toContain(
      stage!.assignment!.task,
    );
  });

  it('an LLM outage falls back to the offline rules instead of stalling the lesson', async () => {
    const llm = new ScriptedLlm();
    llm.fail = 'unavailable';
    const analysis = await new GroupMessageAnalyzer(llm, logger).analyse({
      text: 'My income is 1500, rent 700, transport 100 and I save 150',
      stage,
      locale: 'en',
      userId: 1,
    });
    expect(analysis).toMatchObject({
      source: 'offline',
      fallbackReason: 'unavailable',
      answersAssignment: true,
    });
  });
});

describe('assistant disclosure', () => {
  it('every assistant text starts with the marker, even if a translation forgot it', () => {
    const forgetful: Translator = { locales: ['en'], defaultLocale: 'en', t: (_l, _k, v) => String(v?.text) };
    const text = markAssistantText(forgetful, 'en', { kind: 'example', text: 'Income 1500' });
    expect(text.startsWith(ASSISTANT_MARKER)).toBe(true);
    expect(text).toContain('Assistant (bot)');
  });
});
