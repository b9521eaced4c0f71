/**
 * A position voucher's life outside trading: granted, expiring while available (PV-9, G-6,
 * D-4), revoked by a risk-control flag unless already in use (G-7, D-6).
 */
import { describe, expect, it } from 'vitest';
import { cancel, fill, flag, grantLcv, grantPv, ofType, place, retiredAs, tick, whereIs } from '../helpers/dsl';
import { credited, onAccount, openWithVoucher, voucherIn } from './support';

describe('A-5 Grants', () => {
  it('a grant activates an available voucher', () => {
    const { effects, state } = onAccount([grantPv('V', '100', { expiresAt: 5000, maxLeverage: '20', symbols: ['BTCUSDT'], allowOwnFunds: true }, 10)]);
    expect(effects).toEqual([{ type: 'VoucherActivated', seq: 1, at: 10, rule: 'A-5', voucherId: 'V', kind: 'positionVoucher' }]);
    expect(voucherIn(state, 'V')).toMatchObject({ status: 'available', amount: '100', expiresAt: 5000, maxLeverage: '20', symbols: ['BTCUSDT'], allowOwnFunds: true });
  });

  it('a repeated id, of any kind and whatever its status, is DUPLICATE_VOUCHER', () => {
    const { steps } = onAccount([grantLcv('L', '10'), grantPv('L', '100'), grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), grantPv('V', '100')]);
    expect(steps[1]).toEqual([expect.objectContaining({ code: 'DUPLICATE_VOUCHER', rule: 'A-5' })]);
    expect(steps[5]).toEqual([expect.objectContaining({ code: 'DUPLICATE_VOUCHER', rule: 'A-5' })]);
  });
});

describe('G-2 A voucher\'s amount is printed canonically in every effect, however the grant wrote it', () => {
  it('"100.50", "007.0" and "1.10" come out as 100.5, 7 and 1.1', () => {
    const { effects } = onAccount([
      grantPv('V', '100.50', { expiresAt: 10 }), grantPv('W', '007.0'), grantPv('X', '1.10'), grantPv('Y', '2.500'),
      place('o1', 'open', '0.07', '1000', { voucher: 'W' }), cancel('o1'),
      place('o2', 'open', '0.025', '1000', { voucher: 'Y' }), fill('o2', '0.025', '1000'), place('c2', 'close', '0.025', '1000'), fill('c2', '0.025', '1000'),
      tick(20), flag(),
    ]);
    const amounts = effects.flatMap((e) => {
      if (e.type === 'PositionVoucherApplied') return [[e.type, e.voucherId, e.voucherMargin]];
      if (e.type === 'VoucherForfeited') return [[e.type, e.voucherId, e.amount]];
      if (e.type === 'VoucherExpired' || e.type === 'VoucherRevoked') return [[e.type, e.voucherId, e.unused]];
      return [];
    });
    expect(amounts).toEqual([
      ['PositionVoucherApplied', 'W', '7'], ['VoucherForfeited', 'W', '7'],
      ['PositionVoucherApplied', 'Y', '2.5'], ['VoucherForfeited', 'Y', '2.5'],
      ['VoucherExpired', 'V', '100.5'], ['VoucherRevoked', 'X', '1.1'],
    ]);
  });
});

describe('PV-9 Expiry', () => {
  it('an available voucher expires at expiresAt, not a millisecond before', () => {
    const { steps, state } = onAccount([grantPv('V', '100', { expiresAt: 5000 }), tick(4999), tick(5000)]);
    expect(steps[1]).toEqual([]);
    expect(steps[2]).toEqual([{ type: 'VoucherExpired', seq: 3, at: 5000, rule: 'PV-9', voucherId: 'V', kind: 'positionVoucher', unused: '100' }]);
    expect(whereIs(state, 'V')).toEqual(retiredAs('positionVouchers', 'expired'));
  });

  it('the expiry runs in the clock work of the next event, dated at its due time (G-6, G-8)', () => {
    const { steps } = onAccount([grantPv('V', '100', { expiresAt: 5000 }), tick(7000)]);
    expect(steps[1]).toEqual([{ type: 'VoucherExpired', seq: 2, at: 5000, rule: 'PV-9', voucherId: 'V', kind: 'positionVoucher', unused: '100' }]);
  });

  it('an unused voucher expires while another is in use; the one in use lives on with its position', () => {
    const { steps, state } = onAccount([
      grantPv('U', '100', { expiresAt: 5000 }), grantPv('V', '100', { expiresAt: 5000 }),
      ...openWithVoucher('V', '1', '1000'), tick(6000),
      { ...place('c1', 'close', '1', '1100'), at: 7000 }, fill('c1', '1', '1100'),
    ]);
    expect(steps[4]).toEqual([{ type: 'VoucherExpired', seq: 5, at: 5000, rule: 'PV-9', voucherId: 'U', kind: 'positionVoucher', unused: '100' }]);
    expect(steps[6]).toEqual([
      credited({ seq: 7, at: 7000, cause: 'profit', orderId: 'c1', amount: '100' }),
      { type: 'VoucherForfeited', seq: 7, at: 7000, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' },
    ]);
    // U is retired as it expires (FV-8); V, consumed with a recorded profit of 100, stays (PV-10 could claw it back).
    expect(state.positionVouchers.map((v) => [v.id, v.status])).toEqual([['V', 'consumed']]);
    expect(state.retired.positionVouchers).toEqual([['U', 'expired']]);
  });

  it('a voucher backing an unfilled order past its expiresAt is forfeited on the cancel, never expired', () => {
    const { effects, steps } = onAccount([grantPv('V', '100', { expiresAt: 5000 }), place('o1', 'open', '1', '1000', { voucher: 'V' }), tick(9000), cancel('o1')]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([{ type: 'VoucherForfeited', seq: 4, at: 9000, rule: 'PV-4', voucherId: 'V', orderId: 'o1', amount: '100' }]);
    expect(ofType(effects, 'VoucherExpired')).toEqual([]);
  });

  it('an order placed exactly at expiresAt comes after the expiry: "auto" finds no voucher, a named one is unavailable', () => {
    const auto = onAccount([grantPv('V', '100', { expiresAt: 5000 }), { ...place('o1', 'open', '1', '1000'), at: 5000 }]);
    expect(auto.steps[1]).toEqual([{ type: 'VoucherExpired', seq: 2, at: 5000, rule: 'PV-9', voucherId: 'V', kind: 'positionVoucher', unused: '100' }]);
    expect(auto.state.orders[0]?.voucherId).toBeUndefined();
    const named = onAccount([grantPv('V', '100', { expiresAt: 5000 }), { ...place('o1', 'open', '1', '1000', { voucher: 'V' }), at: 5000 }]);
    expect(named.steps[1]?.map((e) => e.type)).toEqual(['VoucherExpired', 'EventRejected']);
    expect(named.steps[1]?.[1]).toMatchObject({ code: 'VOUCHER_NOT_ELIGIBLE', reasons: ['VOUCHER_UNAVAILABLE'] });
  });

  it('G-6: expiries due together go loss coverage first, then position vouchers in grant order; earlier due times first', () => {
    const { steps } = onAccount([
      grantPv('B', '2', { expiresAt: 5000 }), grantPv('A', '1', { expiresAt: 5000 }), grantLcv('L', '3', { expiresAt: 5000 }),
      grantPv('E', '4', { expiresAt: 4000 }), tick(5000),
    ]);
    expect(steps[4]?.map((e) => (e.type === 'VoucherExpired' ? [e.voucherId, e.rule, e.at] : e.type))).toEqual([
      ['E', 'PV-9', 4000], ['L', 'LCV-8', 5000], ['B', 'PV-9', 5000], ['A', 'PV-9', 5000],
    ]);
  });

  it('D-4: a voucher granted already overdue expires at the next step\'s clock work, dated at its expiresAt', () => {
    const { steps } = onAccount([tick(1000), grantPv('V', '100', { expiresAt: 500 }), place('o1', 'open', '1', '1000', { voucher: 'V' })]);
    expect(steps[1]).toEqual([{ type: 'VoucherActivated', seq: 2, at: 1000, rule: 'A-5', voucherId: 'V', kind: 'positionVoucher' }]);
    expect(steps[2]?.[0]).toEqual({ type: 'VoucherExpired', seq: 3, at: 500, rule: 'PV-9', voucherId: 'V', kind: 'positionVoucher', unused: '100' });
    expect(steps[2]?.[1]).toMatchObject({ code: 'VOUCHER_NOT_ELIGIBLE', reasons: ['VOUCHER_UNAVAILABLE'] });
  });
});

describe('G-7 Flagged accounts (position vouchers)', () => {
  it('the flag revokes every available voucher, in grant order across kinds; one in use is not revoked', () => {
    const { steps, state } = onAccount([
      grantLcv('L', '30'), grantPv('W', '100'), grantPv('V', '50'),
      place('o1', 'open', '1', '1000', { voucher: 'W' }), flag(),
    ]);
    expect(steps[4]).toEqual([
      { type: 'VoucherRevoked', seq: 5, at: 0, rule: 'G-7', voucherId: 'L', kind: 'lossCoverage', unused: '30' },
      { type: 'VoucherRevoked', seq: 5, at: 0, rule: 'G-7', voucherId: 'V', kind: 'positionVoucher', unused: '50' },
    ]);
    expect(state.positionVouchers.map((v) => [v.id, v.status])).toEqual([['W', 'inUse']]);
    expect(state.retired.positionVouchers).toEqual([['V', 'revoked']]);
  });

  it('a flagged account is refused new vouchers (ACCOUNT_FLAGGED) and gets no voucher on "auto", but may still trade', () => {
    const { steps, state } = onAccount([flag(), grantPv('V', '100'), place('o1', 'open', '1', '1000'), fill('o1', '1', '1000')]);
    expect(steps[1]).toEqual([expect.objectContaining({ type: 'EventRejected', code: 'ACCOUNT_FLAGGED', rule: 'G-7' })]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([]);
    expect(state.positionVouchers).toEqual([]);
    expect(state.positions[0]?.voucher).toBeUndefined();
  });

  it('D-6: a voucher in use on an unfilled order stays with it: the fill opens a voucher position, which later closes as usual', () => {
    const { steps, state } = onAccount([
      grantPv('V', '100'), place('o1', 'open', '1', '1000', { voucher: 'V' }), flag(), fill('o1', '1', '1000', '1'),
      place('c1', 'close', '1', '1000'), fill('c1', '1', '1000'),
    ]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([expect.objectContaining({ type: 'CostSettled', fromVoucher: '1', fromOwn: '0' })]);
    expect(steps[5]).toEqual([{ type: 'VoucherForfeited', seq: 6, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '99' }]);
    expect(whereIs(state, 'V')).toEqual(retiredAs('positionVouchers', 'consumed'));
  });

  it('D-6: a second flag is accepted and emits nothing', () => {
    const { steps } = onAccount([grantPv('V', '100'), flag(), flag()]);
    expect(steps[2]).toEqual([]);
  });
});
