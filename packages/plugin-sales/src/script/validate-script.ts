import type { ZodIssue } from 'zod';
import { ScriptInvalidError, type ScriptIssue } from '../services/errors.js';
import { type ScriptDefinition, ScriptDefinitionSchema, type Stage } from './script-schema.js';

const pathOf = (issue: ZodIssue) => issue.path.join('.');

/** A stage where a conversation may end: marked final, or with nowhere to go. */
export function isTerminal(stage: Stage): boolean {
  return stage.final === true || stage.transitions.length === 0;
}

/**
 * Parses and checks a script: the schema, then the graph. Refuses (ScriptInvalidError, every
 * issue with its path) duplicate stage ids, a start stage or a transition or trigger naming a
 * stage that does not exist, and stages that cannot reach an end (a cycle with no exit).
 */
export function parseScript(input: unknown): ScriptDefinition {
  const parsed = ScriptDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new ScriptInvalidError(parsed.error.issues.map((i) => ({ path: pathOf(i), message: i.message })));
  }
  const script = parsed.data;
  const issues = graphIssues(script);
  if (issues.length) throw new ScriptInvalidError(issues);
  return script;
}

function graphIssues(script: ScriptDefinition): ScriptIssue[] {
  const issues: ScriptIssue[] = [];
  const index = new Map<string, number>();
  script.stages.forEach((stage, i) => {
    if (index.has(stage.id))
      issues.push({ path: `stages.${i}.id`, message: `duplicate stage "${stage.id}"` });
    else index.set(stage.id, i);
    const seen = new Set<string>();
    stage.objections.forEach((o, j) => {
      if (seen.has(o.id))
        issues.push({ path: `stages.${i}.objections.${j}.id`, message: `duplicate objection "${o.id}"` });
      seen.add(o.id);
    });
  });
  if (!index.has(script.startStage))
    issues.push({ path: 'startStage', message: `unknown stage "${script.startStage}"` });
  script.stages.forEach((stage, i) => {
    stage.transitions.forEach((t, j) => {
      if (!index.has(t.to))
        issues.push({ path: `stages.${i}.transitions.${j}.to`, message: `unknown stage "${t.to}"` });
    });
  });
  script.triggers.forEach((t, i) => {
    if (t.on === 'keyword' && !index.has(t.stage))
      issues.push({ path: `triggers.${i}.stage`, message: `unknown stage "${t.stage}"` });
    if (t.on === 'silence' && script.triggers.findIndex((o) => o.on === 'silence') !== i)
      issues.push({ path: `triggers.${i}.on`, message: 'only one silence trigger per script' });
  });
  if (issues.length) return issues;
  return deadEndCycles(script, index);
}

/** Stages from which no terminal stage can be reached, reported once per cycle with its path. */
function deadEndCycles(script: ScriptDefinition, index: Map<string, number>): ScriptIssue[] {
  const canEnd = new Set(script.stages.filter(isTerminal).map((s) => s.id));
  let grew = true;
  while (grew) {
    grew = false;
    for (const stage of script.stages) {
      if (!canEnd.has(stage.id) && stage.transitions.some((t) => canEnd.has(t.to))) {
        canEnd.add(stage.id);
        grew = true;
      }
    }
  }
  const issues: ScriptIssue[] = [];
  const reported = new Set<string>();
  for (const stage of script.stages) {
    if (canEnd.has(stage.id) || reported.has(stage.id)) continue;
    const cycle = findCycleFrom(script, stage.id, index);
    for (const id of cycle) reported.add(id);
    issues.push({
      path: `stages.${index.get(stage.id)}.transitions`,
      message: `stage "${stage.id}" is in a cycle with no exit: ${[...cycle, cycle[0]].join(' -> ')}`,
    });
  }
  return issues;
}

function findCycleFrom(script: ScriptDefinition, start: string, index: Map<string, number>): string[] {
  const path: string[] = [];
  let current = start;
  while (!path.includes(current)) {
    path.push(current);
    const stage = script.stages[index.get(current)!]!;
    current = stage.transitions[0]!.to;
  }
  return path.slice(path.indexOf(current));
}

export function stageOf(script: ScriptDefinition, id: string): Stage | undefined {
  return script.stages.find((s) => s.id === id);
}
