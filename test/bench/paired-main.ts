/**
 * Paired ratios (issue 8), run by paired.mjs: on a shared, noisy machine, tinybench's sequential
 * blocks (all engine iterations, then all reference iterations) see different load, and long
 * iterations are interrupted more often than short ones. Here each round times the engine, the
 * number reference and json-rules-engine back to back on the same stream, and the ratio is taken
 * within the round; the report gives the median over rounds. The same is done for the scaling
 * accounts (n = 1, 10, 100, each round timing all three), so "vs n=1" is paired too.
 * Prints one JSON document on stdout. Usage: node paired.mjs [--quick]
 */
import { decodeEvent, step, type AccountState, type Event } from '../../src/index';
import { NumberBook } from './numberRef';
import { JreBook, rulesEngine } from './jreRef';
import { decodeAll, guardStream, heavyStream, scaledStream, startState, toJsonLines, typicalStream, type Stream } from './streams';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 25;
const jre = rulesEngine();
let sink: unknown;

interface Case {
  readonly name: string;
  readonly events: number;
  engine(): void;
  numbers(): void;
  rules(): Promise<void>;
}

function prepared(stream: Stream): { start: AccountState; book: NumberBook; events: Event[] } {
  let start = startState(stream);
  const book = new NumberBook(stream.account, stream.policy);
  for (const e of decodeAll(stream.setup, start.policy.scale)) {
    start = step(start, e).state;
    book.step(e);
  }
  return { start, book, events: decodeAll(stream.events, start.policy.scale) };
}

function replayCase(name: string, stream: Stream): Case {
  const { start, book, events } = prepared(stream);
  return {
    name,
    events: events.length,
    engine: () => {
      let state = start;
      for (const e of events) state = step(state, e).state;
      sink = state;
    },
    numbers: () => {
      const copy = book.clone();
      for (const e of events) copy.step(e);
      sink = copy;
    },
    rules: async () => {
      const rules = new JreBook(stream.account, stream.policy, jre, book);
      for (const e of events) await rules.step(e);
      sink = rules;
    },
  };
}

function jsonCase(stream: Stream): Case {
  const { start, book } = prepared(stream);
  const lines = toJsonLines(stream.events);
  return {
    name: 'json lines',
    events: lines.length,
    engine: () => {
      let state = start;
      for (const line of lines) {
        const decoded = decodeEvent(JSON.parse(line), start.policy.scale);
        if (decoded._tag === 'Left') throw new Error('a bench line does not decode');
        state = step(state, decoded.right).state;
      }
      sink = state;
    },
    numbers: () => {
      const copy = book.clone();
      for (const line of lines) copy.step(JSON.parse(line) as Event);
      sink = copy;
    },
    rules: async () => {
      const rules = new JreBook(stream.account, stream.policy, jre, book);
      for (const line of lines) await rules.step(JSON.parse(line) as Event);
      sink = rules;
    },
  };
}

const now = (): number => performance.now();
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** Times `f` once; a fast reference repeats until it has run for about as long as the engine. */
function timeSync(f: () => void, atLeastMs: number): number {
  let runs = 0;
  const t0 = now();
  do {
    f();
    runs++;
  } while (now() - t0 < atLeastMs);
  return (now() - t0) / runs;
}

async function pairedCase(c: Case): Promise<Record<string, number>> {
  // Warm up every path first.
  for (let i = 0; i < 3; i++) {
    c.engine();
    c.numbers();
    await c.rules();
  }
  const engineMs: number[] = [];
  const numberRatio: number[] = [];
  const rulesRatio: number[] = [];
  const numberMs: number[] = [];
  const rulesMs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const e = timeSync(c.engine, 0);
    const n = timeSync(c.numbers, Math.min(e, 50));
    const t0 = now();
    await c.rules();
    const j = now() - t0;
    engineMs.push(e);
    numberMs.push(n);
    rulesMs.push(j);
    numberRatio.push(n / e);
    rulesRatio.push(j / e);
  }
  return {
    events: c.events,
    engineEventsPerSecond: (c.events * 1000) / median(engineMs),
    numberEventsPerSecond: (c.events * 1000) / median(numberMs),
    rulesEventsPerSecond: (c.events * 1000) / median(rulesMs),
    engineOverNumber: median(numberRatio),
    engineOverRules: median(rulesRatio),
  };
}

async function pairedScaling(): Promise<Record<string, number>> {
  const cases = [1, 10, 100].map((n) => replayCase(`n=${n}`, scaledStream(n, 200)));
  for (const c of cases) for (let i = 0; i < 3; i++) c.engine();
  const perEvent = cases.map(() => [] as number[]);
  const vsOne = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    const us = cases.map((c) => (timeSync(c.engine, 20) * 1000) / c.events);
    us.forEach((u, i) => {
      (perEvent[i] as number[]).push(u);
      (vsOne[i] as number[]).push(u / (us[0] as number));
    });
  }
  const out: Record<string, number> = {};
  cases.forEach((c, i) => {
    out[`${c.name} us/event`] = median(perEvent[i] as number[]);
    out[`${c.name} vs n=1`] = median(vsOne[i] as number[]);
  });
  return out;
}

const typical = typicalStream(2_000);
const result: Record<string, unknown> = { quick, rounds };
for (const c of [replayCase('typical', typical), replayCase('heavy', heavyStream(1_000)), replayCase('guard', guardStream(2_000)), jsonCase(typical)]) {
  result[c.name] = await pairedCase(c);
}
result['scaling'] = await pairedScaling();
void sink;
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
