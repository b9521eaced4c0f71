/**
 * Every scenario file under test/scenarios/ runs through `replayJson`, the function behind the
 * command line, and its effects must equal the hand-checked `NAME.expected.json` beside it.
 * An expected file is derived from RULES.md by hand, never pasted from the engine's output.
 * `EventRejected.message` is free text (D-23), so it is not compared; its code and rule are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayJson } from '../src/index';

function withoutMessages(effects: readonly unknown[]): unknown[] {
  return effects.map((effect) => {
    if (typeof effect !== 'object' || effect === null) return effect;
    const { message: _message, ...rest } = effect as Record<string, unknown>;
    return rest;
  });
}

const dir = join(__dirname, 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).sort();

describe('scenario files replay to their expected effects', () => {
  it('has scenarios', () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(file, () => {
      const scenario: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const expected: unknown = JSON.parse(readFileSync(join(dir, file.replace(/\.json$/, '.expected.json')), 'utf8'));
      const result = replayJson(scenario);
      if (result._tag === 'Left') throw new Error(`${file} does not decode: ${JSON.stringify(result.left)}`);
      expect(withoutMessages(result.right.effects)).toEqual(withoutMessages((expected as { effects: unknown[] }).effects));
    });
  }
});
