import semver from 'semver';
import { z } from 'zod';
import { adminPagesSchema, adminWidgetsSchema } from '../admin-panel/page-schema.js';
import { isZodSchema, objectShape } from '../config/schema-introspection.js';
import { PLUGIN_ID_MAX_LENGTH, PLUGIN_ID_PATTERN } from './plugin-id.js';
import { notZodSchemaMessage } from './zod-version.js';

const fn = z.custom<(...args: any[]) => unknown>((v) => typeof v === 'function', {
  message: 'must be a function',
});

/** Ids core uses for itself (routes under /admin/api/core, migrations recorded as core:...). */
export const RESERVED_IDS = ['core', 'botloom'];
export const COMMAND_PATTERN = /^[a-z0-9_]{1,32}$/;

/** Telegram's /start payload alphabet (deep links). */
export const DEEP_LINK_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const fluentKey = z.string().regex(/^[a-zA-Z][\w-]*$/, 'must be a Fluent message key');

const localizedText = z
  .object({ en: z.string().min(1, 'an English description is required') })
  .catchall(z.string().optional());

/** Also applied to the list a `jobs(config)` function returns, once the config is known. */
export const jobList = z
  .array(
    z
      .object({
        name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, dashes or underscores'),
        handler: fn,
        cron: z.string().optional(),
      })
      .passthrough(),
  )
  .refine((list) => new Set(list.map((j) => j.name)).size === list.length, 'job names must be unique');

/** Shape checks of a plugin manifest at load time (types do not exist at runtime). */
export const PluginManifestSchema = z
  .object({
    id: z
      .string()
      .max(PLUGIN_ID_MAX_LENGTH)
      .regex(PLUGIN_ID_PATTERN, 'must be lowercase letters, digits and single dashes, starting with a letter')
      .refine(
        (id) => !RESERVED_IDS.includes(id),
        (id) => ({ message: `"${id}" is reserved for core` }),
      ),
    version: z.string().refine((v) => semver.valid(v) !== null, 'must be a semver version such as 1.2.3'),
    core: z.string().refine((v) => semver.validRange(v) !== null, 'must be a semver range such as ^0.1.0'),
    dependsOn: z.array(z.string().regex(PLUGIN_ID_PATTERN, 'is not a valid plugin id')).optional(),
    optionalDependsOn: z.array(z.string().regex(PLUGIN_ID_PATTERN, 'is not a valid plugin id')).optional(),
    provides: z
      .array(z.object({ id: z.string().min(1), owner: z.string().min(1), token: z.symbol() }).passthrough(), {
        invalid_type_error: 'must be a list of refs from createServiceRef',
      })
      .optional(),
    services: z
      .object(
        { deps: z.record(z.unknown()).optional(), init: fn },
        {
          invalid_type_error: 'must be { deps?, init }',
        },
      )
      .optional(),
    config: z
      .custom<z.ZodTypeAny>(
        (v) => isZodSchema(v),
        (v) => ({ message: notZodSchemaMessage(v) }),
      )
      .refine((v) => objectShape(v) !== undefined, 'must be a zod object schema (z.object({...}))')
      .optional(),
    options: z.record(z.unknown()).optional(),
    env: z
      .record(z.array(z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an UPPER_SNAKE env name')))
      .optional(),
    locales: z.union([z.string(), z.record(z.string())]).optional(),
    migrations: z
      .array(z.object({ name: z.string().min(1).max(200), up: fn, down: fn.optional() }))
      .refine(
        (list) => new Set(list.map((m) => m.name)).size === list.length,
        'migration names must be unique',
      )
      .optional(),
    events: z.array(z.string().min(1)).optional(),
    commands: z
      .array(
        z.object({
          command: z.string().regex(COMMAND_PATTERN, 'must be 1-32 lowercase letters, digits or underscores'),
          description: localizedText,
          scope: z.enum(['private', 'group', 'all']).optional(),
          hidden: z.boolean().optional(),
          visibleTo: fn.optional(),
        }),
      )
      .optional(),
    conversation: z
      .object({
        intro: fluentKey.optional(),
        menu: fluentKey.optional(),
        deepLinks: z
          .array(z.string().regex(DEEP_LINK_PATTERN, 'must be 1-64 letters, digits, _ or -'))
          .optional(),
        freeText: z.enum(['all', 'claimed']).optional(),
        opensOnMenu: z.boolean().optional(),
      })
      .optional(),
    userData: z.object({ describe: fluentKey, erase: fn }).optional(),
    jobs: z.union([jobList, fn]).optional(),
    register: fn.optional(),
    bot: fn.optional(),
    admin: fn.optional(),
    http: fn.optional(),
    start: fn.optional(),
    stop: fn.optional(),
    health: fn.optional(),
    adminPages: adminPagesSchema.optional(),
    adminWidgets: adminWidgetsSchema.optional(),
    runtimeSettings: z.array(z.string().min(1)).optional(),
    settingDescriptions: z.object({ ru: z.record(z.string(), z.string()).optional() }).optional(),
  })
  .passthrough()
  .superRefine((manifest, ctx) => {
    if (manifest.env && manifest.config) {
      const shape = objectShape(manifest.config) ?? {};
      for (const key of Object.keys(manifest.env)) {
        if (!(key in shape)) {
          ctx.addIssue({ code: 'custom', path: ['env', key], message: 'is not a key of the config schema' });
        }
      }
    }
    if (manifest.conversation?.menu && !manifest.conversation.freeText) {
      ctx.addIssue({
        code: 'custom',
        path: ['conversation', 'menu'],
        message: 'a menu entry hands the chat to the plugin: it needs freeText',
      });
    }
    if (manifest.runtimeSettings) {
      const shape = manifest.config ? (objectShape(manifest.config) ?? {}) : {};
      for (const key of manifest.runtimeSettings) {
        if (!(key in shape)) {
          ctx.addIssue({
            code: 'custom',
            path: ['runtimeSettings'],
            message: `"${key}" is not a key of the config schema`,
          });
        }
      }
    }
    for (const key of Object.keys(manifest.settingDescriptions?.ru ?? {})) {
      if (!manifest.config || !(key in (objectShape(manifest.config) ?? {}))) {
        ctx.addIssue({
          code: 'custom',
          path: ['settingDescriptions', 'ru', key],
          message: 'is not a key of the config schema',
        });
      }
    }
    if (manifest.dependsOn?.includes(manifest.id)) {
      ctx.addIssue({ code: 'custom', path: ['dependsOn'], message: 'a plugin cannot depend on itself' });
    }
  });
