import { PassThrough } from 'node:stream';
import {
  HttpError,
  MAX_SERIAL_ID,
  NotFoundError,
  parseBody,
  parseParams,
  parseQuery,
  type RouteSetupContext,
  serialIdParam,
  Tokens,
  telegramUserId,
  telegramUserIdParam,
} from '@botloom/core';
import { z } from 'zod';
import type { SegmentationConfig } from '../config.js';
import { segmentDescription, segmentName, type Translate } from '../services/presentation.js';
import { EXPORT_CSV_HEADER, exportRowToCsv, type SegmentProfile } from '../services/segment-queries.js';
import type { SegmentationServices } from '../services/segmentation-service.js';
import { TRANSACTION_FIELDS } from '../services/transaction-schema.js';
import { receiveUpload } from './upload.js';

const IdParams = z.object({ id: serialIdParam });
const CardParams = z.object({ cardId: z.string().min(1).max(64) });
const UserParams = z.object({ telegramUserId: telegramUserIdParam });
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(MAX_SERIAL_ID).default(0),
});
const RecomputeBody = z
  .object({
    k: z.number().int().min(2).max(20).optional(),
    /** Run now and answer with the finished run, instead of queueing a job. */
    wait: z.boolean().default(false),
  })
  .default({});
const AllowlistBody = z
  .object({
    telegramUserId,
    note: z.string().max(200).optional(),
  })
  .strict();
const ColumnsField = z.record(z.enum(TRANSACTION_FIELDS), z.string().min(1).max(100));
const BoolField = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Admin API under /admin/api/segmentation (bearer token; GET = viewer, others = admin). */
export function setupSegmentationAdmin(
  ctx: RouteSetupContext<SegmentationConfig, SegmentationServices>,
): void {
  const { router, resolve, logger, config } = ctx;
  const services = () => ctx.services;
  const translate = (locale: string): Translate => {
    try {
      const i18n = resolve(Tokens.I18n);
      return (key, variables) => i18n.t(locale, key, variables);
    } catch {
      return (key) => key;
    }
  };
  const presentSegment = (segment: SegmentProfile) => ({
    segment: segment.segment,
    name: { en: segmentName(translate('en'), segment), ru: segmentName(translate('ru'), segment) },
    description: {
      en: segmentDescription(translate('en'), segment.label),
      ru: segmentDescription(translate('ru'), segment.label),
    },
    label: segment.label,
    size: segment.size,
    share: segment.share,
    means: segment.means,
    centroidZ: segment.centroidZ,
  });

  router.get('/imports', async (ctx) => {
    const { limit, offset } = parseQuery(ctx, ListQuery);
    ctx.body = { imports: await services().imports.listImports(limit, offset) };
  });

  router.get('/imports/:id', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const record = await services().imports.getImport(id);
    if (!record) throw new NotFoundError(`No import ${id}`, { code: 'IMPORT_NOT_FOUND' });
    ctx.body = record;
  });

  /**
   * Multipart upload: field `file` (CSV or Parquet), optional fields `skipInvalid`
   * ("true"/"false"), `allowDuplicate`, and `columns` (JSON mapping, e.g. {"card_id":"client"}).
   * 201 with the report when imported; 422 with the report when rejected.
   */
  router.post('/imports', async (ctx) => {
    const upload = await receiveUpload(ctx.req, config.maxUploadBytes);
    try {
      const fields = z
        .object({
          skipInvalid: BoolField.optional(),
          allowDuplicate: BoolField.optional(),
          columns: z
            .string()
            .transform((text, zctx) => {
              try {
                return JSON.parse(text) as unknown;
              } catch {
                zctx.addIssue({ code: 'custom', message: 'columns must be JSON' });
                return z.NEVER;
              }
            })
            .pipe(ColumnsField)
            .optional(),
        })
        .safeParse(upload.fields);
      if (!fields.success) {
        throw new HttpError(422, 'VALIDATION_FAILED', 'Upload fields are invalid', {
          details: {
            issues: fields.error.issues.map((i) => ({
              path: i.path.join('.'),
              message: i.message,
              code: i.code,
            })),
          },
        });
      }
      const s = services();
      const result = await s.imports.importFile(upload.filePath, {
        filename: upload.filename,
        source: 'admin',
        skipInvalid: fields.data.skipInvalid,
        allowDuplicate: fields.data.allowDuplicate,
        columns: fields.data.columns,
      });
      if (result.status === 'completed') {
        logger.info(
          { importId: result.id, rows: result.report?.rowsImported },
          'segmentation: import completed',
        );
        await afterImport(result.id, result.report?.rowsImported ?? 0);
        ctx.status = 201;
      } else {
        ctx.status = 422;
      }
      ctx.body = result;
    } finally {
      await upload.cleanup();
    }
  });

  async function afterImport(importId: number, rows: number) {
    await resolve(Tokens.Events).emit('segmentation.import.completed', { importId, rows });
    if (config.recomputeAfterImport) {
      await resolve(Tokens.Jobs).send(
        'recompute',
        { trigger: 'import' },
        { singletonKey: 'segmentation-recompute' },
      );
    }
  }

  router.post('/recompute', async (ctx) => {
    const body = parseBody(ctx, RecomputeBody);
    if (body.wait) {
      // SegmentationError is a core domain error: 409 for NO_DATA, NOT_ENOUGH_CLIENTS, RECOMPUTE_RUNNING.
      ctx.body = await services().recompute.recompute({ trigger: 'manual', k: body.k });
      return;
    }
    const jobId = await resolve(Tokens.Jobs).send(
      'recompute',
      { trigger: 'manual', k: body.k },
      { singletonKey: 'segmentation-recompute' },
    );
    ctx.status = 202;
    ctx.body = { queued: jobId !== null, jobId };
  });

  router.get('/runs', async (ctx) => {
    const { limit } = parseQuery(ctx, ListQuery);
    ctx.body = { runs: await services().recompute.listRuns(limit) };
  });

  router.get('/segments', async (ctx) => {
    const s = services();
    const run = await s.queries.latestRun();
    if (!run) throw new NotFoundError('No completed segmentation yet', { code: 'SEGMENTATION_NO_RUN' });
    const { scaler: _scaler, ...summary } = run;
    ctx.body = { run: summary, segments: (await s.queries.segments(run.id)).map(presentSegment) };
  });

  router.get('/clients/:cardId', async (ctx) => {
    const { cardId } = parseParams(ctx, CardParams);
    const profile = await services().queries.clientProfile(cardId);
    if (!profile)
      throw new NotFoundError(`Card ${cardId} is not in the latest segmentation`, {
        code: 'CLIENT_NOT_FOUND',
      });
    const { scaler: _scaler, population: _population, ...run } = profile.run;
    ctx.body = {
      cardId: profile.features.cardId,
      run,
      features: profile.features,
      segment: presentSegment(profile.segment),
      population: profile.population,
      comparisons: profile.comparisons,
    };
  });

  router.get('/export.csv', async (ctx) => {
    const s = services();
    const run = await s.queries.latestRun();
    if (!run) throw new NotFoundError('No completed segmentation yet', { code: 'SEGMENTATION_NO_RUN' });
    const out = new PassThrough();
    ctx.type = 'text/csv; charset=utf-8';
    ctx.attachment(`segmentation-v${run.version}.csv`);
    ctx.body = out;
    void (async () => {
      try {
        out.write(`${EXPORT_CSV_HEADER}\n`);
        for await (const batch of s.queries.exportRows()) {
          if (!out.write(`${batch.map(exportRowToCsv).join('\n')}\n`))
            await new Promise((r) => out.once('drain', r));
        }
        out.end();
      } catch (error) {
        logger.error({ err: error }, 'segmentation: export failed');
        out.destroy(error as Error);
      }
    })();
  });

  router.get('/allowlist', async (ctx) => {
    ctx.body = { users: await services().allowlist.list() };
  });

  router.post('/allowlist', async (ctx) => {
    const body = parseBody(ctx, AllowlistBody);
    const admin = ctx.state.admin?.name ?? 'admin';
    const created = await services().allowlist.add(body.telegramUserId, admin, body.note);
    ctx.status = created ? 201 : 200;
    ctx.body = { telegramUserId: body.telegramUserId, created };
  });

  router.delete('/allowlist/:telegramUserId', async (ctx) => {
    const { telegramUserId } = parseParams(ctx, UserParams);
    if (!(await services().allowlist.remove(telegramUserId))) {
      throw new NotFoundError(`User ${telegramUserId} is not on the allowlist`, {
        code: 'ALLOWLIST_NOT_FOUND',
      });
    }
    ctx.status = 204;
  });
}
