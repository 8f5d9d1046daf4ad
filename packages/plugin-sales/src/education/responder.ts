import type { GroupMessageAnalysis } from './message-analysis.js';
import type { AssistantPost, EducationScenario, EducationStage } from './scenario-schema.js';

export type ResponderAction =
  | { responder: 'bot'; action: 'feedback_good' | 'feedback_retry' | 'hint' }
  | { responder: 'assistant'; action: 'example'; example: AssistantPost }
  | { responder: 'nobody'; action: 'none' };

/** The worked example that fits the stage: its own, else the nearest earlier one. */
export function exampleFor(scenario: EducationScenario, stageIndex: number): AssistantPost | undefined {
  for (let i = Math.min(stageIndex, scenario.stages.length - 1); i >= 0; i--) {
    const example = scenario.stages[i]!.assistantPosts.find((p) => p.kind === 'example');
    if (example) return example;
  }
  return undefined;
}

/**
 * Who answers a client's message in the group, decided by rules over the analysis (the LLM
 * only classifies): the main bot gives feedback on an assignment and hints to questions; an
 * assistant bot shows a worked example when the client asks for one or is lost; small talk
 * gets no answer, so the group is not flooded.
 */
export function decideResponder(input: {
  analysis: GroupMessageAnalysis;
  scenario: EducationScenario;
  stageIndex: number;
  assistantsAvailable: boolean;
}): ResponderAction {
  const { analysis, scenario, stageIndex } = input;
  const stage: EducationStage | undefined = scenario.stages[stageIndex];
  if (stage?.assignment && analysis.answersAssignment) return { responder: 'bot', action: 'feedback_good' };
  if (
    analysis.intent === 'example_request' ||
    (analysis.sentiment === 'negative' && analysis.intent !== 'answer')
  ) {
    const example = exampleFor(scenario, stageIndex);
    if (example && input.assistantsAvailable) return { responder: 'assistant', action: 'example', example };
    return { responder: 'bot', action: 'hint' };
  }
  if (stage?.assignment && analysis.intent === 'answer')
    return { responder: 'bot', action: 'feedback_retry' };
  if (analysis.intent === 'question') return { responder: 'bot', action: 'hint' };
  return { responder: 'nobody', action: 'none' };
}
