// A/B timing of the engine (issue 8): the engine's src/ at a git ref (default HEAD) against the
// working tree's, on the same bench streams, in one process, timed alternately in rounds so the
// shared machine's load hits both alike. Prints, per scenario, the median over rounds of
// (base time / new time): above 1 the working tree is faster.
//
//   node scripts/ab.mjs [--base REF] [--rounds N] [--effects-only] [typical|heavy|guard|json|long|n=N ...]
//
// Before timing, each scenario is replayed once through both builds: their effects and final
// states must be byte-identical (`--effects-only`: effects only, for a change of the state's shape).
//
// Two identical builds measure 0.96-1.00x here: read differences within 5% as noise.
// `long` is the typical session from event 50,000 to 52,000 (an account with history).
// Each side is bundled on its own (esbuild, the shipped build's target) into .cache/ab/, so both
// run the code users would run; the streams are the working tree's.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle, ROOT } from '../test/bench/bundle.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at < 0 ? fallback : args.splice(at, 2)[1];
};
const base = option('--base', 'HEAD');
const rounds = Number(option('--rounds', '15'));
const effectsOnly = args.includes('--effects-only');
if (effectsOnly) args.splice(args.indexOf('--effects-only'), 1);
const scenarios = args.length > 0 ? args : ['typical', 'heavy', 'guard', 'json', 'n=1', 'n=100'];

const baseDir = join(ROOT, '.cache', 'ab', 'base');
rmSync(baseDir, { recursive: true, force: true });
mkdirSync(baseDir, { recursive: true });
execFileSync('sh', ['-c', `git -C "${ROOT}" archive "${base}" src | tar -x -C "${baseDir}"`]);
execFileSync('ln', ['-s', join(ROOT, 'node_modules'), join(baseDir, 'node_modules')]);

const [baseEngine, newEngine, driver] = await Promise.all([
  bundle(join('.cache', 'ab', 'base', 'src', 'index.ts'), 'ab-base'),
  bundle('src/index.ts', 'ab-new'),
  bundle('test/bench/ab-main.ts', 'ab-driver'),
]);
const { run } = await import(pathToFileURL(driver).href);
const engines = { base: await import(pathToFileURL(baseEngine).href), new: await import(pathToFileURL(newEngine).href) };
process.stdout.write(`A/B: base ${base} against the working tree, ${rounds} rounds (median of base time / new time)\n`);
for (const scenario of scenarios) process.stdout.write(`${run(engines, scenario, rounds, !effectsOnly)}\n`);
