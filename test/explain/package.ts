/**
 * A private build of the package from the current sources, laid out like the repository: its
 * own package.json (so `import 'futures-vouchers'` resolves to it by self-reference), dist/
 * (library and command line) and a copy of examples/. It lives under node_modules/.cache, so
 * the dependencies resolve from the project, and it never touches dist/, which other tests and
 * builds may be using at the same time.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

export interface BuiltPackage {
  /** The package root: package.json, dist/, examples/. */
  readonly dir: string;
  readonly cli: string;
  /** Runs a built file with node from the repository root. */
  run(file: string, args?: readonly string[], env?: Readonly<Record<string, string>>): { status: number | null; stdout: string; stderr: string };
  remove(): void;
}

export function buildPackage(): BuiltPackage {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'fv-explain-pkg-'));
  const tsup = join(root, 'node_modules', '.bin', 'tsup');
  const args = ['src/index.ts', 'src/cli.ts', '--no-config', '--format', 'esm', '--platform', 'node', '--target', 'node18', '--out-dir', join(dir, 'dist')];
  const built = spawnSync(tsup, args, { cwd: root, encoding: 'utf8' });
  const cli = join(dir, 'dist', 'cli.js');
  if (built.status !== 0 || !existsSync(cli)) throw new Error(`tsup failed: ${built.stdout}\n${built.stderr}`);
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true });
  return {
    dir,
    cli,
    run(file, args = [], env = {}) {
      const result = spawnSync(process.execPath, [file, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
