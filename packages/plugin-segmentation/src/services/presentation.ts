import { FEATURES, type FeatureName } from './features.js';
import type { SegmentLabel } from './naming.js';
import type { ClientProfile, FeatureComparison, SegmentProfile } from './segment-queries.js';

/** A Fluent lookup in one locale: the bot's `ctx.t` or the core Translator bound to a locale. */
export type Translate = (key: string, variables?: Record<string, string | number>) => string;

const UNIT = Object.fromEntries(FEATURES.map((f) => [f.name, f.unit])) as Record<FeatureName, string>;

export function featureLabel(t: Translate, feature: FeatureName): string {
  return t(`segmentation-feature-${feature}`);
}

export function segmentName(t: Translate, segment: { segment: number; label: SegmentLabel }): string {
  const index = segment.segment + 1;
  const { label } = segment;
  if (label.kind === 'archetype') return t(`segmentation-archetype-${label.archetype}`);
  if (label.traits.length === 0) return t('segmentation-segment-plain', { index });
  const traits = label.traits
    .slice(0, 2)
    .map((trait) => t(`segmentation-trait-${trait.direction}`, { feature: featureLabel(t, trait.feature) }))
    .join(', ');
  return t('segmentation-segment-generated', { index, traits });
}

export function segmentDescription(t: Translate, label: SegmentLabel): string {
  return label.kind === 'archetype'
    ? t(`segmentation-archetype-${label.archetype}-description`)
    : t('segmentation-segment-generated-description');
}

/** How numbers are written for one reader: their locale, and the currency spend is expressed in. */
export interface NumberStyle {
  locale: string;
  /** ISO 4217 code of the base currency (`baseCurrency`). */
  currency: string;
}

export function formatFeature(
  feature: FeatureName,
  value: number,
  { locale, currency }: NumberStyle,
): string {
  const unit = UNIT[feature];
  const number = (digits: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
  switch (unit) {
    case 'share':
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
    case 'money':
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        minimumFractionDigits: 0,
        maximumFractionDigits: 0,
      }).format(value);
    case 'per_day':
      return number(2);
    case 'days':
      return number(1);
    default:
      return number(1);
  }
}

export function formatShare(value: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(value);
}

/** "+35%" / "−12%"; share features as percentage points ("+12 pp" is clearer than a ratio of ratios). */
export function formatDelta(
  t: Translate,
  comparison: FeatureComparison,
  against: 'segment' | 'population',
  style: NumberStyle,
): string {
  const { locale } = style;
  const base = against === 'segment' ? comparison.segment : comparison.population;
  const diff = comparison.client - base;
  if (Math.abs(diff) < 1e-9) return t('segmentation-insight-same');
  const sign = diff > 0 ? '+' : '−';
  if (UNIT[comparison.feature] === 'share') {
    const points = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(Math.abs(diff) * 100);
    return t('segmentation-delta-points', { sign, points });
  }
  if (base === 0) return `${sign}${formatFeature(comparison.feature, Math.abs(diff), style)}`;
  return `${sign}${new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.abs(diff / base))}`;
}

/** The features shown for a client: the ones that set them apart most, then the basics. */
export function keyComparisons(profile: ClientProfile, count = 6): FeatureComparison[] {
  return [...profile.comparisons].sort((a, b) => Math.abs(b.zClient) - Math.abs(a.zClient)).slice(0, count);
}

export function profileText(t: Translate, profile: ClientProfile, style: NumberStyle): string {
  const name = segmentName(t, profile.segment);
  const lines = [
    t('segmentation-profile-title', { cardId: profile.features.cardId }),
    t('segmentation-profile-segment', {
      segment: name,
      size: profile.segment.size,
      share: formatShare(profile.segment.share, style.locale),
    }),
    t('segmentation-profile-description', { description: segmentDescription(t, profile.segment.label) }),
    t('segmentation-profile-asof', {
      asOf: profile.run.asOf?.toISOString().slice(0, 10) ?? '-',
      version: profile.run.version ?? 0,
    }),
    '',
    t('segmentation-profile-features'),
    ...keyComparisons(profile).map((c) =>
      t('segmentation-feature-line', {
        feature: featureLabel(t, c.feature),
        client: formatFeature(c.feature, c.client, style),
        segment: formatFeature(c.feature, c.segment, style),
        population: formatFeature(c.feature, c.population, style),
      }),
    ),
  ];
  return lines.join('\n');
}

/** Index against the population mean (100 = average); 0 where the population mean is 0. */
export function indexVsPopulation(value: number, population: number): number {
  return population === 0 ? 0 : Math.round((value / population) * 1000) / 10;
}

export function segmentsText(
  t: Translate,
  segments: SegmentProfile[],
  run: { version: number | null; nClients: number | null; asOf: Date | null },
  locale: string,
): string {
  return [
    t('segmentation-segments-title', {
      version: run.version ?? 0,
      clients: run.nClients ?? 0,
      asOf: run.asOf?.toISOString().slice(0, 10) ?? '-',
    }),
    ...segments.map((s) =>
      t('segmentation-segment-line', {
        index: s.segment + 1,
        name: segmentName(t, s),
        size: s.size,
        share: formatShare(s.share, locale),
      }),
    ),
  ].join('\n');
}
