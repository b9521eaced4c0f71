/**
 * Memory (issue 8), run by memory.mjs under `node --expose-gc`:
 * 1. bytes retained per account state: N copies of the typical account's state (as a service
 *    holds them after loading them from its store), heap delta after a full GC, divided by N;
 * 2. heap growth over a long typical replay (1,000,000 events; events generated lazily, so only
 *    the engine's state and caches stay), heapUsed sampled after a full GC.
 * Prints nothing but one JSON document on stdout.
 */
import { decodeEvent, step, type AccountState, type Event } from '../../src/index';
import { startState, tradingSession, TYPICAL, typicalSession, typicalStream, type WireEvent } from './streams';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
const quick = process.argv.includes('--quick');
/** Each part runs in a process of its own (memory.mjs), so one part's caches never skew another's baseline. */
const part = process.argv[2] ?? 'states';
const heap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

function replayTypical(events: number): AccountState {
  const stream = typicalStream(events);
  let state = startState(stream);
  for (const e of stream.events) {
    const decoded = decodeEvent(e, state.policy.scale);
    if (decoded._tag === 'Left') throw new Error('bench stream does not decode');
    state = step(state, decoded.right).state;
  }
  return state;
}

function perState(state: AccountState, copies: number): { events: number; jsonBytes: number; heapBytesPerState: number } {
  const json = JSON.stringify(state);
  const before = heap();
  const held: unknown[] = new Array(copies);
  for (let i = 0; i < copies; i++) held[i] = JSON.parse(json);
  const after = heap();
  if (held.length !== copies) throw new Error('unreachable');
  return { events: state.lastSeq, jsonBytes: json.length, heapBytesPerState: Math.round((after - before) / copies) };
}

const copies = quick ? 1_000 : 10_000;

const total = quick ? 20_000 : 1_000_000;

interface Sample {
  events: number;
  heapUsed: number;
  stateJsonBytes: number;
  vouchers: number;
  seconds: number;
}

/**
 * Replays `total` events of an endless session, sampling heapUsed (after a full GC, less the
 * heap before the replay) ten times. The generator's events are well-formed by construction
 * (the streams test decodes them), so they are not decoded here: the replay measures step alone.
 */
function longReplay(session: Generator<WireEvent, never, undefined>): Sample[] {
  const every = total / 10;
  const samples: Sample[] = [];
  const baseline = heap();
  let state = startState(typicalStream(0));
  const t0 = performance.now();
  for (let i = 1; i <= total; i++) {
    state = step(state, session.next().value as unknown as Event).state;
    if (i % every === 0) {
      const seconds = (performance.now() - t0) / 1000;
      samples.push({
        events: i,
        heapUsed: heap() - baseline,
        stateJsonBytes: JSON.stringify(state).length,
        vouchers: state.lossCoverageVouchers.length + state.positionVouchers.length + state.futuresBonuses.length,
        seconds,
      });
    }
  }
  return samples;
}

let result: unknown;
if (part === 'states') {
  result = { copies, states: [perState(replayTypical(200), copies), perState(replayTypical(2_000), copies)] };
} else if (part === 'tradingOnly') {
  // Trading only: the typical account's first vouchers, then no new grants: a bounded state.
  result = { events: total, samples: longReplay(tradingSession({ ...TYPICAL, lossCoverageEvery: 0, bonusEvery: 0, usePositionVoucher: false, initialPositionVouchers: 0 })) };
} else {
  // The typical session as generated: new vouchers keep arriving and are never dropped from the state.
  result = { events: total, samples: longReplay(typicalSession()) };
}
process.stdout.write(JSON.stringify(result) + '\n');
