/** Spend categories the features are built on. `other` catches everything unmapped. */
export const CATEGORIES = ['travel', 'food', 'wallets', 'city', 'entertainment', 'retail', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** MCC ranges (inclusive) to categories, after ISO 18245 groups. First match wins. */
const MCC_RANGES: Array<[number, number, Category]> = [
  [3000, 3350, 'travel'], // airlines
  [3351, 3500, 'travel'], // car rental
  [3501, 3999, 'travel'], // hotels
  [4011, 4011, 'city'], // railroads (freight)
  [4111, 4131, 'city'], // commuter transport, taxi, bus
  [4411, 4411, 'travel'], // cruise lines
  [4511, 4511, 'travel'], // airlines
  [4582, 4582, 'travel'], // airports
  [4722, 4723, 'travel'], // travel agencies
  [4784, 4789, 'city'], // tolls, transport services
  [4812, 4816, 'city'], // telecom
  [4829, 4829, 'wallets'], // money transfers
  [4899, 4900, 'city'], // cable, utilities
  [5411, 5499, 'food'], // groceries, convenience, bakeries
  [5811, 5814, 'food'], // restaurants, bars, fast food
  [6010, 6012, 'wallets'], // cash, quasi-cash
  [6051, 6051, 'wallets'], // quasi-cash, e-money
  [6536, 6540, 'wallets'], // money send, wallet top-up
  [7011, 7011, 'travel'], // lodging
  [7512, 7519, 'travel'], // car rental
  [7523, 7523, 'city'], // parking
  [7800, 7999, 'entertainment'], // lotteries, cinema, theatre, sport, amusement
  [9311, 9402, 'city'], // taxes, government services, postal
  [5000, 5999, 'retail'], // remaining retail after food
];

export function categoryFromMcc(mcc: number): Category {
  for (const [from, to, category] of MCC_RANGES) if (mcc >= from && mcc <= to) return category;
  return 'other';
}

/** Words (en and ru) a file may use for a category. Lowercased, trimmed. */
const CATEGORY_ALIASES: Record<string, Category> = {
  travel: 'travel',
  airline: 'travel',
  airlines: 'travel',
  hotel: 'travel',
  hotels: 'travel',
  tourism: 'travel',
  путешествия: 'travel',
  food: 'food',
  restaurant: 'food',
  restaurants: 'food',
  cafe: 'food',
  groceries: 'food',
  grocery: 'food',
  supermarket: 'food',
  еда: 'food',
  рестораны: 'food',
  продукты: 'food',
  wallet: 'wallets',
  wallets: 'wallets',
  transfer: 'wallets',
  transfers: 'wallets',
  p2p: 'wallets',
  кошелек: 'wallets',
  кошелёк: 'wallets',
  переводы: 'wallets',
  city: 'city',
  'city services': 'city',
  city_services: 'city',
  transport: 'city',
  taxi: 'city',
  utilities: 'city',
  телеком: 'city',
  транспорт: 'city',
  такси: 'city',
  жкх: 'city',
  entertainment: 'entertainment',
  cinema: 'entertainment',
  leisure: 'entertainment',
  развлечения: 'entertainment',
  retail: 'retail',
  shopping: 'retail',
  clothing: 'retail',
  electronics: 'retail',
  покупки: 'retail',
  other: 'other',
  прочее: 'other',
};

export function categoryFromText(text: string): Category | undefined {
  return CATEGORY_ALIASES[text.trim().toLowerCase()];
}
