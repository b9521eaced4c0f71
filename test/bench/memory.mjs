// Memory benchmark launcher: bundles memory-main.ts with the engine's src/ (bundle.mjs) and runs it
// under `node --expose-gc`, one process per part, writing .cache/bench/memory.json.
// `--quick` for CI (1,000 states, 20,000-event replays). Usage: node test/bench/memory.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, OUT_DIR } from './bundle.mjs';

const quick = process.argv.includes('--quick');
const script = await bundle('test/bench/memory-main.ts', 'memory');
const run = (part) =>
  JSON.parse(execFileSync(process.execPath, ['--expose-gc', script, part, ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  }));
// Three processes: per-state bytes, then each long replay from a fresh heap.
const states = run('states');
const tradingOnly = run('tradingOnly');
const withGrants = run('withGrants');
const report = { quick, copies: states.copies, states: states.states, replay: { events: tradingOnly.events, tradingOnly: tradingOnly.samples, withGrants: withGrants.samples } };
const file = join(OUT_DIR, quick ? 'memory-quick.json' : 'memory.json');
writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
console.log(`memory report written to ${file}`);
