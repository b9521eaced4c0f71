/**
 * docs/rules.md records every rule: each rule id used in src/ (an effect's `rule`, or an id named
 * in a comment such as `LCV-4`), every id an effect may name, and every id of RULES.md, has its
 * own section (`### ID title`) with the decision and a worked example.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EFFECT_RULE_IDS, REJECTION_RULES } from '../../src/index';

const root = join(__dirname, '..', '..');
const doc = readFileSync(join(root, 'docs', 'rules.md'), 'utf8');
const ID = /\b(?:G|A|P|M|LCV|PV|FB|D|FV)-\d+\b/g;

/** Each `### ID title` section of the document, with its text up to the next heading. */
const sections = new Map<string, string>();
for (const part of doc.split(/\n(?=#{2,3} )/)) {
  const heading = /^### ((?:G|A|P|M|LCV|PV|FB|D|FV)-\d+) \S/.exec(part);
  if (heading?.[1] !== undefined) sections.set(heading[1], part);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The rule ids of RULES.md section by section: G-1..G-8, A-1..A-5, ... D-1..D-34. */
const RULEBOOK: readonly [string, number][] = [['G', 8], ['A', 5], ['P', 6], ['M', 4], ['LCV', 8], ['PV', 10], ['FB', 12], ['D', 34]];
const rulebookIds = RULEBOOK.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`));

describe('docs/rules.md', () => {
  it('has a section for every rule id used in src/, in code or in comments', () => {
    const used = new Set<string>();
    for (const file of filesUnder(join(root, 'src'))) for (const id of readFileSync(file, 'utf8').match(ID) ?? []) used.add(id);
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((id) => !sections.has(id)).sort();
    expect(missing).toEqual([]);
  });

  it('has a section for every rule an effect or a rejection may name', () => {
    for (const id of [...EFFECT_RULE_IDS, ...Object.values(REJECTION_RULES)]) expect(sections.has(id), id).toBe(true);
  });

  it('has a section for every rule of RULES.md, and for the library decisions FV-1..FV-6', () => {
    for (const id of [...rulebookIds, 'FV-1', 'FV-2', 'FV-3', 'FV-4', 'FV-5', 'FV-6']) expect(sections.has(id), id).toBe(true);
    // Beside a checkout of the shared folder, the rulebook itself is read too.
    const rulebook = join(root, '..', 'shared', 'RULES.md');
    if (existsSync(rulebook)) {
      const ids = new Set(readFileSync(rulebook, 'utf8').match(/\*\*((?:G|A|P|M|LCV|PV|FB|D)-\d+)/g)?.map((m) => m.slice(2)) ?? []);
      expect([...ids].filter((id) => !sections.has(id))).toEqual([]);
    }
  });

  it('gives each rule its decision and a worked example, once', () => {
    for (const [id, text] of sections) {
      expect(text, id).toMatch(/\*Example:\*/);
      expect(text.replace(/^### .*\n/, '').split('*Example:*')[0]?.trim().length, id).toBeGreaterThan(40);
    }
    const headings = doc.match(/^### \S+/gm) ?? [];
    expect(new Set(headings).size).toBe(headings.length);
  });
});
