/**
 * A voucher position: locked against other opening orders (PV-5, D-17), paying its costs from the
 * voucher margin, then its own margin, then the wallet (PV-6, P-6), its profits and funding
 * received going to the user (PV-7), and kept out of margin and transferable funds (M-1, M-2, M-4).
 */
import { describe, expect, it } from 'vitest';
import { fill, flag, funding, grantFb, grantPv, mark, ofType, place, retiredAs, transfer, whereIs } from '../helpers/dsl';
import { cost, credited, onAccount, openWithVoucher, positionIn, voucherIn } from './support';

describe('PV-5 Locked position', () => {
  const locked = { type: 'EventRejected', rule: 'PV-5', code: 'VOUCHER_POSITION_LOCKED' };

  it.each([
    ['"none"', { voucher: 'none' }],
    ['"auto"', {}],
    ['another named voucher', { voucher: 'W' }],
  ])('D-17: a voucher order not yet filled already locks its side against an opening order with %s', (_, extra) => {
    const { steps, state } = onAccount([grantPv('V', '100'), grantPv('W', '100'), place('o1', 'open', '1', '1000', { voucher: 'V' }), place('o2', 'open', '1', '1000', extra)]);
    expect(steps[3]).toEqual([expect.objectContaining(locked)]);
    expect(state.orders.map((o) => o.orderId)).toEqual(['o1']);
  });

  it('the filled voucher position stays locked', () => {
    const { steps } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), place('o2', 'open', '1', '1000', { voucher: 'none' })]);
    expect(steps[3]).toEqual([expect.objectContaining(locked)]);
  });

  it('closing orders are not locked out', () => {
    const { steps } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), place('c1', 'close', '0.5', '1000')]);
    expect(steps[3]).toEqual([]);
  });

  it('the other side of the symbol takes a plain order; "auto" skips the voucher there (one per contract)', () => {
    const { steps, state } = onAccount([
      grantPv('V', '100'), grantPv('W', '100'), ...openWithVoucher('V', '1', '1000'),
      place('s1', 'open', '1', '1000', { positionSide: 'short' }), fill('s1', '1', '1000'),
    ]);
    expect(steps[4]).toEqual([]);
    expect(positionIn(state, 'BTCUSDT', 'short')?.voucher).toBeUndefined();
    expect(voucherIn(state, 'W')?.status).toBe('available');
  });

  it('another symbol is not affected: "auto" gives it the next voucher', () => {
    const { steps } = onAccount([grantPv('V', '100'), grantPv('W', '100'), ...openWithVoucher('V', '1', '1000'), place('e1', 'open', '1', '1000', { symbol: 'ETHUSDT' })]);
    expect(steps[4]).toEqual([expect.objectContaining({ type: 'PositionVoucherApplied', voucherId: 'W', symbol: 'ETHUSDT' })]);
  });
});

describe('PV-6 Costs first from the voucher', () => {
  it('the opening fill\'s fee comes out of the voucher margin', () => {
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000', '0.5')]);
    expect(steps[2]).toEqual([cost({ seq: 3, at: 0, cause: 'fee', orderId: 'open-V', amount: '0.5', fromVoucher: '0.5', fromOwnMargin: '0', fromOwn: '0', deficit: '0' })]);
    expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '99.5', ownMargin: '0' });
    expect(state.ownBalance).toBe('1000');
  });

  // Voucher 100 with own funds; a long of 1 at 1500 needs 150: own margin 50. Closed at 1200: loss 300.
  const spill = (own: string, grants: Parameters<typeof onAccount>[0] = []) =>
    onAccount([...grants, grantPv('V', '100', { allowOwnFunds: true }), ...openWithVoucher('V', '1', '1500'), place('c1', 'close', '1', '1200'), fill('c1', '1', '1200')], { ownBalance: own });

  it('a loss larger than the voucher margin: voucher 100, own margin 50, then own balance 150', () => {
    const { effects, state } = spill('1000');
    expect(ofType(effects, 'CostSettled')).toEqual([
      cost({ seq: 5, at: 0, cause: 'loss', orderId: 'c1', amount: '300', fromVoucher: '100', fromOwnMargin: '50', fromOwn: '150', deficit: '0' }),
    ]);
    expect(ofType(effects, 'VoucherForfeited')).toEqual([{ type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '0' }]);
    expect(state.ownBalance).toBe('800');
  });

  it('the wallet part is split with a futures bonus (FB-3): 150 at rate 0.5 is 75 from the bonus and 75 own', () => {
    const { effects, state } = spill('1000', [grantFb('F', '100', '0.5')]);
    expect(ofType(effects, 'CostSettled')).toEqual([
      cost({ seq: 6, at: 0, cause: 'loss', orderId: 'c1', amount: '300', fromVoucher: '100', fromOwnMargin: '50', fromBonus: [{ bonusId: 'F', amount: '75' }], fromOwn: '75', deficit: '0' }),
    ]);
    expect(state.ownBalance).toBe('875');
    expect(state.futuresBonuses[0]).toMatchObject({ remaining: '25', status: 'active' });
  });

  it('what neither the bonus nor the own balance can pay is a deficit: own 60 (10 after the own margin), bonus 20', () => {
    // Wallet 150: (a) bonus share 75, the bonus holds 20; (b) own 10; (c) pool empty; (e) deficit 120.
    const { effects, state } = spill('60', [grantFb('F', '20', '0.5')]);
    expect(ofType(effects, 'CostSettled')).toEqual([
      cost({ seq: 6, at: 0, cause: 'loss', orderId: 'c1', amount: '300', fromVoucher: '100', fromOwnMargin: '50', fromBonus: [{ bonusId: 'F', amount: '20' }], fromOwn: '10', deficit: '120' }),
    ]);
    expect(state.ownBalance).toBe('-120');
    // F paid all 20 it held: spent, and retired (FV-8).
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'spent'));
  });

  it('a cost within the voucher margin touches nothing else; the next one takes the rest of it, then own margin', () => {
    const { steps, state } = onAccount([
      grantPv('V', '100', { allowOwnFunds: true }), ...openWithVoucher('V', '1', '1500', '60'), place('c1', 'close', '0.5', '1500'), fill('c1', '0.5', '1500', '70'),
    ]);
    expect(steps[2]).toEqual([cost({ seq: 3, at: 0, cause: 'fee', orderId: 'open-V', amount: '60', fromVoucher: '60', fromOwnMargin: '0', fromOwn: '0', deficit: '0' })]);
    expect(steps[4]).toEqual([cost({ seq: 5, at: 0, cause: 'fee', orderId: 'c1', amount: '70', fromVoucher: '40', fromOwnMargin: '30', fromOwn: '0', deficit: '0' })]);
    expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '0', ownMargin: '20' });
  });

  it('D-6: on a flagged account the voucher in use keeps paying its position\'s costs', () => {
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), flag(), place('c1', 'close', '1', '850'), fill('c1', '1', '850')]);
    expect(steps[3]).toEqual([]);
    expect(steps[5]).toEqual([
      cost({ seq: 6, at: 0, cause: 'loss', orderId: 'c1', amount: '150', fromVoucher: '100', fromOwnMargin: '0', fromOwn: '50', deficit: '0' }),
      { type: 'VoucherForfeited', seq: 6, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '0' },
    ]);
    expect(state.ownBalance).toBe('950');
  });
});

describe('PV-6, PV-7 Funding on a voucher position', () => {
  // Voucher 100 with own funds; a long of 1 at 1500: own margin 50, own 950.
  const base = [grantPv('V', '100', { allowOwnFunds: true }), ...openWithVoucher('V', '1', '1500')];

  it('funding paid comes out of the voucher margin (no orderId)', () => {
    const { steps, state } = onAccount([...base, funding('3')]);
    expect(steps[3]).toEqual([cost({ seq: 4, at: 0, cause: 'funding', amount: '3', fromVoucher: '3', fromOwnMargin: '0', fromOwn: '0', deficit: '0' })]);
    expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '97', ownMargin: '50' });
  });

  it('funding received is credited to the own balance; the voucher margin does not grow', () => {
    const { steps, state } = onAccount([...base, funding('-2')]);
    expect(steps[3]).toEqual([credited({ seq: 4, at: 0, cause: 'funding', amount: '2' })]);
    expect(state.ownBalance).toBe('952');
    expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '100', ownMargin: '50' });
  });

  it('funding beyond the voucher margin runs on into the own margin, then the own balance', () => {
    const { steps, state } = onAccount([...base, funding('120'), funding('40')]);
    expect(steps[3]).toEqual([cost({ seq: 4, at: 0, cause: 'funding', amount: '120', fromVoucher: '100', fromOwnMargin: '20', fromOwn: '0', deficit: '0' })]);
    expect(steps[4]).toEqual([cost({ seq: 5, at: 0, cause: 'funding', amount: '40', fromVoucher: '0', fromOwnMargin: '30', fromOwn: '10', deficit: '0' })]);
    expect(state.ownBalance).toBe('940');
  });

  it('funding on a short voucher position', () => {
    const { steps } = onAccount([
      grantPv('V', '100'), place('s1', 'open', '1', '1000', { positionSide: 'short', voucher: 'V' }), fill('s1', '1', '1000'),
      funding('1.25', { positionSide: 'short' }), funding('-0.5', { positionSide: 'short' }),
    ]);
    expect(steps[3]).toEqual([cost({ seq: 4, at: 0, positionSide: 'short', cause: 'funding', amount: '1.25', fromVoucher: '1.25', fromOwnMargin: '0', fromOwn: '0', deficit: '0' })]);
    expect(steps[4]).toEqual([credited({ seq: 5, at: 0, positionSide: 'short', cause: 'funding', amount: '0.5' })]);
  });

  it('D-10: funding of 0 on a voucher position does nothing', () => {
    const { steps, state } = onAccount([...base, funding('0')]);
    expect(steps[3]).toEqual([]);
    expect(positionIn(state)?.voucher?.voucherMargin).toBe('100');
  });
});

describe('PV-7 Profits are the user\'s', () => {
  it('a partial close at a profit credits the own balance and leaves the voucher margin with the position', () => {
    // 2 at 500 needs 100. Close 1 at 600: basis 1000 x 1 / 2 = 500, profit 100.
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '2', '500'), place('c1', 'close', '1', '600'), fill('c1', '1', '600')]);
    expect(steps[4]).toEqual([credited({ seq: 5, at: 0, cause: 'profit', orderId: 'c1', amount: '100' })]);
    expect(state.ownBalance).toBe('1100');
    expect(positionIn(state)).toEqual({ symbol: 'BTCUSDT', positionSide: 'long', qty: '1', entryValue: '500', leverage: '10', voucher: { voucherId: 'V', voucherMargin: '100', ownMargin: '0' } });
    expect(voucherIn(state, 'V')?.status).toBe('inUse');
  });

  it('a short voucher position closed lower: profit 1000 - 900 = 100 to the user, the principal forfeited', () => {
    const { steps, state } = onAccount([
      grantPv('V', '100'), place('s1', 'open', '1', '1000', { positionSide: 'short', voucher: 'V' }), fill('s1', '1', '1000'),
      place('c1', 'close', '1', '900', { positionSide: 'short' }), fill('c1', '1', '900'),
    ]);
    expect(steps[4]).toEqual([
      credited({ seq: 5, at: 0, positionSide: 'short', cause: 'profit', orderId: 'c1', amount: '100' }),
      { type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' },
    ]);
    expect(state.ownBalance).toBe('1100');
  });
});

describe('M-1, M-2, M-4 A voucher position is outside margin and transferable funds', () => {
  it('its own margin has left the own balance, and nothing more of it is held back from a transfer out', () => {
    const { steps, state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), ...openWithVoucher('V', '1', '1500'), mark('1'), transfer('out', '950')]);
    expect(steps[4]).toEqual([]);
    expect(state.ownBalance).toBe('0');
  });

  it('a deep unrealised loss on a voucher position raises no liquidation signal', () => {
    const { effects } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), mark('1')], { ownBalance: '0' });
    expect(ofType(effects, 'LiquidationThresholdReached')).toEqual([]);
  });
});
