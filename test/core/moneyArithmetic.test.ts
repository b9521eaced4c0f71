/**
 * The money helpers' own arithmetic (`add`, `sub`, `mul`, `divide`, `round`) against big.js on
 * the same operands: the same value, digit for digit, over signs, zeros, long runs of 0s and 9s
 * (carries and borrows across every digit) and exponents far apart.
 */
import { describe, expect, it } from 'vitest';
import Big from 'big.js';
import fc from 'fast-check';
import { add, dec, divide, mul, round, ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, str, sub, type Rounding } from '../../src/core/money';

const digits = (max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom('0', '0', '9', '9', '1', '5', '4', '6', '3'), { minLength: 1, maxLength: max }).map((d) => d.join(''));

/** A D-1 decimal: short ones (the fast paths), long ones (more digits than a double holds). */
const decimalText = (max: number): fc.Arbitrary<string> =>
  fc
    .tuple(fc.boolean(), digits(max), fc.option(digits(max), { nil: undefined }))
    .map(([negative, int, frac]) => `${negative ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);

const amount = fc.oneof(decimalText(6), decimalText(12), decimalText(30), fc.constantFrom('0', '-0', '1', '-1', '0.00000001', '999999999999999'));

/** Equal to big.js's value: the same digits and exponent, and the same sign unless 0. */
function same(ours: Big, theirs: Big): void {
  expect(str(ours)).toBe(theirs.toFixed());
  expect(ours.c).toEqual(theirs.c);
  expect(ours.e).toBe(theirs.c[0] === 0 ? 0 : theirs.e);
  if (theirs.c[0] !== 0) expect(ours.s).toBe(theirs.s);
}

const modes: Rounding[] = [ROUND_DOWN, ROUND_HALF_UP, ROUND_UP];

function bigDivide(a: string, b: string, scale: number, mode: Rounding): Big {
  const ctor = Big();
  ctor.DP = scale;
  ctor.RM = mode;
  return new ctor(a).div(b);
}

describe('exact arithmetic on big.js values, without big.js copies', () => {
  it('add, sub and mul give big.js plus, minus and times', () => {
    fc.assert(
      fc.property(amount, amount, (a, b) => {
        same(add(dec(a), dec(b)), new Big(a).plus(b));
        same(sub(dec(a), dec(b)), new Big(a).minus(b));
        same(mul(dec(a), dec(b)), new Big(a).times(b));
      }),
      { numRuns: 3000 },
    );
  });

  it('their results are big.js values that big.js and the helpers keep using', () => {
    fc.assert(
      fc.property(amount, amount, amount, (a, b, c) => {
        const ours = mul(sub(add(dec(a), dec(b)), dec(c)), dec(b));
        const theirs = new Big(a).plus(b).minus(c).times(b);
        same(ours, theirs);
        same(ours.plus(c), theirs.plus(c));
        same(dec(c).minus(ours), new Big(c).minus(theirs));
        same(add(ours, ours), theirs.plus(theirs));
      }),
      { numRuns: 1000 },
    );
  });

  it('divide rounds the exact quotient once, as big.js does at that scale and mode (D-27)', () => {
    fc.assert(
      fc.property(amount, amount, fc.integer({ min: 0, max: 24 }), fc.constantFrom(...modes), (a, b, scale, mode) => {
        fc.pre(new Big(b).c[0] !== 0);
        same(divide(dec(a), dec(b), scale, mode), bigDivide(a, b, scale, mode));
      }),
      { numRuns: 5000 },
    );
  });

  it('divide by small integers (leverage) and by quantities, at the engine scale', () => {
    const small = fc.oneof(fc.integer({ min: 1, max: 125 }).map(String), decimalText(4));
    fc.assert(
      fc.property(amount, small, fc.constantFrom(...modes), (a, b, mode) => {
        fc.pre(new Big(b).c[0] !== 0);
        same(divide(dec(a), dec(b), 8, mode), bigDivide(a, b, 8, mode));
      }),
      { numRuns: 3000 },
    );
  });

  it('divide: exact halves, quotients just under and over a rounding step', () => {
    const cases: [string, string][] = [
      ['1', '3'], ['2', '3'], ['-2', '3'], ['0.000000005', '1'], ['0.000000015', '1'], ['-0.000000025', '1'],
      ['0.00000000499999999', '1'], ['1', '0.00000003'], ['4503599627370495', '1'], ['4503599627370497', '3'],
      ['99999999.999999995', '1'], ['0', '7'], ['-0', '-7'], ['1', '-1'],
    ];
    for (const [a, b] of cases) for (const mode of modes) for (const scale of [0, 1, 8, 12]) same(divide(dec(a), dec(b), scale, mode), bigDivide(a, b, scale, mode));
  });

  it('divide by 0 throws, as big.js does', () => {
    expect(() => divide(dec('1'), dec('0'), 8, ROUND_DOWN)).toThrow();
    expect(() => divide(dec('0'), dec('0'), 8, ROUND_DOWN)).toThrow();
  });

  it('round gives big.js round', () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 0, max: 24 }), fc.constantFrom(...modes), (a, scale, mode) => {
        same(round(dec(a), scale, mode), new Big(a).round(scale, mode));
      }),
      { numRuns: 3000 },
    );
  });
});
