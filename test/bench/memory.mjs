// Memory benchmark launcher: bundles memory-main.ts with the engine's src/ (bundle.mjs) and runs it
// under `node --expose-gc`, writing .cache/bench/memory.json. `--quick` for CI (1,000 states,
// 100,000 events). Usage: node test/bench/memory.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, OUT_DIR } from './bundle.mjs';

const quick = process.argv.includes('--quick');
const script = await bundle('test/bench/memory-main.ts', 'memory');
const output = execFileSync(process.execPath, ['--expose-gc', script, ...(quick ? ['--quick'] : [])], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 16 * 1024 * 1024,
});
const file = join(OUT_DIR, quick ? 'memory-quick.json' : 'memory.json');
writeFileSync(file, output);
console.log(`memory report written to ${file}`);
