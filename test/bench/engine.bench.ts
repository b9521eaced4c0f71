/**
 * Issue 8: the benchmark suite. Each group replays one seeded stream (streams.ts) per iteration,
 * from the same immutable start state, through the engine and through the two references
 * measured in the same run: the mutable-number loop (numberRef.ts, the physical limit) and
 * json-rules-engine deciding the same eligibility rules (jreRef.ts).
 *
 * `npm run bench` then prints one summary table (report.mjs) from vitest's JSON output and the
 * facts this file writes to .cache/bench/meta.json (events per iteration, state sizes).
 * BENCH_QUICK=1 (`npm run bench:ci`) runs two iterations of each, with no timing assertions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { bench, describe } from 'vitest';
import { decodeEvent, step, type AccountState, type Event } from '../../src/index';
import { NumberBook } from './numberRef';
import { JreBook, rulesEngine } from './jreRef';
import { decodeAll, guardStream, heavyStream, scaledStream, startState, toJsonLines, typicalStream, type Stream } from './streams';

const QUICK = process.env['BENCH_QUICK'] === '1';
type BenchOptions = NonNullable<Parameters<typeof bench>[2]>;
const OPTIONS: BenchOptions = QUICK
  ? { time: 0, iterations: 2, warmupTime: 0, warmupIterations: 1 }
  : { time: 1_000, iterations: 10, warmupTime: 200, warmupIterations: 3 };
/** The slowest groups (json-rules-engine, 1,000 vouchers) need fewer, longer iterations. */
const SLOW: BenchOptions = QUICK ? OPTIONS : { time: 0, iterations: 6, warmupTime: 0, warmupIterations: 2 };

interface Prepared {
  readonly stream: Stream;
  readonly start: AccountState;
  readonly events: readonly Event[];
  readonly end: AccountState;
}

/** Decodes a stream and runs its setup once: every iteration starts from the same state. */
function prepare(stream: Stream): Prepared {
  let start = startState(stream);
  for (const e of decodeAll(stream.setup, start.policy.scale)) start = step(start, e).state;
  const events = decodeAll(stream.events, start.policy.scale);
  let end = start;
  for (const e of events) end = step(end, e).state;
  return { stream, start, events, end };
}

const jre = rulesEngine();
let sink: unknown;

function engineReplay(p: Prepared): () => void {
  return () => {
    let state = p.start;
    for (const e of p.events) state = step(state, e).state;
    sink = state;
  };
}

/**
 * The number book is mutable, so each iteration needs its own copy of the start book. Copies
 * come from a pool refilled every 16 iterations: the refill lands in one sample in 16, which the
 * median ignores, so the figure is the events' time alone, as the engine's is.
 */
function numberReplay(p: Prepared): () => void {
  const start = startBook(p);
  const pool: NumberBook[] = [];
  return () => {
    if (pool.length === 0) for (let i = 0; i < 16; i++) pool.push(start.clone());
    const book = pool.pop() as NumberBook;
    for (const e of p.events) book.step(e);
    sink = book;
  };
}

function startBook(p: Prepared): NumberBook {
  const book = new NumberBook(p.stream.account, p.stream.policy);
  for (const e of decodeAll(p.stream.setup, p.start.policy.scale)) book.step(e);
  return book;
}

/** The same with json-rules-engine taking the decisions (its copy of the start book is negligible next to it). */
function rulesReplay(p: Prepared): () => Promise<void> {
  const start = startBook(p);
  return async () => {
    const book = new JreBook(p.stream.account, p.stream.policy, jre, start);
    for (const e of p.events) await book.step(e);
    sink = book;
  };
}

const typical = prepare(typicalStream(2_000));
const heavy = prepare(heavyStream(1_000));
const guard = prepare(guardStream(2_000));
const lines = toJsonLines(typical.stream.events);
// The quick run leaves out n=1000, whose setup alone takes seconds (CI budget: under a minute).
const SCALES = QUICK ? [1, 10, 100] : [1, 10, 100, 1_000];
const scaled = SCALES.map((n) => prepare(scaledStream(n, 200)));

// The typical account's state as JSON: early (the shape the issue names) and after the stream.
let early = startState(typical.stream);
for (const e of typical.events.slice(0, 200)) early = step(early, e).state;
const sliceBytes = (s: AccountState): Record<string, number> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, JSON.stringify(v).length]));

const meta = {
  quick: QUICK,
  events: {
    typical: typical.events.length,
    heavy: heavy.events.length,
    guard: guard.events.length,
    'json lines': lines.length,
    ...Object.fromEntries(scaled.map((p) => [p.stream.name, p.events.length])),
  },
  stateBytes: {
    typicalAfter200: JSON.stringify(early).length,
    typicalAfter2000: JSON.stringify(typical.end).length,
    typicalSlicesAfter2000: sliceBytes(typical.end),
    typicalShapeAfter200: shape(early),
    typicalShapeAfter2000: shape(typical.end),
    heavy: JSON.stringify(heavy.end).length,
    guard: JSON.stringify(guard.end).length,
    scaling: Object.fromEntries(scaled.map((p) => [p.stream.name, { start: JSON.stringify(p.start).length, end: JSON.stringify(p.end).length, shape: shape(p.end) }])),
  },
};
function shape(s: AccountState): Record<string, number> {
  return {
    lossCoverage: s.lossCoverageVouchers.length,
    positionVouchers: s.positionVouchers.length,
    futuresBonuses: s.futuresBonuses.length,
    positions: s.positions.length,
    orders: s.orders.length,
  };
}
const out = new URL('../../.cache/bench/', import.meta.url);
mkdirSync(out, { recursive: true });
writeFileSync(new URL('meta.json', out), JSON.stringify(meta, null, 2));

for (const p of [typical, heavy, guard]) {
  describe(p.stream.name, () => {
    bench('engine', engineReplay(p), OPTIONS);
    bench('number reference', numberReplay(p), OPTIONS);
    bench('json-rules-engine', rulesReplay(p), SLOW);
  });
}

describe('json lines', () => {
  const scale = typical.start.policy.scale;
  bench('engine', () => {
    let state = typical.start;
    for (const line of lines) {
      const decoded = decodeEvent(JSON.parse(line), scale);
      if (decoded._tag === 'Left') throw new Error('a bench line does not decode');
      state = step(state, decoded.right).state;
    }
    sink = state;
  }, OPTIONS);
  bench('number reference', () => {
    const book = new NumberBook(typical.stream.account, typical.stream.policy);
    for (const line of lines) book.step(JSON.parse(line) as Event);
    sink = book;
  }, OPTIONS);
  bench('json-rules-engine', async () => {
    const book = new JreBook(typical.stream.account, typical.stream.policy, jre);
    for (const line of lines) await book.step(JSON.parse(line) as Event);
    sink = book;
  }, SLOW);
});

// Where the JSON-lines time goes: parsing alone, and parsing with the io-ts decoder.
describe('json lines parts', () => {
  const scale = typical.start.policy.scale;
  bench('JSON.parse', () => {
    for (const line of lines) sink = JSON.parse(line);
  }, OPTIONS);
  bench('JSON.parse + decodeEvent', () => {
    for (const line of lines) sink = decodeEvent(JSON.parse(line), scale);
  }, OPTIONS);
});

describe('scaling', () => {
  for (const p of scaled) {
    bench(`engine ${p.stream.name}`, engineReplay(p), p.stream.name === 'n=1000' ? SLOW : OPTIONS);
  }
  for (const p of scaled) bench(`number reference ${p.stream.name}`, numberReplay(p), OPTIONS);
});

export { sink };
