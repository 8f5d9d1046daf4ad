import type { Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { DisclosedAssistants } from './disclosed-assistants.js';
import type { GroupPostDelivery } from './group-posts.js';
import type { EducationGroup, EducationGroupStore, PlannedPost } from './group-store.js';
import type { GroupMessageAnalyzer } from './message-analysis.js';
import { decideResponder, type ResponderAction } from './responder.js';
import type { EducationScenario, EducationStage } from './scenario-schema.js';

export interface ScenarioRef {
  scriptId: string | null;
  scriptVersion: number | null;
  locale: string;
}

/** Finds the Script #2 of the sales script a group came from (its `education` section). */
export type ScenarioLookup = (ref: ScenarioRef) => Promise<EducationScenario>;

export interface GroupMessageInput {
  messageId: number;
  userId: number;
  text: string;
}

export interface ScenarioRunnerDeps {
  store: EducationGroupStore;
  posts: GroupPostDelivery;
  assistants: DisclosedAssistants;
  analyzer: GroupMessageAnalyzer;
  translator: Translator;
  scenarioFor: ScenarioLookup;
  logger: Logger;
}

interface Plan {
  posts: PlannedPost[];
  stage?: { index: number; attempts: number; finished: boolean };
}

/**
 * Script #2 in one group: plans the stages' posts in order (the main bot's lines, the
 * assistants' marked posts, the assignment) up to the next assignment, waits for the client's
 * answer, analyses every message and lets the main bot, an assistant or nobody answer. What the
 * group will see is stored with the stage it leads to, in one transaction; GroupPostDelivery
 * sends it through durable jobs.
 */
export class EducationScenarioRunner {
  constructor(private readonly deps: ScenarioRunnerDeps) {}

  /**
   * The client is in the group: `activate` (run in the same transaction) moves the group to
   * active, once; then the welcome and everything up to the first assignment is planned.
   * Returns the active group, or undefined when it was activated before (a redelivered update).
   */
  async start(
    group: EducationGroup,
    activate: (transaction: Transaction) => Promise<EducationGroup | undefined>,
  ): Promise<EducationGroup | undefined> {
    const scenario = await this.deps.scenarioFor(group);
    const planned = await this.deps.store.transaction(async (transaction) => {
      const active = await activate(transaction);
      if (!active) return undefined;
      const ids = await this.commit(active, this.planFrom(active, scenario, 0), transaction);
      return { active, ids };
    });
    if (!planned) return undefined;
    await this.deps.posts.dispatch(planned.ids);
    return planned.active;
  }

  async onMessage(group: EducationGroup, message: GroupMessageInput): Promise<void> {
    const { store } = this.deps;
    const scenario = await this.deps.scenarioFor(group);
    const stage = scenario.stages[group.stageIndex];
    if (group.status !== 'active' || message.userId !== group.clientUserId) {
      // Other members (the operator, a teacher) are kept in the transcript; the bot does not answer them.
      await store.addMessage({
        groupId: group.id,
        messageId: message.messageId,
        author: 'member',
        authorId: message.userId,
        stageId: stage?.id,
        text: message.text,
        responder: 'nobody',
      });
      return;
    }
    // A retried update whose first attempt got through: handled already.
    if (await store.hasIncoming(group.id, message.messageId)) return;
    const analysis = await this.deps.analyzer.analyse({
      text: message.text,
      stage,
      locale: group.locale,
      userId: message.userId,
    });
    const decision = decideResponder({
      analysis,
      scenario,
      stageIndex: group.stageIndex,
      assistantsAvailable: await this.deps.assistants.available(),
    });
    const plan = this.planAnswer(group, scenario, stage, decision, message.messageId);
    const ids = await store.transaction(async (transaction) => {
      const fresh = await store.addMessage(
        {
          groupId: group.id,
          messageId: message.messageId,
          author: 'client',
          authorId: message.userId,
          stageId: stage?.id,
          text: message.text,
          analysis: { ...analysis, action: decision.action },
          responder: decision.responder,
        },
        transaction,
      );
      return fresh ? this.commit(group, plan, transaction) : [];
    });
    await this.deps.posts.dispatch(ids);
  }

  private planAnswer(
    group: EducationGroup,
    scenario: EducationScenario,
    stage: EducationStage | undefined,
    decision: ResponderAction,
    replyTo: number,
  ): Plan {
    const assignment = stage?.assignment;
    const bot = (text: string, reply?: number): PlannedPost => ({
      stageId: stage?.id,
      kind: 'bot',
      payload: reply === undefined ? { text } : { text, replyTo: reply },
    });
    switch (decision.action) {
      case 'feedback_good': {
        const next = this.planFrom(group, scenario, group.stageIndex + 1);
        return { posts: [bot(assignment!.goodFeedback, replyTo), ...next.posts], stage: next.stage };
      }
      case 'feedback_retry': {
        const attempts = group.stageAttempts + 1;
        const feedback = bot(assignment!.retryFeedback, replyTo);
        if (attempts < assignment!.maxAttempts) {
          return {
            posts: [feedback],
            stage: { index: group.stageIndex, attempts, finished: false },
          };
        }
        const next = this.planFrom(group, scenario, group.stageIndex + 1);
        return {
          posts: [feedback, bot(this.t(group, 'sales-edu-moving-on')), ...next.posts],
          stage: next.stage,
        };
      }
      case 'hint':
        return { posts: [bot(assignment?.hint ?? this.t(group, 'sales-edu-question-noted'), replyTo)] };
      case 'example':
        return {
          posts: [{ stageId: stage?.id, kind: 'assistant', payload: { assistant: decision.example } }],
        };
      case 'none':
        return { posts: [] };
    }
  }

  /** The posts of the stages from `index` until one waits for an answer, or the scenario ends. */
  private planFrom(group: EducationGroup, scenario: EducationScenario, index: number): Plan {
    let stop = scenario.stages.findIndex((stage, i) => i >= index && stage.assignment !== undefined);
    if (stop < 0) stop = scenario.stages.length;
    const posts: PlannedPost[] = [];
    for (let i = index; i < Math.min(stop + 1, scenario.stages.length); i++) {
      const stage = scenario.stages[i]!;
      const bot = (text: string): PlannedPost => ({ stageId: stage.id, kind: 'bot', payload: { text } });
      for (const line of stage.lines) posts.push(bot(line));
      for (const post of stage.assistantPosts) {
        posts.push({ stageId: stage.id, kind: 'assistant', payload: { assistant: post } });
        if (post.kind === 'question' && post.answer) posts.push(bot(post.answer));
      }
      if (stage.assignment) {
        posts.push(bot(this.t(group, 'sales-edu-assignment', { task: stage.assignment.task })));
      }
    }
    return { posts, stage: { index: stop, attempts: 0, finished: stop >= scenario.stages.length } };
  }

  /** Where the scenario stands and what the group will see, together. */
  private async commit(group: EducationGroup, plan: Plan, transaction: Transaction): Promise<number[]> {
    if (plan.stage) {
      const { index, attempts, finished } = plan.stage;
      await this.deps.store.setStage(group.id, index, attempts, finished, transaction);
    }
    return this.deps.store.appendPosts(group.id, plan.posts, transaction);
  }

  private t(group: EducationGroup, key: string, args?: Record<string, string>) {
    return this.deps.translator.t(group.locale, key, args);
  }
}
