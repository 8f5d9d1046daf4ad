import { randomUUID } from 'node:crypto';
import type { Jobs, Llm } from '@botloom/core';
import type { Logger } from 'pino';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import type { ConversationStore } from './conversation-store.js';
import { InstagramInputError, InstagramNotFoundError, InstagramStateError } from './errors.js';
import type { InstagramAgent } from './instagram-agent.js';
import type { Outbox } from './outbox.js';

export const PLAN_STEP_JOB = 'run-plan-step';

const Audience = z
  .object({
    segment: z.string().max(100).optional(),
    tag: z.string().max(50).optional(),
    intent: z.string().max(50).optional(),
  })
  .strict();

/** The fixed tool set a plan's steps are drawn from. */
export const PlanStepSchema = z.discriminatedUnion('tool', [
  z
    .object({
      tool: z.literal('send_template'),
      audience: Audience.default({}),
      text: z.string().min(1).max(2000),
    })
    .strict(),
  z
    .object({
      tool: z.literal('tag_users'),
      audience: Audience.default({}),
      tags: z.array(z.string().min(1).max(50)).min(1).max(10),
    })
    .strict(),
  z
    .object({
      tool: z.literal('schedule_follow_up'),
      audience: Audience.default({}),
      text: z.string().min(1).max(2000),
      delayHours: z.number().min(0).max(23),
    })
    .strict(),
  z
    .object({
      tool: z.literal('summarise_conversations'),
      audience: Audience.default({}),
      limit: z.number().int().min(1).max(200).default(20),
    })
    .strict(),
  z.object({ tool: z.literal('report') }).strict(),
]);

export const PlanDraftSchema = z.object({
  name: z.string().min(1).max(200),
  steps: z.array(PlanStepSchema).min(1).max(20),
});

export type PlanStep = z.output<typeof PlanStepSchema>;

/**
 * The panel's step rows send every list input, so a send_template step arrives with `tags: []`;
 * an empty list says nothing, and is dropped before the step's own keys are checked.
 */
function withoutEmptyLists(step: unknown): unknown {
  if (typeof step !== 'object' || step === null || Array.isArray(step)) return step;
  return Object.fromEntries(
    Object.entries(step).filter(([, value]) => !(Array.isArray(value) && value.length === 0)),
  );
}
export type PlanStatus = 'draft' | 'approved' | 'running' | 'done' | 'cancelled' | 'failed';

export interface AgentPlan {
  id: string;
  name: string;
  goal: string;
  constraints: string[];
  steps: PlanStep[];
  status: PlanStatus;
  progress: number;
  report: { steps?: Array<Record<string, unknown>>; draftedBy?: string };
  createdBy: string | null;
  approvedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type Row = Record<string, unknown>;

/**
 * Agent plans: the LLM drafts steps from the fixed tools, an admin approves, each step runs as
 * a durable job. Messages go through the outbox as bot replies, so the 24-hour window applies:
 * users outside it are skipped before anything is queued, and the outbox checks again.
 */
export class AgentPlans {
  constructor(
    private readonly deps: {
      db: Sequelize;
      llm: Llm;
      jobs: () => Jobs;
      store: ConversationStore;
      outbox: Outbox;
      agent: InstagramAgent;
      now: () => Date;
      windowHours: () => number;
      logger: Logger;
    },
  ) {}

  /** `by` is recorded as the plan's author; `llmUser` is whose LLM budget the drafting spends. */
  async draft(goal: string, constraints: string[], by: string, llmUser: string): Promise<AgentPlan> {
    const tools = [
      'send_template {audience, text}: message users of the audience who wrote within 24 hours',
      'tag_users {audience, tags}',
      'schedule_follow_up {audience, text, delayHours < 24}: a later message, still only inside the window',
      'summarise_conversations {audience, limit}',
      'report {}',
    ].join('\n');
    const result = await this.deps.llm.structured({
      purpose: 'instagram.plan',
      user: llmUser,
      schema: PlanDraftSchema,
      schemaName: 'agent_plan',
      messages: [
        {
          role: 'system',
          content: `You plan work for an Instagram DM assistant. Use only these tools:\n${tools}\nAudience filters: segment, tag, intent. Never plan messages to people who have not written in the last 24 hours.`,
        },
        {
          role: 'user',
          content: `Goal: ${goal}\nConstraints:\n${constraints.map((c) => `- ${c}`).join('\n') || '- none'}`,
        },
      ],
    });
    const id = randomUUID();
    await this.deps.db.query(
      `INSERT INTO instagram_agent_plans (id, name, goal, constraints, steps, status, report, created_by)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, 'draft', $6::jsonb, $7)`,
      {
        bind: [
          id,
          result.data.name,
          goal,
          JSON.stringify(constraints),
          JSON.stringify(result.data.steps),
          JSON.stringify({ draftedBy: result.offline ? 'offline' : result.model }),
          by,
        ],
      },
    );
    return this.get(id);
  }

  async get(id: string): Promise<AgentPlan> {
    const rows = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.deps.db.query<Row>(`SELECT * FROM instagram_agent_plans WHERE id = $1`, {
          bind: [id],
          type: QueryTypes.SELECT,
        })
      : [];
    if (!rows[0]) throw new InstagramNotFoundError('Plan', id);
    return toPlan(rows[0]);
  }

  async list(): Promise<AgentPlan[]> {
    const rows = await this.deps.db.query<Row>(
      `SELECT * FROM instagram_agent_plans ORDER BY created_at DESC LIMIT 200`,
      {
        type: QueryTypes.SELECT,
      },
    );
    return rows.map(toPlan);
  }

  /** Replaces a draft's steps (an admin's edit before approval); validated like the LLM's. */
  async edit(id: string, steps: unknown): Promise<AgentPlan> {
    const plan = await this.get(id);
    if (plan.status !== 'draft')
      throw new InstagramStateError('Only a draft can be edited', 'INSTAGRAM_PLAN_NOT_DRAFT');
    const parsed = z.array(z.preprocess(withoutEmptyLists, PlanStepSchema)).min(1).max(20).safeParse(steps);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InstagramInputError(
        `Invalid step at ${issue.path.join('.')}: ${issue.message}`,
        'INSTAGRAM_INVALID_PLAN',
        { field: 'steps' },
      );
    }
    await this.update(id, { steps: parsed.data });
    return this.get(id);
  }

  /** Approves a draft and starts it. */
  async execute(id: string, by: string): Promise<AgentPlan> {
    const plan = await this.get(id);
    if (plan.status !== 'draft')
      throw new InstagramStateError(`The plan is ${plan.status}, not a draft`, 'INSTAGRAM_PLAN_NOT_DRAFT');
    const started = await this.deps.db.query(
      `UPDATE instagram_agent_plans SET status = 'running', approved_by = $2, updated_at = now() WHERE id = $1 AND status = 'draft' RETURNING id`,
      { bind: [id, by], type: QueryTypes.SELECT },
    );
    // Two approvals at once: one starts the plan, the other is told it is no longer a draft.
    if (!started.length) {
      const now = await this.get(id);
      throw new InstagramStateError(`The plan is ${now.status}, not a draft`, 'INSTAGRAM_PLAN_NOT_DRAFT');
    }
    await this.deps.jobs().send(PLAN_STEP_JOB, { planId: id, step: 0 });
    return this.get(id);
  }

  async cancel(id: string): Promise<AgentPlan> {
    const plan = await this.get(id);
    if (!['draft', 'approved', 'running'].includes(plan.status)) {
      throw new InstagramStateError(`The plan is already ${plan.status}`, 'INSTAGRAM_PLAN_FINISHED');
    }
    await this.update(id, { status: 'cancelled' });
    return this.get(id);
  }

  /** The step job: runs one step, records it, queues the next (a follow-up waits its delay). */
  async runStep(planId: string, index: number, followUp = false): Promise<void> {
    const plan = await this.get(planId);
    if (plan.status !== 'running') return;
    const done = plan.report.steps?.[index];
    if (done) return;
    const step = plan.steps[index];
    if (!step) return this.update(planId, { status: 'done', progress: 1 });
    if (step.tool === 'schedule_follow_up' && !followUp) {
      await this.deps
        .jobs()
        .send(
          PLAN_STEP_JOB,
          { planId, step: index, followUp: true },
          { startAfter: Math.round(step.delayHours * 3600) },
        );
      return;
    }
    const result = await this.run(plan, index, step);
    const steps = [...(plan.report.steps ?? [])];
    steps[index] = { tool: step.tool, ...result, at: this.deps.now().toISOString() };
    const progress = (index + 1) / plan.steps.length;
    const last = index + 1 >= plan.steps.length;
    const current = await this.get(planId);
    if (current.status !== 'running') return;
    await this.update(planId, {
      report: { ...plan.report, steps },
      progress,
      ...(last ? { status: 'done' as const } : {}),
    });
    if (!last) await this.deps.jobs().send(PLAN_STEP_JOB, { planId, step: index + 1 });
  }

  private async run(plan: AgentPlan, index: number, step: PlanStep): Promise<Record<string, unknown>> {
    if (step.tool === 'report') {
      const [row] = await this.deps.db.query<{ sent: number; refused: number }>(
        `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE status = 'refused')::int AS refused
           FROM instagram_outbox WHERE plan_id = $1`,
        { bind: [plan.id], type: QueryTypes.SELECT },
      );
      return { sent: row?.sent ?? 0, refused: row?.refused ?? 0 };
    }
    const audience = await this.audience(step.audience);
    if (step.tool === 'tag_users') {
      for (const a of audience) await this.deps.store.addTags(a.conversationId, step.tags);
      return { tagged: audience.length };
    }
    if (step.tool === 'summarise_conversations') {
      let summarised = 0;
      for (const a of audience.slice(0, step.limit)) {
        if (await this.deps.agent.refreshSummary(a.conversationId)) summarised++;
      }
      return { summarised };
    }
    const since = this.deps.now().getTime() - this.deps.windowHours() * 3600_000;
    const inside = audience.filter((a) => a.lastUserMessageAt && a.lastUserMessageAt.getTime() > since);
    let queued = 0;
    for (const a of inside) {
      const conversation = await this.deps.store.get(a.conversationId);
      if (!conversation) continue;
      const entry = await this.deps.outbox.enqueue({
        conversation,
        author: 'bot',
        text: step.text,
        replyKey: `plan:${plan.id}:${index}:${conversation.igsid}`,
        source: 'plan',
        planId: plan.id,
      });
      if (entry.status !== 'refused') queued++;
    }
    return { audience: audience.length, queued, skippedOutsideWindow: audience.length - inside.length };
  }

  private async audience(filter: z.output<typeof Audience>) {
    const where: string[] = [];
    const bind: unknown[] = [];
    if (filter.segment) {
      bind.push(filter.segment);
      where.push(`(u.segment = $${bind.length} OR u.cluster = $${bind.length})`);
    }
    if (filter.tag) {
      bind.push(filter.tag);
      where.push(`$${bind.length} = ANY(c.tags)`);
    }
    if (filter.intent) {
      bind.push(filter.intent);
      where.push(
        `EXISTS (SELECT 1 FROM instagram_messages m WHERE m.conversation_id = c.id AND m.intent = $${bind.length})`,
      );
    }
    const rows = await this.deps.db.query<{ id: string; last_user_message_at: Date | null }>(
      `SELECT c.id, c.last_user_message_at FROM instagram_conversations c JOIN instagram_users u ON u.id = c.user_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.id LIMIT 5000`,
      { bind, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ conversationId: String(r.id), lastUserMessageAt: r.last_user_message_at }));
  }

  private async update(
    id: string,
    patch: Partial<{ status: PlanStatus; progress: number; steps: PlanStep[]; report: AgentPlan['report'] }>,
  ) {
    await this.deps.db.query(
      `UPDATE instagram_agent_plans SET status = COALESCE($2, status), progress = COALESCE($3, progress),
              steps = COALESCE($4::jsonb, steps), report = COALESCE($5::jsonb, report), updated_at = now() WHERE id = $1`,
      {
        bind: [
          id,
          patch.status ?? null,
          patch.progress ?? null,
          patch.steps ? JSON.stringify(patch.steps) : null,
          patch.report ? JSON.stringify(patch.report) : null,
        ],
      },
    );
  }
}

function toPlan(r: Row): AgentPlan {
  return {
    id: String(r.id),
    name: String(r.name),
    goal: String(r.goal),
    constraints: (r.constraints as string[]) ?? [],
    steps: (r.steps as PlanStep[]) ?? [],
    status: r.status as PlanStatus,
    progress: Number(r.progress),
    report: (r.report as AgentPlan['report']) ?? {},
    createdBy: (r.created_by as string | null) ?? null,
    approvedBy: (r.approved_by as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
}
