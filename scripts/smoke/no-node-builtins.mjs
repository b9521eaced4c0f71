// node no-node-builtins.mjs <installed package dir>
// The library entries (every JavaScript file the `exports` map points to) must run anywhere JavaScript runs:
// only the command line (dist/cli.js, the `bin`) may touch Node built-ins (see tsup.config.ts). Fails on an
// import or require of a built-in module (`node:*` or a bare name such as `fs`) and on Node-only globals.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const dir = process.argv[2];
const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
const targets = new Set();
const collect = (value) => {
  if (typeof value === 'string') {
    if (/\.(c|m)?js$/.test(value)) targets.add(value);
  } else if (value !== null && typeof value === 'object') Object.values(value).forEach(collect);
};
collect(manifest.exports);
if (targets.size === 0) throw new Error('no JavaScript files in exports');

const names = builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&'));
const specifier = `(?:node:[^"'\`]+|(?:${names.join('|')})(?:/[^"'\`]*)?)`;
const checks = [
  ['a built-in module', new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*\\(?\\s*|\\brequire\\s*\\(\\s*)(["'\`])${specifier}\\1`, 'g')],
  ['a node: specifier', /["'`]node:[a-z_/]+["'`]/g],
  ['a Node-only global', /\bprocess\.(?:env|argv|exit|cwd|stdout|stderr|stdin|platform|versions?|nextTick|hrtime|memoryUsage)\b|\bBuffer\.|\b__dirname\b|\b__filename\b|\bsetImmediate\s*\(/g],
];
let failed = false;
for (const target of targets) {
  const text = readFileSync(path.join(dir, target), 'utf8');
  for (const [what, pattern] of checks) {
    for (const match of text.matchAll(pattern)) {
      const line = text.slice(0, match.index).split('\n').length;
      console.error(`${target}:${line}: ${what}: ${match[0]}`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
console.log(`no Node built-ins in ${[...targets].join(', ')}`);
