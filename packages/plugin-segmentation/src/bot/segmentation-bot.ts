import { type BotContext, type BotSetupContext, Tokens } from '@botloom/core';
import { type Composer, InlineKeyboard, InputFile, type NextFunction } from 'grammy';
import type { SegmentationConfig } from '../config.js';
import { renderDistributionChart, renderProfileChart } from '../services/charts.js';
import { highlightsOf } from '../services/insight-service.js';
import {
  featureLabel,
  formatDelta,
  formatFeature,
  indexVsPopulation,
  keyComparisons,
  type NumberStyle,
  profileText,
  segmentName,
  segmentsText,
  type Translate,
} from '../services/presentation.js';
import type { SegmentationServices } from '../services/segmentation-service.js';
import { CARD_COMMAND, cardCommand } from './card-command.js';

const CLIENTS_CALLBACK = /^segmentation:clients:(\d+)$/;

async function localeOf(ctx: BotContext): Promise<string> {
  return (await ctx.i18n.getLocale()) ?? 'en';
}

function translator(ctx: BotContext): Translate {
  return (key, variables) => ctx.t(key, variables);
}

function argumentOf(ctx: BotContext): string {
  const match = ctx.match;
  return (typeof match === 'string' ? match : '').trim().split(/\s+/)[0] ?? '';
}

/** Telegram handlers of the plugin: thin adapters over the services. */
export function setupSegmentationBot(ctx: BotSetupContext<SegmentationConfig, SegmentationServices>): void {
  const { composer, resolve, logger } = ctx;
  const services = () => ctx.services;
  const config = () => ctx.config;

  // Bank data: every command and button of this plugin is for allowlisted users only.
  const allowlisted = async (ctx: BotContext, next: NextFunction) => {
    const userId = ctx.from?.id;
    if (userId !== undefined && (await services().allowlist.isAllowed(userId))) return next();
    if (
      userId !== undefined &&
      config().openAccessInSandbox &&
      !resolve(Tokens.CoreConfig).TELEGRAM_BOT_TOKEN
    ) {
      return next();
    }
    logger.warn(
      { userId, correlationId: ctx.correlationId },
      'segmentation: access denied (not on the allowlist)',
    );
    if (ctx.callbackQuery) await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t('segmentation-access-denied', { userId: String(userId ?? '?') }));
  };

  /** No segmentation yet: the data may be on its way (demo data being prepared) or missing. */
  function noDataText(ctx: BotContext, s: SegmentationServices): string {
    return ctx.t(s.preparation.inProgress ? 'segmentation-preparing-data' : 'segmentation-no-data');
  }

  /** An unknown card id: say which data version was searched, or that there is no data yet. */
  async function replyUnknownCard(ctx: BotContext, s: SegmentationServices, cardId: string): Promise<void> {
    const run = await s.queries.latestRun();
    await ctx.reply(
      run ? ctx.t('segmentation-unknown-card', { cardId, version: run.version ?? 0 }) : noDataText(ctx, s),
    );
  }

  async function numberStyle(ctx: BotContext): Promise<NumberStyle> {
    return { locale: await localeOf(ctx), currency: config().baseCurrency };
  }

  async function sendProfile(ctx: BotContext, s: SegmentationServices, typedId: string): Promise<void> {
    const profile = await s.queries.clientProfile(typedId);
    if (!profile) return replyUnknownCard(ctx, s, typedId);
    // The id as stored, whatever case the user typed it in.
    const cardId = profile.features.cardId;
    const t = translator(ctx);
    await ctx.reply(profileText(t, profile, await numberStyle(ctx)));
    const shown = keyComparisons(profile);
    const png = renderProfileChart({
      title: ctx.t('segmentation-chart-profile-title', { cardId }),
      labels: shown.map((c) => featureLabel(t, c.feature)),
      axisLabel: ctx.t('segmentation-chart-axis'),
      series: [
        {
          name: ctx.t('segmentation-series-client'),
          values: shown.map((c) => indexVsPopulation(c.client, c.population)),
        },
        {
          name: ctx.t('segmentation-series-segment'),
          values: shown.map((c) => indexVsPopulation(c.segment, c.population)),
        },
        { name: ctx.t('segmentation-series-population'), values: shown.map(() => 100) },
      ],
    });
    await ctx.replyWithPhoto(new InputFile(png, `segment-${cardId}.png`), {
      caption: ctx.t('segmentation-chart-caption', { cardId, segment: segmentName(t, profile.segment) }),
    });
  }

  composer.command('segment', allowlisted, async (ctx) => {
    const cardId = argumentOf(ctx);
    if (!cardId) return void (await ctx.reply(ctx.t('segmentation-usage-segment')));
    await sendProfile(ctx, services(), cardId);
  });

  // `/segment_C0000001`: the tappable form of `/segment C0000001` that `/clients` lists.
  composer.hears(CARD_COMMAND, allowlisted, async (ctx) => {
    await sendProfile(ctx, services(), ctx.match[1] ?? '');
  });

  composer.command('random', allowlisted, async (ctx) => {
    const s = services();
    const cardId = await s.queries.randomCardId();
    if (!cardId) return void (await ctx.reply(noDataText(ctx, s)));
    await sendProfile(ctx, s, cardId);
  });

  composer.command('insight', allowlisted, async (ctx) => {
    const typedId = argumentOf(ctx);
    if (!typedId) return void (await ctx.reply(ctx.t('segmentation-usage-insight')));
    const s = services();
    const profile = await s.queries.clientProfile(typedId);
    if (!profile) return replyUnknownCard(ctx, s, typedId);
    const cardId = profile.features.cardId;
    const t = translator(ctx);
    const style = await numberStyle(ctx);
    const { locale } = style;
    const name = segmentName(t, profile.segment);
    await ctx.replyWithChatAction('typing').catch(() => undefined);
    const lines = [
      ctx.t('segmentation-insight-title', { cardId, segment: name }),
      '',
      ctx.t('segmentation-insight-highlights'),
      ...highlightsOf(profile).map((c) =>
        ctx.t('segmentation-insight-highlight', {
          feature: featureLabel(t, c.feature),
          client: formatFeature(c.feature, c.client, style),
          vsSegment: formatDelta(t, c, 'segment', style),
          vsPopulation: formatDelta(t, c, 'population', style),
        }),
      ),
      '',
    ];
    try {
      if (!s.insights) throw new Error('Llm service unavailable');
      const insight = await s.insights.insight(profile, name, locale, String(ctx.from?.id ?? ''));
      if (insight.offline) lines.push(ctx.t('segmentation-insight-offline'));
      else {
        if (insight.summary) lines.push(ctx.t('segmentation-insight-summary', { summary: insight.summary }));
        if (insight.recommendations.length > 0) {
          lines.push('', ctx.t('segmentation-insight-recommendations'));
          for (const [i, text] of insight.recommendations.entries()) {
            lines.push(ctx.t('segmentation-insight-recommendation', { index: i + 1, text }));
          }
        }
      }
    } catch (error) {
      logger.warn(
        { err: error, correlationId: ctx.correlationId },
        'segmentation: insight generation failed',
      );
      lines.push(ctx.t('segmentation-insight-failed'));
    }
    await ctx.reply(lines.join('\n').slice(0, 4096));
  });

  composer.command('segments', allowlisted, async (ctx) => {
    const s = services();
    const run = await s.queries.latestRun();
    if (!run) return void (await ctx.reply(noDataText(ctx, s)));
    const segments = await s.queries.segments(run.id);
    const t = translator(ctx);
    const locale = await localeOf(ctx);
    await ctx.reply(segmentsText(t, segments, run, locale));
    const png = renderDistributionChart({
      title: ctx.t('segmentation-chart-segments-title'),
      labels: segments.map((seg) => segmentName(t, seg)),
      values: segments.map((seg) => seg.size),
    });
    await ctx.replyWithPhoto(new InputFile(png, 'segments.png'));
  });

  async function clientsPage(ctx: BotContext, page: number) {
    const s = services();
    const listing = await s.queries.listClients(page, config().clientsPageSize);
    if (!listing) return null;
    const t = translator(ctx);
    const names = new Map(
      (await s.queries.segments(listing.run.id)).map((seg) => [seg.segment, segmentName(t, seg)]),
    );
    const from = listing.page * listing.pageSize + 1;
    const text = [
      ctx.t('segmentation-clients-title', {
        from,
        to: from + listing.clients.length - 1,
        total: listing.total,
        page: listing.page + 1,
        pages: listing.pages,
      }),
      ...listing.clients.map((c) =>
        ctx.t('segmentation-clients-line', {
          card: cardCommand(c.cardId),
          segment: names.get(c.segment) ?? String(c.segment + 1),
        }),
      ),
    ].join('\n');
    const keyboard = new InlineKeyboard();
    if (listing.page > 0)
      keyboard.text(ctx.t('segmentation-clients-prev'), `segmentation:clients:${listing.page - 1}`);
    if (listing.page < listing.pages - 1) {
      keyboard.text(ctx.t('segmentation-clients-next'), `segmentation:clients:${listing.page + 1}`);
    }
    // One page: no buttons, so no keyboard (an empty one is an empty row `[[]]`).
    return { listing, text, keyboard: listing.pages > 1 ? keyboard : undefined, names };
  }

  composer.command('clients', allowlisted, async (ctx) => {
    const page = await clientsPage(ctx, 0);
    if (!page) return void (await ctx.reply(noDataText(ctx, services())));
    await ctx.reply(page.text, { reply_markup: page.keyboard });
    if (page.listing.total > config().clientsFileThreshold) {
      const s = services();
      const rows = ['card_id,segment,segment_name'];
      const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
      for await (const batch of s.queries.exportRows()) {
        for (const row of batch)
          rows.push([quote(row.cardId), row.segment + 1, quote(page.names.get(row.segment) ?? '')].join(','));
      }
      await ctx.replyWithDocument(new InputFile(Buffer.from(`${rows.join('\n')}\n`), 'clients.csv'), {
        caption: ctx.t('segmentation-clients-file', { total: page.listing.total }),
      });
    }
  });

  composer.callbackQuery(CLIENTS_CALLBACK, allowlisted, async (ctx) => {
    const page = await clientsPage(ctx, Number(ctx.match[1]));
    await ctx.answerCallbackQuery();
    if (!page) return;
    await ctx.editMessageText(page.text, { reply_markup: page.keyboard }).catch((error: Error) => {
      // Pressing the same page twice: Telegram answers "message is not modified".
      if (!/not modified/i.test(error.message)) throw error;
    });
  });
}

export type { Composer };
