/**
 * Money (G-2, G-3, D-1, D-26, D-27): decimal strings in, exact decimals inside, plain decimal
 * strings out, and every rounding done once from the exact value, in the mode its rule names,
 * whatever the host application did to the global big.js constructor.
 */
import { afterEach, describe, expect, it } from 'vitest';
import Big from 'big.js';
import fc from 'fast-check';
import { decimal } from '../../src/core/codec';
import {
  DECIMAL_PATTERN,
  canonical,
  compare,
  dec,
  decimalsOf,
  divide,
  ROUND_DOWN,
  ROUND_HALF_UP,
  ROUND_UP,
  round,
  showRate,
  str,
} from '../../src/core/money';
import { account, cancel, fill, funding, grantFb, grantLcv, grantPv, mark, place, run, tick, transfer } from '../helpers/dsl';
import { decodeEvent, replayJson } from '../../src/index';

describe('G-2 printing: plain decimal strings', () => {
  it.each([
    ['0.0000001', '0.0000001'],
    ['0.00000001', '0.00000001'],
    ['0.000000000000000001', '0.000000000000000001'],
    ['1000000000000000000000000', '1000000000000000000000000'],
    ['123456789012345678901234.5', '123456789012345678901234.5'],
    ['1.500', '1.5'],
    ['10.0', '10'],
    ['-2.50', '-2.5'],
    ['0.000', '0'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['007', '7'],
    ['007.0100', '7.01'],
    // The integer part and the fraction print apart: the fraction's leading zeros stay.
    ['1.05', '1.05'],
    ['-3.0007', '-3.0007'],
    ['19999.00000001', '19999.00000001'],
    ['1200.5', '1200.5'],
    ['1200', '1200'],
  ])('%s prints as %s', (text, printed) => {
    expect(str(dec(text))).toBe(printed);
  });

  it('results of arithmetic print without exponent (1e-7 and below, 1e21 and above)', () => {
    expect(str(dec('0.0001').times(dec('0.001')))).toBe('0.0000001');
    expect(str(dec('0.00000001').times(dec('0.00000001')))).toBe('0.0000000000000001');
    expect(str(dec('1000000000').times(dec('1000000000000')))).toBe('1000000000000000000000');
  });

  it('a zero is "0", never "-0", whichever way it was reached', () => {
    expect(str(dec('1').minus(dec('1')))).toBe('0');
    expect(str(dec('0').neg())).toBe('0');
    expect(str(dec('-0.5').times(dec('0')))).toBe('0');
    expect(str(round(dec('-0.000000001'), 8, ROUND_HALF_UP))).toBe('0');
    expect(str(divide(dec('-1'), dec('1000000000'), 8, ROUND_DOWN))).toBe('0');
  });

  it('arithmetic is exact: 0.1 + 0.2 = 0.3', () => {
    expect(str(dec('0.1').plus(dec('0.2')))).toBe('0.3');
  });
});

describe('D-1 decimal syntax: -?digits(.digits)?', () => {
  it.each(['0', '-0', '007', '1.5', '-1.5', '0.00000001', '123456789012345678901234567890'])('%s is a decimal', (text) => {
    expect(DECIMAL_PATTERN.test(text)).toBe(true);
  });

  it.each(['+1', '.5', '1.', '1e3', '1E3', 'NaN', 'Infinity', '-', '', ' 1', '1 ', '1,5', '0x10', '1..2', '--1', '١'])(
    '%j is not a decimal',
    (text) => {
      expect(DECIMAL_PATTERN.test(text)).toBe(false);
    },
  );

  it('the scale limit counts decimals without trailing zeros', () => {
    expect(decimalsOf('1')).toBe(0);
    expect(decimalsOf('1.10')).toBe(1);
    expect(decimalsOf('1.000000000000')).toBe(0);
    expect(decimalsOf('0.000000001')).toBe(9);
  });

  it('"007" is 7 and "-0" is 0 on the wire, and the engine works with them as such', () => {
    const { effects, state } = run(account({ ownBalance: '007' }), [
      place('o1', 'open', '002', '050'),
      fill('o1', '002', '050', '001'),
      funding('-0'),
      transfer('in', '003.000'),
    ]);
    expect(effects).toEqual([
      {
        type: 'CostSettled', seq: 2, at: 0, rule: 'P-6', cause: 'fee', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long',
        amount: '1', fromVoucher: '0', fromOwnMargin: '0', fromBonus: [], fromOwn: '1', deficit: '0',
      },
    ]);
    expect(state.positions[0]).toMatchObject({ qty: '2', entryValue: '100' });
    expect(state.ownBalance).toBe('9');
  });
});

describe('issue 8: decimals are canonicalised and sign-checked on their text, exactly as parsing would', () => {
  const digits = fc.string({ unit: fc.constantFrom('0', '0', '0', '1', '5', '9'), minLength: 1, maxLength: 12 });
  const text = fc
    .tuple(fc.boolean(), digits, fc.option(digits, { nil: undefined }))
    .map(([negative, int, frac]) => `${negative ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);

  it('canonical(text) is what str(dec(text)) prints, for any D-1 decimal', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(DECIMAL_PATTERN.test(t)).toBe(true);
        expect(canonical(t)).toBe(str(new Big(t)).replace(/^-0$/, '0'));
      }),
      { numRuns: 3000 },
    );
  });

  it('str prints what big.js toFixed() prints, for sums, products and quotients of any size', () => {
    const operand = fc.tuple(text, fc.integer({ min: -30, max: 30 })).map(([t, shift]) => new Big(t).times(new Big(10).pow(shift)));
    fc.assert(
      fc.property(operand, operand, fc.constantFrom('plus', 'minus', 'times', 'div'), (a, b, op) => {
        if (op === 'div' && b.c[0] === 0) return;
        const value = op === 'plus' ? a.plus(b) : op === 'minus' ? a.minus(b) : op === 'times' ? a.times(b) : a.div(b);
        const expected = value.c[0] === 0 ? '0' : value.toFixed();
        expect(str(value)).toBe(expected);
        expect(str(dec(expected))).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('compare(x, y) is x.cmp(y), signs, zeros and lengths included', () => {
    const operand = fc.tuple(text, fc.integer({ min: -12, max: 12 })).map(([t, shift]) => new Big(t).times(new Big(10).pow(shift)));
    fc.assert(
      fc.property(operand, operand, (a, b) => {
        expect(compare(a, b)).toBe(a.cmp(b));
        expect(compare(a, a.plus(0))).toBe(0);
        expect(compare(a.neg(), b)).toBe(a.neg().cmp(b));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([['007.50', '7.5'], ['-00.100', '-0.1'], ['-0.000', '0'], ['000', '0'], ['100.00', '100'], ['0.0000000100', '0.00000001'], ['-5', '-5'], ['10', '10']])(
    'canonical(%s) = %s',
    (given, expected) => {
      expect(canonical(given)).toBe(expected);
    },
  );

  it('the sign rules of the decimal codec agree with the parsed value', () => {
    const positive = decimal(18, 'positive');
    const nonNegative = decimal(18, 'nonNegative');
    fc.assert(
      fc.property(text, (t) => {
        const value = new Big(t);
        const isZero = value.c[0] === 0;
        expect(positive.decode(t)._tag).toBe(value.s > 0 && !isZero ? 'Right' : 'Left');
        expect(nonNegative.decode(t)._tag).toBe(value.s > 0 || isZero ? 'Right' : 'Left');
      }),
      { numRuns: 3000 },
    );
  });
});

describe('G-3 rounding modes', () => {
  it.each([
    ['0.125', ROUND_DOWN, '0.12'],
    ['0.125', ROUND_HALF_UP, '0.13'],
    ['0.125', ROUND_UP, '0.13'],
    ['0.1249999', ROUND_HALF_UP, '0.12'],
    ['0.1200001', ROUND_UP, '0.13'],
    ['0.1299999', ROUND_DOWN, '0.12'],
    ['0.12', ROUND_UP, '0.12'],
  ] as const)('round(%s, 2, mode %i) = %s', (value, mode, expected) => {
    expect(str(round(dec(value), 2, mode))).toBe(expected);
  });

  it('showRate is half-up to 8 decimals whatever the scale: 130 / 150 = 0.86666667', () => {
    expect(showRate(dec('130'), dec('150'))).toBe('0.86666667');
    expect(showRate(dec('1'), dec('3'))).toBe('0.33333333');
    expect(showRate(dec('2'), dec('1'))).toBe('2');
  });
});

describe('D-27 divide() rounds once, from the exact quotient', () => {
  it.each([
    // a, b, scale, mode, expected
    ['2', '3', 2, ROUND_DOWN, '0.66'],
    ['2', '3', 2, ROUND_HALF_UP, '0.67'],
    ['2', '3', 2, ROUND_UP, '0.67'],
    ['1', '3', 2, ROUND_DOWN, '0.33'],
    ['1', '3', 2, ROUND_HALF_UP, '0.33'],
    ['1', '3', 2, ROUND_UP, '0.34'],
    ['1', '8', 2, ROUND_HALF_UP, '0.13'],
    ['1', '8', 2, ROUND_DOWN, '0.12'],
    ['6', '3', 0, ROUND_UP, '2'],
    ['100', '3', 8, ROUND_UP, '33.33333334'],
    ['100', '3', 8, ROUND_HALF_UP, '33.33333333'],
  ] as const)('%s / %s to %i decimals, mode %i = %s', (a, b, scale, mode, expected) => {
    expect(str(divide(dec(a), dec(b), scale, mode))).toBe(expected);
  });

  it('half-up does not round an intermediate quotient first (0.12499999999999999999999 -> 0.12)', () => {
    // A quotient rounded to 20 decimals first would be 0.125 and then round up to 0.13.
    expect(str(divide(dec('12499999999999999999999'), dec('100000000000000000000000'), 2, ROUND_HALF_UP))).toBe('0.12');
    expect(str(divide(dec('37499999999999999999999'), dec('300000000000000000000000'), 2, ROUND_HALF_UP))).toBe('0.12');
  });

  it('up does not lose a remainder beyond 20 decimals (0.12000000000000000000001 -> 0.13)', () => {
    expect(str(divide(dec('12000000000000000000001'), dec('100000000000000000000000'), 2, ROUND_UP))).toBe('0.13');
    expect(str(divide(dec('1'), dec('300000000000000000000000'), 8, ROUND_UP))).toBe('0.00000001');
  });

  it('down never rounds up (0.99999999999999999999999 -> 0.99)', () => {
    expect(str(divide(dec('99999999999999999999999'), dec('100000000000000000000000'), 2, ROUND_DOWN))).toBe('0.99');
  });

  it('divide(a x q, qty) differs from rounding a unit price first: 100 x 2 / 3 = 66.66666667, not 2 x 33.33333333', () => {
    expect(str(divide(dec('100').times(dec('2')), dec('3'), 8, ROUND_HALF_UP))).toBe('66.66666667');
  });
});

/** A session touching every rounding the engine does: notional, basis, bonus share, margin, rates. */
function roundingSession(): unknown {
  return {
    policy: { instruments: { BTCUSDT: { mmr: '0.05' } }, liquidationRate: '0.3' },
    account: { accountId: 'host', accountType: 'main', positionMode: 'hedge', ownBalance: '1000.123' },
    events: [
      { seq: 1, at: 1000, ...grantFb('F', '50', '0.3') },
      { seq: 2, at: 1000, ...grantLcv('L', '5') },
      { seq: 3, at: 1000, ...grantPv('P', '7', { allowOwnFunds: true }) },
      { seq: 4, at: 1000, ...place('pv', 'open', '0.3', '333.33333333', { symbol: 'ETHUSDT', leverage: '7', voucher: 'P' }) },
      { seq: 5, at: 1000, ...fill('pv', '0.1', '333.33333333', '0.00000007') },
      { seq: 6, at: 1000, ...cancel('pv') },
      { seq: 7, at: 2000, ...place('o1', 'open', '3', '33.33333333', { leverage: '3' }) },
      { seq: 8, at: 2000, ...place('o1', 'open', '3', '33.33333333', { leverage: '3' }) },
      { seq: 9, at: 2000, ...fill('o1', '1', '40', '0.00000003') },
      { seq: 10, at: 2000, ...fill('o1', '2', '30.00000001', '0.00000001') },
      { seq: 11, at: 2500, ...place('c1', 'close', '2', '30', { leverage: '3' }) },
      { seq: 12, at: 3000, ...fill('c1', '1', '30.00000003', '0.00000005') },
      { seq: 13, at: 3000, ...mark('0.00000007') },
      { seq: 14, at: 3000, ...funding('0.00000003') },
      { seq: 15, at: 4000, ...transfer('out', '0.00000001') },
      { seq: 16, at: 5000, ...fill('c1', '1', '29.99999999', '0.00000002') },
      { seq: 17, at: 90_000_000, ...tick(90_000_000) },
    ],
  };
}

describe('G-2, G-3: the private big.js constructors ignore the host global Big settings', () => {
  const saved = { DP: Big.DP, RM: Big.RM, NE: Big.NE, PE: Big.PE, strict: Big.strict };
  afterEach(() => {
    Big.DP = saved.DP;
    Big.RM = saved.RM;
    Big.NE = saved.NE;
    Big.PE = saved.PE;
    Big.strict = saved.strict;
  });

  it('the same session gives byte-identical output with a hostile global Big (DP 0, RM down, NE -1, PE 1)', () => {
    const baseline = replayJson(roundingSession());
    if (baseline._tag === 'Left') throw new Error(JSON.stringify(baseline.left));
    const text = JSON.stringify(baseline.right);
    // The session really exercises small amounts and roundings, so a broken constructor would show.
    expect(text).toContain('"0.00000001"');
    expect(text).toContain('"ownMargin":"7.28571429"'); // 0.3 x 333.33333333 / 7 rounded up, less the voucher's 7
    expect(baseline.right.effects.length).toBeGreaterThan(10);

    Big.DP = 0;
    Big.RM = Big.roundDown;
    Big.NE = -1;
    Big.PE = 1;
    Big.strict = false;
    expect(new Big('0.0000001').toString()).toBe('1e-7'); // the host's settings really are in force
    const hostile = replayJson(roundingSession());
    if (hostile._tag === 'Left') throw new Error(JSON.stringify(hostile.left));
    expect(JSON.stringify(hostile.right)).toBe(text);

    Big.DP = 40;
    Big.RM = Big.roundUp;
    const other = replayJson(roundingSession());
    if (other._tag === 'Left') throw new Error(JSON.stringify(other.left));
    expect(JSON.stringify(other.right)).toBe(text);
  });

  it('money helpers ignore the global settings too', () => {
    Big.DP = 0;
    Big.RM = Big.roundUp;
    Big.NE = -1;
    Big.PE = 1;
    expect(str(divide(dec('2'), dec('3'), 8, ROUND_HALF_UP))).toBe('0.66666667');
    expect(str(divide(dec('2'), dec('3'), 8, ROUND_DOWN))).toBe('0.66666666');
    expect(str(dec('0.00000001').times(dec('0.1')))).toBe('0.000000001');
    expect(str(dec('100000000000000000000000'))).toBe('100000000000000000000000');
    expect(showRate(dec('1'), dec('3'))).toBe('0.33333333');
  });

  it('decoding ignores the global settings (a 9-decimal fee is still refused, 1e-7 still accepted)', () => {
    Big.DP = 0;
    Big.NE = -1;
    expect(decodeEvent({ type: 'OrderFilled', seq: 1, at: 0, orderId: 'o', qty: '1', price: '1', fee: '0.000000001' })._tag).toBe('Left');
    expect(decodeEvent({ type: 'OrderFilled', seq: 1, at: 0, orderId: 'o', qty: '1', price: '1', fee: '0.0000001' })._tag).toBe('Right');
  });
});
