/**
 * One instance of the multi-process test (test/multi-instance.test.ts), run as a child process
 * in webhook mode; settings come from the environment. It answers:
 * - any text: `reply:<text>` (the load);
 * - `/note <text>`: stores the text in the user's vector namespace, answers `noted`;
 * - `/find <query>`: answers `found:<ids>` from this instance's own vector index;
 * - `/ask`: one LLM call on behalf of the sender, answers `answer` or `budget`;
 * - `/job`: queues a durable job, answers `queued`; the job records its run in `scale_job_runs`.
 * Prints `READY <url>` once it takes updates.
 */

import { createApp } from '../../src/app/create-app.js';
import { coreServices } from '../../src/core-services.js';
import { LlmBudgetExceededError } from '../../src/llm/errors.js';
import { definePlugin } from '../../src/plugin/define-plugin.js';

const scale = definePlugin({
  id: 'scale',
  version: '1.0.0',
  core: '^0.1.0',
  migrations: [
    {
      name: '0001-job-runs',
      up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query(
          'CREATE TABLE scale_job_runs (update_id bigint NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT now())',
          { transaction },
        );
      },
    },
  ],
  services: {
    deps: {
      vectors: coreServices.vectorStore,
      llm: coreServices.llm,
      jobs: coreServices.jobs,
      sequelize: coreServices.database,
    },
    init: ({ deps }) => deps,
  },
  jobs: [
    {
      name: 'tick',
      handler: async (data: { updateId: number }, { services }) => {
        await services.sequelize.query('INSERT INTO scale_job_runs (update_id, pid) VALUES ($1, $2)', {
          bind: [data.updateId, process.pid],
        });
      },
    },
  ],
  bot: ({ composer, services }) => {
    composer.command('note', async (ctx) => {
      await services.vectors.add(`notes:${ctx.from!.id}`, [
        { id: `n${ctx.update.update_id}`, text: ctx.match },
      ]);
      await ctx.reply('noted');
    });
    composer.command('find', async (ctx) => {
      const hits = await services.vectors.search(`notes:${ctx.from!.id}`, ctx.match, { k: 5 });
      await ctx.reply(`found:${hits.map((h) => h.id).join(',')}`);
    });
    composer.command('ask', async (ctx) => {
      try {
        await services.llm.chat({
          purpose: 'scale.ask',
          user: String(ctx.from!.id),
          maxTokens: 100,
          messages: [{ role: 'user', content: 'hello there' }],
        });
        await ctx.reply('answer');
      } catch (error) {
        if (!(error instanceof LlmBudgetExceededError)) throw error;
        await ctx.reply('budget');
      }
    });
    composer.command('job', async (ctx) => {
      await services.jobs.send('tick', { updateId: ctx.update.update_id });
      await ctx.reply('queued');
    });
    composer.on('message:text', (ctx) => ctx.reply(`reply:${ctx.message.text}`));
  },
});

const app = createApp({ plugins: [scale], floodControl: false, handleSignals: true, dotenv: false });
await app.start();
process.stdout.write(`READY ${app.url}\n`);
