/**
 * Questions that need live data (availability on dates, current stock, the status of a
 * booking) cannot be answered from static knowledge, however well a passage matches: the
 * assistant hands them to a manager. Detection is lexical: a "live" intent word together
 * with a date or time reference, or an explicit question about the current state.
 */
const LIVE_INTENT =
  /\b(?:available|availability|free|vacant|booked|reserved|in stock|left|still have)\b|свобод\w*|занят\w*|доступ\w*|налич\w*|забронир\w*|брон\w*|остал\w*|есть ли/iu;

const EN_MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const RU_MONTH = '(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр)\\p{L}*';

const DATE_REFERENCE = new RegExp(
  [
    '\\b\\d{1,2}[./-]\\d{1,2}(?:[./-]\\d{2,4})?\\b',
    '\\b\\d{4}-\\d{2}-\\d{2}\\b',
    `\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${EN_MONTH}\\b`,
    `\\b${EN_MONTH}\\s+\\d{1,2}`,
    `\\d{1,2}\\s+${RU_MONTH}`,
    '\\b(?:today|tomorrow|tonight|this (?:week|weekend|month)|next (?:week|weekend|month)|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\\b',
    '(?:^|\\s)(?:сегодня|завтра|послезавтра|на выходных|на (?:этой|следующей) неделе)',
    '\\b(?:from|until|till)\\s+(?:the\\s+)?\\d{1,2}',
    '(?:^|\\s)(?:с|по|до)\\s+\\d{1,2}',
  ].join('|'),
  'iu',
);

const CURRENT_STATE =
  /\b(?:status of my (?:order|booking)|where is my (?:order|car|booking)|right now|at the moment)\b|статус (?:моего|моей) (?:заказ|брон)\w*|где мо[йя] (?:заказ|машин)\w*|прямо сейчас|на данный момент/iu;

export function needsLiveData(question: string): boolean {
  if (CURRENT_STATE.test(question)) return true;
  return LIVE_INTENT.test(question) && DATE_REFERENCE.test(question);
}
