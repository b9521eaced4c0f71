/**
 * Loss Coverage Voucher, RULES.md section 2 (LCV-1..LCV-8), with the parts of A-5, G-6 and G-7
 * that touch it and the decisions D-4, D-6, D-16, D-31, D-32, D-33. Every expected amount is
 * worked out by hand in the test's comments; times are UTC milliseconds around T0 (a midnight).
 */
import { describe, expect, it } from 'vitest';
import { account, cancel, fill, flag, grantFb, grantLcv, grantPv, ofType, place, retiredAs, run, tick, transfer, whereIs, type EventInput } from '../helpers/dsl';
import { decodeState, type AccountState, type Effect } from '../../src/index';
import {
  activated,
  applied,
  cancelAt,
  compensationCancelled,
  DAY,
  expired,
  lcvOnly,
  openLong,
  ownCost,
  paid,
  revoked,
  roundTrip,
  T0,
} from './support';

const rejected = (seq: number, at: number, code: string, rule: string) => ({
  type: 'EventRejected', seq, at, rule, code, message: expect.any(String) as unknown,
});

/** The effects of the event with this `seq` (the DSL numbers events 1, 2, ...). */
function stepOf(steps: readonly Effect[][], seq: number): Effect[] {
  return steps[seq - 1] ?? [];
}

function voucherRow(state: AccountState, id: string): [string, string] | undefined {
  const v = state.lossCoverageVouchers.find((x) => x.id === id);
  return v === undefined ? undefined : [v.remaining, v.status];
}

describe('A-5 Grants of loss coverage vouchers', () => {
  it('VoucherGranted {kind: lossCoverage} activates an available voucher whose remaining is its amount', () => {
    const { effects, state } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + DAY, minClosingNotional: '500' }, T0)]);
    expect(effects).toEqual([activated(1, T0, 'A')]);
    expect(state.lossCoverageVouchers).toEqual([
      expect.objectContaining({ kind: 'lossCoverage', id: 'A', amount: '10', remaining: '10', status: 'available', expiresAt: T0 + DAY, minClosingNotional: '500', grantedAt: T0 }),
    ]);
  });

  it('a repeated id is DUPLICATE_VOUCHER (A-5) and changes nothing', () => {
    const before = run(account(), [grantLcv('A', '10', {}, T0)]).state;
    const { effects, state } = run(before, [grantLcv('A', '99', {}, T0 + 1)]);
    expect(effects).toEqual([rejected(2, T0 + 1, 'DUPLICATE_VOUCHER', 'A-5')]);
    expect(state.lossCoverageVouchers).toEqual(before.lossCoverageVouchers);
  });

  it.each([
    ['a position voucher', grantPv('X', '100', {}, T0), grantLcv('X', '10', {}, T0)],
    ['a futures bonus', grantFb('X', '100', '0.5', {}, T0), grantLcv('X', '10', {}, T0)],
    ['a loss coverage voucher (then a position voucher)', grantLcv('X', '10', {}, T0), grantPv('X', '100', {}, T0)],
    ['a loss coverage voucher (then a futures bonus)', grantLcv('X', '10', {}, T0), grantFb('X', '100', '0.5', {}, T0)],
  ])('ids are unique across kinds: an id taken by %s is DUPLICATE_VOUCHER', (_, first, second) => {
    const { effects } = run(account(), [first, second]);
    expect(effects[1]).toEqual(rejected(2, T0, 'DUPLICATE_VOUCHER', 'A-5'));
    expect(effects).toHaveLength(2);
  });

  it('an id stays taken after its voucher is consumed or expired (D-31)', () => {
    const { steps } = run(account(), [
      grantLcv('A', '10', {}, T0),
      grantLcv('B', '10', { expiresAt: T0 + 5 }, T0),
      ...roundTrip('c', '980', T0 + 10), // A covers 10 of the loss of 20: consumed; B expired at T0 + 5
      grantLcv('A', '10', {}, T0 + 20),
      grantLcv('B', '10', {}, T0 + 20),
    ]);
    expect(stepOf(steps, 7)).toEqual([rejected(7, T0 + 20, 'DUPLICATE_VOUCHER', 'A-5')]);
    expect(stepOf(steps, 8)).toEqual([rejected(8, T0 + 20, 'DUPLICATE_VOUCHER', 'A-5')]);
  });

  it('a rejected grant takes no id (D-31): after a BONUS_RATE_CONFLICT the id can be a loss coverage voucher', () => {
    const { effects } = run(account(), [grantFb('F1', '10', '0.5', {}, T0), grantFb('X', '10', '0.3', {}, T0), grantLcv('X', '10', {}, T0)]);
    expect(effects).toEqual([activated(1, T0, 'F1', 'futuresBonus'), rejected(2, T0, 'BONUS_RATE_CONFLICT', 'FB-2'), activated(3, T0, 'X')]);
  });

  it('a flagged account is refused: ACCOUNT_FLAGGED (G-7), which wins over DUPLICATE_VOUCHER (D-7)', () => {
    const { steps, state } = run(account(), [grantLcv('A', '10', {}, T0), flag({ at: T0 }), grantLcv('B', '10', {}, T0), grantLcv('A', '10', {}, T0)]);
    expect(stepOf(steps, 3)).toEqual([rejected(3, T0, 'ACCOUNT_FLAGGED', 'G-7')]);
    expect(stepOf(steps, 4)).toEqual([rejected(4, T0, 'ACCOUNT_FLAGGED', 'G-7')]);
    // A, revoked by the flag, is the only voucher ever granted (retired, FV-8).
    expect(state.lossCoverageVouchers).toEqual([]);
    expect(state.retired.lossCoverageVouchers).toEqual([['A', 'revoked']]);
  });
});

describe('LCV-1 Trigger', () => {
  it('is evaluated once, when the closing order is done: a partial fill touches nothing, the last fill covers the whole order', () => {
    const { steps, effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 3 }), // pnl 990 - 1000 = -10
      fill('c', '1', '985', '0', { at: T0 + 4 }), // basis 1000 (the rest), pnl -15; order loss 25
    ]);
    expect(stepOf(steps, 5)).toEqual([ownCost(5, T0 + 3, 'loss', 'c', '10')]);
    expect(stepOf(steps, 6)).toEqual([ownCost(6, T0 + 4, 'loss', 'c', '15'), applied(6, T0 + 4, 'A', 'c', '25', '25', '25', T0 + DAY)]);
    expect(ofType(effects, 'LossCoverageApplied')).toHaveLength(1);
  });

  it('a loss threshold met by the sum of several fills and by no single one', () => {
    // Each fill loses 0.6 (not > 1); the order loses 1.2 (> 1).
    const { effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '999.4', { at: T0 + 2 }),
      fill('c', '1', '999.4', '0', { at: T0 + 3 }),
      fill('c', '1', '999.4', '0', { at: T0 + 4 }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 4, 'A', 'c', '1.2', '1.2', '48.8', T0 + DAY)]);
  });

  it('a closing order cancelled after a partial fill is evaluated at the cancel, on its filled part', () => {
    const { steps } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 3 }),
      cancelAt('c', T0 + 10),
    ]);
    expect(stepOf(steps, 5)).toEqual([ownCost(5, T0 + 3, 'loss', 'c', '10')]);
    // effect at = the cancel; payableAt from closedAt = the last fill.
    expect(stepOf(steps, 6)).toEqual([applied(6, T0 + 10, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it.each(['cancelled', 'rejected', 'expired'])('a closing order done by OrderCancelled {reason: %s} after a fill is evaluated', (reason) => {
    const { effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 3 }),
      cancel('c', { at: T0 + 4, reason }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 4, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('a closing order cancelled with no fill is never evaluated', () => {
    const { effects, state } = run(account(), [grantLcv('A', '50', {}, T0), ...openLong('o', '1', '1000', T0 + 1), place('c', 'close', '1', '900', { at: T0 + 2 }), cancelAt('c', T0 + 3)]);
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
  });

  it('fees are excluded from the loss', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { closeFee: '5' })]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
    // A fee alone is no loss: a close at the entry price with a fee of 50 touches nothing.
    const flat = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '1000', T0 + 1, { closeFee: '50' })]);
    expect(lcvOnly(flat.effects)).toEqual([]);
  });

  it('the loss is net: a profitable fill offsets a losing fill of the same order', () => {
    const fills = (first: string, second: string): EventInput[] => [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', first, { at: T0 + 2 }),
      fill('c', '1', first, '0', { at: T0 + 3 }),
      fill('c', '1', second, '0', { at: T0 + 4 }),
    ];
    // +3 then -5: loss 2.
    expect(lcvOnly(run(account(), fills('1003', '995')).effects)).toEqual([applied(6, T0 + 4, 'A', 'c', '2', '2', '48', T0 + DAY)]);
    // +5 then -3: a net profit, nothing.
    expect(lcvOnly(run(account(), fills('1005', '997')).effects)).toEqual([]);
  });

  it('closedAt is the last fill: a voucher granted between two fills of the order is eligible', () => {
    const { effects } = run(account(), [
      ...openLong('o', '2', '1000', T0),
      place('c', 'close', '2', '990', { at: T0 + 1 }),
      fill('c', '1', '990', '0', { at: T0 + 2 }),
      grantLcv('A', '50', {}, T0 + 3),
      fill('c', '1', '990', '0', { at: T0 + 4 }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 4, 'A', 'c', '20', '20', '30', T0 + DAY)]);
  });

  it('closingNotional is the sum of the fills: a threshold reached by two fills together and by neither alone', () => {
    // notionals 995 + 995 = 1990 >= 1990; loss 5 + 5 = 10.
    const { effects } = run(account(), [
      grantLcv('A', '50', { minClosingNotional: '1990' }, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '995', { at: T0 + 2 }),
      fill('c', '1', '995', '0', { at: T0 + 3 }),
      fill('c', '1', '995', '0', { at: T0 + 4 }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 4, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('FV-20: a closing order id reused after its order is done is a new order, evaluated on its own totals', () => {
    const { effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...roundTrip('c', '990', T0 + 1),
      ...roundTrip('c', '995', T0 + 2),
      tick(T0 + DAY),
    ]);
    expect(lcvOnly(effects)).toEqual([
      applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY),
      applied(9, T0 + 2, 'A', 'c', '5', '5', '35', T0 + DAY),
      paid(10, T0 + DAY, 'A', 'c', '10'),
      paid(10, T0 + DAY, 'A', 'c', '5'),
    ]);
  });

  it('a short closes with a loss when the price rises', () => {
    const { effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      place('o', 'open', '1', '1000', { at: T0 + 1, positionSide: 'short' }),
      fill('o', '1', '1000', '0', { at: T0 + 1 }),
      place('c', 'close', '1', '1012.5', { at: T0 + 2, positionSide: 'short' }),
      fill('c', '1', '1012.5', '0', { at: T0 + 2 }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 2, 'A', 'c', '12.5', '12.5', '37.5', T0 + DAY)]);
  });
});

describe('LCV-2 Eligible order', () => {
  it('a loss of exactly minLoss (1) is not covered; one unit of scale more is', () => {
    const exact = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '999', T0 + 1)]);
    expect(lcvOnly(exact.effects)).toEqual([]);
    expect(voucherRow(exact.state, 'A')).toEqual(['50', 'available']);
    const more = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '998.99999999', T0 + 1)]);
    expect(lcvOnly(more.effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '1.00000001', '1.00000001', '48.99999999', T0 + DAY)]);
  });

  it('the threshold is the policy minLoss, strictly greater', () => {
    const at5 = run(account({}, { minLoss: '5' }), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '995', T0 + 1)]);
    expect(lcvOnly(at5.effects)).toEqual([]);
    const above = run(account({}, { minLoss: '5' }), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '994.5', T0 + 1)]);
    expect(lcvOnly(above.effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '5.5', '5.5', '44.5', T0 + DAY)]);
  });

  it('with minLoss 0 any loss is covered, a zero pnl is not', () => {
    const tiny = run(account({}, { minLoss: '0' }), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '999.99999999', T0 + 1)]);
    expect(lcvOnly(tiny.effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '0.00000001', '0.00000001', '49.99999999', T0 + DAY)]);
    const flat = run(account({}, { minLoss: '0' }), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '1000', T0 + 1)]);
    expect(lcvOnly(flat.effects)).toEqual([]);
  });

  it.each(['copyTrading', 'gridTrading', 'bot'])('a closing order from source %s is not covered and touches no voucher', (source) => {
    const { effects, state } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { close: { source } })]);
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
  });

  it.each(['sub', 'institutional'] as const)('a %s account gets no coverage', (accountType) => {
    const { effects, state } = run(account({ accountType }), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(effects[0]).toEqual(activated(1, T0, 'A'));
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
  });

  it('a fee-voucher order is not covered; feeVoucher false is', () => {
    const withFv = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { close: { feeVoucher: true } })]);
    expect(lcvOnly(withFv.effects)).toEqual([]);
    const without = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { close: { feeVoucher: false } })]);
    expect(lcvOnly(without.effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('only the closing order counts: a fee voucher or another source on the opening order does not matter', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { open: { feeVoucher: true, source: 'bot' } })]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('the close of a position voucher\'s position is not covered', () => {
    // P backs the 1 @ 1000 long (margin 100 at leverage 10); the loss of 10 comes out of its margin.
    const { effects, state } = run(account(), [grantLcv('A', '50', {}, T0), grantPv('P', '100', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(ofType(effects, 'PositionVoucherApplied')).toHaveLength(1);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ cause: 'loss', amount: '10', fromVoucher: '10' });
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
  });

  describe('D-32 a closing order belongs to its (symbol, positionSide)', () => {
    const events = (openVoucher: string): EventInput[] => [
      grantLcv('A', '50', {}, T0),
      grantPv('P', '100', {}, T0),
      place('o1', 'open', '1', '1000', { at: T0 + 1, voucher: openVoucher }),
      fill('o1', '1', '1000', '0', { at: T0 + 1 }),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 2 }), // closes o1's position: loss 10
      place('o2', 'open', '1', '1000', { at: T0 + 3, voucher: 'none' }),
      fill('o2', '1', '1000', '0', { at: T0 + 3 }),
      fill('c', '1', '990', '0', { at: T0 + 4 }), // closes o2's plain position: loss 10; c done, loss 20
    ];

    it('one fill that closed a voucher position makes the whole order ineligible', () => {
      const { effects, state } = run(account(), events('P'));
      expect(ofType(effects, 'VoucherForfeited')).toHaveLength(1);
      expect(lcvOnly(effects)).toEqual([]);
      expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
    });

    it('the same order over two plain positions is covered on its total', () => {
      const { effects } = run(account(), events('none'));
      expect(lcvOnly(effects)).toEqual([applied(9, T0 + 4, 'A', 'c', '20', '20', '30', T0 + DAY)]);
    });
  });

  describe('D-16 no part of the order\'s fees or loss paid by a futures bonus', () => {
    it('a bonus share of the loss makes the order ineligible', () => {
      const { effects, state } = run(account(), [grantLcv('A', '50', {}, T0), grantFb('F', '100', '0.5', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
      expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ cause: 'loss', fromBonus: [{ bonusId: 'F', amount: '5' }] });
      expect(lcvOnly(effects)).toEqual([]);
      expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
    });

    it('a bonus share of one fee of the order makes it ineligible, even when the loss was paid by own funds', () => {
      // F (0.5 at rate 0.5) pays half of the fee of 1 on the first fill (pnl 0) and is spent; the second fill's loss of 20 is own.
      const { effects } = run(account(), [
        grantLcv('A', '50', {}, T0),
        grantFb('F', '0.5', '0.5', {}, T0),
        ...openLong('o', '2', '1000', T0 + 1),
        place('c', 'close', '2', '1000', { at: T0 + 2 }),
        fill('c', '1', '1000', '1', { at: T0 + 3 }),
        fill('c', '1', '980', '0', { at: T0 + 4 }),
      ]);
      expect(ofType(effects, 'CostSettled').map((c) => [c.cause, c.amount, c.fromBonus])).toEqual([
        ['fee', '1', [{ bonusId: 'F', amount: '0.5' }]],
        ['loss', '20', []],
      ]);
      expect(lcvOnly(effects)).toEqual([]);
    });

    it('a bonus that paid only another order\'s costs does not matter', () => {
      // F (1 at rate 1) pays the whole opening fee of 1 and is spent; the close's loss of 10 is own.
      const { effects } = run(account(), [
        grantLcv('A', '50', {}, T0),
        grantFb('F', '1', '1', {}, T0),
        place('o', 'open', '1', '1000', { at: T0 + 1 }),
        fill('o', '1', '1000', '1', { at: T0 + 1 }),
        place('c', 'close', '1', '990', { at: T0 + 2 }),
        fill('c', '1', '990', '0', { at: T0 + 2 }),
      ]);
      expect(lcvOnly(effects)).toEqual([applied(6, T0 + 2, 'A', 'c', '10', '10', '40', T0 + DAY)]);
    });

    // Worked example 3's guard: mmr 0.05, own 100, F 50 at rate 0.5, a long of 1 at 2600 (leverage 100).
    // The transfer out of 10 defers F's reclaim (projected 130 / 90): F is awaitingReclaim, own 90.
    const guarded = (exit: string): EventInput[] => [
      grantLcv('A', '50', {}, T0),
      grantFb('F', '50', '0.5', {}, T0),
      place('o', 'open', '1', '2600', { at: T0, leverage: '100' }),
      fill('o', '1', '2600', '0', { at: T0 }),
      transfer('out', '10', { at: T0 }),
      place('c', 'close', '1', exit, { at: T0 + 1 }),
      fill('c', '1', exit, '0', { at: T0 + 1 }),
    ];
    const guardPolicy = { instruments: { BTCUSDT: { mmr: '0.05' } } };

    it('a fallback payment by a bonus awaiting reclaim (FB-5 (d)) makes the order ineligible', () => {
      // Loss 100: no active pool, own pays 90 (to 0), F awaiting pays 10. Step 3: MM = 0, F's 40 is reclaimed.
      const { steps } = run(account({ ownBalance: '100' }, guardPolicy), guarded('2500'));
      expect(ofType(stepOf(steps, 5), 'ReclaimDeferred')).toHaveLength(1);
      expect(stepOf(steps, 7)).toEqual([
        expect.objectContaining({ type: 'CostSettled', cause: 'loss', amount: '100', fromBonus: [{ bonusId: 'F', amount: '10' }], fromOwn: '90', deficit: '0' }),
        { type: 'BonusReclaimed', seq: 7, at: T0 + 1, rule: 'FB-10', bonusIds: ['F'], amount: '40', trigger: 'transferOut' },
      ]);
    });

    it('a bonus awaiting reclaim that paid nothing of the order does not matter', () => {
      // Loss 50: own 90 pays it all; then the close is covered, then step 3 reclaims F's 50.
      const { steps } = run(account({ ownBalance: '100' }, guardPolicy), guarded('2550'));
      expect(stepOf(steps, 7)).toEqual([
        expect.objectContaining({ type: 'CostSettled', cause: 'loss', amount: '50', fromBonus: [], fromOwn: '50' }),
        applied(7, T0 + 1, 'A', 'c', '50', '50', '0', T0 + DAY),
        { type: 'BonusReclaimed', seq: 7, at: T0 + 1, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' },
      ]);
    });
  });

  it('a flagged account gets no coverage, even for an order partly filled before the flag', () => {
    const { effects, state } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 3 }),
      flag({ at: T0 + 4 }),
      fill('c', '1', '990', '0', { at: T0 + 5 }),
      ...roundTrip('d', '900', T0 + 6),
    ]);
    expect(lcvOnly(effects)).toEqual([revoked(6, T0 + 4, 'A', '50')]);
    expect(state.compensations).toEqual([]);
  });

  it('the flag itself blocks coverage: a stored flagged state that still lists an available voucher covers nothing', () => {
    const granted = run(account(), [grantLcv('A', '50', {}, T0)]).state;
    const stored = decodeState({ ...granted, status: 'flagged' });
    if (stored._tag === 'Left') throw new Error(JSON.stringify(stored.left));
    const { effects, state } = run(stored.right, roundTrip('c', '990', T0 + 1));
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['50', 'available']);
  });
});

describe('LCV-3 Eligible voucher', () => {
  it('a close in the same millisecond as the grant is not eligible; one millisecond later it is', () => {
    const same = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0)]);
    expect(lcvOnly(same.effects)).toEqual([]);
    expect(voucherRow(same.state, 'A')).toEqual(['50', 'available']);
    const later = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(later.effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('no eligible voucher, no effect: A is short of its threshold, B and C arrived in the close\'s millisecond', () => {
    const { effects } = run(account(), [grantLcv('A', '10', { minClosingNotional: '5000' }, T0), grantLcv('B', '20', {}, T0 + 5), grantLcv('C', '30', {}, T0 + 5), ...roundTrip('c', '990', T0 + 5)]);
    expect(lcvOnly(effects)).toEqual([]);
  });

  it('a close at exactly expiresAt finds the voucher expired (G-6 clock work first); one millisecond before, it is covered', () => {
    const atExpiry = run(account(), [grantLcv('A', '50', { expiresAt: T0 + 100 }, T0), ...roundTrip('c', '990', T0 + 100, { openAt: T0 + 50 })]);
    expect(lcvOnly(atExpiry.effects)).toEqual([expired(4, T0 + 100, 'A', '50')]);
    const before = run(account(), [grantLcv('A', '50', { expiresAt: T0 + 100 }, T0), ...roundTrip('c', '990', T0 + 99, { openAt: T0 + 50 })]);
    expect(lcvOnly(before.effects)).toEqual([applied(5, T0 + 99, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('an expired earlier voucher is passed over for the next one', () => {
    const { effects } = run(account(), [grantLcv('A', '50', { expiresAt: T0 + 10 }, T0), grantLcv('B', '50', {}, T0), ...roundTrip('c', '990', T0 + 20)]);
    expect(lcvOnly(effects)).toEqual([expired(3, T0 + 10, 'A', '50'), applied(6, T0 + 20, 'B', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('a consumed voucher is passed over', () => {
    const { effects } = run(account(), [grantLcv('A', '10', {}, T0), grantLcv('B', '50', {}, T0), ...roundTrip('c1', '980', T0 + 1), ...roundTrip('c2', '990', T0 + 2)]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'A', 'c1', '20', '10', '0', T0 + DAY), applied(10, T0 + 2, 'B', 'c2', '10', '10', '40', T0 + DAY)]);
  });

  it('minClosingNotional: a notional equal to it is eligible; one unit of scale short is passed over', () => {
    const equal = run(account(), [grantLcv('A', '50', { minClosingNotional: '990' }, T0), grantLcv('B', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(equal.effects)).toEqual([applied(6, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
    const short = run(account(), [grantLcv('A', '50', { minClosingNotional: '990.00000001' }, T0), grantLcv('B', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(short.effects)).toEqual([applied(6, T0 + 1, 'B', 'c', '10', '10', '40', T0 + DAY)]);
    expect(voucherRow(short.state, 'A')).toEqual(['50', 'available']);
  });

  it('minClosingNotional 0 is always met', () => {
    const { effects } = run(account(), [grantLcv('A', '50', { minClosingNotional: '0' }, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('available when the order is done: a voucher that expires between the last fill and the cancel is not used', () => {
    const events = (cancelTime: number): EventInput[] => [
      grantLcv('A', '50', { expiresAt: T0 + 100 }, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 50 }),
      cancelAt('c', cancelTime),
    ];
    expect(lcvOnly(run(account(), events(T0 + 100)).effects)).toEqual([expired(6, T0 + 100, 'A', '50')]);
    expect(lcvOnly(run(account(), events(T0 + 99)).effects)).toEqual([applied(6, T0 + 99, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('a voucher granted after the last fill and before the cancel is not eligible', () => {
    const { effects } = run(account(), [
      ...openLong('o', '2', '1000', T0),
      place('c', 'close', '2', '990', { at: T0 + 1 }),
      fill('c', '1', '990', '0', { at: T0 + 2 }),
      grantLcv('A', '50', {}, T0 + 3),
      cancelAt('c', T0 + 4),
    ]);
    expect(lcvOnly(effects)).toEqual([]);
  });
});

describe('LCV-4 FIFO', () => {
  it('worked example 1: A covers 10 of 15, B untouched; 0.8 touches nothing; B covers 20 of 25', () => {
    const { effects, state } = run(account({ ownBalance: '10000' }), [
      grantLcv('A', '10', {}, T0 + 1000),
      grantLcv('B', '20', {}, T0 + 2000),
      ...roundTrip('c1', '85', T0 + 3000, { entry: '100', openAt: T0 + 2500 }),
      ...roundTrip('c2', '99.2', T0 + 3000, { entry: '100' }),
      ...roundTrip('c3', '75', T0 + 3000, { entry: '100' }),
    ]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 3000, 'A', 'c1', '15', '10', '0', T0 + DAY), applied(14, T0 + 3000, 'B', 'c3', '25', '20', '0', T0 + DAY)]);
    expect(state.lossCoverageVouchers.map((v) => [v.id, v.remaining, v.status])).toEqual([['A', '0', 'consumed'], ['B', '0', 'consumed']]);
  });

  it('grant order, not the id, decides: Z granted before A is consumed first', () => {
    const { effects } = run(account(), [grantLcv('Z', '50', {}, T0), grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'Z', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('arrival time ties go by grant order', () => {
    const { effects } = run(account(), [grantLcv('B', '5', {}, T0), grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'B', 'c', '10', '5', '0', T0 + DAY)]);
  });

  it('one voucher per order (spillover off): the rest stays uncovered and the next voucher is untouched', () => {
    const { effects, state } = run(account(), [grantLcv('A', '10', {}, T0), grantLcv('B', '20', {}, T0), ...roundTrip('c', '985', T0 + 1)]);
    expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'A', 'c', '15', '10', '0', T0 + DAY)]);
    expect(voucherRow(state, 'B')).toEqual(['20', 'available']);
    expect(state.compensations).toEqual([{ voucherId: 'A', orderId: 'c', amount: '10', payableAt: T0 + DAY }]);
  });

  describe('spillover: true', () => {
    const policy = { spillover: true };

    it('runs the rest on to the next eligible voucher; each effect carries the whole loss (D-16)', () => {
      const { steps, state } = run(account({}, policy), [grantLcv('A', '10', {}, T0), grantLcv('B', '20', {}, T0), ...roundTrip('c', '985', T0 + 1)]);
      expect(stepOf(steps, 6)).toEqual([
        ownCost(6, T0 + 1, 'loss', 'c', '15'),
        applied(6, T0 + 1, 'A', 'c', '15', '10', '0', T0 + DAY),
        applied(6, T0 + 1, 'B', 'c', '15', '5', '15', T0 + DAY),
      ]);
      expect(state.compensations).toEqual([
        { voucherId: 'A', orderId: 'c', amount: '10', payableAt: T0 + DAY },
        { voucherId: 'B', orderId: 'c', amount: '5', payableAt: T0 + DAY },
      ]);
    });

    it('skips ineligible vouchers on the way, in grant order', () => {
      const { effects } = run(account({}, policy), [
        grantLcv('A', '4', {}, T0),
        grantLcv('B', '100', { minClosingNotional: '1000' }, T0), // notional 960 < 1000
        grantLcv('C', '100', { expiresAt: T0 + 1 }, T0), // expired at the close
        grantLcv('E', '30', {}, T0),
        grantLcv('F', '3', {}, T0),
        grantLcv('D', '100', {}, T0 + 2), // granted in the close's millisecond; its grant's clock work expires C
        ...roundTrip('c', '960', T0 + 2),
      ]);
      // Loss 40: A 4 (remaining 0), E 30 (remaining 0), F 3 (remaining 0); D is not eligible: 3 stay uncovered.
      expect(lcvOnly(effects)).toEqual([
        expired(6, T0 + 1, 'C', '100'),
        applied(10, T0 + 2, 'A', 'c', '40', '4', '0', T0 + DAY),
        applied(10, T0 + 2, 'E', 'c', '40', '30', '0', T0 + DAY),
        applied(10, T0 + 2, 'F', 'c', '40', '3', '0', T0 + DAY),
      ]);
    });

    it('stops at the first voucher when it covers the whole loss', () => {
      const { effects } = run(account({}, policy), [grantLcv('A', '50', {}, T0), grantLcv('B', '20', {}, T0), ...roundTrip('c', '985', T0 + 1)]);
      expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'A', 'c', '15', '15', '35', T0 + DAY)]);
    });

    it('a loss larger than every voucher together consumes them all; the rest stays uncovered', () => {
      const { effects, state } = run(account({}, policy), [grantLcv('A', '10', {}, T0), grantLcv('B', '20', {}, T0), ...roundTrip('c', '950', T0 + 1)]);
      expect(lcvOnly(effects)).toEqual([applied(6, T0 + 1, 'A', 'c', '50', '10', '0', T0 + DAY), applied(6, T0 + 1, 'B', 'c', '50', '20', '0', T0 + DAY)]);
      expect(state.lossCoverageVouchers.map((v) => v.status)).toEqual(['consumed', 'consumed']);
    });
  });
});

describe('LCV-5 Amount', () => {
  it('covered = min(loss, remaining); remaining drops by it; at 0 the voucher is consumed', () => {
    const { effects, state } = run(account(), [
      grantLcv('A', '10', {}, T0),
      ...roundTrip('c1', '996', T0 + 1), // loss 4: covered 4, remaining 6
      ...roundTrip('c2', '992', T0 + 2), // loss 8: covered 6, remaining 0
      ...roundTrip('c3', '990', T0 + 3), // nothing left
    ]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c1', '4', '4', '6', T0 + DAY), applied(9, T0 + 2, 'A', 'c2', '8', '6', '0', T0 + DAY)]);
    expect(voucherRow(state, 'A')).toEqual(['0', 'consumed']);
  });

  it('fees are never covered: a loss of 10 with a fee of 3 is covered 10', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1, { closeFee: '3' })]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY)]);
  });

  it('the loss is exact over the rounded basis of P-4 (half-up once, D-27)', () => {
    // entryValue = 1000 + 2 x 1000.00000001 = 3000.00000002 for 3. Close 1 @ 990: basis = 3000.00000002 / 3
    // = 1000.0000000066.. -> 1000.00000001, loss 10.00000001. Close the other 2 @ 990: basis = the rest
    // 2000.00000001, loss 20.00000001, covered out of 39.99999999 -> 19.99999998 left.
    const { effects } = run(account(), [
      grantLcv('A', '50', {}, T0),
      place('o', 'open', '3', '1000', { at: T0 + 1 }),
      fill('o', '1', '1000', '0', { at: T0 + 1 }),
      fill('o', '2', '1000.00000001', '0', { at: T0 + 1 }),
      place('c', 'close', '1', '990', { at: T0 + 2 }),
      fill('c', '1', '990', '0', { at: T0 + 2 }),
      place('d', 'close', '2', '990', { at: T0 + 3 }),
      fill('d', '2', '990', '0', { at: T0 + 3 }),
    ]);
    expect(lcvOnly(effects)).toEqual([
      applied(6, T0 + 2, 'A', 'c', '10.00000001', '10.00000001', '39.99999999', T0 + DAY),
      applied(8, T0 + 3, 'A', 'd', '20.00000001', '20.00000001', '19.99999998', T0 + DAY),
    ]);
  });

  it('a consumed voucher never expires', () => {
    const { effects } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), ...roundTrip('c', '980', T0 + 1), tick(T0 + 2 * DAY)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '20', '10', '0', T0 + DAY), paid(6, T0 + DAY, 'A', 'c', '10')]);
  });
});

describe('LCV-6 Effect', () => {
  it('payableAt is 00:00 UTC of the day after closedAt: a close at 23:59:59.999', () => {
    const close = T0 + DAY - 1;
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', close), tick(T0 + DAY)]);
    expect(lcvOnly(effects)).toEqual([applied(5, close, 'A', 'c', '10', '10', '40', T0 + DAY), paid(6, T0 + DAY, 'A', 'c', '10')]);
  });

  it('a close at exactly 00:00:00.000 is paid at the next midnight, a whole day later', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + DAY), tick(T0 + 2 * DAY - 1), tick(T0 + 2 * DAY)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + DAY, 'A', 'c', '10', '10', '40', T0 + 2 * DAY), paid(7, T0 + 2 * DAY, 'A', 'c', '10')]);
  });

  it('a close at 00:00:00.001 is paid at the next midnight', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + DAY + 1)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + DAY + 1, 'A', 'c', '10', '10', '40', T0 + 2 * DAY)]);
  });

  it('just before and just after midnight land on different payout days', () => {
    const { effects } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c1', '990', T0 + DAY - 1), ...roundTrip('c2', '990', T0 + DAY + 1)]);
    // c2's first event (seq 6, at T0 + DAY + 1) pays c1's compensation first, at its due time.
    expect(lcvOnly(effects)).toEqual([
      applied(5, T0 + DAY - 1, 'A', 'c1', '10', '10', '40', T0 + DAY),
      paid(6, T0 + DAY, 'A', 'c1', '10'),
      applied(9, T0 + DAY + 1, 'A', 'c2', '10', '10', '30', T0 + 2 * DAY),
    ]);
  });

  it('the effect lands in the state: the compensation waits, the voucher shows its remaining', () => {
    const { state } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 5)]);
    expect(state.compensations).toEqual([{ voucherId: 'A', orderId: 'c', amount: '10', payableAt: T0 + DAY }]);
    expect(voucherRow(state, 'A')).toEqual(['40', 'available']);
  });
});

describe('LCV-7 Payout', () => {
  it('is paid by the clock at exactly payableAt: at = payableAt, seq = the event whose step ran it', () => {
    const { steps, state } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1), tick(T0 + DAY - 1), tick(T0 + DAY)]);
    expect(stepOf(steps, 6)).toEqual([]);
    expect(stepOf(steps, 7)).toEqual([paid(7, T0 + DAY, 'A', 'c', '10')]);
    expect(state.compensations).toEqual([]);
  });

  it('any later event runs it first, at the due time, before the event\'s own effects', () => {
    const later = T0 + DAY + 5 * 3_600_000;
    const { steps } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1), grantLcv('B', '5', {}, later)]);
    expect(stepOf(steps, 6)).toEqual([paid(6, T0 + DAY, 'A', 'c', '10'), activated(6, later, 'B')]);
  });

  it('a rejected event\'s step runs the clock work too (G-5): the payout comes before the rejection', () => {
    const { steps } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1), cancelAt('nope', T0 + DAY + 1)]);
    expect(stepOf(steps, 6)).toEqual([paid(6, T0 + DAY, 'A', 'c', '10'), rejected(6, T0 + DAY + 1, 'UNKNOWN_ORDER', 'P-3')]);
  });

  it('the futures wallet does not change: it is paid from the campaign to the spot account', () => {
    const before = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1)]).state;
    expect(before.ownBalance).toBe('990');
    const { state } = run(before, [tick(T0 + DAY)]);
    expect(state.ownBalance).toBe('990');
  });

  it('is paid even if the voucher expired meanwhile', () => {
    const { effects } = run(account(), [grantLcv('A', '20', { expiresAt: T0 + 1000 }, T0), ...roundTrip('c', '995', T0 + 1), tick(T0 + 3 * DAY)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '5', '5', '15', T0 + DAY), expired(6, T0 + 1000, 'A', '15'), paid(6, T0 + DAY, 'A', 'c', '5')]);
  });

  it('is cancelled if the account was flagged first, and never paid after', () => {
    const { effects, state } = run(account(), [grantLcv('A', '50', {}, T0), ...roundTrip('c', '990', T0 + 1), flag({ at: T0 + DAY - 1 }), tick(T0 + 5 * DAY)]);
    expect(lcvOnly(effects)).toEqual([
      applied(5, T0 + 1, 'A', 'c', '10', '10', '40', T0 + DAY),
      revoked(6, T0 + DAY - 1, 'A', '40'),
      compensationCancelled(6, T0 + DAY - 1, 'A', 'c', '10'),
    ]);
    expect(state.compensations).toEqual([]);
  });

  it('a flag at exactly payableAt comes after the payout (G-6: clock work before the event)', () => {
    const { steps } = run(account(), [grantLcv('A', '10', {}, T0), ...roundTrip('c', '990', T0 + 1), flag({ at: T0 + DAY })]);
    expect(stepOf(steps, 6)).toEqual([paid(6, T0 + DAY, 'A', 'c', '10')]);
  });

  it('payouts due together go in the grant order of their vouchers, then in creation order (D-4)', () => {
    const { effects } = run(account({ ownBalance: '100000' }), [
      grantLcv('A', '50', { minClosingNotional: '1500' }, T0),
      grantLcv('B', '100', {}, T0),
      ...roundTrip('c1', '990', T0 + 1), // notional 990: A is short of its threshold, B covers 10
      ...roundTrip('c2', '990', T0 + 2, { qty: '2' }), // notional 1980: A covers 20
      ...roundTrip('c3', '997', T0 + 3), // B covers 3
      tick(T0 + DAY),
    ]);
    expect(lcvOnly(effects)).toEqual([
      applied(6, T0 + 1, 'B', 'c1', '10', '10', '90', T0 + DAY),
      applied(10, T0 + 2, 'A', 'c2', '20', '20', '30', T0 + DAY),
      applied(14, T0 + 3, 'B', 'c3', '3', '3', '87', T0 + DAY),
      paid(15, T0 + DAY, 'A', 'c2', '20'),
      paid(15, T0 + DAY, 'B', 'c1', '10'),
      paid(15, T0 + DAY, 'B', 'c3', '3'),
    ]);
  });

  it('G-6 ties: the payout first, then the expiries of loss coverage, position voucher, futures bonus', () => {
    const due = T0 + DAY;
    const { steps } = run(account(), [
      grantPv('P', '100', { expiresAt: due }, T0), // granted before A, still expires after it
      grantLcv('A', '20', { expiresAt: due }, T0),
      ...roundTrip('c', '995', T0 + 1, { open: { voucher: 'none' } }),
      grantFb('F', '10', '0.5', { expiresAt: due }, T0 + 2),
      tick(due),
    ]);
    expect(stepOf(steps, 8)).toEqual([
      paid(8, due, 'A', 'c', '5'),
      expired(8, due, 'A', '15'),
      { type: 'VoucherExpired', seq: 8, at: due, rule: 'PV-9', voucherId: 'P', kind: 'positionVoucher', unused: '100' },
      { type: 'BonusReclaimed', seq: 8, at: due, rule: 'FB-10', bonusIds: ['F'], amount: '10', trigger: 'expiry' },
    ]);
  });
});

describe('D-4 Overdue compensations', () => {
  // c's only fill is at 23:59:59.999 of day 0; it is cancelled on day 1, after its payout time began.
  const overdue: EventInput[] = [
    grantLcv('A', '50', {}, T0),
    ...openLong('o', '2', '1000', T0 + 1),
    place('c', 'close', '2', '990', { at: T0 + 1 }),
    fill('c', '1', '990', '0', { at: T0 + DAY - 1 }),
    cancelAt('c', T0 + DAY + 500),
  ];

  it('a compensation created after its payout time falls due at the next step\'s clock work, at its due time', () => {
    const { steps, state } = run(account(), [...overdue, tick(T0 + DAY + 600)]);
    expect(stepOf(steps, 6)).toEqual([applied(6, T0 + DAY + 500, 'A', 'c', '10', '10', '40', T0 + DAY)]);
    expect(stepOf(steps, 7)).toEqual([paid(7, T0 + DAY, 'A', 'c', '10')]);
    expect(state.compensations).toEqual([]);
  });

  it('it goes by due time among the next step\'s work: before a later-due compensation created earlier', () => {
    const { steps } = run(account(), [
      grantLcv('A', '50', {}, T0),
      ...openLong('o', '2', '1000', T0 + 1),
      place('c', 'close', '2', '990', { at: T0 + 1 }),
      fill('c', '1', '990', '0', { at: T0 + DAY - 1 }),
      ...roundTrip('d', '995', T0 + DAY + 100), // payable at T0 + 2 DAY, created first
      cancelAt('c', T0 + DAY + 500), // payable at T0 + DAY, created second
      tick(T0 + 2 * DAY),
    ]);
    expect(stepOf(steps, 9)).toEqual([expect.objectContaining({ type: 'CostSettled' }), applied(9, T0 + DAY + 100, 'A', 'd', '5', '5', '45', T0 + 2 * DAY)]);
    expect(stepOf(steps, 10)).toEqual([applied(10, T0 + DAY + 500, 'A', 'c', '10', '10', '35', T0 + DAY)]);
    expect(stepOf(steps, 11)).toEqual([paid(11, T0 + DAY, 'A', 'c', '10'), paid(11, T0 + 2 * DAY, 'A', 'd', '5')]);
  });

  it('a flag right after it is too late to cancel it: the clock work pays it first', () => {
    const { steps } = run(account(), [...overdue, flag({ at: T0 + DAY + 600 })]);
    expect(stepOf(steps, 7)).toEqual([paid(7, T0 + DAY, 'A', 'c', '10'), revoked(7, T0 + DAY + 600, 'A', '40')]);
  });

  it('an event that only advances seq (OUT_OF_ORDER) runs no clock work: the payout waits', () => {
    const { steps } = run(account(), [...overdue, tick(T0 + DAY), tick(T0 + DAY + 700)]);
    expect(stepOf(steps, 7)).toEqual([rejected(7, T0 + DAY, 'OUT_OF_ORDER', 'G-4')]);
    expect(stepOf(steps, 8)).toEqual([paid(8, T0 + DAY, 'A', 'c', '10')]);
  });
});

describe('LCV-8 Expiry', () => {
  it('at expiresAt an available voucher expires: VoucherExpired {kind, unused = its remaining}', () => {
    const { steps, state } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), tick(T0 + 99), tick(T0 + 100)]);
    expect(stepOf(steps, 2)).toEqual([]);
    expect(stepOf(steps, 3)).toEqual([expired(3, T0 + 100, 'A', '10')]);
    expect(whereIs(state, 'A')).toEqual(retiredAs('lossCoverageVouchers', 'expired'));
  });

  it('a partly used voucher expires with its remaining unused', () => {
    const { effects } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), ...roundTrip('c', '996', T0 + 1), tick(T0 + 200)]);
    expect(lcvOnly(effects)).toEqual([applied(5, T0 + 1, 'A', 'c', '4', '4', '6', T0 + DAY), expired(6, T0 + 100, 'A', '6')]);
  });

  it('the effect is dated at the due time, whichever later event runs it', () => {
    const { steps } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), grantLcv('B', '10', {}, T0 + 5000)]);
    expect(stepOf(steps, 2)).toEqual([expired(2, T0 + 100, 'A', '10'), activated(2, T0 + 5000, 'B')]);
  });

  it('without expiresAt a voucher never expires', () => {
    const { effects, state } = run(account(), [grantLcv('A', '10', {}, T0), tick(T0 + 10_000 * DAY)]);
    expect(lcvOnly(effects)).toEqual([]);
    expect(voucherRow(state, 'A')).toEqual(['10', 'available']);
  });

  it('expiries go by due time, and at the same time by grant order', () => {
    const { steps } = run(account(), [
      grantLcv('Z', '1', { expiresAt: T0 + 300 }, T0),
      grantLcv('Y', '2', { expiresAt: T0 + 200 }, T0),
      grantLcv('X', '3', { expiresAt: T0 + 200 }, T0),
      tick(T0 + 1000),
    ]);
    expect(stepOf(steps, 4)).toEqual([expired(4, T0 + 200, 'Y', '2'), expired(4, T0 + 200, 'X', '3'), expired(4, T0 + 300, 'Z', '1')]);
  });

  it('a voucher granted with expiresAt <= at expires at the next step\'s clock work, dated its expiresAt (D-4)', () => {
    const { steps } = run(account(), [tick(T0), grantLcv('A', '10', { expiresAt: T0 - 50 }, T0), grantLcv('B', '10', { expiresAt: T0 }, T0), tick(T0)]);
    expect(stepOf(steps, 2)).toEqual([activated(2, T0, 'A')]);
    expect(stepOf(steps, 3)).toEqual([expired(3, T0 - 50, 'A', '10'), activated(3, T0, 'B')]);
    expect(stepOf(steps, 4)).toEqual([expired(4, T0, 'B', '10')]);
  });

  it('a voucher granted already expired is not revoked by a flag that follows: it expires first', () => {
    const { steps } = run(account(), [grantLcv('A', '10', { expiresAt: T0 }, T0), flag({ at: T0 })]);
    expect(stepOf(steps, 2)).toEqual([expired(2, T0, 'A', '10')]);
  });
});

describe('G-7 Flagged accounts and loss coverage', () => {
  it('revokes every available voucher, a partly used one with unused = remaining; consumed and expired ones stay', () => {
    const { steps, state } = run(account(), [
      grantLcv('A', '10', {}, T0),
      grantLcv('B', '20', {}, T0),
      grantLcv('C', '30', { expiresAt: T0 + 5 }, T0),
      grantLcv('D', '40', {}, T0),
      ...roundTrip('c1', '985', T0 + 10), // A covers 10 of 15: consumed (C expired at T0 + 5)
      ...roundTrip('c2', '995', T0 + 11), // B covers 5: remaining 15
      flag({ at: T0 + 12 }),
      tick(T0 + 10 * DAY),
    ]);
    expect(stepOf(steps, 13)).toEqual([
      revoked(13, T0 + 12, 'B', '15'),
      revoked(13, T0 + 12, 'D', '40'),
      compensationCancelled(13, T0 + 12, 'A', 'c1', '10'),
      compensationCancelled(13, T0 + 12, 'B', 'c2', '5'),
    ]);
    expect(stepOf(steps, 14)).toEqual([]);
    // What each had left is in the effect that ended it: C expired with 30, A was used up.
    expect(stepOf(steps, 5)).toEqual([expired(5, T0 + 5, 'C', '30')]);
    expect(lcvOnly(stepOf(steps, 8))).toEqual([applied(8, T0 + 10, 'A', 'c1', '15', '10', '0', T0 + DAY)]);
    // FV-8: C retired as it expired; A (consumed) stayed while it owed a compensation, then left
    // with B and D when the flag cancelled it.
    expect(state.lossCoverageVouchers).toEqual([]);
    expect(state.retired.lossCoverageVouchers).toEqual([
      ['C', 'expired'],
      ['A', 'consumed'],
      ['B', 'revoked'],
      ['D', 'revoked'],
    ]);
  });

  it('revocations go in grant order across kinds, then the cancellations, then the reclaim (section 6)', () => {
    const { steps } = run(account(), [
      grantLcv('A', '50', {}, T0),
      grantPv('P', '100', {}, T0),
      grantLcv('B', '20', {}, T0),
      ...roundTrip('c', '990', T0 + 1, { open: { voucher: 'none' } }), // A covers 10: remaining 40
      grantFb('F', '30', '0.5', {}, T0 + 2),
      flag({ at: T0 + 3 }),
    ]);
    expect(stepOf(steps, 9)).toEqual([
      revoked(9, T0 + 3, 'A', '40'),
      revoked(9, T0 + 3, 'P', '100', 'positionVoucher'),
      revoked(9, T0 + 3, 'B', '20'),
      compensationCancelled(9, T0 + 3, 'A', 'c', '10'),
      { type: 'BonusReclaimed', seq: 9, at: T0 + 3, rule: 'FB-10', bonusIds: ['F'], amount: '30', trigger: 'flagged' },
    ]);
  });

  it('D-33: cancellations go by grant order of the voucher before creation order', () => {
    const { steps } = run(account({ ownBalance: '100000' }), [
      grantLcv('A', '50', { minClosingNotional: '1500' }, T0),
      grantLcv('B', '100', {}, T0),
      ...roundTrip('c1', '990', T0 + 1), // B 10
      ...roundTrip('c2', '990', T0 + 2, { qty: '2' }), // A 20
      ...roundTrip('c3', '997', T0 + 3), // B 3
      flag({ at: T0 + 4 }),
    ]);
    expect(stepOf(steps, 15)).toEqual([
      revoked(15, T0 + 4, 'A', '30'),
      revoked(15, T0 + 4, 'B', '87'),
      compensationCancelled(15, T0 + 4, 'A', 'c2', '20'),
      compensationCancelled(15, T0 + 4, 'B', 'c1', '10'),
      compensationCancelled(15, T0 + 4, 'B', 'c3', '3'),
    ]);
  });

  it('D-33: payableAt goes first (a stored state holding compensations of two payout days)', () => {
    const base = run(account(), [grantLcv('A', '50', {}, T0), grantLcv('B', '50', {}, T0)]).state;
    const stored = decodeState({
      ...base,
      compensations: [
        { voucherId: 'B', orderId: 'x1', amount: '1', payableAt: T0 + 3 * DAY },
        { voucherId: 'B', orderId: 'x2', amount: '2', payableAt: T0 + 2 * DAY },
        { voucherId: 'A', orderId: 'x3', amount: '3', payableAt: T0 + 3 * DAY },
        { voucherId: 'A', orderId: 'x4', amount: '4', payableAt: T0 + 2 * DAY },
      ],
    });
    if (stored._tag === 'Left') throw new Error(JSON.stringify(stored.left));
    const { effects } = run(stored.right, [flag({ at: T0 + 1 })]);
    expect(ofType(effects, 'CompensationCancelled').map((c) => c.orderId)).toEqual(['x4', 'x2', 'x3', 'x1']);
  });

  it('a second flag emits nothing', () => {
    const { steps } = run(account(), [grantLcv('A', '10', {}, T0), flag({ at: T0 }), flag({ at: T0 + 1 })]);
    expect(stepOf(steps, 3)).toEqual([]);
  });

  it('a revoked voucher neither covers nor expires', () => {
    const { effects } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), flag({ at: T0 + 1 }), ...roundTrip('c', '990', T0 + 2), tick(T0 + 200)]);
    expect(lcvOnly(effects)).toEqual([revoked(2, T0 + 1, 'A', '10')]);
  });
});
