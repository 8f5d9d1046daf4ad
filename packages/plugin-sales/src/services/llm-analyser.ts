import { type Llm, type StructuredRequest, structuredWithFallback } from '@botloom/core';
import type { ScriptDefinition, Stage } from '../script/script-schema.js';
import {
  type AnalysisInput,
  boundAnalysis,
  INTENTS,
  type MessageAnalysis,
  type MessageAnalysisData,
  MessageAnalysisSchema,
} from './analysis.js';

/**
 * The analysis of one client message: the model's structured output, or the offline analyser
 * (`offline`) when there is no model or the model's JSON is not a valid analysis; the reason is
 * kept (`fallbackReason`). An outage is thrown: the conversation answers it with "your message is
 * saved", and the message waits with `analysisStatus: failed`.
 */
export async function analyse(
  llm: Llm,
  input: AnalysisInput & { script: ScriptDefinition; stage: Stage },
  offline: () => MessageAnalysis,
): Promise<MessageAnalysis> {
  let offlineAnalysis: MessageAnalysis | undefined;
  const outcome = await structuredWithFallback(
    llm,
    analysisRequest(input),
    () => {
      offlineAnalysis = offline();
      return offlineAnalysis;
    },
    { fallbackOn: ['offline_provider', 'invalid_output'] },
  );
  if (outcome.source === 'offline') return { ...offlineAnalysis!, fallbackReason: outcome.reason };
  return {
    ...boundAnalysis(outcome.data),
    source: 'llm',
    fallbackReason: null,
    tokens: outcome.result.usage.totalTokens,
    latencyMs: outcome.result.latencyMs,
  };
}

/** The structured request that asks the model to analyse one client message at one stage. */
function analysisRequest(
  input: AnalysisInput & { script: ScriptDefinition; stage: Stage },
): StructuredRequest<MessageAnalysisData> {
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
  return {
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
  };
}
