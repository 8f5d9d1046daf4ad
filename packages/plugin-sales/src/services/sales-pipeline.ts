import type { Llm } from '@botloom/core';
import type { ScriptDefinition, Stage } from '../script/script-schema.js';
import { stageOf } from '../script/validate-script.js';
import type { MessageAnalysis } from './analysis.js';
import { analyse } from './llm-analyser.js';
import { analyseOffline } from './offline-analyser.js';
import { type ComposedReply, ReplyComposer } from './reply-composer.js';
import { decideStage, type StageDecision } from './stage-machine.js';
import { type Strategy, selectStrategy } from './strategy.js';
import { firstKeyword } from './text-match.js';

/** Where a conversation stands, as the pipeline needs it. */
export interface PipelineState {
  script: ScriptDefinition;
  stage: string;
  /** Client messages at the current stage before this one. */
  stageTurns: number;
  lineCursor: number;
  /** Answers stored per questionnaire id. */
  answers: Record<string, number>;
  history: { author: 'client' | 'bot' | 'operator'; text: string }[];
}

export type StepAction = 'reply' | 'stop' | 'education' | 'end';

export interface StepResult {
  analysis: MessageAnalysis;
  strategy: Strategy;
  decision: StageDecision;
  action: StepAction;
  reply: ComposedReply | null;
  /** The question this message answered (the stage's questionnaire). */
  answered?: { questionnaireId: string; questionId: string };
  state: Pick<PipelineState, 'stage' | 'stageTurns' | 'lineCursor' | 'answers'>;
}

export interface PipelineOptions {
  threshold: number;
  replyMaxTokens: number;
  userId: number;
}

/**
 * One client message through the seed's steps: questionnaire bookkeeping, analysis (the model,
 * or the offline analyser without one), triggers, the deterministic stage machine, the 80/20
 * strategy and the reply. No storage and no Telegram: the conversation service and the
 * evaluation both run it.
 */
export class SalesPipeline {
  private readonly composer: ReplyComposer;

  constructor(private readonly llm: Llm) {
    this.composer = new ReplyComposer(llm);
  }

  get offline(): boolean {
    return this.llm.offline;
  }

  /** The first message of a conversation: the start stage's key message, first line and question. */
  opening(script: ScriptDefinition): { text: string; lineCursor: number } {
    const stage = stageOf(script, script.startStage)!;
    const parts = [stage.keyMessage];
    let lineCursor = 0;
    if (stage.lines.length) parts.push(stage.lines[lineCursor++]!);
    if (stage.questionnaire) parts.push(stage.questionnaire.questions[0]!.text);
    return { text: parts.join('\n\n'), lineCursor };
  }

  async step(state: PipelineState, text: string, options: PipelineOptions): Promise<StepResult> {
    const { script } = state;
    const current = stageOf(script, state.stage)!;
    const stageTurns = state.stageTurns + 1;
    const answers = { ...state.answers };
    let answered: StepResult['answered'];
    const q = current.questionnaire;
    if (q && (answers[q.id] ?? 0) < q.questions.length) {
      const question = q.questions[answers[q.id] ?? 0]!;
      answered = { questionnaireId: q.id, questionId: question.id };
      answers[q.id] = (answers[q.id] ?? 0) + 1;
    }
    const questionnaireDone = !q || (answers[q.id] ?? 0) >= q.questions.length;
    const analysisInput = {
      text,
      userId: options.userId,
      history: state.history.slice(-6),
      stageTurns,
      script,
      stage: current,
    };
    const analysis = await analyse(this.llm, analysisInput, () =>
      analyseOffline({ ...analysisInput, questionnaireDone }),
    );
    const strategy = selectStrategy(analysis.scriptFitScore, options.threshold);
    const ctx = { text, analysis, stageTurns, questionnaireDone };

    const stopTrigger = script.triggers.find((t) => t.on === 'stop' && firstKeyword(text, t.keywords));
    if (stopTrigger || analysis.intent === 'stop') {
      return {
        analysis,
        strategy,
        decision: {
          from: current.id,
          to: current.id,
          moved: false,
          reason: stopTrigger ? 'trigger: stop keyword' : 'the client asked to stop',
        },
        action: 'stop',
        reply: null,
        answered,
        state: { stage: current.id, stageTurns, lineCursor: state.lineCursor, answers },
      };
    }

    let decision: StageDecision;
    let action: StepAction = 'reply';
    const keyword = script.triggers.find(
      (t) => t.on === 'keyword' && t.stage !== current.id && firstKeyword(text, t.keywords),
    );
    const educationStage = script.stages.find((s) => s.education);
    const consentTrigger = analysis.consent.given && script.triggers.some((t) => t.on === 'consent');
    if (consentTrigger) {
      const to = educationStage?.id ?? current.id;
      decision = { from: current.id, to, moved: to !== current.id, reason: 'trigger: the client consented' };
      action = 'education';
    } else if (keyword && keyword.on === 'keyword') {
      decision = {
        from: current.id,
        to: keyword.stage,
        moved: true,
        reason: `trigger: keyword "${firstKeyword(text, keyword.keywords)}"`,
      };
    } else {
      decision = decideStage(script, current, analysis.proposedTransition, ctx);
    }
    const next = stageOf(script, decision.to)!;
    if (decision.moved && next.education) action = 'education';
    else if (decision.moved && next.final && action === 'reply') action = 'end';

    const handlers = handlersFor(script, current, next, analysis);
    const nextQ = next.questionnaire;
    const asked = nextQ ? (decision.moved ? 0 : (answers[nextQ.id] ?? 0)) : 0;
    if (nextQ && decision.moved) answers[nextQ.id] = 0;
    const reply = await this.composer.compose({
      script,
      stage: next,
      enteredStage: decision.moved,
      strategy,
      analysis,
      handlers,
      lineCursor: state.lineCursor,
      nextQuestion: nextQ && asked < nextQ.questions.length ? nextQ.questions[asked]!.text : undefined,
      text,
      userId: options.userId,
      history: state.history.slice(-6),
      maxTokens: options.replyMaxTokens,
    });
    return {
      analysis,
      strategy,
      decision,
      action,
      reply,
      answered,
      state: {
        stage: next.id,
        stageTurns: decision.moved ? 0 : stageTurns,
        lineCursor: reply.lineCursor,
        answers,
      },
    };
  }
}

/** Objection handlers the analysis named: the current stage's first, then the next stage's, then any. */
function handlersFor(script: ScriptDefinition, current: Stage, next: Stage, analysis: MessageAnalysis) {
  const all = [current, next, ...script.stages].flatMap((s) => s.objections);
  return analysis.objections
    .map((id) => all.find((h) => h.id === id))
    .filter((h) => h !== undefined)
    .slice(0, 2);
}
