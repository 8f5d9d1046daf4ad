/**
 * Memory recall benchmark: the recall table (bench/recall-table.ts), played through the
 * plugin's services as a user would in the bot: session 1 tells facts (and asks questions,
 * greets, thanks), the session ends and is summarised into memories, session 2 asks. Prints
 * every question with the reply and the accuracy, for the configured LLM: the offline provider
 * when no OPENAI_API_KEY / OPENAI_BASE_URL is set, otherwise the real model.
 *
 *   npm run bench:recall -w @botloom/plugin-memory
 *
 * Uses DATABASE_URL when set, otherwise embedded PostgreSQL in a temporary data directory.
 */
import { Tokens } from '@botloom/core';
import { withMemoryBenchApp } from './bench-app.js';
import { RECALL_TABLE, recalled } from './recall-table.js';

async function main() {
  await withMemoryBenchApp('recall', async (app, services) => {
    const resolve = app.resolver('memory');
    const llm = resolve(Tokens.Llm);
    const rows: Array<Record<string, string>> = [];
    let correct = 0;
    let total = 0;
    for (const [index, c] of RECALL_TABLE.entries()) {
      const user = `recall-bench-${index}`;
      // A reused DATABASE_URL starts clean.
      await services.memories.forgetAll(user);
      await services.lifecycle.end(user, 'command');
      const say = async (text: string) => {
        const session =
          (await services.sessions.active(user)) ?? (await services.lifecycle.start(user, user)).session;
        await services.agent.recordUserMessage(session, text);
        return (await services.agent.answer(session, text)).reply;
      };
      for (const text of c.told) await say(text);
      const outcome = await services.lifecycle.end(user, 'command');
      const memories = (await services.memories.all(user)).map((m) => m.content);
      const kept = memories.filter((m) => !c.neverRemembered.some((re) => re.test(m)));
      rows.push({
        ok: kept.length === memories.length && memories.length > 0 ? '✓' : '✗',
        lang: c.language,
        question: `(session 1 remembered: "${outcome && 'title' in outcome ? outcome.title : ''}")`,
        reply: memories.join(' | ').slice(0, 100),
      });
      await services.lifecycle.start(user, user);
      for (const q of c.asked) {
        const reply = await say(q.question);
        const ok = recalled(reply, q);
        total += 1;
        if (ok) correct += 1;
        rows.push({
          ok: ok ? '✓' : '✗',
          lang: c.language,
          question: q.question,
          reply: reply.replace(/^\[offline\][^:]*:\s*/, '').slice(0, 100),
        });
      }
      await services.lifecycle.end(user, 'command');
      await services.memories.forgetAll(user);
    }
    console.log(
      `\nplugin-memory recall table (${llm.offline ? 'offline provider' : 'configured model'}, embeddings ${resolve(Tokens.Embeddings).model})`,
    );
    console.table(rows);
    console.log(`recall accuracy: ${correct}/${total} = ${((100 * correct) / total).toFixed(1)}%`);
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
