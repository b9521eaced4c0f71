/**
 * Positions and orders (P-1..P-6, D-7, D-8, D-10, D-27, D-29, D-32): the order lifecycle, its
 * rejections and their precedence, exact cost basis, and how a fill and funding settle.
 * No position voucher is granted here, so every order is a plain one.
 */
import { describe, expect, it } from 'vitest';
import { account, cancel, fill, funding, place, run, transfer } from '../helpers/dsl';
import { rejected } from './support';

const cost = (seq: number, over: Record<string, unknown>) => ({
  type: 'CostSettled', seq, at: 0, rule: 'P-6', symbol: 'BTCUSDT', positionSide: 'long',
  fromVoucher: '0', fromOwnMargin: '0', fromBonus: [], deficit: '0', ...over,
});
const credited = (seq: number, over: Record<string, unknown>) => ({
  type: 'Credited', seq, at: 0, rule: 'P-5', symbol: 'BTCUSDT', positionSide: 'long', ...over,
});
const short = { positionSide: 'short' };

/** A long of 1 BTCUSDT at 100 (seq 1-2), own 1000. */
const withLong = (own = '1000', mode: 'hedge' | 'oneWay' = 'hedge') =>
  run(account({ ownBalance: own, positionMode: mode }), [place('o1', 'open', '1', '100'), fill('o1', '1', '100')]).state;

describe('P-1 positions by (symbol, positionSide); one-way mode holds one side', () => {
  it('hedge mode holds both sides of a symbol', () => {
    const { effects, state } = run(withLong(), [place('s1', 'open', '1', '100', short), fill('s1', '1', '100')]);
    expect(effects).toEqual([]);
    expect(state.positions.map((p) => `${p.symbol}/${p.positionSide}`)).toEqual(['BTCUSDT/long', 'BTCUSDT/short']);
  });

  it('one-way: opening the other side while a position is held is POSITION_MODE_CONFLICT at placement', () => {
    const before = withLong('1000', 'oneWay');
    const { effects, state } = run(before, [place('s1', 'open', '1', '100', short)]);
    expect(effects).toEqual([rejected(3, 0, 'POSITION_MODE_CONFLICT', 'P-1')]);
    expect(state).toEqual({ ...before, lastSeq: 3 });
  });

  it('one-way: the same side may be added to, other symbols are free, and a close is never a conflict', () => {
    const { effects, state } = run(withLong('1000', 'oneWay'), [
      place('o2', 'open', '1', '100'),
      fill('o2', '1', '100'),
      place('e1', 'open', '1', '10', { symbol: 'ETHUSDT', positionSide: 'short' }),
      fill('e1', '1', '10'),
      place('c1', 'close', '2', '100'),
      fill('c1', '2', '100'),
    ]);
    expect(effects).toEqual([]);
    expect(state.positions).toEqual([{ symbol: 'ETHUSDT', positionSide: 'short', qty: '1', entryValue: '10', leverage: '10' }]);
  });

  it('D-8: two opposite opening orders placed while flat are both accepted; the second side first fill is refused', () => {
    const { steps, state } = run(account({ positionMode: 'oneWay' }), [
      place('l1', 'open', '1', '100'),
      place('s1', 'open', '1', '100', short),
      fill('l1', '1', '100'),
      fill('s1', '0.5', '100'),
      place('c1', 'close', '1', '100'),
      fill('c1', '1', '100'),
      fill('s1', '0.5', '100'),
    ]);
    expect(steps.slice(0, 4)).toEqual([[], [], [], [rejected(4, 0, 'POSITION_MODE_CONFLICT', 'P-1')]]);
    // Once the long is gone the short order fills normally.
    expect(steps[6]).toEqual([]);
    expect(state.positions).toEqual([{ symbol: 'BTCUSDT', positionSide: 'short', qty: '0.5', entryValue: '50', leverage: '10' }]);
  });
});

describe('P-2, P-3 the order lifecycle', () => {
  it('placing an order id that is still open (even partly filled) is DUPLICATE_ORDER', () => {
    const { steps } = run(account(), [
      place('o1', 'open', '2', '100'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('o1', 'close', '1', '100'),
    ]);
    expect(steps[1]).toEqual([rejected(2, 0, 'DUPLICATE_ORDER', 'P-3')]);
    expect(steps[3]).toEqual([rejected(4, 0, 'DUPLICATE_ORDER', 'P-3')]);
  });

  it('a fully filled or cancelled order is forgotten: its id may be placed again', () => {
    const { effects, state } = run(account(), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('o1', 'open', '1', '100'),
      cancel('o1'),
      place('o1', 'open', '2', '50'),
    ]);
    expect(effects).toEqual([]);
    expect(state.orders.map((o) => [o.orderId, o.qty, o.filledQty])).toEqual([['o1', '2', '0']]);
  });

  it('a fill or cancel naming an order never placed, already filled or cancelled is UNKNOWN_ORDER', () => {
    const { steps } = run(account(), [
      fill('x', '1', '1'),
      cancel('x'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      fill('o1', '1', '100'),
      cancel('o1'),
      place('o2', 'open', '1', '100'),
      cancel('o2', { reason: 'expired' }),
      fill('o2', '1', '100'),
      cancel('o2'),
    ]);
    expect(steps).toEqual([
      [rejected(1, 0, 'UNKNOWN_ORDER', 'P-3')],
      [rejected(2, 0, 'UNKNOWN_ORDER', 'P-3')],
      [],
      [],
      [rejected(5, 0, 'UNKNOWN_ORDER', 'P-3')],
      [rejected(6, 0, 'UNKNOWN_ORDER', 'P-3')],
      [],
      [],
      [rejected(9, 0, 'UNKNOWN_ORDER', 'P-3')],
      [rejected(10, 0, 'UNKNOWN_ORDER', 'P-3')],
    ]);
  });

  it.each(['cancelled', 'rejected', 'expired'])('a plain order cancelled with reason %s emits nothing and is gone', (reason) => {
    const { effects, state } = run(account(), [place('o1', 'open', '1', '100'), cancel('o1', { reason })]);
    expect(effects).toEqual([]);
    expect(state.orders).toEqual([]);
  });

  it('a fill larger than the unfilled quantity is FILL_EXCEEDS_ORDER; the exact rest fills it', () => {
    const { steps, state } = run(account(), [
      place('o1', 'open', '1', '100'),
      fill('o1', '1.00000001', '100'),
      fill('o1', '0.6', '100'),
      fill('o1', '0.5', '100'),
      fill('o1', '0.4', '100'),
    ]);
    expect(steps).toEqual([[], [rejected(2, 0, 'FILL_EXCEEDS_ORDER', 'P-3')], [], [rejected(4, 0, 'FILL_EXCEEDS_ORDER', 'P-3')], []]);
    expect(state.orders).toEqual([]);
    expect(state.positions).toEqual([{ symbol: 'BTCUSDT', positionSide: 'long', qty: '1', entryValue: '100', leverage: '10' }]);
  });

  it('a closing fill larger than the position is FILL_EXCEEDS_POSITION (the order itself may be larger)', () => {
    const { steps, state } = run(withLong(), [place('c1', 'close', '5', '100'), fill('c1', '1.5', '100'), fill('c1', '1', '110')]);
    expect(steps).toEqual([[], [rejected(4, 0, 'FILL_EXCEEDS_POSITION', 'P-3')], [credited(5, { cause: 'profit', orderId: 'c1', amount: '10' })]]);
    expect(state.positions).toEqual([]);
    expect(state.orders.map((o) => [o.orderId, o.filledQty])).toEqual([['c1', '1']]);
  });

  it('a rejection changes nothing but seq and the clock', () => {
    const before = withLong();
    const { state } = run(before, [fill('c9', '1', '1', '1', { at: 500 })]);
    expect(state).toEqual({ ...before, lastSeq: 3, clock: 500 });
  });
});

describe('P-3, D-10 UNKNOWN_POSITION', () => {
  it('a closing order for a position that does not exist (the other side held in hedge mode)', () => {
    const { steps } = run(withLong(), [place('c1', 'close', '1', '100', short), place('c2', 'close', '1', '100', { symbol: 'ETHUSDT' })]);
    expect(steps).toEqual([[rejected(3, 0, 'UNKNOWN_POSITION', 'P-3')], [rejected(4, 0, 'UNKNOWN_POSITION', 'P-3')]]);
  });

  it('a closing fill after its position is gone (D-32: the order stays open and may fill a later position)', () => {
    const { steps, state } = run(withLong(), [
      place('c1', 'close', '1', '100'),
      place('c2', 'close', '1', '100'),
      fill('c2', '1', '90'),
      fill('c1', '1', '100'),
      place('o2', 'open', '1', '200'),
      fill('o2', '1', '200'),
      fill('c1', '1', '210'),
    ]);
    expect(steps[3]).toEqual([rejected(6, 0, 'UNKNOWN_POSITION', 'P-3')]);
    expect(steps[6]).toEqual([credited(9, { cause: 'profit', orderId: 'c1', amount: '10' })]);
    expect(state.positions).toEqual([]);
    expect(state.orders).toEqual([]);
  });

  it('funding for a position that does not exist, an amount of 0 included', () => {
    const { steps } = run(withLong(), [funding('1', short), funding('0', short), funding('-1', { symbol: 'ETHUSDT' })]);
    expect(steps).toEqual([
      [rejected(3, 0, 'UNKNOWN_POSITION', 'P-3')],
      [rejected(4, 0, 'UNKNOWN_POSITION', 'P-3')],
      [rejected(5, 0, 'UNKNOWN_POSITION', 'P-3')],
    ]);
  });

  it('funding of 0 with a position emits nothing and changes nothing but seq', () => {
    const before = withLong();
    const { effects, state } = run(before, [funding('0'), funding('-0')]);
    expect(effects).toEqual([]);
    expect(state).toEqual({ ...before, lastSeq: 4 });
  });
});

describe('D-7 rejection precedence', () => {
  it('placement: DUPLICATE_ORDER before UNKNOWN_POSITION and before POSITION_MODE_CONFLICT', () => {
    const { steps } = run(withLong('1000', 'oneWay'), [
      place('o9', 'open', '1', '100'),
      place('o9', 'close', '1', '100', short),
      place('o9', 'open', '1', '100', short),
    ]);
    expect(steps[1]).toEqual([rejected(4, 0, 'DUPLICATE_ORDER', 'P-3')]);
    expect(steps[2]).toEqual([rejected(5, 0, 'DUPLICATE_ORDER', 'P-3')]);
  });

  it('fill: UNKNOWN_ORDER first, then FILL_EXCEEDS_ORDER before UNKNOWN_POSITION / FILL_EXCEEDS_POSITION / POSITION_MODE_CONFLICT', () => {
    const { steps } = run(account({ positionMode: 'oneWay' }), [
      place('l1', 'open', '1', '100'),
      place('s1', 'open', '1', '100', short),
      fill('l1', '1', '100'),
      place('c1', 'close', '1', '100'),
      fill('s1', '2', '100'), // exceeds the order and conflicts: FILL_EXCEEDS_ORDER
      fill('s1', '1', '100'), // conflicts only
      fill('c1', '2', '100'), // exceeds the order and the position: FILL_EXCEEDS_ORDER
      place('c2', 'close', '3', '100'),
      fill('c2', '2', '100'), // exceeds the position only
      fill('c1', '1', '100'),
      fill('c2', '3.5', '100'), // exceeds the order, the position is gone: FILL_EXCEEDS_ORDER
      fill('c2', '1', '100'), // the position is gone: UNKNOWN_POSITION
    ]);
    expect(steps.map((s) => s.map((e) => (e.type === 'EventRejected' ? e.code : e.type)))).toEqual([
      [], [], [], [],
      ['FILL_EXCEEDS_ORDER'],
      ['POSITION_MODE_CONFLICT'],
      ['FILL_EXCEEDS_ORDER'],
      [],
      ['FILL_EXCEEDS_POSITION'],
      [],
      ['FILL_EXCEEDS_ORDER'],
      ['UNKNOWN_POSITION'],
    ]);
  });
});

describe('P-4 cost basis', () => {
  it('a fill notional is qty x price rounded half-up to scale (0.3 x 0.00000005 = 0.000000015 -> 0.00000002)', () => {
    const { effects, state } = run(account(), [
      place('o1', 'open', '0.3', '0.00000005'),
      fill('o1', '0.3', '0.00000005'),
    ]);
    expect(effects).toEqual([]);
    expect(state.positions[0]).toMatchObject({ qty: '0.3', entryValue: '0.00000002' });
    // Closing at 0.00000001: notional 0.000000003 -> 0, so the whole basis is lost.
    const closed = run(state, [place('c1', 'close', '0.3', '0.00000001'), fill('c1', '0.3', '0.00000001')]);
    expect(closed.effects).toEqual([cost(4, { cause: 'loss', orderId: 'c1', amount: '0.00000002', fromOwn: '0.00000002' })]);
  });

  it('the notional follows the policy scale (scale 2: 1.5 x 1.01 = 1.515 -> 1.52)', () => {
    const { state } = run(account({}, { scale: 2 }), [place('o1', 'open', '1.5', '1.01'), fill('o1', '1.5', '1.01')]);
    expect(state.positions[0]).toMatchObject({ qty: '1.5', entryValue: '1.52' });
  });

  it('entryValue 100 over qty 3: partial closes release entryValue x q / qty half-up, the last one all of it', () => {
    const { steps, state } = run(account(), [
      place('o1', 'open', '3', '40'),
      fill('o1', '1', '40'),
      fill('o1', '2', '30'),
      place('c1', 'close', '3', '40'),
      fill('c1', '1', '40'), // basis 33.333333333... -> 33.33333333, pnl +6.66666667
      fill('c1', '1', '30'), // basis 66.66666667 / 2 = 33.333333335 -> 33.33333334, pnl -3.33333334
      fill('c1', '1', '35'), // basis all of 33.33333333, pnl +1.66666667
    ]);
    expect(steps.slice(4)).toEqual([
      [credited(5, { cause: 'profit', orderId: 'c1', amount: '6.66666667' })],
      [cost(6, { cause: 'loss', orderId: 'c1', amount: '3.33333334', fromOwn: '3.33333334' })],
      [credited(7, { cause: 'profit', orderId: 'c1', amount: '1.66666667' })],
    ]);
    // Nothing is created or lost: the pnl adds up to 40 + 30 + 35 - 100 = 5.
    expect(state.ownBalance).toBe('1005');
    expect(state.positions).toEqual([]);
  });

  it('the basis is rounded half-up, not half-even: 100.00000001 / 2 = 50.000000005 -> 50.00000001', () => {
    const { steps } = run(account(), [
      place('o1', 'open', '2', '50'),
      fill('o1', '1', '50'),
      fill('o1', '1', '50.00000001'),
      place('c1', 'close', '2', '50'),
      fill('c1', '1', '50'),
      fill('c1', '1', '50'),
    ]);
    expect(steps[4]).toEqual([cost(5, { cause: 'loss', orderId: 'c1', amount: '0.00000001', fromOwn: '0.00000001' })]);
    expect(steps[5]).toEqual([]);
  });

  it('D-27: the basis is rounded once from entryValue x q / qty (close 2 of 3: 66.66666667, not 2 x 33.33333333)', () => {
    const { steps, state } = run(account(), [
      place('o1', 'open', '3', '100'),
      fill('o1', '3', '33.33333333'), // entryValue 99.99999999
      place('c1', 'close', '2', '40'),
      fill('c1', '2', '40'), // basis 199.99999998 / 3 = 66.66666666; pnl 13.33333334
    ]);
    expect(steps[3]).toEqual([credited(4, { cause: 'profit', orderId: 'c1', amount: '13.33333334' })]);
    expect(state.positions[0]).toMatchObject({ qty: '1', entryValue: '33.33333333' });
    const round = run(account(), [
      place('o1', 'open', '3', '40'),
      fill('o1', '1', '40'),
      fill('o1', '2', '30'), // entryValue 100
      place('c1', 'close', '2', '40'),
      fill('c1', '2', '40'), // basis 200 / 3 = 66.666666666... -> 66.66666667; pnl 13.33333333
    ]);
    expect(round.steps[4]).toEqual([credited(5, { cause: 'profit', orderId: 'c1', amount: '13.33333333' })]);
    expect(round.state.positions[0]).toMatchObject({ qty: '1', entryValue: '33.33333333' });
  });

  it('a short realises basis - notional', () => {
    const { steps, state } = run(account(), [
      place('s1', 'open', '3', '40', short),
      fill('s1', '1', '40'),
      fill('s1', '2', '30'),
      place('c1', 'close', '3', '30', short),
      fill('c1', '1', '30'), // basis 33.33333333 - 30
      fill('c1', '2', '40'), // 66.66666667 - 80
    ]);
    expect(steps.slice(4)).toEqual([
      [credited(5, { cause: 'profit', orderId: 'c1', amount: '3.33333333', ...short })],
      [cost(6, { cause: 'loss', orderId: 'c1', amount: '13.33333333', fromOwn: '13.33333333', ...short })],
    ]);
    expect(state.ownBalance).toBe('990');
  });

  it('an opening fill adds its notional to entryValue; the position keeps the leverage of the order that created it', () => {
    const { state } = run(account(), [
      place('o1', 'open', '1', '100', { leverage: '5' }),
      fill('o1', '1', '100'),
      place('o2', 'open', '2', '110', { leverage: '20' }),
      fill('o2', '2', '110.5'),
    ]);
    expect(state.positions).toEqual([{ symbol: 'BTCUSDT', positionSide: 'long', qty: '3', entryValue: '321', leverage: '5' }]);
  });
});

describe('P-5 a fill settles its pnl first, then its fee', () => {
  it('loss then fee', () => {
    const { effects } = run(withLong(), [place('c1', 'close', '1', '90'), fill('c1', '1', '90', '0.5')]);
    expect(effects).toEqual([
      cost(4, { cause: 'loss', orderId: 'c1', amount: '10', fromOwn: '10' }),
      cost(4, { cause: 'fee', orderId: 'c1', amount: '0.5', fromOwn: '0.5' }),
    ]);
  });

  it('profit (credited to the own balance) then fee', () => {
    const { effects, state } = run(withLong(), [place('c1', 'close', '1', '110'), fill('c1', '1', '110', '0.5')]);
    expect(effects).toEqual([credited(4, { cause: 'profit', orderId: 'c1', amount: '10' }), cost(4, { cause: 'fee', orderId: 'c1', amount: '0.5', fromOwn: '0.5' })]);
    expect(state.ownBalance).toBe('1009.5');
  });

  it('a zero pnl settles nothing; an opening fill only its fee; a zero fee nothing', () => {
    const { steps } = run(account(), [
      place('o1', 'open', '2', '100'),
      fill('o1', '1', '100', '0.1'),
      fill('o1', '1', '100'),
      place('c1', 'close', '2', '100'),
      fill('c1', '1', '100', '0.2'),
      fill('c1', '1', '100'),
    ]);
    expect(steps).toEqual([
      [],
      [cost(2, { cause: 'fee', orderId: 'o1', amount: '0.1', fromOwn: '0.1' })],
      [],
      [],
      [cost(5, { cause: 'fee', orderId: 'c1', amount: '0.2', fromOwn: '0.2' })],
      [],
    ]);
  });

  it('funding paid is a cost without orderId; funding received is a credit of its absolute value', () => {
    const { effects, state } = run(withLong(), [
      place('s1', 'open', '1', '100', short),
      fill('s1', '1', '100'),
      funding('1.25'),
      funding('-0.75', short),
    ]);
    expect(effects).toEqual([
      cost(5, { cause: 'funding', amount: '1.25', fromOwn: '1.25' }),
      credited(6, { cause: 'funding', amount: '0.75', ...short }),
    ]);
    expect(state.ownBalance).toBe('999.5');
  });
});

describe('P-6 the pipeline: own balance, then a deficit', () => {
  it('a cost beyond the own balance leaves a deficit: the balance goes below zero by that much', () => {
    const { steps, state } = run(account({ ownBalance: '5' }), [
      place('o1', 'open', '2', '100'),
      fill('o1', '2', '100'),
      place('c1', 'close', '1', '90'),
      fill('c1', '1', '90'), // loss 10: own pays 5, deficit 5
      funding('1'), // own is below zero: all deficit
    ]);
    expect(steps[3]).toEqual([
      cost(4, { cause: 'loss', orderId: 'c1', amount: '10', fromOwn: '5', deficit: '5' }),
      // M-3: MM 0.45 with equity -5 - 10 <= 0: unbounded.
      { type: 'LiquidationThresholdReached', seq: 4, at: 0, rule: 'M-3', marginRate: null },
    ]);
    expect(steps[4]).toEqual([cost(5, { cause: 'funding', amount: '1', fromOwn: '0', deficit: '1' })]);
    expect(state.ownBalance).toBe('-6');
  });

  it('a negative starting balance pays nothing and owes everything', () => {
    const { effects, state } = run(account({ ownBalance: '-1' }), [place('o1', 'open', '1', '100'), fill('o1', '1', '100', '2')]);
    expect(effects[0]).toEqual(cost(2, { cause: 'fee', orderId: 'o1', amount: '2', fromOwn: '0', deficit: '2' }));
    expect(state.ownBalance).toBe('-3');
  });
});

describe('D-29 margin modes matter only for position vouchers', () => {
  it('plain isolated and cross positions hold no margin of their own: fromOwnMargin is 0, the own balance pays', () => {
    for (const marginMode of ['isolated', 'cross']) {
      const { effects } = run(account(), [place('o1', 'open', '1', '100', { marginMode }), fill('o1', '1', '100', '1'), funding('1')]);
      expect(effects).toEqual([
        cost(2, { cause: 'fee', orderId: 'o1', amount: '1', fromOwn: '1' }),
        cost(3, { cause: 'funding', amount: '1', fromOwn: '1' }),
      ]);
    }
  });

  it('isolated and cross lock the same transferable funds (entryValue / leverage)', () => {
    for (const marginMode of ['isolated', 'cross']) {
      const { steps } = run(account({ ownBalance: '100' }), [
        place('o1', 'open', '1', '100', { marginMode }),
        fill('o1', '1', '100'),
        transfer('out', '90.00000001'),
        transfer('out', '90'),
      ]);
      expect(steps[2]).toEqual([rejected(3, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
      expect(steps[3]).toEqual([]);
    }
  });
});
