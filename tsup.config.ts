import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // `testing` is the `futures-vouchers/testing` subpath: the fast-check kit (fast-check stays external).
    entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2020',
    platform: 'neutral',
    treeshake: true,
    external: ['fast-check'],
  },
  {
    // The command-line entry is the only code allowed to touch Node built-ins.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    platform: 'node',
    target: 'node18',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
