/**
 * Helpers of the invariant tests: step a list of DSL events keeping every step's input and
 * output, and the run-count / seed / path plumbing of the property tests (FV_RUNS, FV_SEED,
 * FV_PATH, FV_DEEP).
 */
import fc from 'fast-check';
import { afterAll, it } from 'vitest';
import { decodeEvent, step, type AccountState, type Event, type StepResult } from '../../src/index';
import { arbEventStream, checkStream, type StreamOptions } from '../../src/testing/index';
import type { EventInput } from '../helpers/dsl';

export interface Stepped {
  readonly before: AccountState;
  readonly event: Event;
  readonly result: StepResult;
}

/** Steps DSL events (seq 1.. and the clock's `at` unless given), keeping each step. */
export function stepAll(state: AccountState, inputs: readonly EventInput[]): Stepped[] {
  const out: Stepped[] = [];
  let current = state;
  for (const input of inputs) {
    const json = { seq: current.lastSeq + 1, at: current.clock, ...input };
    const decoded = decodeEvent(json, current.policy.scale);
    if (decoded._tag === 'Left') throw new Error(`test event does not decode: ${JSON.stringify(decoded.left)}`);
    const result = step(current, decoded.right);
    out.push({ before: current, event: decoded.right, result });
    current = result.state;
  }
  return out;
}

export function last<T>(items: readonly T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('empty');
  return item;
}

/** `FV_DEEP=1` (npm run test:deep) raises the default number of runs; `FV_RUNS` sets it. */
export const DEEP = process.env['FV_DEEP'] === '1';

/** Runs per property: FV_RUNS, else 4000 in a deep run, else `normal`. */
export function runs(normal = 100): number {
  const env = Number(process.env['FV_RUNS']);
  if (Number.isInteger(env) && env > 0) return env;
  return DEEP ? 4000 : normal;
}

/** A generous per-test timeout for property tests. */
export function timeoutFor(count: number): number {
  return Math.max(120_000, count * 200);
}

/** What the deep run reports at the end: streams and steps checked, and how long it took. */
export const tally = { streams: 0, steps: 0, effects: 0 };

function replayParameters(): { seed?: number; path?: string; endOnFailure?: boolean } {
  const seed = process.env['FV_SEED'];
  const path = process.env['FV_PATH'];
  const out: { seed?: number; path?: string; endOnFailure?: boolean } = {};
  if (seed !== undefined && seed !== '') out.seed = Number(seed);
  if (path !== undefined && path !== '') {
    out.path = path;
    out.endOnFailure = true;
  }
  return out;
}

/**
 * Runs a property with `fc.check` and, when it fails, throws a report that says how to replay
 * exactly that case: `FV_SEED=<seed> FV_PATH=<path> npx vitest run <file>`.
 */
export function assertProperty<T>(file: string, name: string, property: fc.IProperty<T>, numRuns: number): void {
  const details = fc.check(property, { numRuns, ...replayParameters() });
  if (!details.failed) return;
  const replay = `FV_SEED=${details.seed} FV_PATH="${details.counterexamplePath ?? ''}" npx vitest run ${file} -t "${name}"`;
  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const message = `${name}: property failed (seed ${details.seed}, path ${details.counterexamplePath ?? '-'})\nreplay with: ${replay}\n${cause}\n${report}`;
  console.error(message);
  throw new Error(message);
}

/** A short, readable account of the violations of a stream (the first few). */
export function describeViolations(violations: readonly { invariant: string; seq: number; message: string; details: unknown }[]): string {
  return violations
    .slice(0, 5)
    .map((v) => `[${v.invariant}] after seq ${v.seq}: ${v.message}\n  ${JSON.stringify(v.details).slice(0, 600)}`)
    .join('\n');
}

/**
 * One property over generated streams: `checkStream` finds no violation on any step. Counts what
 * it checked for the deep run's report.
 */
export function streamsHold(file: string, name: string, options: StreamOptions, normalRuns: number): void {
  const count = runs(normalRuns);
  it(name, () => {
    assertProperty(file, name, fc.property(arbEventStream(options), (stream) => {
      const report = checkStream(stream, { stopAtFirst: true });
      tally.streams++;
      tally.steps += report.steps;
      tally.effects += report.effects;
      if (!report.ok) throw new Error(describeViolations(report.violations));
    }), count);
  }, timeoutFor(count));
}

/** In a deep run, prints how many streams, steps and effects a file checked, and how long it took. */
export function reportDeepRun(file: string): void {
  const started = Date.now();
  afterAll(() => {
    if (!DEEP) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`deep run (${file}): ${tally.streams} streams, ${tally.steps} steps, ${tally.effects} effects checked in ${seconds} s`);
  });
}
