// Bundles a TypeScript entry of the bench (and the engine's src/, as tsup would) into one ES module
// under .cache/bench/, so plain `node` can run it with flags vitest cannot pass (--expose-gc,
// --cpu-prof). esbuild is the compiler tsup itself uses; dependencies stay external and resolve
// from node_modules.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OUT_DIR = join(ROOT, '.cache', 'bench');

/** Bundles `entry` (relative to the repository root) to .cache/bench/NAME.mjs and returns its path. */
export async function bundle(entry, name) {
  mkdirSync(OUT_DIR, { recursive: true });
  const outfile = join(OUT_DIR, `${name}.mjs`);
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    // The shipped build's target (tsup.config.ts), so the profile sees the code users run.
    target: 'es2020',
    supported: { 'top-level-await': true },
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  return outfile;
}
