/**
 * The profiling workload (scripts/profile.mjs runs it under `node --cpu-prof`): replays one bench
 * stream again and again for a few seconds. Usage: node profile.mjs [typical|heavy|guard|json|n=N] [seconds]
 */
import { decodeEvent, step, type AccountState, type Event } from '../../src/index';
import { decodeAll, guardStream, heavyStream, scaledStream, startState, toJsonLines, typicalStream, type Stream } from './streams';

const scenario = process.argv[2] ?? 'typical';
const seconds = Number(process.argv[3] ?? '8');

function prepared(stream: Stream): { start: AccountState; events: Event[] } {
  let start = startState(stream);
  for (const e of decodeAll(stream.setup, start.policy.scale)) start = step(start, e).state;
  return { start, events: decodeAll(stream.events, start.policy.scale) };
}

const stream = scenario === 'heavy'
  ? heavyStream(1_000)
  : scenario === 'guard'
    ? guardStream(2_000)
    : scenario.startsWith('n=')
      ? scaledStream(Number(scenario.slice(2)), 200)
      : typicalStream(2_000);
const { start, events } = prepared(stream);
const lines = toJsonLines(stream.events);
let sink: unknown;
let replays = 0;
const until = performance.now() + seconds * 1000;
while (performance.now() < until) {
  let state = start;
  if (scenario === 'json') {
    for (const line of lines) {
      const decoded = decodeEvent(JSON.parse(line), 8);
      if (decoded._tag === 'Right') state = step(state, decoded.right).state;
    }
  } else {
    for (const e of events) state = step(state, e).state;
  }
  sink = state;
  replays++;
}
const perEvent = (seconds * 1e6) / (replays * events.length);
process.stdout.write(`${scenario}: ${replays} replays of ${events.length} events, ${perEvent.toFixed(2)} us/event under the profiler\n`);
void sink;
