// CPU profile of the engine on a bench stream (issue 8). Bundles test/bench/profile-main.ts with
// src/ (esbuild, the shipped build's target), runs it under `node --cpu-prof`, and prints the
// functions with the most self time and the inclusive time of the engine's main stages.
//
//   npm run profile -- [typical|heavy|guard|json|n=N] [seconds] [--callers FUNCTION]
//   (n=N: the scaling account with N vouchers and N positions; --callers: who calls FUNCTION, by share of all samples)
//
// The raw profile stays in .cache/bench/prof/ (open it in Chrome DevTools > Performance).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, OUT_DIR } from '../test/bench/bundle.mjs';

const args = process.argv.slice(2);
const callersAt = args.indexOf('--callers');
const callersOf = callersAt >= 0 ? args.splice(callersAt, 2)[1] : undefined;
const scenario = args[0] ?? 'typical';
const seconds = args[1] ?? '8';
const script = await bundle('test/bench/profile-main.ts', 'profile');
const profDir = join(OUT_DIR, 'prof', scenario);
rmSync(profDir, { recursive: true, force: true });
mkdirSync(profDir, { recursive: true });
execFileSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', '200', script, scenario, seconds], { stdio: 'inherit' });
const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));

// esbuild marks each bundled module with a `// path` comment: map bundle lines back to files.
const bundleLines = readFileSync(script, 'utf8').split('\n');
const moduleStarts = [];
bundleLines.forEach((line, i) => {
  const m = /^\/\/ (src\/\S+|test\/\S+)$/.exec(line);
  if (m) moduleStarts.push([i, m[1]]);
});
function where(frame) {
  // The workload's own loop (native builtins such as JSON.parse are charged to their caller).
  if (frame.url.endsWith('profile.mjs') && frame.lineNumber === 0) return 'test/bench/profile-main.ts';
  if (frame.url.includes('node_modules/')) return frame.url.replace(/^.*node_modules\//, '').split('/')[0];
  if (!frame.url.endsWith('profile.mjs')) return frame.url === '' ? '(native)' : frame.url.replace(/^.*\//, '');
  let file = '(bundle)';
  for (const [start, path] of moduleStarts) if (start <= frame.lineNumber) file = path;
  return file;
}
function nameOf(frame) {
  if (frame.functionName !== '') return frame.functionName;
  if (frame.url.endsWith('profile.mjs') && frame.lineNumber === 0) return '(top level, with native JSON.parse)';
  // An arrow function: name it by its first source text, e.g. `mmrOf: (symbol) =>`.
  const text = frame.url.endsWith('profile.mjs') ? (bundleLines[frame.lineNumber] ?? '').trim().slice(0, 40) : '';
  return text === '' ? '(anonymous)' : `(arrow) ${text.replace(/\|/g, '/')}`;
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (n) => `${nameOf(n.callFrame)}  ${where(n.callFrame)}`;
const self = new Map();
const inclusive = new Map();
let total = 0;
let idle = 0;
for (const id of profile.samples) {
  const node = nodes.get(id);
  const key = keyOf(node);
  if (key.startsWith('(idle)') || key.startsWith('(program)') || key.startsWith('(garbage collector)')) {
    if (key.startsWith('(idle)')) { idle++; continue; }
  }
  total++;
  self.set(key, (self.get(key) ?? 0) + 1);
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const k = keyOf(nodes.get(at));
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + 1);
  }
}
const pct = (n) => `${((100 * n) / total).toFixed(1)}%`;
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);

console.log(`\n${scenario}: ${total} samples (idle excluded: ${idle})\n`);
console.log('| self | function | where |\n|---:|---|---|');
for (const [k, v] of top(self, 25)) {
  const [fn, file] = k.split('  ');
  console.log(`| ${pct(v)} | ${fn} | ${file} |`);
}
// Self time by module: where the time goes, whoever called it.
const byModule = new Map();
for (const [k, v] of self) {
  const file = k.split('  ')[1];
  byModule.set(file, (byModule.get(file) ?? 0) + v);
}
console.log('\n| self, by module | module |\n|---:|---|');
for (const [k, v] of top(byModule, 15)) console.log(`| ${pct(v)} | ${k} |`);
// The stages of a step (G-6) and the handlers of step 2, inclusive of what they call.
const STAGES = [
  'JSON.parse', 'decodeEvent', 'step', 'openContext', 'advanceClock', 'applyEvent', 'grantVoucher', 'placeOrder', 'fillOrder', 'cancelOrder',
  'updateMark', 'settleFunding', 'transferFunds', 'settleCost', 'splitCost', 'coverClosingOrder', 'chooseVoucher', 'retryReclaims',
  'guardReclaim', 'takeOutstandingClawbacks', 'checkLiquidation', 'marginOf', 'transferable', 'closeContext', 'dec', 'str', 'divide',
];
const stage = new Map();
for (const [k, v] of inclusive) {
  const fn = k.split('  ')[0];
  if (STAGES.includes(fn)) stage.set(fn, Math.max(stage.get(fn) ?? 0, v));
}
console.log('\n| inclusive | stage or function |\n|---:|---|');
for (const fn of STAGES) if (stage.has(fn)) console.log(`| ${pct(stage.get(fn))} | ${fn} |`);

if (callersOf !== undefined) {
  // The call chains above FUNCTION (4 frames), by share of all samples.
  const chains = new Map();
  for (const id of profile.samples) {
    if (keyOf(nodes.get(id)).startsWith('(idle)')) continue;
    const chain = [];
    for (let at = id; at !== undefined; at = parent.get(at)) chain.push(nameOf(nodes.get(at).callFrame));
    const i = chain.indexOf(callersOf);
    if (i < 0) continue;
    const key = chain.slice(i, i + 4).join(' < ');
    chains.set(key, (chains.get(key) ?? 0) + 1);
  }
  console.log(`\n| share | callers of ${callersOf} |\n|---:|---|`);
  for (const [k, v] of top(chains, 10)) console.log(`| ${pct(v)} | ${k} |`);
}
