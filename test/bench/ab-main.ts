/**
 * The A/B driver (scripts/ab.mjs): replays one bench stream through two builds of the engine,
 * alternating, and reports the median ratio of their CPU times over rounds.
 */
import { guardStream, heavyStream, scaledStream, take, toJsonLines, typicalSession, typicalStream, type Stream, type WireEvent } from './streams';

/** The part of the engine's public surface the driver uses (each build is its own module). */
interface Engine {
  createAccount(account: Stream['account'], policy: Stream['policy']): unknown;
  decodeEvent(json: unknown, scale: number): { _tag: 'Left' } | { _tag: 'Right'; right: unknown };
  step(state: unknown, event: unknown): { state: unknown };
}

interface Prepared {
  readonly start: unknown;
  readonly events: readonly unknown[];
  readonly lines: readonly string[];
}

function decoded(engine: Engine, events: readonly WireEvent[]): unknown[] {
  return events.map((e, i) => {
    const d = engine.decodeEvent(e, 8);
    if (d._tag === 'Left') throw new Error(`event ${i} does not decode`);
    return d.right;
  });
}

function prepare(engine: Engine, stream: Stream): Prepared {
  let start = engine.createAccount(stream.account, stream.policy);
  for (const e of decoded(engine, stream.setup)) start = engine.step(start, e).state;
  return { start, events: decoded(engine, stream.events), lines: toJsonLines(stream.events) };
}

/** The typical session after 50,000 events: the first 50,000 are setup, the next 2,000 timed. */
function longStream(): Stream {
  const events = take(typicalSession(), 52_000);
  const typical = typicalStream(1);
  return { ...typical, name: 'long', setup: events.slice(0, 50_000), events: events.slice(50_000) };
}

function streamOf(scenario: string): Stream {
  if (scenario === 'heavy') return heavyStream(1_000);
  if (scenario === 'guard') return guardStream(2_000);
  if (scenario === 'long') return longStream();
  if (scenario.startsWith('n=')) return scaledStream(Number(scenario.slice(2)), 200);
  return typicalStream(2_000);
}

function replay(engine: Engine, p: Prepared, json: boolean): unknown {
  let state = p.start;
  if (json) {
    for (const line of p.lines) {
      const d = engine.decodeEvent(JSON.parse(line), 8);
      if (d._tag === 'Right') state = engine.step(state, d.right).state;
    }
  } else {
    for (const e of p.events) state = engine.step(state, e).state;
  }
  return state;
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** Replays until at least 100 ms of CPU time; returns CPU microseconds per event. */
function timed(engine: Engine, p: Prepared, json: boolean): number {
  let n = 0;
  const start = cpuMicros();
  let elapsed = 0;
  while (elapsed < 100_000) {
    replay(engine, p, json);
    n++;
    elapsed = cpuMicros() - start;
  }
  return elapsed / (n * p.events.length);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/** The effects (and the final state) of one replay, as JSON, to check both builds decide alike. */
function outcome(engine: Engine, p: Prepared, withState: boolean): string {
  let state = p.start;
  const effects: unknown[] = [];
  for (const e of p.events) {
    const r = engine.step(state, e) as { state: unknown; effects: unknown[] };
    effects.push(r.effects);
    state = r.state;
  }
  return JSON.stringify(withState ? { effects, state } : { effects });
}

export function run(engines: { base: Engine; new: Engine }, scenario: string, rounds: number, withState = true): string {
  const stream = streamOf(scenario);
  const json = scenario === 'json';
  const base = prepare(engines.base, stream);
  const next = prepare(engines.new, stream);
  if (outcome(engines.base, base, withState) !== outcome(engines.new, next, withState)) {
    return `${scenario.padEnd(8)} DIFFERENT ${withState ? 'effects or states' : 'effects'}: the builds do not decide alike`;
  }
  // Warm both up (JIT tiers, memos) before the first round.
  for (let w = 0; w < 3; w++) {
    timed(engines.base, base, json);
    timed(engines.new, next, json);
  }
  const ratios: number[] = [];
  const baseTimes: number[] = [];
  const newTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // ABBA within a round, so neither side always runs first or second.
    const a1 = timed(engines.base, base, json);
    const b1 = timed(engines.new, next, json);
    const b2 = timed(engines.new, next, json);
    const a2 = timed(engines.base, base, json);
    baseTimes.push((a1 + a2) / 2);
    newTimes.push((b1 + b2) / 2);
    ratios.push((a1 + a2) / (b1 + b2));
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const q1 = sorted[Math.floor(sorted.length / 4)] as number;
  const q3 = sorted[Math.floor((sorted.length * 3) / 4)] as number;
  return `${scenario.padEnd(8)} base ${median(baseTimes).toFixed(3)} us/event, new ${median(newTimes).toFixed(3)} us/event: ` +
    `${median(ratios).toFixed(3)}x (quartiles ${q1.toFixed(3)}-${q3.toFixed(3)})`;
}
