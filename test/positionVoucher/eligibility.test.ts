/**
 * Which orders a position voucher may back (PV-1), how the voucher is chosen (PV-2, D-9, D-34),
 * the required margin (D-11, D-27) and the precedence of placement rejections (D-7).
 *
 * The base case: voucher V of 100; an opening long of 1 BTCUSDT at 1000, leverage 10, isolated,
 * source main, on a main hedge account: required margin 1000 / 10 = 100 <= 100, eligible.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cancel, fill, flag, grantLcv, grantPv, ofType, place, tick } from '../helpers/dsl';
import { VOUCHER_REASONS, type VoucherReason } from '../../src/index';
import { notEligible, onAccount, voucherIn } from './support';

const named = (over: Record<string, unknown> = {}) => place('o1', 'open', '1', '1000', { voucher: 'V', ...over });

/** The reasons the named-voucher order (the last event) is refused with, or 'applied'. */
function outcome(events: Parameters<typeof onAccount>[0], over: Parameters<typeof onAccount>[1] = {}): readonly string[] | 'applied' {
  const { steps } = onAccount(events, over);
  const last = steps[steps.length - 1] ?? [];
  if (ofType(last, 'PositionVoucherApplied').length === 1) return 'applied';
  const refused = notEligible(last);
  expect(refused).toMatchObject({ rule: 'PV-2', code: 'VOUCHER_NOT_ELIGIBLE' });
  return refused?.reasons ?? [];
}

describe('PV-1 Eligible opening order', () => {
  it('the base case is eligible: the named voucher backs the order', () => {
    expect(outcome([grantPv('V', '100'), named()])).toBe('applied');
  });

  describe('each condition failing alone is the only reason reported', () => {
    it('VOUCHER_UNAVAILABLE: no voucher was ever granted with that id', () => {
      expect(outcome([grantPv('V', '100'), named({ voucher: 'X' })])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('VOUCHER_UNAVAILABLE: the id belongs to a loss coverage voucher, not a position voucher', () => {
      expect(outcome([grantLcv('L', '100'), named({ voucher: 'L' })])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('VOUCHER_UNAVAILABLE: the voucher has expired (PV-9)', () => {
      expect(outcome([grantPv('V', '100', { expiresAt: 50 }), tick(50), named()])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('VOUCHER_UNAVAILABLE: the voucher was consumed by a cancelled order (PV-4)', () => {
      expect(outcome([grantPv('V', '100'), named({ orderId: 'o0' }), cancel('o0'), named()])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('VOUCHER_UNAVAILABLE: the voucher is in use on another symbol', () => {
      expect(outcome([grantPv('V', '100'), named({ orderId: 'e1', symbol: 'ETHUSDT' }), named()])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('VOUCHER_UNAVAILABLE only, when the named voucher itself is in use on the other side (D-34: SYMBOL_HAS_VOUCHER counts other vouchers)', () => {
      expect(outcome([grantPv('V', '100'), named({ orderId: 's1', positionSide: 'short' }), named()])).toEqual(['VOUCHER_UNAVAILABLE']);
    });

    it('ACCOUNT_NOT_MAIN: a sub account', () => {
      expect(outcome([grantPv('V', '100'), named()], { accountType: 'sub' })).toEqual(['ACCOUNT_NOT_MAIN']);
    });

    it('ACCOUNT_NOT_MAIN: an institutional account', () => {
      expect(outcome([grantPv('V', '100'), named()], { accountType: 'institutional' })).toEqual(['ACCOUNT_NOT_MAIN']);
    });

    it('ACCOUNT_FLAGGED comes with VOUCHER_UNAVAILABLE: the flag revoked every available voucher (G-7)', () => {
      expect(outcome([grantPv('V', '100'), flag(), named()])).toEqual(['VOUCHER_UNAVAILABLE', 'ACCOUNT_FLAGGED']);
    });

    it('NOT_HEDGE_MODE: a one-way account', () => {
      expect(outcome([grantPv('V', '100'), named()], { positionMode: 'oneWay' })).toEqual(['NOT_HEDGE_MODE']);
    });

    it('NOT_ISOLATED: a cross-margin order', () => {
      expect(outcome([grantPv('V', '100'), named({ marginMode: 'cross' })])).toEqual(['NOT_ISOLATED']);
    });

    it.each(['copyTrading', 'gridTrading', 'bot'])('SOURCE_NOT_MAIN: an order from %s', (source) => {
      expect(outcome([grantPv('V', '100'), named({ source })])).toEqual(['SOURCE_NOT_MAIN']);
    });

    it('SYMBOL_NOT_ALLOWED: the symbol is not in the allow-list', () => {
      expect(outcome([grantPv('V', '100', { symbols: ['ETHUSDT'] }), named()])).toEqual(['SYMBOL_NOT_ALLOWED']);
    });

    it('SYMBOL_NOT_ALLOWED: an empty allow-list allows no symbol (D-26)', () => {
      expect(outcome([grantPv('V', '100', { symbols: [] }), named()])).toEqual(['SYMBOL_NOT_ALLOWED']);
    });

    it('a symbol in the allow-list is allowed', () => {
      expect(outcome([grantPv('V', '100', { symbols: ['ETHUSDT', 'BTCUSDT'] }), named()])).toBe('applied');
    });

    it('LEVERAGE_TOO_HIGH: leverage 10 above maxLeverage 9.99', () => {
      expect(outcome([grantPv('V', '100', { maxLeverage: '9.99' }), named()])).toEqual(['LEVERAGE_TOO_HIGH']);
    });

    it('a leverage equal to maxLeverage is allowed (10 <= "10.0")', () => {
      expect(outcome([grantPv('V', '100', { maxLeverage: '10.0' }), named()])).toBe('applied');
    });

    it('SIDE_BUSY: a plain position on the same symbol and side', () => {
      const events = [grantPv('V', '100'), place('p1', 'open', '1', '1000', { voucher: 'none' }), fill('p1', '1', '1000'), named()];
      expect(outcome(events)).toEqual(['SIDE_BUSY']);
    });

    it('SIDE_BUSY: an open opening order on the same symbol and side, not yet filled', () => {
      expect(outcome([grantPv('V', '100'), place('p1', 'open', '1', '1000', { voucher: 'none' }), named()])).toEqual(['SIDE_BUSY']);
    });

    it('a position on the other side does not make the side busy', () => {
      const events = [grantPv('V', '100'), place('p1', 'open', '1', '1000', { voucher: 'none', positionSide: 'short' }), fill('p1', '1', '1000'), named()];
      expect(outcome(events)).toBe('applied');
    });

    it('SYMBOL_HAS_VOUCHER: another voucher backs an unfilled order on the other side of the symbol', () => {
      const events = [grantPv('W', '100'), grantPv('V', '100'), place('s1', 'open', '1', '1000', { voucher: 'W', positionSide: 'short' }), named()];
      expect(outcome(events)).toEqual(['SYMBOL_HAS_VOUCHER']);
    });

    it('SYMBOL_HAS_VOUCHER: another voucher backs a position on the other side of the symbol', () => {
      const events = [
        grantPv('W', '100'), grantPv('V', '100'),
        place('s1', 'open', '1', '1000', { voucher: 'W', positionSide: 'short' }), fill('s1', '1', '1000'), named(),
      ];
      expect(outcome(events)).toEqual(['SYMBOL_HAS_VOUCHER']);
    });

    it('a voucher in use on another symbol does not count', () => {
      const events = [grantPv('W', '100'), grantPv('V', '100'), place('e1', 'open', '1', '1000', { voucher: 'W', symbol: 'ETHUSDT' }), named()];
      expect(outcome(events)).toBe('applied');
    });

    it('MARGIN_NOT_COVERED: required 1.01 x 1000 / 10 = 101 > 100 without allowOwnFunds', () => {
      expect(outcome([grantPv('V', '100'), named({ qty: '1.01' })])).toEqual(['MARGIN_NOT_COVERED']);
    });

    it('MARGIN_NOT_COVERED: allowOwnFunds, but transferable 0.99 < gap 1', () => {
      expect(outcome([grantPv('V', '100', { allowOwnFunds: true }), named({ qty: '1.01' })], { ownBalance: '0.99' })).toEqual(['MARGIN_NOT_COVERED']);
    });

    it('allowOwnFunds with transferable funds exactly equal to the gap is covered', () => {
      expect(outcome([grantPv('V', '100', { allowOwnFunds: true }), named({ qty: '1.01' })], { ownBalance: '1' })).toBe('applied');
    });

    it('MARGIN_NOT_COVERED: allowOwnFunds counts transferable funds (M-4), not the own balance', () => {
      // own 100; a plain long of 1 at 900 (leverage 10) locks 90 and is 10 down at mark 890: transferable 100 - 90 - 10 = 0.
      const events = [
        grantPv('V', '100', { allowOwnFunds: true }),
        place('e1', 'open', '1', '900', { symbol: 'ETHUSDT', voucher: 'none' }), fill('e1', '1', '900'),
        { type: 'MarkPriceUpdated', symbol: 'ETHUSDT', price: '890' },
        named({ qty: '1.01' }),
      ];
      expect(outcome(events, { ownBalance: '100' })).toEqual(['MARGIN_NOT_COVERED']);
    });
  });

  it('NOT_OPENING (D-9): a closing order naming a voucher is refused, with SIDE_BUSY as well (D-34)', () => {
    const events = [grantPv('V', '100'), place('p1', 'open', '1', '1000', { voucher: 'none' }), fill('p1', '1', '1000'), place('c1', 'close', '1', '1000', { voucher: 'V' })];
    expect(outcome(events)).toEqual(['NOT_OPENING', 'SIDE_BUSY']);
  });

  it('D-9: "auto" and "none" mean nothing on a closing order', () => {
    const base = [grantPv('V', '100'), place('p1', 'open', '1', '1000', { voucher: 'none' }), fill('p1', '1', '1000')];
    for (const voucher of ['auto', 'none', undefined]) {
      const extra = voucher === undefined ? {} : { voucher };
      const { steps, state } = onAccount([...base, place('c1', 'close', '1', '1000', extra)]);
      expect(steps[steps.length - 1]).toEqual([]);
      expect(voucherIn(state, 'V')?.status).toBe('available');
    }
  });
});

describe('PV-2 Choice', () => {
  it('every failed condition is reported, in the order PV-2 lists them', () => {
    // W backs the short side; a plain long is held; V allows ETHUSDT only, leverage 5 at most.
    const events = [
      grantPv('W', '100'),
      grantPv('V', '10', { symbols: ['ETHUSDT'], maxLeverage: '5' }),
      place('s1', 'open', '1', '1000', { voucher: 'W', positionSide: 'short' }),
      place('p1', 'open', '1', '1000', { voucher: 'none' }), fill('p1', '1', '1000'),
      place('c1', 'close', '1', '1000', { voucher: 'V', marginMode: 'cross', source: 'bot' }),
    ];
    expect(outcome(events)).toEqual([
      'NOT_OPENING', 'NOT_ISOLATED', 'SOURCE_NOT_MAIN', 'SYMBOL_NOT_ALLOWED', 'LEVERAGE_TOO_HIGH', 'SIDE_BUSY', 'SYMBOL_HAS_VOUCHER', 'MARGIN_NOT_COVERED',
    ]);
  });

  it('an account that is neither main nor hedge, with an unavailable voucher: the voucher-field conditions are skipped (D-34)', () => {
    const events = [place('p1', 'open', '1', '1000', { voucher: 'none' }), named({ voucher: 'X', marginMode: 'cross', source: 'copyTrading', qty: '5', leverage: '200' })];
    expect(outcome(events, { accountType: 'sub', positionMode: 'oneWay' })).toEqual([
      'VOUCHER_UNAVAILABLE', 'ACCOUNT_NOT_MAIN', 'NOT_HEDGE_MODE', 'NOT_ISOLATED', 'SOURCE_NOT_MAIN', 'SIDE_BUSY',
    ]);
  });

  it('a refused order is not recorded and the voucher stays available', () => {
    const { state, effects } = onAccount([grantPv('V', '100'), named({ marginMode: 'cross' })]);
    expect(state.orders).toEqual([]);
    expect(voucherIn(state, 'V')?.status).toBe('available');
    expect(state.ownBalance).toBe('1000');
    expect(ofType(effects, 'EventRejected')).toHaveLength(1);
  });

  it('"auto" (the default) takes the earliest-granted eligible voucher', () => {
    const events = [
      grantPv('A', '100', { symbols: ['ETHUSDT'] }),
      grantPv('B', '50'),
      grantPv('C', '100'),
      grantPv('D', '100'),
      place('o1', 'open', '1', '1000'),
    ];
    const { effects, state } = onAccount(events);
    expect(ofType(effects, 'PositionVoucherApplied')).toEqual([
      { type: 'PositionVoucherApplied', seq: 5, at: 0, rule: 'PV-3', voucherId: 'C', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', voucherMargin: '100', ownMargin: '0' },
    ]);
    expect(state.positionVouchers.map((v) => v.status)).toEqual(['available', 'available', 'inUse', 'available']);
  });

  it('"auto" by grant order, not by size: an allowOwnFunds voucher granted first is taken with own funds', () => {
    const events = [grantPv('A', '50', { allowOwnFunds: true }), grantPv('B', '100'), place('o1', 'open', '1', '1000', { voucher: 'auto' })];
    const { effects, state } = onAccount(events);
    expect(ofType(effects, 'PositionVoucherApplied')[0]).toMatchObject({ voucherId: 'A', voucherMargin: '50', ownMargin: '50' });
    expect(state.ownBalance).toBe('950');
  });

  it('"auto" with no eligible voucher places a plain order, without a rejection', () => {
    const { effects, state } = onAccount([grantPv('A', '100'), place('o1', 'open', '1', '1000', { marginMode: 'cross' })]);
    expect(effects.map((e) => e.type)).toEqual(['VoucherActivated']);
    expect(state.orders[0]?.voucherId).toBeUndefined();
    expect(voucherIn(state, 'A')?.status).toBe('available');
  });

  it('"none" uses no voucher even when one is eligible', () => {
    const { effects, state } = onAccount([grantPv('A', '100'), place('o1', 'open', '1', '1000', { voucher: 'none' }), fill('o1', '1', '1000')]);
    expect(ofType(effects, 'PositionVoucherApplied')).toEqual([]);
    expect(voucherIn(state, 'A')?.status).toBe('available');
    expect(state.positions[0]?.voucher).toBeUndefined();
  });

  it('FV-30: "auto" and "none" are always the keywords, even when a voucher has that id', () => {
    const none = onAccount([grantPv('none', '100'), place('o1', 'open', '1', '1000', { voucher: 'none' })]);
    expect(ofType(none.effects, 'PositionVoucherApplied')).toEqual([]);
    const auto = onAccount([grantPv('A', '100'), grantPv('auto', '100'), place('o1', 'open', '1', '1000', { voucher: 'auto' })]);
    expect(ofType(auto.effects, 'PositionVoucherApplied')[0]).toMatchObject({ voucherId: 'A' });
  });

  it('one voucher per order: the principal of one voucher only, no stacking', () => {
    const { effects } = onAccount([grantPv('A', '60'), grantPv('B', '60'), place('o1', 'open', '1', '1000')]);
    // 100 needed; neither 60 covers it alone, and two are never combined.
    expect(ofType(effects, 'PositionVoucherApplied')).toEqual([]);
  });

  it('property: the reasons match an independent reading of PV-1/PV-2, in order', () => {
    const scenario = fc.record({
      accountType: fc.constantFrom('main', 'sub', 'institutional'),
      positionMode: fc.constantFrom('hedge', 'oneWay'),
      flagged: fc.boolean(),
      missing: fc.boolean(),
      closing: fc.boolean(),
      marginMode: fc.constantFrom('isolated', 'cross'),
      source: fc.constantFrom('main', 'copyTrading', 'gridTrading', 'bot'),
      symbols: fc.constantFrom<string[] | undefined>(undefined, [], ['BTCUSDT'], ['ETHUSDT'], ['ETHUSDT', 'BTCUSDT']),
      maxLeverage: fc.constantFrom<string | undefined>(undefined, '5', '10', '20'),
      leverage: fc.constantFrom('5', '10', '20'),
      allowOwnFunds: fc.boolean(),
      busy: fc.constantFrom('no', 'position', 'order'),
      otherVoucher: fc.boolean(),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const canHoldVoucher = s.accountType === 'main' && s.positionMode === 'hedge';
        const other = s.otherVoucher && canHoldVoucher;
        const busy = s.closing ? 'position' : s.busy;
        const events = [];
        if (other) events.push(grantPv('W', '100'), place('s1', 'open', '1', '1000', { voucher: 'W', positionSide: 'short' }));
        const grant: Record<string, unknown> = { allowOwnFunds: s.allowOwnFunds };
        if (s.symbols !== undefined) grant['symbols'] = s.symbols;
        if (s.maxLeverage !== undefined) grant['maxLeverage'] = s.maxLeverage;
        if (!s.missing) events.push(grantPv('V', '100', grant));
        if (busy !== 'no') events.push(place('p1', 'open', '1', '1000', { voucher: 'none' }));
        if (busy === 'position') events.push(fill('p1', '1', '1000'));
        if (s.flagged) events.push(flag());
        events.push(place('o1', s.closing ? 'close' : 'open', '1', '1000', {
          voucher: 'V', marginMode: s.marginMode, source: s.source, leverage: s.leverage,
        }));

        const available = !s.missing && !s.flagged;
        const expected: VoucherReason[] = [];
        if (!available) expected.push('VOUCHER_UNAVAILABLE');
        if (s.closing) expected.push('NOT_OPENING');
        if (s.accountType !== 'main') expected.push('ACCOUNT_NOT_MAIN');
        if (s.flagged) expected.push('ACCOUNT_FLAGGED');
        if (s.positionMode !== 'hedge') expected.push('NOT_HEDGE_MODE');
        if (s.marginMode !== 'isolated') expected.push('NOT_ISOLATED');
        if (s.source !== 'main') expected.push('SOURCE_NOT_MAIN');
        if (available && s.symbols !== undefined && !s.symbols.includes('BTCUSDT')) expected.push('SYMBOL_NOT_ALLOWED');
        if (available && s.maxLeverage !== undefined && Number(s.leverage) > Number(s.maxLeverage)) expected.push('LEVERAGE_TOO_HIGH');
        if (busy !== 'no') expected.push('SIDE_BUSY');
        if (other) expected.push('SYMBOL_HAS_VOUCHER');
        // Required 1000 / leverage; the gap over 100 is at most 100, always within the transferable funds here.
        if (available && 1000 / Number(s.leverage) > 100 && !s.allowOwnFunds) expected.push('MARGIN_NOT_COVERED');

        const got = outcome(events, { accountType: s.accountType, positionMode: s.positionMode });
        expect(got).toEqual(expected.length === 0 ? 'applied' : expected);
        if (got !== 'applied') {
          const ranks = got.map((r) => VOUCHER_REASONS.indexOf(r as VoucherReason));
          expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        }
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('D-11 Required margin: qty x price (exact) / leverage, rounded up once (D-27)', () => {
  it('1 x 100 / 3 = 33.333... needs 33.33333334: own margin 23.33333334 beyond a voucher of 10', () => {
    const { effects, state } = onAccount([grantPv('V', '10', { allowOwnFunds: true }), named({ price: '100', leverage: '3' })]);
    expect(ofType(effects, 'PositionVoucherApplied')[0]).toMatchObject({ voucherMargin: '10', ownMargin: '23.33333334' });
    expect(state.ownBalance).toBe('976.66666666');
  });

  it('0.33333333 x 3 / 7 = 0.14285714142857... needs 0.14285715 (one rounding of the exact product)', () => {
    const { effects } = onAccount([grantPv('V', '0.1', { allowOwnFunds: true }), named({ qty: '0.33333333', price: '3', leverage: '7' })]);
    expect(ofType(effects, 'PositionVoucherApplied')[0]).toMatchObject({ voucherMargin: '0.1', ownMargin: '0.04285715' });
  });

  it('the policy scale sets the rounding: scale 2, 1 x 100 / 3 needs 33.34', () => {
    const { effects } = onAccount([grantPv('V', '10', { allowOwnFunds: true }), named({ price: '100', leverage: '3' })], {}, { scale: 2 });
    expect(ofType(effects, 'PositionVoucherApplied')[0]).toMatchObject({ ownMargin: '23.34' });
  });
});

describe('D-7 Precedence of placement rejections', () => {
  const rejectedWith = (events: Parameters<typeof onAccount>[0], over: Parameters<typeof onAccount>[1] = {}) => {
    const { steps } = onAccount(events, over);
    return (steps[steps.length - 1] ?? []).map((e) => (e.type === 'EventRejected' ? e.code : e.type));
  };

  it('DUPLICATE_ORDER before VOUCHER_NOT_ELIGIBLE', () => {
    expect(rejectedWith([place('o1', 'open', '1', '1000', { voucher: 'none' }), named({ voucher: 'X' })])).toEqual(['DUPLICATE_ORDER']);
  });

  it('UNKNOWN_POSITION before VOUCHER_NOT_ELIGIBLE: a closing order naming a voucher with no position', () => {
    expect(rejectedWith([grantPv('V', '100'), place('c1', 'close', '1', '1000', { voucher: 'V' })])).toEqual(['UNKNOWN_POSITION']);
  });

  it('POSITION_MODE_CONFLICT before VOUCHER_NOT_ELIGIBLE: one-way account holding the other side', () => {
    const events = [grantPv('V', '100'), place('s1', 'open', '1', '1000', { positionSide: 'short' }), fill('s1', '1', '1000'), named()];
    expect(rejectedWith(events, { positionMode: 'oneWay' })).toEqual(['POSITION_MODE_CONFLICT']);
  });

  it('VOUCHER_POSITION_LOCKED before VOUCHER_NOT_ELIGIBLE: a voucher order already holds the side', () => {
    const events = [grantPv('V', '100'), grantPv('W', '100'), named({ orderId: 'o0' }), named({ voucher: 'W', marginMode: 'cross' })];
    expect(rejectedWith(events)).toEqual(['VOUCHER_POSITION_LOCKED']);
  });

  it('a rejected placement changes nothing: own balance, vouchers and orders as before', () => {
    const before = onAccount([grantPv('V', '100', { allowOwnFunds: true }), place('o1', 'open', '1', '1000', { voucher: 'none' })]).state;
    const { state } = onAccount([grantPv('V', '100', { allowOwnFunds: true }), place('o1', 'open', '1', '1000', { voucher: 'none' }), named({ qty: '2' })]);
    expect({ ...state, lastSeq: before.lastSeq }).toEqual(before);
  });
});
