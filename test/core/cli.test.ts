/**
 * The command line (section 7, D-25): `futures-vouchers replay FILE` prints `{ effects, state }`
 * and exits 0; a file that does not decode exits 2 with every error on stderr; an NDJSON log
 * takes `--account` and `--policy` as a file path or inline JSON.
 *
 * The CLI is built from the current sources with tsup into a private directory (not dist/, which
 * others may be building at the same time), then run with node as a user would.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventLog, replay, replayJson, type ReplayResult } from '../../src/index';

const root = join(__dirname, '..', '..');
const sessionFile = join(root, 'examples', 'session.json');
let buildDir = '';
let workDir = '';
let cli = '';

beforeAll(() => {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  buildDir = mkdtempSync(join(cache, 'fv-cli-test-'));
  workDir = mkdtempSync(join(cache, 'fv-cli-files-'));
  const tsup = join(root, 'node_modules', '.bin', 'tsup');
  const built = spawnSync(tsup, ['src/cli.ts', '--no-config', '--format', 'esm', '--platform', 'node', '--target', 'node18', '--out-dir', buildDir], {
    cwd: root,
    encoding: 'utf8',
  });
  cli = join(buildDir, 'cli.js');
  if (built.status !== 0 || !existsSync(cli)) throw new Error(`tsup failed: ${built.stdout}\n${built.stderr}`);
}, 120_000);

afterAll(() => {
  if (buildDir !== '') rmSync(buildDir, { recursive: true, force: true });
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

function runCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(workDir, name);
  writeFileSync(path, text);
  return path;
}

/** What the library gives for the same input, as the CLI would print it (plain JSON). */
function asJson(result: ReplayResult): unknown {
  return JSON.parse(JSON.stringify(result));
}

describe('section 7: replay FILE', { timeout: 60_000 }, () => {
  it('exits 0 and prints { effects, state } for the example session, as replayJson computes it', () => {
    const out = runCli('replay', sessionFile);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const expected = replayJson(JSON.parse(readFileSync(sessionFile, 'utf8')));
    if (expected._tag === 'Left') throw new Error('the example session does not decode');
    expect(JSON.parse(out.stdout)).toEqual(asJson(expected.right));
    expect(Object.keys(JSON.parse(out.stdout) as object)).toEqual(['effects', 'state']);
  });

  it('D-25: a malformed file exits 2, prints nothing on stdout and every error on stderr, one a line', () => {
    const bad = file(
      'bad.json',
      JSON.stringify({
        account: { accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '10' },
        events: [
          { type: 'Tick', seq: 1, at: 0 },
          { type: 'FundsTransferred', seq: 2, at: 0, direction: 'in', amount: 5 },
          { type: 'Explode', seq: 3, at: 0 },
        ],
      }),
    );
    const out = runCli('replay', bad);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    const lines = out.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'events[1].amount: expected a decimal string greater than 0, got number 5',
      expect.stringMatching(/^events\[2\]\.type: expected one of "VoucherGranted" \| .*, got "Explode"$/),
    ]);
  });

  it('a file that is not JSON exits 2 too', () => {
    const out = runCli('replay', file('text.json', '{ not json'));
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/not JSON/);
    expect(out.stdout).toBe('');
  });

  it('usage and file errors exit 1', () => {
    expect(runCli().status).toBe(1);
    const unknown = runCli('simulate', sessionFile);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/usage/);
    const missing = runCli('replay', join(workDir, 'nowhere.json'));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
  });
});

describe('D-25: replay LOG.ndjson --account A --policy P', { timeout: 60_000 }, () => {
  const account = { accountId: 'log', accountType: 'main', positionMode: 'hedge', ownBalance: '100' };
  const policy = { scale: 2, instruments: { BTCUSDT: { mmr: '0.05' } } };
  const log = [
    '{"type":"OrderPlaced","seq":1,"at":1000,"orderId":"o1","symbol":"BTCUSDT","positionSide":"long","action":"open","qty":"1","price":"100","leverage":"10","marginMode":"cross","source":"main"}',
    '',
    '{"type":"OrderFilled","seq":2,"at":1001,"orderId":"o1","qty":"1","price":"100","fee":"0.05"}',
    '{"type":"MarkPriceUpdated","seq":3,"at":1002,"symbol":"BTCUSDT","price":"90"}',
    '',
  ].join('\n');

  function expected(): unknown {
    const decoded = decodeEventLog(log, account, policy);
    if (decoded._tag === 'Left') throw new Error('the log does not decode');
    return asJson(replay(decoded.right));
  }

  it('--account inline JSON and --policy a file path', () => {
    const out = runCli('replay', file('session.ndjson', log), '--account', JSON.stringify(account), '--policy', file('policy.json', JSON.stringify(policy)));
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const printed = JSON.parse(out.stdout) as ReplayResult;
    expect(printed).toEqual(expected());
    expect(printed.state.policy.scale).toBe(2);
    expect(printed.effects).toEqual([
      {
        type: 'CostSettled', seq: 2, at: 1001, rule: 'P-6', cause: 'fee', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long',
        amount: '0.05', fromVoucher: '0', fromOwnMargin: '0', fromBonus: [], fromOwn: '0.05', deficit: '0',
      },
    ]);
  });

  it('--account a file path and --policy inline JSON', () => {
    const out = runCli('replay', file('session2.ndjson', log), '--account', file('account.json', JSON.stringify(account)), '--policy', JSON.stringify(policy));
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(expected());
  });

  it('a bad line exits 2 naming the line; the policy scale governs the lines', () => {
    const badLog = `${log}{"type":"FundsTransferred","seq":4,"at":1003,"direction":"in","amount":"0.001"}\n`;
    const out = runCli('replay', file('bad.ndjson', badLog), '--account', JSON.stringify(account), '--policy', JSON.stringify(policy));
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr.trimEnd().split('\n')).toEqual(['line 5.amount: expected at most 2 decimals, got "0.001"']);
  });
});
