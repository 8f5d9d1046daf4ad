import { FEATURE_NAMES, type FeatureName } from './features.js';

/** The seed's three behavioural archetypes. */
export const ARCHETYPES = ['traditional', 'digital_traveller', 'city_dweller'] as const;
export type Archetype = (typeof ARCHETYPES)[number];

export interface Trait {
  feature: FeatureName;
  direction: 'high' | 'low';
  /** Centroid's deviation from the population, in standard deviations. */
  z: number;
}

/**
 * A segment's name as data: rendered per locale at display time (Fluent keys
 * `segmentation-archetype-*` or `segmentation-trait-*`), so it is never stored in one language.
 */
export type SegmentLabel =
  | { kind: 'archetype'; archetype: Archetype; traits: Trait[] }
  | { kind: 'generated'; traits: Trait[] };

interface ArchetypeProfile {
  /** Direction weights over standardised features. */
  weights: Partial<Record<FeatureName, number>>;
  /** A feature whose z-score must have this sign at least this strongly. */
  requires: { feature: FeatureName; min?: number; max?: number };
}

// Seed: traditional = low activity, few transactions, basic spend; digital traveller = frequent
// trips, pays online, high travel share; active city dweller = frequent transactions,
// food / wallets / city services.
const PROFILES: Record<Archetype, ArchetypeProfile> = {
  traditional: {
    weights: { frequency: -1, tx_count: -1, online_share: -0.7, share_travel: -0.4, distinct_cities: -0.4 },
    requires: { feature: 'frequency', max: -0.2 },
  },
  digital_traveller: {
    weights: { share_travel: 1.5, online_share: 1, distinct_cities: 0.8, distinct_countries: 0.8 },
    requires: { feature: 'share_travel', min: 0.5 },
  },
  city_dweller: {
    weights: {
      frequency: 1,
      tx_count: 1,
      share_food: 0.6,
      share_wallets: 0.6,
      share_city: 0.6,
      share_travel: -0.3,
    },
    requires: { feature: 'frequency', min: 0.3 },
  },
};

const MATCH_THRESHOLD = 0.5;

function archetypeScore(centroidZ: number[], profile: ArchetypeProfile): number {
  let dot = 0;
  let norm = 0;
  for (const [feature, weight] of Object.entries(profile.weights) as Array<[FeatureName, number]>) {
    dot += centroidZ[FEATURE_NAMES.indexOf(feature)] * weight;
    norm += weight * weight;
  }
  const z = centroidZ[FEATURE_NAMES.indexOf(profile.requires.feature)];
  if (profile.requires.min !== undefined && z < profile.requires.min) return Number.NEGATIVE_INFINITY;
  if (profile.requires.max !== undefined && z > profile.requires.max) return Number.NEGATIVE_INFINITY;
  return dot / Math.sqrt(norm);
}

/** The features that set a centroid apart from the population most (by |z|). */
export function topTraits(centroidZ: number[], count = 3): Trait[] {
  return FEATURE_NAMES.map((feature, j) => ({ feature, z: centroidZ[j] }))
    .filter((t) => Math.abs(t.z) >= 0.25)
    .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
    .slice(0, count)
    .map((t) => ({
      feature: t.feature,
      direction: t.z > 0 ? 'high' : 'low',
      z: Math.round(t.z * 100) / 100,
    }));
}

/**
 * Names the segments: each archetype goes to at most one segment (best score first, when the
 * centroid matches its profile); the others get a name generated from their top traits.
 */
export function nameSegments(centroidsZ: number[][]): SegmentLabel[] {
  const candidates: Array<{ segment: number; archetype: Archetype; score: number }> = [];
  centroidsZ.forEach((centroid, segment) => {
    for (const archetype of ARCHETYPES) {
      const score = archetypeScore(centroid, PROFILES[archetype]);
      if (score >= MATCH_THRESHOLD) candidates.push({ segment, archetype, score });
    }
  });
  candidates.sort((a, b) => b.score - a.score);
  const assigned = new Map<number, Archetype>();
  const used = new Set<Archetype>();
  for (const c of candidates) {
    if (assigned.has(c.segment) || used.has(c.archetype)) continue;
    assigned.set(c.segment, c.archetype);
    used.add(c.archetype);
  }
  return centroidsZ.map((centroid, segment) => {
    const archetype = assigned.get(segment);
    const traits = topTraits(centroid);
    return archetype ? { kind: 'archetype', archetype, traits } : { kind: 'generated', traits };
  });
}
