/**
 * Margin (M-1..M-4, D-13, D-14, D-15, D-27): maintenance margin, equity, the liquidation signal
 * once per crossing, and the funds a transfer out may take. The margin rate and transferable
 * funds are not in any effect except M-3's, so they are observed through the signal and through
 * transfers at the exact limit (one unit of scale more is refused).
 */
import { describe, expect, it } from 'vitest';
import { account, fill, grantFb, grantPv, mark, place, run, transfer } from '../helpers/dsl';
import { rejected } from './support';

const liquidation = (seq: number, at: number, marginRate: string | null) => ({ type: 'LiquidationThresholdReached', seq, at, rule: 'M-3', marginRate });
const eth = { symbol: 'ETHUSDT' };

describe('M-1 maintenance margin: qty x mark x mmr, per symbol or the default', () => {
  it('BTCUSDT at its listed mmr 0.01, ETHUSDT at the default 0.005: MM 1.5 on equity 1000', () => {
    const { steps } = run(account({}, { instruments: { BTCUSDT: { mmr: '0.01' } }, liquidationRate: '0.0012' }), [
      place('b1', 'open', '1', '100', { voucher: 'none' }),
      fill('b1', '1', '100'), // MM 1, MR 0.001
      place('e1', 'open', '10', '10', eth),
      fill('e1', '10', '10'), // MM 1 + 0.5, MR 0.0015
    ]);
    expect(steps).toEqual([[], [], [], [liquidation(4, 0, '0.0015')]]);
  });

  it('the policy defaultMmr replaces 0.005; a rate exactly at the threshold counts (>=)', () => {
    const { steps } = run(account({}, { instruments: { BTCUSDT: { mmr: '0.01' } }, defaultMmr: '0.002', liquidationRate: '0.0012' }), [
      place('b1', 'open', '1', '100'),
      fill('b1', '1', '100'),
      place('e1', 'open', '10', '10', eth),
      fill('e1', '10', '10'), // MM 1 + 0.2 = 1.2, MR exactly 0.0012
    ]);
    expect(steps[3]).toEqual([liquidation(4, 0, '0.0012')]);
  });

  it('MM and upnl follow the mark: a mark feed moves the rate without any fill', () => {
    const { steps } = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('F', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'), // MM 130, E 150: 0.86666667
      mark('2580'), // MM 129, E 130: 0.99230769
      mark('2570'), // MM 128.5, E 120: 1.07083333
    ]);
    expect(steps).toEqual([[expect.objectContaining({ type: 'VoucherActivated' })], [], [], [], [liquidation(5, 0, '1.07083333')]]);
  });
});

describe('M-2 equity: own balance + bonuses (active or awaiting reclaim) + upnl of plain positions', () => {
  const policy = { instruments: { BTCUSDT: { mmr: '0.05' } } };
  const setup = [grantFb('F', '50', '0.5'), place('o1', 'open', '1', '2600', { leverage: '100' }), fill('o1', '1', '2600')];

  it('an active bonus counts: MM 130 on own 100 alone would be 1.3, with the bonus it is 0.86666667', () => {
    const { effects } = run(account({ ownBalance: '100' }, policy), setup);
    expect(effects.filter((e) => e.type === 'LiquidationThresholdReached')).toEqual([]);
  });

  it('a bonus awaiting reclaim still counts (worked example 3: own 90 + 50, MR 0.92857143, no signal)', () => {
    const { steps } = run(account({ ownBalance: '100' }, policy), [...setup, transfer('out', '10')]);
    expect(steps[3]).toEqual([
      { type: 'ReclaimDeferred', seq: 4, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut', projectedMarginRate: '1.44444444' },
    ]);
  });

  it('a reclaimed bonus no longer counts: the signal follows the reclaim in the same step (G-6 step 4)', () => {
    const { steps } = run(account({ ownBalance: '100' }, { ...policy, reclaimGuard: false }), [...setup, transfer('out', '10')]);
    expect(steps[3]).toEqual([
      { type: 'BonusReclaimed', seq: 4, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' },
      liquidation(4, 0, '1.44444444'),
    ]);
  });

  it('a position voucher position counts neither in MM nor in upnl', () => {
    const { effects, state } = run(account({ ownBalance: '5' }), [
      grantPv('P', '10'),
      place('v1', 'open', '1', '100'), // required 100 / 10 = 10 = the voucher: no own margin
      fill('v1', '1', '100'),
      mark('50'),
      transfer('out', '5'),
    ]);
    expect(effects.map((e) => e.type)).toEqual(['VoucherActivated', 'PositionVoucherApplied']);
    expect(state.ownBalance).toBe('0');
    expect(state.positions[0]?.voucher?.voucherId).toBe('P');
  });
});

describe('M-3 LiquidationThresholdReached once per crossing', () => {
  it('null when E <= 0; not again while above; again after dropping below and rising again', () => {
    const { steps } = run(account({ ownBalance: '10' }), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'), // MM 0.5, E 10
      mark('90'), // MM 0.45, E 0: unbounded
      mark('89'), // still above
      mark('100'), // below again
      mark('90.5'), // MM 0.4525, E 0.5: 0.905
      mark('90.4'), // MM 0.452, E 0.4: 1.13
    ]);
    expect(steps).toEqual([[], [], [liquidation(3, 0, null)], [], [], [], [liquidation(7, 0, '1.13')]]);
  });

  it('the rate is shown half-up to 8 decimals (0.473 / 4.6 = 0.1028260869... -> 0.10282609)', () => {
    const { steps } = run(account({ ownBalance: '10' }, { liquidationRate: '0.1' }), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      mark('94.9'), // 0.4745 / 4.9 = 0.0968...
      mark('94.6'),
    ]);
    expect(steps.slice(2)).toEqual([[], [liquidation(4, 0, '0.10282609')]]);
  });

  it('D-14: the state before the first event counts as the previous step (rate 0): the first crossing signals', () => {
    const { steps } = run(account({ ownBalance: '0.4' }), [place('o1', 'open', '1', '100'), fill('o1', '1', '100', '0', { at: 7 })]);
    expect(steps).toEqual([[], [liquidation(2, 7, '1.25')]]);
  });

  it('D-14: a rejected event is a step: its clock work may cross, and the signal comes last', () => {
    const { steps } = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } }, reclaimGuard: false }), [
      grantFb('F', '50', '0.5', { expiresAt: 1000 }),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
      fill('ghost', '1', '1', '0', { at: 1500 }),
      fill('ghost', '1', '1', '0', { at: 1600 }),
    ]);
    expect(steps[3]).toEqual([
      { type: 'BonusReclaimed', seq: 4, at: 1000, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'expiry' },
      rejected(4, 1500, 'UNKNOWN_ORDER', 'P-3'),
      liquidation(4, 1500, '1.3'),
    ]);
    expect(steps[4]).toEqual([rejected(5, 1600, 'UNKNOWN_ORDER', 'P-3')]);
  });

  it('the threshold is the policy liquidationRate, never the guard rate (FB-12)', () => {
    const { effects } = run(account({ ownBalance: '10' }, { liquidationRate: '2' }), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      mark('90.4'), // 1.13: above 1 and 0.95, below 2
      mark('90.2'), // MM 0.451, E 0.2: 2.255
    ]);
    expect(effects).toEqual([liquidation(4, 0, '2.255')]);
  });
});

describe('M-4 transferable own funds', () => {
  it('own - each position entryValue / leverage rounded up on its own (D-27): 1000 - 2 x 33.33333334', () => {
    const { steps, state } = run(account(), [
      place('b1', 'open', '1', '100', { leverage: '3' }),
      fill('b1', '1', '100'),
      place('e1', 'open', '1', '100', { ...eth, leverage: '3' }),
      fill('e1', '1', '100'),
      transfer('out', '933.33333333'),
      transfer('out', '933.33333332'),
    ]);
    expect(steps[4]).toEqual([rejected(5, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(steps[5]).toEqual([]);
    expect(state.ownBalance).toBe('66.66666668');
  });

  it('D-15: min(0, ...) applies to the sum of the unrealised pnl, not to each position', () => {
    const { steps } = run(account(), [
      place('b1', 'open', '1', '100'),
      fill('b1', '1', '100'),
      place('e1', 'open', '1', '100', eth),
      fill('e1', '1', '100'),
      mark('130'), // BTC +30
      mark('80', eth), // ETH -20: sum +10 -> 0
      transfer('out', '980.00000001'),
      mark('110'), // BTC +10: sum -10
      transfer('out', '970.00000001'),
      transfer('out', '970'),
    ]);
    expect(steps[6]).toEqual([rejected(7, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(steps[8]).toEqual([rejected(9, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(steps[9]).toEqual([]);
  });

  it('a short loses when the mark rises', () => {
    const { steps } = run(account({ ownBalance: '100' }), [
      place('s1', 'open', '1', '100', { positionSide: 'short' }),
      fill('s1', '1', '100'),
      mark('120'), // upnl -20; 100 - 10 - 20 = 70
      transfer('out', '70.00000001'),
      transfer('out', '70'),
    ]);
    expect(steps.slice(3)).toEqual([[rejected(4, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')], []]);
  });

  it('D-15: the leverage is that of the order whose fill created the position', () => {
    const { steps } = run(account({ ownBalance: '100' }), [
      place('o1', 'open', '1', '100', { leverage: '10' }),
      fill('o1', '1', '100'),
      place('o2', 'open', '1', '100', { leverage: '1' }),
      fill('o2', '1', '100'), // 200 / 10 = 20 locked
      transfer('out', '80.00000001'),
      transfer('out', '80'),
    ]);
    expect(steps.slice(4)).toEqual([[rejected(5, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')], []]);
  });

  it('bonuses are never transferable; a refused transfer changes nothing (no reclaim is triggered)', () => {
    const start = run(account({ ownBalance: '100' }), [grantFb('F', '50', '0.5')]).state;
    const refused = run(start, [transfer('out', '100.00000001', { at: 10 })]);
    expect(refused.effects).toEqual([rejected(2, 10, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(refused.state).toEqual({ ...start, lastSeq: 2, clock: 10 });
    const taken = run(refused.state, [transfer('out', '100')]);
    expect(taken.effects).toEqual([{ type: 'BonusReclaimed', seq: 3, at: 10, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
    expect(taken.state.ownBalance).toBe('0');
  });

  it('a negative own balance transfers nothing out', () => {
    const { effects } = run(account({ ownBalance: '-1' }), [transfer('out', '0.00000001')]);
    expect(effects).toEqual([rejected(1, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
  });
});

describe('M-1, D-13 the mark price: the last feed, else the last fill', () => {
  it('fills move the mark until a feed takes over; after that only the feed moves it', () => {
    const { steps } = run(account(), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('o2', 'open', '1', '50'),
      fill('o2', '1', '50'), // mark 50: upnl 100 - 150 = -50; 1000 - 15 - 50 = 935
      transfer('out', '935.00000001'),
      mark('100'), // upnl 200 - 150 = +50 -> 0; 1000 - 15 = 985
      place('o3', 'open', '1', '50'),
      fill('o3', '1', '50'), // the mark stays 100: upnl 300 - 200 = +100; 1000 - 20 = 980
      transfer('out', '980.00000001'),
      transfer('out', '980'),
    ]);
    expect(steps[4]).toEqual([rejected(5, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(steps[8]).toEqual([rejected(9, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(steps[9]).toEqual([]);
  });

  it('a feed for one symbol leaves the others on their fills', () => {
    const { state } = run(account(), [
      mark('3000', eth),
      place('e1', 'open', '1', '2900', eth),
      fill('e1', '1', '2900'),
      place('b1', 'open', '1', '100'),
      fill('b1', '1', '100'),
      mark('3100', eth),
    ]);
    expect(state.marks).toEqual([
      { symbol: 'ETHUSDT', price: '3100', fromFeed: true },
      { symbol: 'BTCUSDT', price: '100', fromFeed: false },
    ]);
  });
});
