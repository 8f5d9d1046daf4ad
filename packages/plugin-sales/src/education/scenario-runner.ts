import type { Translator } from '@botloom/core';
import type { Logger } from 'pino';
import type { DisclosedAssistants } from './disclosed-assistants.js';
import type { EducationGroup, EducationGroupStore } from './group-store.js';
import type { GroupMessageAnalyzer } from './message-analysis.js';
import type { EducationTelegram } from './ports.js';
import { decideResponder } from './responder.js';
import type { AssistantPost, EducationScenario, EducationStage } from './scenario-schema.js';

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
  telegram: EducationTelegram;
  assistants: DisclosedAssistants;
  analyzer: GroupMessageAnalyzer;
  translator: Translator;
  scenarioFor: ScenarioLookup;
  logger: Logger;
}

/**
 * Script #2 in one group: posts the stages in order (the main bot's lines, the assistants'
 * marked posts, the assignment), then waits for the client's answer, analyses every message
 * and lets the main bot, an assistant or nobody answer.
 */
export class EducationScenarioRunner {
  constructor(private readonly deps: ScenarioRunnerDeps) {}

  /** The client is in the group: the welcome and everything up to the first assignment. */
  async start(group: EducationGroup): Promise<void> {
    const scenario = await this.deps.scenarioFor(group);
    await this.runFrom(group, scenario, 0);
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
    await store.addMessage({
      groupId: group.id,
      messageId: message.messageId,
      author: 'client',
      authorId: message.userId,
      stageId: stage?.id,
      text: message.text,
      analysis: { ...analysis, action: decision.action },
      responder: decision.responder,
    });
    const assignment = stage?.assignment;
    switch (decision.action) {
      case 'feedback_good':
        await this.say(group, stage, assignment!.goodFeedback, message.messageId);
        await this.runFrom(group, scenario, group.stageIndex + 1);
        return;
      case 'feedback_retry': {
        const attempts = group.stageAttempts + 1;
        await this.say(group, stage, assignment!.retryFeedback, message.messageId);
        if (attempts >= assignment!.maxAttempts) {
          await this.say(group, stage, this.t(group, 'sales-edu-moving-on'));
          await this.runFrom(group, scenario, group.stageIndex + 1);
        } else {
          await store.setStage(group.id, group.stageIndex, attempts, false);
        }
        return;
      }
      case 'hint':
        await this.say(
          group,
          stage,
          assignment?.hint ?? this.t(group, 'sales-edu-question-noted'),
          message.messageId,
        );
        return;
      case 'example':
        await this.postAssistant(group, stage, decision.example);
        return;
      case 'none':
        return;
    }
  }

  /**
   * Posts stages from `index` until one waits for an answer, or the scenario ends. Where it
   * stops is recorded first, so what the group sees never runs ahead of the stored stage.
   */
  private async runFrom(group: EducationGroup, scenario: EducationScenario, index: number): Promise<void> {
    let stop = scenario.stages.findIndex((stage, i) => i >= index && stage.assignment !== undefined);
    if (stop < 0) stop = scenario.stages.length;
    await this.deps.store.setStage(group.id, stop, 0, stop >= scenario.stages.length);
    for (let i = index; i < Math.min(stop + 1, scenario.stages.length); i++) {
      const stage = scenario.stages[i]!;
      for (const line of stage.lines) await this.say(group, stage, line);
      for (const post of stage.assistantPosts) {
        await this.postAssistant(group, stage, post);
        if (post.kind === 'question' && post.answer) await this.say(group, stage, post.answer);
      }
      if (stage.assignment) {
        await this.say(group, stage, this.t(group, 'sales-edu-assignment', { task: stage.assignment.task }));
      }
    }
  }

  private async say(
    group: EducationGroup,
    stage: EducationStage | undefined,
    text: string,
    replyTo?: number,
  ) {
    const messageId = await this.deps.telegram.sendText(group.chatId!, text, { replyTo });
    await this.deps.store.addMessage({
      groupId: group.id,
      messageId,
      author: 'bot',
      stageId: stage?.id,
      text,
    });
  }

  /** An assistant bot posts it, marked; with no assistant able to, the main bot posts it as its own. */
  private async postAssistant(group: EducationGroup, stage: EducationStage | undefined, post: AssistantPost) {
    const sent = await this.deps.assistants.post(group.chatId!, group.locale, post);
    if (sent) {
      await this.deps.store.addMessage({
        groupId: group.id,
        messageId: sent.messageId,
        author: 'assistant',
        authorId: sent.assistant.id,
        stageId: stage?.id,
        text: sent.text,
      });
      return;
    }
    const key = post.kind === 'example' ? 'sales-edu-example-by-bot' : 'sales-edu-question-by-bot';
    await this.say(group, stage, this.t(group, key, { text: post.text }));
  }

  private t(group: EducationGroup, key: string, args?: Record<string, string>) {
    return this.deps.translator.t(group.locale, key, args);
  }
}
