import type { ScriptDefinition } from './script-schema.js';
import { stageOf } from './validate-script.js';

/**
 * The follow-up sent after silence at a stage: the stage's own, else the script's `silence`
 * trigger (not at a final stage: the conversation is over there).
 */
export function followUpAt(
  script: ScriptDefinition,
  stageId: string,
): { afterHours: number; text: string } | undefined {
  const stage = stageOf(script, stageId);
  if (!stage) return undefined;
  if (stage.followUp) return stage.followUp;
  if (stage.final || stage.transitions.length === 0) return undefined;
  const silence = script.triggers.find((t) => t.on === 'silence');
  return silence?.on === 'silence' ? { afterHours: silence.afterHours, text: silence.text } : undefined;
}
