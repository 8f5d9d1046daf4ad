import type { Writable } from 'node:stream';
import type { Archetype } from './naming.js';
import { SeededRandom } from './random.js';

export type GeneratedKind = Archetype | 'noise';

export interface GeneratedTransaction {
  cardId: string;
  ts: Date;
  amount: number;
  currency: string;
  mcc: number;
  category: string;
  online: boolean;
  city: string;
  country: string;
}

export interface GeneratedClient {
  cardId: string;
  kind: GeneratedKind;
  transactions: GeneratedTransaction[];
}

export interface GeneratorOptions {
  clients: number;
  seed?: number;
  /** Length of the history in days. */
  days?: number;
  /** End of the history (exclusive); default: start of today, UTC. */
  end?: Date;
  /** Share of clients with random behaviour that fits no archetype. */
  noiseShare?: number;
}

interface Place {
  city: string;
  country: string;
  currency: string;
}

const HOME: Place[] = [
  { city: 'Moscow', country: 'RU', currency: 'RUB' },
  { city: 'Saint Petersburg', country: 'RU', currency: 'RUB' },
  { city: 'Kazan', country: 'RU', currency: 'RUB' },
  { city: 'Novosibirsk', country: 'RU', currency: 'RUB' },
  { city: 'Yekaterinburg', country: 'RU', currency: 'RUB' },
];
const ABROAD: Place[] = [
  { city: 'Istanbul', country: 'TR', currency: 'TRY' },
  { city: 'Dubai', country: 'AE', currency: 'AED' },
  { city: 'Tbilisi', country: 'GE', currency: 'GEL' },
  { city: 'Yerevan', country: 'AM', currency: 'AMD' },
  { city: 'Almaty', country: 'KZ', currency: 'KZT' },
  { city: 'Bangkok', country: 'TH', currency: 'THB' },
  { city: 'Paris', country: 'FR', currency: 'EUR' },
  { city: 'Berlin', country: 'DE', currency: 'EUR' },
  { city: 'London', country: 'GB', currency: 'GBP' },
  { city: 'Tokyo', country: 'JP', currency: 'JPY' },
];
const DOMESTIC_TRIPS: Place[] = [...HOME, { city: 'Sochi', country: 'RU', currency: 'RUB' }];
const RATE_TO_RUB: Record<string, number> = {
  RUB: 1,
  TRY: 2.8,
  AED: 24.5,
  GEL: 33,
  AMD: 0.23,
  KZT: 0.19,
  THB: 2.5,
  EUR: 98,
  GBP: 114,
  JPY: 0.6,
};

/** Merchant codes per category, with a typical amount in RUB (median of a log-normal). */
const MERCHANTS: Record<string, Array<{ mcc: number; median: number }>> = {
  travel: [
    { mcc: 4511, median: 18000 },
    { mcc: 7011, median: 12000 },
    { mcc: 4722, median: 25000 },
    { mcc: 3501, median: 9000 },
  ],
  food: [
    { mcc: 5411, median: 1400 },
    { mcc: 5812, median: 1800 },
    { mcc: 5814, median: 450 },
  ],
  wallets: [
    { mcc: 4829, median: 2500 },
    { mcc: 6538, median: 1500 },
  ],
  city: [
    { mcc: 4111, median: 60 },
    { mcc: 4121, median: 450 },
    { mcc: 4900, median: 4000 },
    { mcc: 7523, median: 200 },
  ],
  entertainment: [
    { mcc: 7832, median: 700 },
    { mcc: 7922, median: 2500 },
    { mcc: 7997, median: 3000 },
  ],
  retail: [
    { mcc: 5311, median: 3000 },
    { mcc: 5651, median: 4500 },
    { mcc: 5732, median: 9000 },
  ],
};
const CATEGORY_ORDER = ['travel', 'food', 'wallets', 'city', 'entertainment', 'retail'];

interface Behaviour {
  /** Transactions per 30 days: [min, max]. */
  monthly: [number, number];
  /** Weights in CATEGORY_ORDER. */
  categories: number[];
  online: number;
  amountScale: number;
  /** Chance that a transaction happens on a trip, and how many trip destinations. */
  tripShare: number;
  destinations: [number, number];
  abroad: number;
  /** Mean days since the last transaction. */
  recencyMean: number;
}

const BEHAVIOURS: Record<Archetype, Behaviour> = {
  traditional: {
    monthly: [3, 9],
    categories: [0.02, 0.45, 0.04, 0.22, 0.03, 0.24],
    online: 0.07,
    amountScale: 1,
    tripShare: 0.02,
    destinations: [0, 1],
    abroad: 0.1,
    recencyMean: 12,
  },
  digital_traveller: {
    monthly: [12, 30],
    categories: [0.42, 0.2, 0.05, 0.1, 0.1, 0.13],
    online: 0.65,
    amountScale: 1.3,
    tripShare: 0.45,
    destinations: [3, 9],
    abroad: 0.7,
    recencyMean: 4,
  },
  city_dweller: {
    monthly: [45, 110],
    categories: [0.015, 0.42, 0.2, 0.27, 0.07, 0.025],
    online: 0.35,
    amountScale: 0.6,
    tripShare: 0.01,
    destinations: [0, 1],
    abroad: 0.1,
    recencyMean: 1,
  },
};
const KIND_WEIGHTS: Array<[Archetype, number]> = [
  ['traditional', 0.38],
  ['digital_traveller', 0.24],
  ['city_dweller', 0.38],
];

function noiseBehaviour(rng: SeededRandom): Behaviour {
  return {
    monthly: [rng.int(1, 20), rng.int(20, 120)],
    categories: CATEGORY_ORDER.map(() => rng.next() ** 2),
    online: rng.next(),
    amountScale: 0.3 + rng.next() * 3,
    tripShare: rng.next() * 0.5,
    destinations: [0, rng.int(0, 6)],
    abroad: rng.next(),
    recencyMean: rng.next() * 40,
  };
}

const DAY = 86_400_000;

function startOfTodayUtc(): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

export function cardIdFor(index: number): string {
  return `C${String(index + 1).padStart(7, '0')}`;
}

/** Realistic synthetic clients of the seed's three archetypes plus noise; fully reproducible. */
export function* generateClients(options: GeneratorOptions): Generator<GeneratedClient> {
  const rng = new SeededRandom(options.seed ?? 1);
  const days = options.days ?? 180;
  const end = (options.end ?? startOfTodayUtc()).getTime();
  const noiseShare = options.noiseShare ?? 0.05;
  for (let index = 0; index < options.clients; index++) {
    const cardId = cardIdFor(index);
    const noise = rng.next() < noiseShare;
    const kind: GeneratedKind = noise
      ? 'noise'
      : KIND_WEIGHTS[rng.weighted(KIND_WEIGHTS.map(([, w]) => w))][0];
    const behaviour = kind === 'noise' ? noiseBehaviour(rng) : BEHAVIOURS[kind];
    const home = rng.pick(HOME);
    const destinationCount = rng.int(behaviour.destinations[0], behaviour.destinations[1]);
    const destinations: Place[] = [];
    for (let d = 0; d < destinationCount; d++) {
      destinations.push(rng.next() < behaviour.abroad ? rng.pick(ABROAD) : rng.pick(DOMESTIC_TRIPS));
    }
    const lastDaysAgo = Math.min(days * 0.8, -Math.log(1 - rng.next()) * behaviour.recencyMean);
    const activeDays = days * (0.5 + rng.next() * 0.5) - lastDaysAgo;
    const lastTs = end - lastDaysAgo * DAY - rng.next() * DAY * 0.5;
    const firstTs = lastTs - Math.max(1, activeDays) * DAY;
    const perMonth = behaviour.monthly[0] + rng.next() * (behaviour.monthly[1] - behaviour.monthly[0]);
    const count = Math.max(1, Math.round((perMonth * Math.max(1, activeDays)) / 30));
    const transactions: GeneratedTransaction[] = [];
    for (let t = 0; t < count; t++) {
      const onTrip = destinations.length > 0 && rng.next() < behaviour.tripShare;
      const place = onTrip ? rng.pick(destinations) : home;
      let category = CATEGORY_ORDER[rng.weighted(behaviour.categories)];
      if (onTrip && category === 'wallets') category = 'food';
      const merchant = rng.pick(MERCHANTS[category]);
      const rub = merchant.median * behaviour.amountScale * Math.exp(rng.gaussian(0, 0.6));
      const online =
        category === 'travel'
          ? rng.next() < Math.min(1, behaviour.online + 0.3)
          : rng.next() < behaviour.online;
      const currency = online ? 'RUB' : place.currency;
      const amount = Math.max(1, Math.round((rub / RATE_TO_RUB[currency]) * 100) / 100);
      const ts = t === count - 1 ? lastTs : firstTs + rng.next() * (lastTs - firstTs);
      transactions.push({
        cardId,
        ts: new Date(Math.floor(ts / 1000) * 1000),
        amount,
        currency,
        mcc: merchant.mcc,
        category,
        online,
        city: place.city,
        country: place.country,
      });
    }
    transactions.sort((a, b) => a.ts.getTime() - b.ts.getTime());
    yield { cardId, kind, transactions };
  }
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export const GENERATED_CSV_HEADER = 'card_id,timestamp,amount,currency,mcc,category,online,city,country';

export function transactionToCsv(tx: GeneratedTransaction): string {
  return [
    tx.cardId,
    tx.ts.toISOString(),
    tx.amount.toFixed(2),
    tx.currency,
    String(tx.mcc),
    tx.category,
    tx.online ? 'true' : 'false',
    csvField(tx.city),
    tx.country,
  ].join(',');
}

/** Writes generated transactions as CSV (with backpressure); returns counts per kind. */
export async function writeGeneratedCsv(
  out: Writable,
  options: GeneratorOptions,
  onClient?: (done: number) => void,
): Promise<{
  clients: number;
  transactions: number;
  kinds: Record<GeneratedKind, number>;
  labels: Map<string, GeneratedKind>;
}> {
  const kinds: Record<GeneratedKind, number> = {
    traditional: 0,
    digital_traveller: 0,
    city_dweller: 0,
    noise: 0,
  };
  const labels = new Map<string, GeneratedKind>();
  let transactions = 0;
  let clients = 0;
  const write = (chunk: string) =>
    out.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await write(`${GENERATED_CSV_HEADER}\n`);
  for (const client of generateClients(options)) {
    kinds[client.kind]++;
    labels.set(client.cardId, client.kind);
    transactions += client.transactions.length;
    clients++;
    await write(`${client.transactions.map(transactionToCsv).join('\n')}\n`);
    onClient?.(clients);
  }
  return { clients, transactions, kinds, labels };
}

/**
 * Feature-space data with known clusters (benchmarks and tests): `k` Gaussian blobs in
 * `dims` dimensions, centres uniform in [-box, box], unit spread.
 */
export function generateBlobs(
  n: number,
  k: number,
  dims: number,
  seed: number,
  options: { box?: number; spread?: number } = {},
): { points: number[][]; labels: Int32Array; centres: number[][] } {
  const rng = new SeededRandom(seed);
  const box = options.box ?? 5;
  const spread = options.spread ?? 1;
  const centres = Array.from({ length: k }, () =>
    Array.from({ length: dims }, () => (rng.next() * 2 - 1) * box),
  );
  const labels = new Int32Array(n);
  const points: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(0, k - 1);
    labels[i] = c;
    points[i] = centres[c].map((x) => x + rng.gaussian(0, spread));
  }
  return { points, labels, centres };
}
