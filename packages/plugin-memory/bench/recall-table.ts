/**
 * The memory recall table: what a user tells the bot in one session, and what they ask in the
 * next one, in English and Russian. Each question names what the reply must contain and, where
 * a wrong memory is the likely mistake, what it must not ("Как зовут моего кота?" is not
 * answered with "Меня зовут Ольга").
 */
export interface RecallQuestion {
  question: string;
  expect: RegExp;
  notExpect?: RegExp;
}

export interface RecallCase {
  language: 'en' | 'ru';
  /** Messages of the first session (greetings and questions included, as people write). */
  told: string[];
  /** Asked in the next session. */
  asked: RecallQuestion[];
  /** Memories must not keep these (questions, greetings). */
  neverRemembered: RegExp[];
}

export const RECALL_TABLE: RecallCase[] = [
  {
    language: 'en',
    told: [
      'Hi! My name is Alex and I live in Lisbon. I have a dog named Biscuit.',
      'Where is a good place to walk a dog?',
      'I work as a nurse at a children’s hospital.',
      'thanks!',
    ],
    asked: [
      { question: 'What is my name?', expect: /Alex/ },
      { question: 'Which city do I live in?', expect: /Lisbon/ },
      { question: 'What is my dog called?', expect: /Biscuit/ },
      { question: 'What do I do for work?', expect: /nurse/ },
    ],
    neverRemembered: [/Where is a good place/, /^Hi!/, /thanks/i],
  },
  {
    language: 'ru',
    told: [
      'Привет! Меня зовут Ольга, я живу в Казани.',
      'Моего кота зовут Барсик.',
      'Какая завтра погода?',
      'Я работаю учителем математики.',
      'Спасибо!',
    ],
    asked: [
      { question: 'Как зовут моего кота?', expect: /Барсик/, notExpect: /Ольга/ },
      { question: 'В каком городе я живу?', expect: /Казан/ },
      { question: 'Кем я работаю?', expect: /учител/ },
      { question: 'Как меня зовут?', expect: /Ольга/ },
    ],
    neverRemembered: [/погода/, /^Привет/, /Спасибо/],
  },
];

/** Whether a reply recalls what the question needs (and not the likely wrong memory). */
export function recalled(reply: string, question: RecallQuestion): boolean {
  return question.expect.test(reply) && !(question.notExpect?.test(reply) ?? false);
}
