/**
 * The 95% guard (FB-10) on its boundaries, the margin it reads (M-1, M-2), the policy options
 * `reclaimGuardRate`, `liquidationRate` and `reclaimGuard`, and the liquidation signal (FB-12, M-3, D-14).
 */
import { describe, expect, it } from 'vitest';
import { account, fill, flag, funding, grantFb, grantPv, mark, place, retiredAs, run, tick, transfer, whereIs } from '../helpers/dsl';
import { costSettled, deferred, GUARD_POLICY, guardState, liquidation, reclaimed } from './support';

/** mmr 0.05, own 110, F 50, a long of 1 at 1900, leverage 100: MM = 95; transferable 91. */
function at95(policy = {}) {
  return run(account({ ownBalance: '110' }, { ...GUARD_POLICY, ...policy }), [
    grantFb('F', '50', '0.5'), place('o1', 'open', '1', '1900', { leverage: '100' }), fill('o1', '1', '1900'),
  ]).state;
}

describe('FB-10 The 95% guard', () => {
  it('worked example 3: deferred at 1.44444444, carried out after a transfer in of 100', () => {
    const { steps, state } = run(guardState(), [transfer('out', '10'), transfer('in', '100')]);
    expect(steps).toEqual([[deferred(4, 0, ['F'], '50', 'transferOut', '1.44444444')], [reclaimed(5, 0, ['F'], '50', 'transferOut')]]);
    expect(state.ownBalance).toBe('190');
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'reclaimed'));
  });

  it('a projected rate of exactly 0.95 is deferred (out 10: E - B = 100, 95 < 95 is false)', () => {
    expect(run(at95(), [transfer('out', '10')]).effects).toEqual([deferred(4, 0, ['F'], '50', 'transferOut', '0.95')]);
  });

  it('just below 0.95 is carried out, though it shows as 0.95 (out 9.99999999: 95 < 95.0000000095): compared exactly, not on the shown rate', () => {
    const { effects, state } = run(at95(), [transfer('out', '9.99999999')]);
    expect(effects).toEqual([reclaimed(4, 0, ['F'], '50', 'transferOut')]);
    expect(state.ownBalance).toBe('100.00000001');
  });

  it('just above 0.95 is deferred and shown half-up (95 / 99.99999999 = 0.95000000009...)', () => {
    expect(run(at95(), [transfer('out', '10.00000001')]).effects).toEqual([deferred(4, 0, ['F'], '50', 'transferOut', '0.95')]);
  });

  it('the projected rate is half-up to 8 decimals (own 146, out 10: 130 / 136 = 0.955882352...)', () => {
    expect(run(guardState('146'), [transfer('out', '10')]).effects).toEqual([deferred(4, 0, ['F'], '50', 'transferOut', '0.95588235')]);
  });

  it('no positions: MM = 0, always carried out, even with own funds below zero', () => {
    const { effects } = run(account({ ownBalance: '-50' }, GUARD_POLICY), [grantFb('F', '50', '0.5', { expiresAt: 1000 }), tick(1000)]);
    expect(effects).toEqual([{ type: 'VoucherActivated', seq: 1, at: 0, rule: 'A-5', voucherId: 'F', kind: 'futuresBonus' }, reclaimed(2, 1000, ['F'], '50', 'expiry')]);
  });

  describe('equity after the reclaim of zero or less: projectedMarginRate null', () => {
    // mmr 0.01, own 100, F 50 (expires 1000), long 1 at 1900, leverage 100.
    const base = () => run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.01' } } }), [
      grantFb('F', '50', '0.5', { expiresAt: 1000 }), place('o1', 'open', '1', '1900', { leverage: '100' }), fill('o1', '1', '1900'),
    ]).state;

    it('E - B = 0 (mark 1800: upnl -100, E = 50, MM = 18, MR 0.36)', () => {
      expect(run(base(), [mark('1800'), tick(1000)]).steps).toEqual([[], [deferred(5, 1000, ['F'], '50', 'expiry', null)]]);
    });

    it('E - B < 0 (mark 1750: E = 0, already unbounded, signalled once)', () => {
      expect(run(base(), [mark('1750'), tick(1000)]).steps).toEqual([[liquidation(4, 0, null)], [deferred(5, 1000, ['F'], '50', 'expiry', null)]]);
    });

    it('reclaimGuard false carries it out anyway', () => {
      const off = run(account({ ownBalance: '100' }, { reclaimGuard: false, instruments: { BTCUSDT: { mmr: '0.01' } } }), [
        grantFb('F', '50', '0.5', { expiresAt: 1000 }), place('o1', 'open', '1', '1900', { leverage: '100' }), fill('o1', '1', '1900'), mark('1800'), tick(1000),
      ]);
      // After: E = 0 with MM 18: unbounded, at or above 1 (M-3).
      expect(off.steps[4]).toEqual([reclaimed(5, 1000, ['F'], '50', 'expiry'), liquidation(5, 1000, null)]);
    });
  });

  it('M-2: the reclaim amount B is each bonus\'s remaining at that moment', () => {
    // Funding 20 at 0.5: F pays 10 (40 left), own 10 (90). Out 10: own 80, E - B = 80: 130 / 80 = 1.625.
    const { effects } = run(guardState(), [funding('20'), transfer('out', '10')]);
    expect(effects.slice(-1)).toEqual([deferred(5, 0, ['F'], '40', 'transferOut', '1.625')]);
  });

  it('M-1: a position held with a position voucher has no maintenance margin, so it does not hold a reclaim back', () => {
    // mmr 0.1: a long of 1 at 1000 would need MM 100; E - B after out 10 = 90.
    const policy = { instruments: { BTCUSDT: { mmr: '0.1' } } };
    const events = (voucher: string) => [
      grantFb('F', '50', '0.5'), grantPv('V', '100'), place('o1', 'open', '1', '1000', { leverage: '100', voucher }), fill('o1', '1', '1000'), transfer('out', '10'),
    ];
    const plain = run(account({ ownBalance: '100' }, policy), events('none'));
    expect(plain.steps[4]).toEqual([deferred(5, 0, ['F'], '50', 'transferOut', '1.11111111')]);
    const backed = run(account({ ownBalance: '100' }, policy), events('V'));
    expect(backed.steps[2]?.map((e) => e.type)).toEqual(['PositionVoucherApplied']);
    expect(backed.steps[4]).toEqual([reclaimed(5, 0, ['F'], '50', 'transferOut')]);
  });
});

describe('FB-10 Policy options', () => {
  it('reclaimGuardRate 0.8: a projected 0.85 is carried out under the default and deferred under 0.8', () => {
    const events = [grantFb('F', '50', '0.5'), place('o1', 'open', '1', '1700', { leverage: '100' }), fill('o1', '1', '1700'), transfer('out', '10')];
    // MM = 85, out 10: own 100, E - B = 100.
    expect(run(account({ ownBalance: '110' }, GUARD_POLICY), events).steps[3]).toEqual([reclaimed(4, 0, ['F'], '50', 'transferOut')]);
    expect(run(account({ ownBalance: '110' }, { ...GUARD_POLICY, reclaimGuardRate: '0.8' }), events).steps[3]).toEqual([
      deferred(4, 0, ['F'], '50', 'transferOut', '0.85'),
    ]);
  });

  it('reclaimGuard false: every reclaim is carried out at once, even one that reaches the liquidation rate', () => {
    const { steps, state } = run(guardState('100', { reclaimGuard: false }), [transfer('out', '10')]);
    // After: own 90, no bonus: MR = 130 / 90.
    expect(steps[0]).toEqual([reclaimed(4, 0, ['F'], '50', 'transferOut'), liquidation(4, 0, '1.44444444')]);
    expect(state.reclaims).toEqual([]);
  });

  it('liquidationRate 0.9: signalled at 0.9, independent of the guard', () => {
    // Out 10 defers; MR after = 130 / 140 = 0.92857143 >= 0.9.
    expect(run(guardState('100', { liquidationRate: '0.9' }), [transfer('out', '10')]).effects).toEqual([
      deferred(4, 0, ['F'], '50', 'transferOut', '1.44444444'),
      liquidation(4, 0, '0.92857143'),
    ]);
  });
});

describe('FB-12 Liquidation is signalled at the liquidation rate (M-3), never at the guard rate', () => {
  // mmr 0.0475, own 150, F 50, long 1 at 2100 (MM 99.75, E 200).
  const base = () => run(account({ ownBalance: '150' }, { instruments: { BTCUSDT: { mmr: '0.0475' } } }), [
    grantFb('F', '50', '0.5'), place('o1', 'open', '1', '2100', { leverage: '100' }), fill('o1', '1', '2100'),
  ]).state;

  it('M-2: a bonus awaiting reclaim still counts in equity (worked example 3 after the deferral: MR 130 / 140, no signal)', () => {
    expect(run(guardState(), [transfer('out', '10')]).effects.map((e) => e.type)).toEqual(['ReclaimDeferred']);
  });

  it('MR exactly 0.95: nothing; exactly 1: signalled once; below then at 1 again: signalled again', () => {
    const { steps } = run(base(), [
      mark('2000'), // MM 95, upnl -100, E = 100: MR 0.95
      funding('5'), // F 2.5, own 2.5: E = 95, MR 1
      mark('1999'), // MM 94.9525, E = 94: still above, no repeat
      mark('2000'), // back to 1: still at or above
      funding('-0.00000001'), // E = 95.00000001: below 1
      funding('0.00000001'), // bonus share rounds to 0; own pays: E = 95: MR 1 again
    ]);
    expect(steps).toEqual([
      [],
      [costSettled({ seq: 5, at: 0, cause: 'funding', amount: '5', fromBonus: [{ bonusId: 'F', amount: '2.5' }], fromOwn: '2.5', deficit: '0' }), liquidation(5, 0, '1')],
      [],
      [],
      [{ type: 'Credited', seq: 8, at: 0, rule: 'P-5', cause: 'funding', symbol: 'BTCUSDT', positionSide: 'long', amount: '0.00000001' }],
      [costSettled({ seq: 9, at: 0, cause: 'funding', amount: '0.00000001', fromBonus: [], fromOwn: '0.00000001', deficit: '0' }), liquidation(9, 0, '1')],
    ]);
  });

  it('D-14: the state before the first event counts as below; a flag (a step) leaves the flag of the previous step intact', () => {
    // own 100, no bonus, mmr 0.05, long 1 at 2000: MM 100 = E: MR 1 at the first fill.
    const { steps } = run(account({ ownBalance: '100' }, GUARD_POLICY), [place('o1', 'open', '1', '2000', { leverage: '100' }), fill('o1', '1', '2000'), flag()]);
    expect(steps).toEqual([[], [liquidation(2, 0, '1')], []]);
  });
});
