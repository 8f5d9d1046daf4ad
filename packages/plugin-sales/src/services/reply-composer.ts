import { formatContextBlock, type Llm } from '@botloom/core';
import type { ObjectionHandler, ScriptDefinition, Stage } from '../script/script-schema.js';
import type { MessageAnalysis } from './analysis.js';
import type { Strategy } from './strategy.js';
import { numbersIn, words } from './text-match.js';

export interface ReplyInput {
  script: ScriptDefinition;
  /** The stage the reply speaks for (after the transition). */
  stage: Stage;
  enteredStage: boolean;
  strategy: Strategy;
  analysis: MessageAnalysis;
  handlers: ObjectionHandler[];
  lineCursor: number;
  /** The next questionnaire question to ask, if any. */
  nextQuestion?: string;
  text: string;
  userId: number;
  history: { author: 'client' | 'bot' | 'operator'; text: string }[];
  maxTokens: number;
}

export interface ComposedReply {
  text: string;
  lineCursor: number;
  /** How the text was made: scripted lines, adapted by the model, or free (model or offline). */
  mode: 'scripted' | 'adapted' | 'free' | 'free_offline';
  tokens: number;
  latencyMs: number;
  /** The model's text was refused by the guards (invented figures, lost key message). */
  guarded: boolean;
}

/**
 * Writes the bot's reply. Facts come only from the script: the model's text is refused when it
 * names a figure that neither the script nor the client's message contains, or (script_80)
 * drops the stage's key message; the scripted text is sent instead.
 */
export class ReplyComposer {
  constructor(private readonly llm: Llm) {}

  async compose(input: ReplyInput): Promise<ComposedReply> {
    const scripted = scriptedParts(input);
    const base = [...input.handlers.map((h) => h.reply), ...scripted.parts].join('\n\n');
    if (input.strategy === 'script_80') {
      if (this.llm.offline || input.analysis.tone === 'neutral') {
        return {
          text: base,
          lineCursor: scripted.cursor,
          mode: 'scripted',
          tokens: 0,
          latencyMs: 0,
          guarded: false,
        };
      }
      const adapted = await this.adapt(input, base);
      const keyKept =
        !scripted.parts.includes(input.stage.keyMessage) || adapted.text.includes(input.stage.keyMessage);
      const ok = keyKept && inventedFigures(adapted.text, input).length === 0;
      return {
        text: ok ? adapted.text : base,
        lineCursor: scripted.cursor,
        mode: ok ? 'adapted' : 'scripted',
        tokens: adapted.tokens,
        latencyMs: adapted.latencyMs,
        guarded: !ok,
      };
    }
    if (this.llm.offline) return { ...offlineFree(input), lineCursor: input.lineCursor };
    const free = await this.free(input);
    const ok = free.text.trim().length > 0 && inventedFigures(free.text, input).length === 0;
    const fallback = offlineFree(input);
    return {
      text: ok ? free.text : fallback.text,
      lineCursor: input.lineCursor,
      mode: ok ? 'free' : 'free_offline',
      tokens: free.tokens,
      latencyMs: free.latencyMs,
      guarded: !ok,
    };
  }

  private async adapt(input: ReplyInput, base: string) {
    const result = await this.llm.chat({
      purpose: 'sales.adapt',
      user: String(input.userId),
      temperature: 0.3,
      maxTokens: input.maxTokens,
      messages: [
        {
          role: 'system',
          content: [
            `You are an automated sales assistant (a bot, and you never claim to be a person) for "${input.script.product.name}".`,
            `Rewrite the scripted reply below for a client whose tone is ${input.analysis.tone}. Keep its meaning and order.`,
            ...(base.includes(input.stage.keyMessage)
              ? [`Keep this sentence word for word: "${input.stage.keyMessage}".`]
              : []),
            'Add no facts, prices, dates or discounts. Answer in the language of the scripted reply.',
            `Scripted reply:\n${base}`,
          ].join('\n'),
        },
        { role: 'user', content: input.text },
      ],
    });
    return { text: result.content.trim(), tokens: result.usage.totalTokens, latencyMs: result.latencyMs };
  }

  private async free(input: ReplyInput) {
    const facts = input.script.product.facts.map((f) => ({ label: f.key, text: f.text }));
    const result = await this.llm.chat({
      purpose: 'sales.reply',
      user: String(input.userId),
      temperature: 0.5,
      maxTokens: input.maxTokens,
      messages: [
        {
          role: 'system',
          content: [
            `You are an automated sales assistant (a bot, and you never claim to be a person) for "${input.script.product.name}".`,
            `Stage goal: ${input.stage.goal}`,
            "Talk freely with the client about their situation and pain, briefly (at most 4 sentences), in the client's language.",
            `Bring in this message of the script: "${input.stage.keyMessage}"`,
            'State facts (prices, terms, what is included) only from the context below. Never invent a price, discount or date; if the context does not say, offer that a manager confirms it.',
            formatContextBlock(facts),
          ].join('\n\n'),
        },
        ...input.history.map((h) => ({
          role: h.author === 'client' ? ('user' as const) : ('assistant' as const),
          content: h.text,
        })),
        { role: 'user', content: input.text },
      ],
    });
    return { text: result.content.trim(), tokens: result.usage.totalTokens, latencyMs: result.latencyMs };
  }
}

/**
 * The stage's key message on entering it, else its next line; then the next question. With the
 * lines used up the key message is said again only when there is no question to ask: a
 * questionnaire stage without lines would otherwise open every question with it ("Thanks! Two
 * short questions..." before the second question too).
 */
function scriptedParts(input: ReplyInput): { parts: string[]; cursor: number } {
  const { stage } = input;
  const parts: string[] = [];
  let cursor = input.enteredStage ? 0 : input.lineCursor;
  if (input.enteredStage) {
    parts.push(stage.keyMessage);
    if (stage.lines.length) parts.push(stage.lines[cursor++]!);
  } else if (cursor < stage.lines.length) {
    parts.push(stage.lines[cursor++]!);
  } else if (!input.nextQuestion) {
    parts.push(stage.keyMessage);
  }
  if (input.nextQuestion && !parts.includes(input.nextQuestion)) parts.push(input.nextQuestion);
  return { parts, cursor };
}

/**
 * free_20 without a model: the product facts that share words with the message (at most two),
 * objection replies, and the stage's key message. Only script text, so nothing is invented.
 */
function offlineFree(input: ReplyInput): Omit<ComposedReply, 'lineCursor'> {
  const asked = new Set(words(input.text).filter((w) => w.length > 3));
  const facts = input.script.product.facts
    .map((f) => ({
      f,
      hits: [f.key, ...words(f.text)].filter((w) => asked.has(w) || asked.has(w.slice(0, 5))).length,
    }))
    .filter((x) => x.hits > 0)
    .sort((a, b) => b.hits - a.hits)
    .slice(0, 2)
    .map((x) => x.f.text);
  const parts = [...input.handlers.map((h) => h.reply), ...facts];
  // As in scriptedParts: inside a stage, the next question replaces the repeated key message.
  if (input.enteredStage || !input.nextQuestion) parts.push(input.stage.keyMessage);
  if (input.nextQuestion) parts.push(input.nextQuestion);
  return {
    text: [...new Set(parts)].join('\n\n'),
    mode: 'free_offline',
    tokens: 0,
    latencyMs: 0,
    guarded: false,
  };
}

/** Figures in a model's text that neither the script nor the client's message contains. */
export function inventedFigures(text: string, input: Pick<ReplyInput, 'script' | 'text'>): string[] {
  const known = new Set([...numbersIn(JSON.stringify(input.script)), ...numbersIn(input.text)]);
  return numbersIn(text).filter((n) => !known.has(n));
}
