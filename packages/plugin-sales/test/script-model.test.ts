import { describe, expect, it } from 'vitest';
import { diffScripts } from '../src/script/script-diff.js';
import { parseScriptFile, scriptFileId, serialiseScriptFile } from '../src/script/script-file.js';
import { parseScript } from '../src/script/validate-script.js';
import { ScriptInvalidError } from '../src/services/errors.js';
import { courseEnText, courseJson } from './helpers.js';

function issuesOf(input: unknown) {
  try {
    parseScript(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ScriptInvalidError);
    return (error as ScriptInvalidError).issues;
  }
  throw new Error('the script was accepted');
}

describe('script validation', () => {
  it('accepts the shipped demo scripts', () => {
    const file = parseScriptFile(courseEnText());
    expect(file.id).toBe('course');
    expect(file.definition.stages.map((s) => s.id)).toEqual([
      'greeting',
      'qualification',
      'needs',
      'presentation',
      'objections',
      'close',
      'education',
      'farewell',
    ]);
  });

  it('refuses a transition to an unknown stage, with the path of the error', () => {
    const script = courseJson();
    script.stages[2].transitions[0].to = 'pricing';
    expect(issuesOf(script)).toEqual([
      { path: 'stages.2.transitions.0.to', message: 'unknown stage "pricing"' },
    ]);
  });

  it('refuses a cycle with no exit, naming the cycle', () => {
    const script = courseJson();
    // needs <-> presentation, and nothing else leads on from them.
    script.stages[2].transitions = [{ to: 'presentation', when: { minTurns: 1 } }];
    script.stages[3].transitions = [{ to: 'needs', when: { minTurns: 1 } }];
    const issues = issuesOf(script);
    expect(issues[0]!.path).toMatch(/^stages\.\d\.transitions$/);
    expect(issues.map((i) => i.message).join('\n')).toContain(
      'cycle with no exit: needs -> presentation -> needs',
    );
  });

  it('refuses schema errors with their path: an unknown trigger stage, a bad field', () => {
    const script = courseJson();
    script.triggers[1].stage = 'nowhere';
    expect(issuesOf(script)).toEqual([{ path: 'triggers.1.stage', message: 'unknown stage "nowhere"' }]);
    const bad = courseJson();
    bad.stages[0].goal = '';
    expect(issuesOf(bad)[0]!.path).toBe('stages.0.goal');
  });

  it('round-trips through YAML and JSON files', () => {
    const file = parseScriptFile(courseEnText());
    for (const format of ['yaml', 'json'] as const) {
      expect(parseScriptFile(serialiseScriptFile(file, format))).toEqual(file);
    }
  });

  it("reads a YAML file's id from its top-level line, as parsing does, and leaves other layouts to the parser", () => {
    const text = courseEnText();
    expect(scriptFileId(text)).toBe(parseScriptFile(text).id);
    const file = parseScriptFile(text);
    expect(scriptFileId(serialiseScriptFile(file, 'yaml'))).toBe(file.id);
    expect(scriptFileId(serialiseScriptFile(file, 'json'))).toBeUndefined();
    expect(scriptFileId("id: 'quoted-id' # a comment\nname: x")).toBe('quoted-id');
    // Nested ids (stages) and slugs the parser would refuse are not taken for the script's.
    expect(scriptFileId('name: x\nstages:\n  - id: greeting\n')).toBeUndefined();
    expect(scriptFileId('id: Not-A-Slug\n')).toBeUndefined();
  });

  it('diffs two versions by stage id', () => {
    const a = courseJson();
    const b = courseJson();
    b.stages[3].keyMessage = 'A new key message.';
    b.product.facts.push({ key: 'bonus', text: 'A bonus lesson.' });
    expect(diffScripts(a, b)).toEqual([
      { path: 'product.facts[bonus]', kind: 'added', to: { key: 'bonus', text: 'A bonus lesson.' } },
      {
        path: 'stages[presentation].keyMessage',
        kind: 'changed',
        from: a.stages[3].keyMessage,
        to: 'A new key message.',
      },
    ]);
  });
});
