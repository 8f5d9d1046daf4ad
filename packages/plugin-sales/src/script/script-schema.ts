import { z } from 'zod';
import { EducationScenarioSchema } from '../education/scenario-schema.js';

const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_" (at most 63)');
const Text = z.string().trim().min(1).max(2000);
const Keywords = z.array(z.string().trim().min(1).max(80)).max(50);

/** What the client's message must show for a transition to apply (all given parts must hold). */
export const TransitionConditionSchema = z
  .object({
    /** The analysed intent is one of these. */
    intents: z.array(z.string().min(1).max(40)).max(10).optional(),
    /** Words or phrases; any one in the message (case-insensitive) is enough. */
    keywords: Keywords.optional(),
    /** The analysis found a consent signal. */
    consent: z.boolean().optional(),
    /** The stage's questionnaire is fully answered. */
    questionnaireDone: z.boolean().optional(),
    /** At least this many client messages at this stage. */
    minTurns: z.number().int().min(1).max(50).optional(),
    /** Always applies (a fallback; put it last). */
    always: z.boolean().optional(),
  })
  .strict();

export const TransitionSchema = z
  .object({
    to: Id,
    when: TransitionConditionSchema.default({}),
    /** Why this step exists, recorded with the transition. */
    reason: z.string().max(300).optional(),
  })
  .strict();

export const ObjectionHandlerSchema = z
  .object({
    id: Id,
    keywords: Keywords.min(1),
    reply: Text,
  })
  .strict();

export const QuestionnaireSchema = z
  .object({
    id: Id,
    questions: z
      .array(
        z
          .object({ id: Id, text: Text, options: z.array(z.string().min(1).max(100)).max(10).optional() })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict();

const FollowUpSchema = z
  .object({
    afterHours: z
      .number()
      .min(0.01)
      .max(24 * 30),
    text: Text,
  })
  .strict();

export const StageSchema = z
  .object({
    id: Id,
    goal: Text,
    /** The message a script_80 reply at this stage must keep. */
    keyMessage: Text,
    /** Further scripted lines (messages and questions), used in order. */
    lines: z.array(Text).max(30).default([]),
    objections: z.array(ObjectionHandlerSchema).max(30).default([]),
    transitions: z.array(TransitionSchema).max(20).default([]),
    questionnaire: QuestionnaireSchema.optional(),
    /** One message after this many hours of silence at this stage. */
    followUp: FollowUpSchema.optional(),
    /** Entering this stage offers the client an education group. */
    education: z.boolean().optional(),
    /** The conversation ends here. */
    final: z.boolean().optional(),
  })
  .strict();

export const ProductFactSchema = z.object({ key: Id, text: Text }).strict();

export const TriggerSchema = z.discriminatedUnion('on', [
  z.object({ on: z.literal('consent'), action: z.literal('education') }).strict(),
  z
    .object({ on: z.literal('keyword'), keywords: Keywords.min(1), action: z.literal('goto'), stage: Id })
    .strict(),
  z.object({ on: z.literal('stop'), keywords: Keywords.min(1), action: z.literal('end') }).strict(),
  /** The script-wide silence follow-up: at every non-final stage without its own `followUp`. */
  FollowUpSchema.extend({ on: z.literal('silence'), action: z.literal('follow_up') }).strict(),
]);

/** A sales script: stages in order, product facts, triggers. Validated by `validateScript` too. */
export const ScriptDefinitionSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    language: z.enum(['en', 'ru']).default('en'),
    startStage: Id,
    product: z
      .object({
        name: z.string().trim().min(1).max(200),
        /** The only facts replies may state: prices, terms, what is included. */
        facts: z.array(ProductFactSchema).max(50).default([]),
      })
      .strict(),
    stages: z.array(StageSchema).min(1).max(30),
    triggers: z.array(TriggerSchema).max(30).default([]),
    /** Script #2: the teaching scenario run in the education group (default: the demo lesson). */
    education: EducationScenarioSchema.optional(),
  })
  .strict();

export type TransitionCondition = z.output<typeof TransitionConditionSchema>;
export type Transition = z.output<typeof TransitionSchema>;
export type ObjectionHandler = z.output<typeof ObjectionHandlerSchema>;
export type Stage = z.output<typeof StageSchema>;
export type ScriptTrigger = z.output<typeof TriggerSchema>;
export type ScriptDefinition = z.output<typeof ScriptDefinitionSchema>;
export type ScriptDefinitionInput = z.input<typeof ScriptDefinitionSchema>;

/** A script as files carry it: its slug with the definition. */
export const ScriptFileSchema = z.object({ id: Id }).passthrough();

export const SCRIPT_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
