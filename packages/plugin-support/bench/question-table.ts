import type { AnswerResult } from '../src/services/answer-service.js';
import type { SmallTalk } from '../src/services/small-talk.js';

/**
 * The pinned customer questions over the reference app's demo knowledge
 * (apps/reference/knowledge), English and Russian. An answer case names the sentence the
 * offline provider must quote (`answer`) and the facts any model's answer must state (`facts`);
 * a decline case says which offer is due: `live_data` (a manager checks availability) or
 * `not_known` (the knowledge does not cover it); small talk gets a friendly reply.
 */
export type Expected =
  | { answer: RegExp; facts: string[] }
  | { offer: 'live_data' | 'not_known' }
  | { smallTalk: SmallTalk };

const a = (answer: RegExp, ...facts: string[]): Expected => ({ answer, facts });
const LIVE: Expected = { offer: 'live_data' };
const UNKNOWN: Expected = { offer: 'not_known' };

export const QUESTION_TABLE: Array<[string, Expected]> = [
  // English
  ['How big is the deposit?', a(/deposit is 300 euros/, '300')],
  ['How much does an SUV cost?', a(/80 euros a day/, '80')],
  ['What are your prices for an SUV?', a(/SUVs .*80 euros a day/, '80')],
  ['How much does it cost to rent a car?', a(/35 euros.*50 euros.*80 euros/s, '35', '50', '80')],
  ['Where is your office?', a(/Knez Mihailova 10/, 'Knez Mihailova')],
  ['How old must the driver be?', a(/at least 21 years old/, '21')],
  ['What is the minimum age to rent?', a(/at least 21 years old/, '21')],
  ['Can I pay the deposit in cash?', a(/not for the deposit/, 'deposit')],
  ['How much is full insurance?', a(/12 euros a day/, '12')],
  ['Is there a discount for rentals of 7 days?', a(/15 percent discount/, '15')],
  ['Can I drive to Montenegro?', a(/Montenegro/, 'Montenegro')],
  ['Do I need an international driving permit?', a(/international driving permit is required/, 'permit')],
  ['What about fuel?', a(/full tank/, 'full')],
  ['Is mileage limited?', a(/Mileage is unlimited/, 'unlimited')],
  ['Do you rent yachts?', UNKNOWN],
  ['Do you have child seats?', UNKNOWN],
  ['Is a Toyota RAV4 available on May 12?', LIVE],
  ['Can I book a car for next weekend?', LIVE],
  ['What is the status of my booking?', LIVE],
  ['Do you have any SUVs available?', LIVE],
  ['Is airport delivery available?', a(/Airport delivery costs 20 euros/, '20')],
  // Russian
  ['Какой залог?', a(/Залог составляет 300 евро/, '300')],
  ['Сколько стоит внедорожник?', a(/от 80 евро в сутки/, '80')],
  ['Сколько стоит аренда машины?', a(/35 евро.*50 евро.*80 евро/s, '35', '50', '80')],
  ['Сколько стоит аренда на 7 дней?', a(/скидка 15 процентов/, '15')],
  ['Где находится офис?', a(/Кнез Михайлова 10/, 'Кнез Михайлова')],
  ['Со скольки лет можно арендовать?', a(/не меньше 21 года/, '21')],
  ['Какие карты вы принимаете?', a(/Visa и Mastercard/, 'Visa')],
  ['Сколько стоит полная страховка?', a(/12 евро в сутки/, '12')],
  ['Можно ли поехать в Черногорию?', a(/Черногорию/, 'Черногори')],
  ['Сколько стоит доставка в аэропорт?', a(/20 евро в одну сторону/, '20')],
  [
    'Нужно ли международное водительское удостоверение?',
    a(/Международное водительское удостоверение нужно/, 'удостоверение'),
  ],
  ['С каким баком возвращать машину?', a(/полным баком/, 'полным')],
  ['Есть ли ограничение пробега?', a(/Пробег не ограничен/, 'не ограничен')],
  ['Есть ли у вас яхты?', UNKNOWN],
  ['Есть ли у вас детские кресла?', UNKNOWN],
  ['Можно ли взять машину на 12 мая?', LIVE],
  ['Свободна ли Toyota RAV4 на выходные?', LIVE],
  ['Подтверждена ли моя бронь?', LIVE],
  ['Есть ли свободные машины?', LIVE],
  // Small talk
  ['hello', { smallTalk: 'greeting' }],
  ['thanks!', { smallTalk: 'thanks' }],
  ['Привет', { smallTalk: 'greeting' }],
  ['Спасибо', { smallTalk: 'thanks' }],
];

/**
 * Whether `result` is right for `expected`: the offline provider must quote the pinned
 * sentence; a model (which words answers its own way) must state every fact.
 */
export function judge(result: AnswerResult, expected: Expected, offline: boolean): boolean {
  if ('answer' in expected) {
    if (result.kind !== 'answer') return false;
    if (offline) return expected.answer.test(result.text);
    const text = result.text.toLowerCase();
    return expected.facts.every((fact) => text.includes(fact.toLowerCase()));
  }
  if ('smallTalk' in expected) return result.kind === 'small_talk' && result.intent === expected.smallTalk;
  if (result.kind !== 'cannot_answer') return false;
  return expected.offer === 'live_data' ? result.reason === 'live_data' : result.reason !== 'live_data';
}
