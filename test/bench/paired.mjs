// Paired-ratio launcher: bundles paired-main.ts with the engine's src/ (bundle.mjs) and runs it,
// writing .cache/bench/paired.json (paired-quick.json with --quick).
// Usage: node test/bench/paired.mjs [--quick]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, OUT_DIR } from './bundle.mjs';

const quick = process.argv.includes('--quick');
const script = await bundle('test/bench/paired-main.ts', 'paired');
const output = execFileSync(process.execPath, [script, ...(quick ? ['--quick'] : [])], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 16 * 1024 * 1024,
});
const file = join(OUT_DIR, quick ? 'paired-quick.json' : 'paired.json');
writeFileSync(file, output);
console.log(`paired ratios written to ${file}`);
