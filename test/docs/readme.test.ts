/**
 * The README shows real output: every ```console block starts with `$ <command>`, and the rest of
 * the block must be what that command prints now (stdout, then stderr), run from the repository
 * root against a build of the current sources (test/explain/package.ts). So the docs cannot rot.
 *
 * After a deliberate change of output, regenerate the blocks with
 *   UPDATE_DOCS=1 npx vitest run test/docs/readme.test.ts
 * and review the diff of README.md.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, REJECTION_CODES, VOUCHER_REASONS } from '../../src/index';
import { buildPackage, root, type BuiltPackage } from '../explain/package';

const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');

interface ConsoleBlock {
  /** Index of the line with the command. */
  readonly commandLine: number;
  /** Index of the closing fence. */
  readonly end: number;
  readonly command: string;
  readonly output: string;
}

function consoleBlocks(text: string): ConsoleBlock[] {
  const lines = text.split('\n');
  const blocks: ConsoleBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```console') continue;
    const first = lines[i + 1] ?? '';
    if (!first.startsWith('$ ')) throw new Error(`README line ${i + 2}: a console block starts with "$ command"`);
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README line ${i + 1}: unclosed console block`);
    blocks.push({ commandLine: i + 1, end, command: first.slice(2), output: lines.slice(i + 2, end).join('\n') });
    i = end;
  }
  return blocks;
}

let pkg: BuiltPackage;
beforeAll(() => {
  pkg = buildPackage();
}, 120_000);
afterAll(() => pkg?.remove());

/** Runs a README command the way a reader would, against the private build. */
function output(command: string): string {
  const [program, ...args] = command.split(' ');
  let run;
  if (program === 'npx' && args[0] === 'futures-vouchers') run = pkg.run(pkg.cli, args.slice(1), { NO_COLOR: '1' });
  else if (program === 'node' && args[0] !== undefined) run = pkg.run(join(pkg.dir, args[0]), args.slice(1));
  else throw new Error(`README command not supported by this test: ${command}`);
  return `${run.stdout}${run.stderr}`.replace(/\n+$/, '');
}

describe('README.md', () => {
  it('starts with the two set-up commands', () => {
    const firstBlock = readme.split('```sh\n')[1]?.split('```')[0] ?? '';
    expect(firstBlock.split('\n').filter((l) => l !== '').map((l) => l.replace(/\s+#.*$/, ''))).toEqual([
      'npm ci && npm run example',
      'npm ci && npm test',
    ]);
    expect(readme.indexOf('npm ci && npm test')).toBeLessThan(600);
  });

  it('shows the current output of every command in a console block', { timeout: 120_000 }, () => {
    const blocks = consoleBlocks(readme);
    expect(blocks.length).toBeGreaterThanOrEqual(12);
    const lines = readme.split('\n');
    const actual = blocks.map((block) => output(block.command));
    if (process.env['UPDATE_DOCS'] === '1') {
      for (const [i, block] of [...blocks.entries()].reverse()) {
        lines.splice(block.commandLine + 1, block.end - block.commandLine - 1, ...(actual[i] ?? '').split('\n'));
      }
      writeFileSync(readmePath, lines.join('\n'));
      return;
    }
    blocks.forEach((block, i) => expect(block.output, `README: $ ${block.command}`).toBe(actual[i]));
  });

  it('shows the explain output of the three worked examples of RULES.md section 8', () => {
    const commands = consoleBlocks(readme).map((b) => b.command);
    for (const file of ['1-loss-coverage-fifo', '2-futures-bonus-split', '2-futures-bonus-short-own-funds', '3-reclaim-guard']) {
      expect(commands.some((c) => c.startsWith(`npx futures-vouchers explain docs/worked-examples/${file}.json`))).toBe(true);
    }
    expect(readme).toContain('LCV-2: loss 0.8 is not more than the minimum 1.');
    expect(readme).toContain('margin rate after the reclaim 1.44444444 would be at or above 0.95');
    expect(readme).toContain('margin rate after the reclaim 0.68421053 is below 0.95');
  });

  it('lists every rejection code, every PV-2 reason and every policy field', () => {
    for (const code of REJECTION_CODES) expect(readme).toContain(`| \`${code}\` |`);
    for (const reason of VOUCHER_REASONS) expect(readme).toContain(`\`${reason}\``);
    for (const field of Object.keys(DEFAULT_POLICY)) expect(readme).toContain(`| \`${field}\` |`);
  });

  it('gives the command that runs each example, and links the performance page', () => {
    for (const name of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.mjs'))) {
      expect(readme).toContain(`node examples/${name}`);
    }
    expect(readme).toContain('](docs/performance.md)');
  });
});

describe('the examples', () => {
  for (const name of ['loss-coverage.mjs', 'position-voucher.mjs', 'futures-bonus.mjs', 'backend-loop.mjs', 'replay-session.mjs']) {
    it(`${name} runs against the package by its name and exits 0`, { timeout: 60_000 }, () => {
      const run = pkg.run(join(pkg.dir, 'examples', name));
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).not.toBe('');
    });
  }

  it('import nothing but the package and node: built-ins', () => {
    for (const name of ['loss-coverage.mjs', 'position-voucher.mjs', 'futures-bonus.mjs', 'backend-loop.mjs', 'run-all.js']) {
      const text = readFileSync(join(root, 'examples', name), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const source of imports) expect(source === 'futures-vouchers' || source?.startsWith('node:'), `${name}: ${source}`).toBe(true);
    }
  });
});

describe('links between the docs', () => {
  it('every relative link of README.md and docs/*.md points to a file that exists', () => {
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue;
        expect(existsSync(join(root, dirname(page), target)), `${page} -> ${target}`).toBe(true);
      }
    }
  });
});
