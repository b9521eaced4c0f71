/**
 * The principal is committed whole on placement (PV-3) and never refunded: not on a cancel or
 * rejection without a fill (PV-4, D-18), not after a partial fill (PV-4), not on the close (PV-8,
 * D-19). Only the user's own margin ever goes back to the own balance.
 */
import { describe, expect, it } from 'vitest';
import { cancel, fill, grantPv, ofType, place, retiredAs, tick, transfer, types, whereIs } from '../helpers/dsl';
import { cost, credited, onAccount, positionIn, voucherIn } from './support';

const open = (qty: string, price: string, over: Record<string, unknown> = {}) => place('o1', 'open', qty, price, { voucher: 'V', ...over });

describe('PV-3 Commitment', () => {
  it('the whole principal becomes voucher margin; what the order needs beyond it leaves the own balance', () => {
    // required 1 x 1500 / 10 = 150; voucher 100; own margin 50; own 1000 -> 950.
    const { effects, state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('1', '1500')]);
    expect(effects[1]).toEqual({
      type: 'PositionVoucherApplied', seq: 2, at: 0, rule: 'PV-3',
      voucherId: 'V', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', voucherMargin: '100', ownMargin: '50',
    });
    expect(state.ownBalance).toBe('950');
    expect(voucherIn(state, 'V')?.status).toBe('inUse');
  });

  it('a voucher larger than the requirement is committed whole, with no own margin', () => {
    // required 1 x 500 / 10 = 50 < 100: voucher margin 100, own margin 0.
    const { effects, state } = onAccount([grantPv('V', '100'), open('1', '500')]);
    expect(ofType(effects, 'PositionVoucherApplied')[0]).toMatchObject({ voucherMargin: '100', ownMargin: '0' });
    expect(state.ownBalance).toBe('1000');
  });

  it('the own margin reserved for the order is no longer transferable (M-4)', () => {
    const events = [grantPv('V', '100', { allowOwnFunds: true }), open('1', '1500')];
    expect(types(onAccount([...events, transfer('out', '950.00000001')]).steps[2] ?? [])).toEqual(['EventRejected']);
    expect(onAccount([...events, transfer('out', '950')]).state.ownBalance).toBe('0');
  });

  it('the first fill hands the order\'s voucher margin and own margin to its position', () => {
    const { state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '1', '1000')]);
    expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '100', ownMargin: '100' });
    expect(state.orders[0]?.heldMargin).toBeUndefined();
    expect(state.orders[0]?.voucherId).toBe('V');
  });

  it('a voucher in use never expires, even long after its expiresAt', () => {
    const { effects, state } = onAccount([grantPv('V', '100', { expiresAt: 100 }), open('1', '1000'), tick(200), tick(10_000)]);
    expect(ofType(effects, 'VoucherExpired')).toEqual([]);
    expect(voucherIn(state, 'V')?.status).toBe('inUse');
  });
});

describe('PV-4 No refund', () => {
  describe('cancelled or rejected with no fill: the principal is forfeited, the own margin returns', () => {
    it.each(['cancelled', 'rejected', 'expired'])('reason %s (D-18: every reason forfeits)', (reason) => {
      const { steps, state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('1', '1500'), cancel('o1', { reason })]);
      expect(steps[2]).toEqual([{ type: 'VoucherForfeited', seq: 3, at: 0, rule: 'PV-4', voucherId: 'V', orderId: 'o1', amount: '100' }]);
      expect(state.ownBalance).toBe('1000');
      expect(whereIs(state, 'V')).toEqual(retiredAs('positionVouchers', 'consumed'));
      expect(state.orders).toEqual([]);
    });

    it('after the forfeiture the side is free again: a plain order may open it', () => {
      const { steps } = onAccount([grantPv('V', '100'), open('1', '1000'), cancel('o1'), place('o2', 'open', '1', '1000'), fill('o2', '1', '1000')]);
      expect(steps[3]).toEqual([]);
      expect(steps[4]).toEqual([]);
    });

    it('the forfeited voucher cannot be used again: a later order naming it is refused', () => {
      const { steps } = onAccount([grantPv('V', '100'), open('1', '1000'), cancel('o1'), open('1', '1000', { orderId: 'o2' })]);
      expect(steps[3]?.[0]).toMatchObject({ code: 'VOUCHER_NOT_ELIGIBLE', reasons: ['VOUCHER_UNAVAILABLE'] });
    });
  });

  describe('cancelled after a partial fill: all voucher margin stays, own margin shrinks to max(0, filledQty x price / leverage - amount)', () => {
    it('filled 0.5 of 2 at 1000: target max(0, 50 - 100) = 0, so all 100 of own margin returns, with no effect (D-18)', () => {
      // required 2 x 1000 / 10 = 200: own margin 100, own 900.
      const { steps, state } = onAccount([
        grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '0.5', '1000'), cancel('o1'),
      ]);
      expect(steps[3]).toEqual([]);
      expect(state.ownBalance).toBe('1000');
      expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '100', ownMargin: '0' });
      expect(voucherIn(state, 'V')?.status).toBe('inUse');
    });

    it('filled 1.5 of 2 at 1000: target 150 - 100 = 50; 50 of the 100 returns', () => {
      const { state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '1.5', '1000'), cancel('o1')]);
      expect(state.ownBalance).toBe('950');
      expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '100', ownMargin: '50' });
    });

    it('the target uses the order\'s price, not the fill price (filled 1.5 at 900 on an order at 1000: still 50)', () => {
      const { state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '1.5', '900'), cancel('o1')]);
      expect(state.ownBalance).toBe('950');
      expect(positionIn(state)?.voucher?.ownMargin).toBe('50');
    });

    it('the target is rounded up once: 1 x 100 / 3 = 33.33333334 - 10 = 23.33333334', () => {
      // required 3 x 100 / 3 = 100: own margin 90, own 910; after the cancel 66.66666666 returns.
      const { state } = onAccount([grantPv('V', '10', { allowOwnFunds: true }), open('3', '100', { leverage: '3' }), fill('o1', '1', '100'), cancel('o1')]);
      expect(positionIn(state)?.voucher?.ownMargin).toBe('23.33333334');
      expect(state.ownBalance).toBe('976.66666666');
    });

    it('own margin already below the target (spent on a fee) does not grow and nothing returns (D-18)', () => {
      // fee 160: voucher pays 100, own margin 60 -> own margin 40 < target 50.
      const { steps, state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '1.5', '1000', '160'), cancel('o1')]);
      expect(steps[2]).toEqual([cost({ seq: 3, at: 0, cause: 'fee', orderId: 'o1', amount: '160', fromVoucher: '100', fromOwnMargin: '60', fromOwn: '0', deficit: '0' })]);
      expect(steps[3]).toEqual([]);
      expect(state.ownBalance).toBe('900');
      expect(positionIn(state)?.voucher).toEqual({ voucherId: 'V', voucherMargin: '0', ownMargin: '40' });
    });

    it('nothing is forfeited: the voucher stays in use with its position, and the side stays locked (PV-5)', () => {
      const { effects, steps } = onAccount([grantPv('V', '100'), open('2', '500'), fill('o1', '1', '500'), cancel('o1'), place('o2', 'open', '1', '500', { voucher: 'none' })]);
      expect(ofType(effects, 'VoucherForfeited')).toEqual([]);
      expect(steps[4]?.[0]).toMatchObject({ code: 'VOUCHER_POSITION_LOCKED', rule: 'PV-5' });
    });
  });
});

describe('PV-8 Close', () => {
  it('a profitable close: profit credited, remaining voucher margin forfeited, voucher consumed', () => {
    // Open fee 0.5 and close fee 0.55 from the voucher: 100 - 1.05 = 98.95 forfeited. Profit 1100 - 1000 = 100.
    const { steps, state } = onAccount([
      grantPv('V', '100'), open('1', '1000'), fill('o1', '1', '1000', '0.5'),
      place('c1', 'close', '1', '1100'), fill('c1', '1', '1100', '0.55'),
    ]);
    expect(steps[4]).toEqual([
      credited({ seq: 5, at: 0, cause: 'profit', orderId: 'c1', amount: '100' }),
      cost({ seq: 5, at: 0, cause: 'fee', orderId: 'c1', amount: '0.55', fromVoucher: '0.55', fromOwnMargin: '0', fromOwn: '0', deficit: '0' }),
      { type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '98.95' },
    ]);
    expect(state.ownBalance).toBe('1100');
    expect(state.positions).toEqual([]);
    expect(voucherIn(state, 'V')?.status).toBe('consumed');
  });

  it('the remaining own margin returns to the own balance at the close', () => {
    const { steps, state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), open('1', '1500'), fill('o1', '1', '1500'), place('c1', 'close', '1', '1500'), fill('c1', '1', '1500')]);
    expect(steps[4]).toEqual([{ type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' }]);
    expect(state.ownBalance).toBe('1000');
  });

  it('D-19: forfeited is emitted even for 0, when losses used up the voucher margin', () => {
    // loss 1000 - 880 = 120: voucher 100, own 20.
    const { steps, state } = onAccount([grantPv('V', '100'), open('1', '1000'), fill('o1', '1', '1000'), place('c1', 'close', '1', '880'), fill('c1', '1', '880')]);
    expect(steps[4]).toEqual([
      cost({ seq: 5, at: 0, cause: 'loss', orderId: 'c1', amount: '120', fromVoucher: '100', fromOwnMargin: '0', fromOwn: '20', deficit: '0' }),
      { type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '0' },
    ]);
    expect(state.ownBalance).toBe('980');
  });

  it('a partial close forfeits nothing; the closing order whose fill reaches zero is named', () => {
    const { effects, steps } = onAccount([
      grantPv('V', '100'), open('1', '1000'), fill('o1', '1', '1000'),
      place('c1', 'close', '0.4', '1000'), fill('c1', '0.4', '1000'),
      place('c2', 'close', '0.6', '1000'), fill('c2', '0.6', '1000'),
    ]);
    expect(steps[4]).toEqual([]);
    expect(ofType(effects, 'VoucherForfeited')).toEqual([{ type: 'VoucherForfeited', seq: 7, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c2', amount: '100' }]);
  });

  it('D-19, FV-32: the voucher\'s opening order still open at the close goes on without it: all own margin returns, its later fills open a plain position', () => {
    // required 2 x 1000 / 10 = 200: own margin 100, own 900. Half filled, closed flat at 1000: the whole own margin of 100 is
    // back (the part reserved for the unfilled half too); the rest of the order fills as a plain position holding no margin (D-29).
    const { effects, steps, state } = onAccount([
      grantPv('V', '100', { allowOwnFunds: true }), open('2', '1000'), fill('o1', '1', '1000'),
      place('c1', 'close', '1', '1000'), fill('c1', '1', '1000'),
      fill('o1', '0.5', '1000', '1'), cancel('o1'),
    ]);
    expect(steps[4]).toEqual([{ type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' }]);
    expect(steps[5]).toEqual([cost({ seq: 6, at: 0, cause: 'fee', orderId: 'o1', amount: '1', fromVoucher: '0', fromOwnMargin: '0', fromOwn: '1', deficit: '0' })]);
    expect(steps[6]).toEqual([]);
    expect(ofType(effects, 'VoucherForfeited')).toHaveLength(1);
    // Closed flat: no profit recorded, so the consumed voucher is retired (FV-8).
    expect(whereIs(state, 'V')).toEqual(retiredAs('positionVouchers', 'consumed'));
    expect(positionIn(state)).toEqual({ symbol: 'BTCUSDT', positionSide: 'long', qty: '0.5', entryValue: '500', leverage: '10' });
    expect(state.ownBalance).toBe('999');
  });

  it('D-19: once the voucher position is closed the side is no longer locked', () => {
    const { steps } = onAccount([
      grantPv('V', '100'), open('2', '500'), fill('o1', '1', '500'),
      place('c1', 'close', '1', '500'), fill('c1', '1', '500'),
      place('o2', 'open', '1', '500', { voucher: 'none' }),
    ]);
    expect(steps[5]).toEqual([]);
  });
});
