import { z } from 'zod';

/**
 * Declarative admin pages: a plugin lists them in its manifest (`adminPages`) and the panel at
 * `/admin/` draws them over the plugin's admin REST routes, with no plugin JavaScript.
 *
 * The REST dialect the panel speaks (endpoints are relative to `/admin/api/<plugin>`):
 * - a list endpoint answers GET with `{ <items>: [...], total? }`; with `total` the panel pages
 *   with `limit` and `offset` query parameters, and each filter is one more query parameter;
 *   sorting is by column header, on the rows shown;
 * - a detail endpoint (`/things/:id`) answers GET with `{ <item>: {...} }` (or the object itself);
 * - create POSTs a JSON object of the form's fields to its endpoint; remove DELETEs `/things/:id`;
 * - a row action sends its method to `/things/:id/<verb>` (its `input` form as the JSON body).
 * Writes need role `admin`: the panel hides their buttons from viewers, and the API refuses them.
 */

const text = z
  .object({ en: z.string().min(1) })
  .catchall(z.string().optional())
  .describe('text in English and other languages');

const key = z.string().regex(/^[A-Za-z0-9_.]{1,64}$/, 'must be a field path such as "name" or "stats.count"');
const endpoint = z
  .string()
  .regex(/^\/[A-Za-z0-9_./:-]*$/, 'must be a path starting with "/" under the plugin\'s admin API');

/**
 * Labels for the raw values of a field (`{ closed: { en: 'Closed', ru: 'Закрыто' } }`): a status
 * stored as `closed` is shown in the panel's language; a value without a label is shown as is.
 */
const valueLabels = z.record(z.string().min(1), text);

export const adminColumnSchema = z.object({
  key,
  label: text,
  /** How a value is shown; default `text`. */
  format: z.enum(['text', 'number', 'percent', 'date', 'boolean', 'json', 'tags', 'localized']).optional(),
  /** Labels for the column's values (a text value, or each of `tags`). */
  values: valueLabels.optional(),
});

const fieldBase = {
  key,
  label: text,
  required: z.boolean().optional(),
  options: z.array(z.string().min(1)).optional(),
  placeholder: text.optional(),
  /** A line of help under the field. */
  hint: text.optional(),
};
const scalarFieldTypes = ['text', 'textarea', 'number', 'telegramId', 'select', 'boolean', 'list'] as const;

/** A field of one row of an `objects` field: the scalar types only. */
export const adminSubFieldSchema = z.object({ ...fieldBase, type: z.enum(scalarFieldTypes).default('text') });

export const adminFieldSchema = z
  .object({
    ...fieldBase,
    /**
     * How the field is edited and sent: `text`/`textarea`/`select` as a string, `number` and
     * `telegramId` as a number, `boolean` as true/false (a checkbox), `list` as an array of
     * strings (a textarea, one per line), `json` as the JSON typed in a textarea (checked in
     * the browser), `objects` as an array of objects whose keys are `fields` (rows added and
     * removed with buttons).
     */
    type: z.enum([...scalarFieldTypes, 'json', 'objects']).default('text'),
    /** The fields of each row of an `objects` field. */
    fields: z.array(adminSubFieldSchema).min(1).max(12).optional(),
  })
  .refine((f) => (f.type === 'objects') === (f.fields !== undefined), {
    message: 'an `objects` field lists its row `fields`, and only it does',
    path: ['fields'],
  });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A button on each row of a list (and on the detail view) for admins: it sends `method` to
 * `endpoint` with the row key filled in (`/drafts/:id/approve`), with `input` as a small form
 * first (values from the row where it has the field), and reloads the rows after.
 */
export const adminRowActionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and dashes'),
    label: text,
    endpoint: endpoint.refine((e) => /:[A-Za-z_]+/.test(e), 'must name the row, e.g. "/things/:id/approve"'),
    method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
    confirm: text.optional(),
    /** `danger` draws a red button (reject, close). */
    tone: z.enum(['default', 'primary', 'danger']).default('default'),
    /** Shown only on rows whose field `key` equals `equals` or is one of `in`. */
    when: z
      .object({ key, equals: scalar.optional(), in: z.array(scalar).min(1).optional() })
      .strict()
      .refine((w) => (w.equals === undefined) !== (w.in === undefined), {
        message: '`when` has exactly one of `equals` or `in`',
      })
      .optional(),
    /** A small form shown before sending (edit a text, give a reason); sent as the JSON body. */
    input: z
      .object({ fields: z.array(adminFieldSchema).min(1).max(8), submit: text.optional() })
      .strict()
      .optional(),
  })
  .strict();

export const adminPageSchema = z
  .object({
    /** Path segment: the page lives at `/admin/p/<plugin>/<id>`. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and dashes'),
    title: text,
    description: text.optional(),
    list: z
      .object({
        endpoint,
        /** Key of the array in the response; omit when the response is the array. */
        items: key.optional(),
        /** Key of the total row count; when present the panel pages with limit/offset. */
        total: key.optional(),
        /** Field that identifies a row (for detail and remove); default `id`. */
        rowKey: key.default('id'),
        columns: z.array(adminColumnSchema).min(1),
        filters: z
          .array(
            z.object({
              param: key,
              label: text,
              options: z.array(z.string().min(1)).optional(),
              /** Labels for the options in the select (the values sent stay `options`). */
              values: valueLabels.optional(),
              /** The value the page opens with (an approval queue opens on `pending`). */
              default: z.string().min(1).max(200).optional(),
            }),
          )
          .optional(),
        /**
         * Live rows: the panel opens the WebSocket `socket` (a path under the plugin's public
         * routes, `/p/<plugin><socket>`, served with `onUpgrade`) and reloads the rows, filters and
         * page kept, a moment after any message on it. The socket is authenticated by a one-time
         * ticket: the panel first GETs `ticket` (under `/admin/api/<plugin>`, answering
         * `{ ticket }`) and opens `socket?ticket=...`, so no cookie-authenticated socket exists
         * to hijack cross-site. Refused or closed: the panel retries with backoff and the page
         * still reloads by hand.
         */
        live: z
          .object({
            socket: z
              .string()
              .regex(
                /^\/[A-Za-z0-9_./-]*$/,
                'must be a path starting with "/" under the plugin\'s public routes',
              )
              .refine((p) => !p.split('/').includes('..'), "must stay under the plugin's public routes"),
            ticket: endpoint,
          })
          .strict()
          .optional(),
        /** A bar chart of the rows above the table: one bar per row (segment sizes). */
        chart: z
          .object({
            title: text,
            label: key,
            labelFormat: z.enum(['text', 'localized', 'date']).optional(),
            value: key,
          })
          .optional(),
      })
      .optional(),
    /**
     * A search box instead of `list`: what is typed opens the `detail` view for that id
     * (segmentation's client lookup by card id).
     */
    lookup: z
      .object({
        label: text,
        placeholder: text.optional(),
        /** Allowed input, checked in the browser before the request (a regular expression). */
        pattern: z.string().max(200).optional(),
      })
      .optional(),
    /**
     * A custom page instead of `list`: a prebuilt ES module in the plugin package whose default
     * export is `createPage(host)` returning a React component; React and the panel's kit come
     * from `host`, so the module bundles neither. `uiVersion` is the panel version it was built
     * for: another major is refused with a clear message.
     */
    module: z
      .object({
        file: z
          .string()
          .min(1)
          .refine((f) => f.endsWith('.js') || f.endsWith('.mjs'), 'must be a .js or .mjs file'),
        uiVersion: z.string().regex(/^\d+(\.\d+){0,2}$/, 'must be a version such as 1.0.0'),
      })
      .optional(),
    detail: z
      .object({
        endpoint,
        /** Key of the object in the response; omit when the response is the object. */
        item: key.optional(),
        fields: z.array(adminColumnSchema).min(1),
        /** Arrays in the response shown as tables under the fields (a ticket's messages). */
        tables: z
          .array(z.object({ key, title: text, columns: z.array(adminColumnSchema).min(1) }))
          .optional(),
      })
      .optional(),
    create: z.object({ endpoint, label: text, fields: z.array(adminFieldSchema).min(1) }).optional(),
    /**
     * An edit form for admins, filled with the item's current values (from `detail` when the
     * page has it, else from the list row) and sent as JSON with `method` (default PUT) to
     * `endpoint` (`/things/:id`, the row key filled in). A 4xx answer's `issues` (422) or
     * `details.field` are shown under the fields they name.
     */
    edit: z
      .object({
        endpoint,
        method: z.enum(['PUT', 'PATCH', 'POST']).default('PUT'),
        label: text.optional(),
        fields: z.array(adminFieldSchema).min(1),
      })
      .optional(),
    remove: z.object({ endpoint, confirm: text.optional() }).optional(),
    /** Buttons for admins over the whole page: each POSTs to its endpoint (recompute, sync...). */
    actions: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
          label: text,
          endpoint,
          confirm: text.optional(),
        }),
      )
      .optional(),
    /** Buttons on each list row and on the detail view, for admins (approve, reject, close...). */
    rowActions: z
      .array(adminRowActionSchema)
      .min(1)
      .max(8)
      .refine(
        (actions) => new Set(actions.map((a) => a.id)).size === actions.length,
        'row action ids must be unique',
      )
      .optional(),
    /**
     * A file upload (multipart POST, the file in `field`, each option sent as "true"/"false"),
     * shown with progress; the answer (success or 4xx) is shown as `report`: fields, and a
     * table of an array in it (the bad rows of an import).
     */
    upload: z
      .object({
        endpoint,
        label: text,
        field: key.default('file'),
        accept: z.string().max(200).optional(),
        options: z.array(z.object({ key, label: text })).optional(),
        report: z
          .object({
            fields: z.array(adminColumnSchema).min(1),
            rows: z.object({ key, title: text, columns: z.array(adminColumnSchema).min(1) }).optional(),
          })
          .optional(),
      })
      .optional(),
  })
  .strict()
  .refine((page) => [page.list, page.lookup, page.module].filter((v) => v !== undefined).length === 1, {
    message:
      'a page has one of `list` (declarative), `lookup` (a search box with `detail`) or `module` (custom)',
  })
  .refine((page) => page.lookup === undefined || page.detail !== undefined, {
    message: '`lookup` opens `detail`: declare both',
  })
  .refine((page) => page.rowActions === undefined || page.list !== undefined || page.detail !== undefined, {
    message: '`rowActions` act on the rows of `list` or the item of `detail`: declare one',
  });

/**
 * A dashboard widget: `stats` shows numbers from one GET endpoint, `bar` charts an array of it
 * (one bar per item, `label` and `value` are keys of the items).
 */
export const adminWidgetSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('stats'),
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
      title: text,
      endpoint,
      stats: z.array(adminColumnSchema).min(1).max(8),
    })
    .strict(),
  z
    .object({
      kind: z.literal('bar'),
      id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
      title: text,
      endpoint,
      items: key.optional(),
      label: key,
      /** `localized` when the label is `{ en, ru }`. */
      labelFormat: z.enum(['text', 'localized', 'date']).optional(),
      value: key,
    })
    .strict(),
]);

export const adminWidgetsSchema = z
  .array(adminWidgetSchema)
  .refine(
    (widgets) => new Set(widgets.map((w) => w.id)).size === widgets.length,
    'widget ids must be unique',
  );

export type AdminWidgetDefinition = z.input<typeof adminWidgetSchema>;

export const adminPagesSchema = z
  .array(adminPageSchema)
  .refine((pages) => new Set(pages.map((p) => p.id)).size === pages.length, 'page ids must be unique');

export type AdminPageDefinition = z.input<typeof adminPageSchema>;
export type AdminPage = z.output<typeof adminPageSchema>;
export type AdminColumn = z.input<typeof adminColumnSchema>;
export type AdminField = z.input<typeof adminFieldSchema>;
export type AdminRowAction = z.input<typeof adminRowActionSchema>;

/**
 * Version of the panel's page contract; a plugin page declaring another major is refused.
 * 1.1: `rowActions`, `filters[].default`. 1.2: `list.live`.
 */
export const ADMIN_UI_VERSION = '1.2.0';
