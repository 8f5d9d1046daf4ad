import type { ScriptDefinition, Stage, TransitionCondition } from '../script/script-schema.js';
import { stageOf } from '../script/validate-script.js';
import type { MessageAnalysisData } from './analysis.js';
import { firstKeyword } from './text-match.js';

export interface ConditionContext {
  text: string;
  analysis: Pick<MessageAnalysisData, 'intent' | 'consent'>;
  /** Client messages at this stage, this one included. */
  stageTurns: number;
  questionnaireDone: boolean;
}

/**
 * Whether a transition's condition holds: every part given must hold. An empty condition never
 * holds by itself: such a transition is taken only when the analysis proposes it.
 */
export function conditionHolds(when: TransitionCondition, ctx: ConditionContext): boolean {
  const parts: boolean[] = [];
  if (when.intents) parts.push(when.intents.includes(ctx.analysis.intent));
  if (when.keywords) parts.push(firstKeyword(ctx.text, when.keywords) !== undefined);
  if (when.consent !== undefined) parts.push(ctx.analysis.consent.given === when.consent);
  if (when.questionnaireDone !== undefined) parts.push(ctx.questionnaireDone === when.questionnaireDone);
  if (when.minTurns !== undefined) parts.push(ctx.stageTurns >= when.minTurns);
  if (when.always) parts.push(true);
  return parts.length > 0 && parts.every(Boolean);
}

/** What the machine decided for one message; `refused` records a proposal it did not apply. */
export interface StageDecision {
  from: string;
  to: string;
  moved: boolean;
  reason: string;
  refused?: { to: string; reason: string };
}

/**
 * The deterministic stage machine. The analysis only proposes: a proposal is applied when the
 * current stage has a transition to that stage whose condition is empty or holds. Otherwise the
 * first transition whose condition holds applies; otherwise the conversation stays. A proposal
 * to a stage the script does not allow from here (a skip) is refused and recorded.
 */
export function decideStage(
  script: ScriptDefinition,
  current: Stage,
  proposal: MessageAnalysisData['proposedTransition'],
  ctx: ConditionContext,
): StageDecision {
  let refused: StageDecision['refused'];
  if (proposal && proposal.to !== current.id) {
    const allowed = current.transitions.find((t) => t.to === proposal.to);
    if (!stageOf(script, proposal.to)) {
      refused = { to: proposal.to, reason: `refused: "${proposal.to}" is not a stage of the script` };
    } else if (!allowed) {
      refused = {
        to: proposal.to,
        reason: `refused: the script does not allow "${current.id}" -> "${proposal.to}"`,
      };
    } else if (Object.keys(allowed.when).length === 0 || conditionHolds(allowed.when, ctx)) {
      return {
        from: current.id,
        to: proposal.to,
        moved: true,
        reason: `proposed by the analysis (${proposal.reason})${allowed.reason ? `; ${allowed.reason}` : ''}`,
      };
    } else {
      refused = {
        to: proposal.to,
        reason: `refused: the condition of "${current.id}" -> "${proposal.to}" does not hold`,
      };
    }
  }
  const rule = current.transitions.find((t) => Object.keys(t.when).length > 0 && conditionHolds(t.when, ctx));
  if (rule) {
    return {
      from: current.id,
      to: rule.to,
      moved: true,
      reason: `condition ${describe(rule.when)}${rule.reason ? `; ${rule.reason}` : ''}`,
      refused,
    };
  }
  return { from: current.id, to: current.id, moved: false, reason: 'no transition applies', refused };
}

function describe(when: TransitionCondition): string {
  return Object.entries(when)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(', ');
}
