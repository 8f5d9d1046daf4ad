import { fileURLToPath } from 'node:url';
import { coreServices, definePlugin, optional } from '@botloom/core';
import type { z } from 'zod';
import {
  createEducationModule,
  EducationConfigSchema,
  type EducationModule,
  educationAdminPages,
  educationJobs,
} from '../../src/education/index.js';
import { educationGroupsMigration } from '../../src/migrations/0002-education-groups.js';
import { educationGroupPostsMigration } from '../../src/migrations/0004-education-group-posts.js';

/**
 * Test-only: the education module wired the way the sales plugin wires it, with `/course`
 * standing in for the sales conversation's "client agreed" moment (it calls the port's offer).
 */
export function educationTestPlugin(
  options: Partial<z.input<typeof EducationConfigSchema>> = {},
  /** Receives the built module, for tests that call it directly (the expiry sweep with a later clock). */
  holder: { module?: EducationModule } = {},
) {
  return definePlugin({
    id: 'sales',
    version: '0.0.0-test',
    core: '^0.1.0',
    config: EducationConfigSchema,
    options,
    locales: fileURLToPath(new URL('../../locales/', import.meta.url)),
    migrations: [educationGroupsMigration, educationGroupPostsMigration],
    adminPages: educationAdminPages,
    jobs: educationJobs<EducationModule>((module) => module),
    userData: {
      describe: 'sales-edu-user-data',
      async erase(userId, { services }) {
        await services.eraseUser(userId);
      },
    },
    commands: [{ command: 'course', description: { en: 'Join the study group', ru: 'В учебную группу' } }],
    services: {
      deps: {
        database: coreServices.database,
        crypto: coreServices.crypto,
        llm: coreServices.llm,
        telegram: optional(coreServices.telegram),
        i18n: coreServices.i18n,
        jobs: coreServices.jobs,
      },
      init({ deps, config, logger }) {
        holder.module = createEducationModule({ ...deps, config, logger });
        return holder.module;
      },
    },
    bot({ composer, services }) {
      composer.use(services.composer());
      composer.command('course', async (ctx) => {
        if (!ctx.from || ctx.chat.type !== 'private') return;
        await services.port.offer({
          conversationId: `test-${ctx.from.id}`,
          userId: ctx.from.id,
          chatId: ctx.chat.id,
          scriptId: 'demo',
          scriptVersion: 1,
          locale: ctx.from.language_code ?? 'en',
        });
      });
    },
    admin({ router, services }) {
      services.registerAdminRoutes(router);
    },
  });
}
