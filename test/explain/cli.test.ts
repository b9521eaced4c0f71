/**
 * The command line's `explain FILE --seq N` and `replay FILE --format table`, run with node from a
 * build of the current sources (see ./package.ts), as a user would run dist/cli.js. The JSON
 * `replay` output, its exit codes and the NDJSON mode stay as they were (test/core/cli.test.ts
 * covers them in full; here they are checked not to have moved).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, decodeScenario, explain, formatExplanation, replayJson, step, type AccountState, type Scenario } from '../../src/index';
import { colourWanted, formatTimeline, timeline } from '../../src/explain/timeline';
import { buildPackage, root, type BuiltPackage } from './package';

const session = join(root, 'examples', 'session.json');
let pkg: BuiltPackage;
let work = '';

beforeAll(() => {
  pkg = buildPackage();
  work = mkdtempSync(join(pkg.dir, 'files-'));
}, 120_000);

afterAll(() => pkg?.remove());

function cli(...args: string[]) {
  return pkg.run(pkg.cli, args);
}

function scenarioOf(file: string): Scenario {
  const decoded = decodeScenario(JSON.parse(readFileSync(file, 'utf8')));
  if (decoded._tag === 'Left') throw new Error(`${file} does not decode`);
  return decoded.right;
}

/** The state before the event at `index`, replayed with `step`. */
function before(scenario: Scenario, index: number): AccountState {
  let state = createAccount(scenario.account, scenario.policy);
  for (const event of scenario.events.slice(0, index)) state = step(state, event).state;
  return state;
}

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('explain FILE --seq N', { timeout: 60_000 }, () => {
  it('explains event N of the session after replaying the events before it', () => {
    const scenario = scenarioOf(session);
    const index = scenario.events.findIndex((e) => e.seq === 9);
    const event = scenario.events[index];
    if (event === undefined) throw new Error('no event 9');
    const out = cli('explain', session, '--seq', '9');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(formatExplanation(explain(before(scenario, index), event)));
    expect(out.stdout).toContain('Position voucher trial-100 (available -> inUse): applied.');
  });

  it('--format json prints the explanation as data', () => {
    const out = cli('explain', session, '--seq', '17', '--format', 'json');
    expect(out.status).toBe(0);
    const scenario = scenarioOf(session);
    const index = scenario.events.findIndex((e) => e.seq === 17);
    const event = scenario.events[index];
    if (event === undefined) throw new Error('no event 17');
    expect(JSON.parse(out.stdout)).toEqual(JSON.parse(JSON.stringify(explain(before(scenario, index), event))));
  });

  it('works on an NDJSON log with --account', () => {
    const log = file('log.ndjson', [
      JSON.stringify({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'positionVoucher', id: 'V', amount: '100', expiresAt: 9e12, maxLeverage: '20' } }),
      JSON.stringify({ type: 'OrderPlaced', seq: 2, at: 0, orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '1', price: '100', leverage: '50', marginMode: 'isolated', source: 'main', voucher: 'V' }),
    ].join('\n'));
    const out = cli('explain', log, '--seq', '2', '--account', '{"accountId":"a","accountType":"main","positionMode":"hedge","ownBalance":"1000"}');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("PV-1 LEVERAGE_TOO_HIGH: leverage 50 is above the voucher's maximum 20.");
  });

  it('usage errors exit 1: no --seq, a --seq that is not an integer, no event with that seq, an unknown flag or format', () => {
    for (const args of [
      ['explain', session],
      ['explain', session, '--seq', '1.5'],
      ['explain', session, '--seq', '99'],
      ['explain', session, '--seq', '1', '--format', 'table'],
      ['replay', session, '--seq', '1'],
      ['replay', session, '--format', 'yaml'],
      ['explain'],
    ]) {
      const out = cli(...args);
      expect(out.status, args.join(' ')).toBe(1);
      expect(out.stdout).toBe('');
      expect(out.stderr).not.toBe('');
    }
  });

  it('a file that does not decode exits 2 with its errors on stderr, as for replay', () => {
    const bad = file('bad.json', JSON.stringify({ account: { accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: 1 }, events: [] }));
    const out = cli('explain', bad, '--seq', '1');
    expect(out.status).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('account.ownBalance: ');
  });
});

describe('replay FILE --format table', { timeout: 60_000 }, () => {
  it('prints the timeline: UTC time, event, effects and balances after each event', () => {
    const out = cli('replay', session, '--format', 'table');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(formatTimeline(timeline(scenarioOf(session)), { colour: false }));
    const lines = out.stdout.split('\n');
    expect(lines[0]).toBe('2026-01-05 09:00:00 UTC  #1  VoucherGranted  grant of loss coverage voucher lcv-welcome (20)');
    expect(lines).toContain('    LCV-7  LossCompensationPaid    15 paid from the campaign account to the spot account (voucher lcv-welcome, order btc-close)');
    expect(lines).toContain('    after: own 934.1125, bonus 0, voucher margin 0');
  });

  it('no colours when stdout is not a terminal', () => {
    const out = cli('replay', session, '--format', 'table');
    expect(out.stdout).not.toContain('\u001b[');
  });

  it('colours only on a terminal and when NO_COLOR is unset or empty', () => {
    expect(colourWanted(true, undefined)).toBe(true);
    expect(colourWanted(true, '')).toBe(true);
    expect(colourWanted(true, '1')).toBe(false);
    expect(colourWanted(false, undefined)).toBe(false);
    const rows = timeline(scenarioOf(session));
    expect(formatTimeline(rows, { colour: true })).toContain('\u001b[1mVoucherGranted\u001b[0m');
    expect(formatTimeline(rows, { colour: true }).replace(/\u001b\[\d+m/g, '')).toBe(formatTimeline(rows, { colour: false }));
  });

  it('shows clock work at its due time when that is before the event', () => {
    const scenario = file('due.json', JSON.stringify({
      account: { accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '10' },
      events: [
        { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: '5', expiresAt: 1000 } },
        { type: 'Tick', seq: 2, at: 5000 },
      ],
    }));
    const out = cli('replay', scenario, '--format', 'table');
    expect(out.stdout.split('\n').slice(3, 5)).toEqual([
      '1970-01-01 00:00:05 UTC  #2  Tick  clock tick',
      '    LCV-8  VoucherExpired    loss coverage voucher L expired, 5 unused (due 1970-01-01 00:00:01 UTC)',
    ]);
  });

  it('takes an NDJSON log with --account and --policy', () => {
    const log = file('table.ndjson', `${JSON.stringify({ type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '5' })}\n\n`);
    const out = cli('replay', log, '--account', '{"accountId":"a","accountType":"main","positionMode":"hedge","ownBalance":"10"}', '--policy', '{"scale":2}', '--format', 'table');
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('1970-01-01 00:00:00 UTC  #1  FundsTransferred  transfer in of 5\n    after: own 15, bonus 0, voucher margin 0\n');
  });
});

describe('replay FILE keeps its JSON output', { timeout: 60_000 }, () => {
  it('prints { effects, state } as replayJson computes it, with or without --format json', () => {
    const expected = replayJson(JSON.parse(readFileSync(session, 'utf8')));
    if (expected._tag === 'Left') throw new Error('the session does not decode');
    for (const args of [['replay', session], ['replay', session, '--format', 'json']]) {
      const out = cli(...args);
      expect(out.status).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual(JSON.parse(JSON.stringify(expected.right)));
    }
  });

  it('exits 2 on a decode failure and 1 on a missing file', () => {
    expect(cli('replay', file('nope.json', '{')).status).toBe(2);
    expect(cli('replay', join(work, 'missing.json')).status).toBe(1);
    rmSync(join(work, 'nope.json'));
  });
});
