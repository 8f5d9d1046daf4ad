import type { Llm } from '@botloom/core';
import type { ScriptDefinition, Stage } from '../script/script-schema.js';
import {
  type AnalysisInput,
  boundAnalysis,
  INTENTS,
  type MessageAnalysis,
  MessageAnalysisSchema,
} from './analysis.js';

/** Asks the model for a structured analysis of one client message at one stage of a script. */
export async function analyseWithLlm(
  llm: Llm,
  input: AnalysisInput & { script: ScriptDefinition; stage: Stage },
): Promise<MessageAnalysis> {
  const { script, stage } = input;
  const transitions = stage.transitions
    .map(
      (t) =>
        `- to "${t.to}"${t.reason ? `: ${t.reason}` : ''}${Object.keys(t.when).length ? ` (when ${JSON.stringify(t.when)})` : ''}`,
    )
    .join('\n');
  const objections = stage.objections.map((o) => `- ${o.id}: ${o.keywords.join(', ')}`).join('\n');
  const system = [
    `You analyse one message of a client in a sales conversation about "${script.product.name}".`,
    `Current stage: "${stage.id}". Its goal: ${stage.goal}`,
    `Transitions the script allows from here:\n${transitions || '- none'}`,
    `Known objections (ids):\n${objections || '- none'}`,
    `Intents: ${INTENTS.join(', ')}.`,
    'scriptFitScore (0..1): how well the message fits the scripted path of this stage (1 = answers or follows it, 0 = off script).',
    'consent.given: true only when the client clearly agrees to join or buy.',
    'proposedTransition: one of the allowed transitions when the message justifies it, else null. Never propose a stage not listed.',
  ].join('\n\n');
  const history = input.history.map((h) => `${h.author}: ${h.text}`).join('\n');
  const result = await llm.structured({
    purpose: 'sales.analyse',
    user: String(input.userId),
    schema: MessageAnalysisSchema,
    schemaName: 'sales_message_analysis',
    temperature: 0,
    messages: [
      { role: 'system', content: system },
      {
        role: 'user',
        content: `${history ? `Earlier turns:\n${history}\n\n` : ''}Client message:\n${input.text}`,
      },
    ],
  });
  return {
    ...boundAnalysis(result.data),
    source: result.offline ? 'offline' : 'llm',
    tokens: result.usage.totalTokens,
    latencyMs: result.latencyMs,
  };
}
