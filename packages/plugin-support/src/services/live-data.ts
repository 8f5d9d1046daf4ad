/**
 * Questions that need live data (availability on dates, current stock, the status of a
 * booking) cannot be answered from static knowledge, however well a passage matches: the
 * assistant hands them to a manager. Detection is lexical, in English and Russian:
 * - an availability or booking intent ("is … available", "can I book/rent/take", "свободна ли",
 *   "можно ли взять/забронировать") together with a date or time reference ("on May 12",
 *   "12.05", "tomorrow", "next weekend", "12 мая", "завтра", "на выходные");
 * - or a question about the current state: "right now", the status of an order or booking;
 * - or whether vehicles are free at all: an availability word with a vehicle word.
 * A duration is not a date: "Сколько стоит аренда на 7 дней?" is a price question.
 */
const LIVE_INTENT = new RegExp(
  [
    // English: availability words, and booking verbs (rent, book, hire, reserve, take, get, pick up).
    '\\b(?:available|availability|free|vacant|booked|reserved|in stock|left|still have|any cars?)\\b',
    '\\b(?:book|booking|reserve|reservation|rent|hire|take|get|pick(?:ing)? up|collect)\\b',
    // Russian: свободна/занята/доступна, в наличии, бронь/забронировать, взять/арендовать/снять/получить.
    '(?:^|[^\\p{L}])(?:свобод|занят|доступ|брон|забронир|зарезерв|резерв|остал|арендова|арендую|взять|возьму|снять|сниму|получить|забрать|заберу)\\p{L}*',
    'в наличии|есть ли',
  ].join('|'),
  'iu',
);

const EN_MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const RU_MONTH = '(?:январ|феврал|март|апрел|ма[йяю]|июн|июл|август|сентябр|октябр|ноябр|декабр)\\p{L}*';
const EN_DAY = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
const RU_DAY =
  '(?:понедельник|вторник|сред[ау]|четверг|пятниц[ау]|суббот[ау]|воскресенье|выходн\\p{L}*|праздник\\p{L}*)';

const DATE_REFERENCE = new RegExp(
  [
    '\\b\\d{1,2}[./-]\\d{1,2}(?:[./-]\\d{2,4})?\\b',
    '\\b\\d{4}-\\d{2}-\\d{2}\\b',
    `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${EN_MONTH}\\b`,
    `\\b${EN_MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?\\b`,
    '\\bon the \\d{1,2}(?:st|nd|rd|th)\\b',
    `\\d{1,2}(?:-?(?:го|е|ое))?\\s+${RU_MONTH}`,
    `\\b(?:today|tonight|tomorrow|this (?:week|weekend|month|${EN_DAY})|next (?:week|weekend|month|${EN_DAY})|(?:on|for) (?:the )?(?:weekend|${EN_DAY})|in (?:a|one|two|\\d+) (?:days?|weeks?))\\b`,
    `(?:^|[^\\p{L}])(?:сегодня|завтра|послезавтра|на (?:эт\\p{L}+|следующ\\p{L}+|ближайш\\p{L}+) (?:недел\\p{L}*|выходн\\p{L}*|месяц\\p{L}*)|(?:на|в|во|к) ${RU_DAY}|через (?:\\d+ )?(?:день|дня|дней|недел\\p{L}*|месяц\\p{L}*))(?![\\p{L}])`,
    '\\b(?:from|until|till)\\s+(?:the\\s+)?\\d{1,2}(?![\\d:]|\\s*(?:years?|yo|hours?|euros?|km|%|percent))',
    '(?:^|\\s)(?:с|по|до)\\s+\\d{1,2}(?![\\d:.,]|\\s*(?:лет|год|час|евро|км|%|процент))',
  ].join('|'),
  'iu',
);

const CURRENT_STATE = new RegExp(
  [
    '\\b(?:right now|at the moment|currently available)\\b',
    '\\b(?:status|state) of (?:my|the|our) (?:order|booking|reservation|rental)\\b',
    '\\bwhere is my (?:order|car|booking|reservation|deposit|refund)\\b',
    '\\b(?:is|has) my (?:order|booking|reservation|rental|deposit|refund) (?:been )?(?:confirmed|ready|processed|cancell?ed|paid|returned|approved)\\b',
    '\\b(?:order|booking|reservation) (?:number|no\\.?|#)\\s*\\d+',
    '(?:^|[^\\p{L}])(?:прямо сейчас|на данный момент|в данный момент)(?![\\p{L}])',
    'статус\\p{L}* (?:мо\\p{L}+ |наш\\p{L}+ )?(?:заказ|брон|резерв|аренд)\\p{L}*',
    'где (?:мо[йяеи]|наш\\p{L}*) (?:заказ|машин|автомобил|брон|залог)\\p{L}*',
    '(?:подтвержд|подтвердил|готов|оплачен|отмен)\\p{L}* ли (?:мо\\p{L}+|наш\\p{L}+) (?:заказ|брон|резерв|машин)\\p{L}*',
    '(?:мо[йяеи]|наш\\p{L}*) (?:заказ|брон\\p{L}*|резерв\\p{L}*) (?:уже )?(?:подтвержд|готов|оплачен|отмен)\\p{L}*',
    '(?:заказ|брон\\p{L}*|резерв\\p{L}*) (?:№|номер)\\s*\\d+',
  ].join('|'),
  'iu',
);

/**
 * Whether a vehicle is free at all ("Do you have any SUVs available?", "Есть ли свободные
 * машины?") is live data even without a date; whether a service is offered ("Is airport
 * delivery available?") is knowledge.
 */
const AVAILABILITY_WORD =
  /\b(?:available|availability|in stock|vacant)\b|(?:^|[^\p{L}])(?:свободн\p{L}*|в наличии)/iu;
const VEHICLE_WORD =
  /\b(?:cars?|vehicles?|suvs?|models?)\b|(?:^|[^\p{L}])(?:машин|автомобил|внедорожник|модел)\p{L}*/iu;

export function needsLiveData(question: string): boolean {
  if (CURRENT_STATE.test(question)) return true;
  if (AVAILABILITY_WORD.test(question) && VEHICLE_WORD.test(question)) return true;
  return LIVE_INTENT.test(question) && DATE_REFERENCE.test(question);
}
