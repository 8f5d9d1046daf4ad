/**
 * Query expansion for lexical matching (the offline provider, plugin-support's lexical index):
 * small groups of en/ru words that name the same thing in customer questions and in the
 * texts that answer them ("What is the minimum AGE?" / "at least 21 years OLD"; "How much does
 * it COST?" / "PRICES"; "Со скольки ЛЕТ?" / "не меньше 21 ГОДА"). Lexical matching cannot
 * know that on its own, and the local hashing embeddings cannot either. Deliberately small and
 * generic (prices, age, hours, payment, common rental and service words), so it stays
 * predictable: a word matches a group entry when equal, or when the entry ends with `*` and
 * the word starts with it.
 */
const GROUPS: string[][] = [
  ['age', 'old', 'year', 'aged', 'возраст*', 'лет', 'года', 'год'],
  ['minimum', 'least', 'min', 'youngest', 'минимум', 'минимальн*', 'меньше', 'младше'],
  [
    'price',
    'cost',
    'costs',
    'fee',
    'rate',
    'tariff',
    'expensive',
    'cheap',
    'цен*',
    'стоимост*',
    'стоит',
    'стоят',
    'стоить',
    'тариф*',
  ],
  ['rent', 'rental', 'renting', 'hire', 'аренд*', 'прокат*'],
  ['car', 'vehicle', 'auto', 'машин*', 'автомобил*', 'авто'],
  ['open', 'opening', 'hour', 'работает', 'работаете', 'работаем', 'часы', 'открыт*'],
  ['pay', 'payment', 'paid', 'оплат*', 'платит*', 'заплат*'],
  ['card', 'карт*'],
  ['fuel', 'petrol', 'gasoline', 'tank', 'refuel*', 'топлив*', 'бензин*', 'бак', 'заправ*'],
  ['mileage', 'kilometre*', 'kilometer*', 'km', 'пробег*', 'километр*', 'км'],
  ['licence', 'license', 'permit', 'idp', 'права', 'прав', 'удостоверени*'],
  ['deposit', 'залог*'],
  ['abroad', 'border', 'cross', 'границ*', 'заграниц*', 'выезд*'],
  ['insurance', 'insured', 'страхов*'],
  ['discount', 'cheaper', 'скидк*', 'дешевле'],
  ['deliver*', 'доставк*', 'доставит*', 'привез*'],
  ['office', 'address', 'located', 'location', 'офис*', 'адрес*', 'находит*'],
];

function entryMatches(entry: string, word: string): boolean {
  return entry.endsWith('*') ? word.startsWith(entry.slice(0, -1)) : entry === word;
}

/** The other words of `word`'s synonym groups (entries ending with `*` are prefixes). */
export function synonymsOf(word: string): string[] {
  const out = new Set<string>();
  for (const group of GROUPS)
    if (group.some((entry) => entryMatches(entry, word)))
      for (const entry of group) if (!entryMatches(entry, word)) out.add(entry);
  return [...out];
}

/** Whether `word` is `alternative` (a word, or a prefix entry ending with `*`). */
export function matchesAlternative(
  alternative: string,
  word: string,
  same: (a: string, b: string) => boolean,
): boolean {
  return alternative.endsWith('*') ? word.startsWith(alternative.slice(0, -1)) : same(alternative, word);
}
