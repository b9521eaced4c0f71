/**
 * The futures bonus on the wire: grant validation (A-4, D-1, G-2) and the state round trip of
 * bonuses and waiting reclaims.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeEvent, decodeState } from '../../src/index';
import { transfer, run } from '../helpers/dsl';
import { guardState } from './support';

const grant = (voucher: Record<string, unknown>) => ({
  type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'futuresBonus', id: 'F', amount: '50', rate: '0.5', expiresAt: 1000, ...voucher },
});

function errorPaths(json: unknown, scale?: number): string[] {
  const decoded = decodeEvent(json, scale);
  return decoded._tag === 'Left' ? decoded.left.map((e) => e.path) : [];
}

describe('A-4 A futures bonus grant decodes only with 0 < rate <= 1, amount > 0, integer expiresAt', () => {
  it.each([['0'], ['-0.5'], ['1.00000001'], ['2'], ['.5'], ['0.5e0'], ['0.000000001']])('rate %s is a decode error naming voucher.rate', (rate) => {
    expect(errorPaths(grant({ rate }))).toEqual(['voucher.rate']);
  });

  it('a JSON number as rate or amount is a decode error (G-2)', () => {
    expect(errorPaths(grant({ rate: 0.5, amount: 50 }))).toEqual(['voucher.amount', 'voucher.rate']);
  });

  it('amount 0 and a fractional expiresAt are decode errors', () => {
    expect(errorPaths(grant({ amount: '0', expiresAt: 1.5 }))).toEqual(['voucher.amount', 'voucher.expiresAt']);
  });

  it('D-1: trailing zeros do not count against the scale; rate 1 and a negative expiresAt are fine', () => {
    expect(errorPaths(grant({ rate: '0.500000000000' }))).toEqual([]);
    expect(errorPaths(grant({ rate: '1', expiresAt: -5 }))).toEqual([]);
  });

  it('the scale is the account\'s: at scale 2 a rate of 0.333 is a decode error', () => {
    expect(errorPaths(grant({ rate: '0.333' }), 2)).toEqual(['voucher.rate']);
    expect(errorPaths(grant({ rate: '0.33' }), 2)).toEqual([]);
  });

  it('property: every rate string in (0, 1] with at most 8 decimals decodes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000_000 }), (n) => {
        const rate = (n / 1e8).toFixed(8);
        expect(errorPaths(grant({ rate }))).toEqual([]);
      }),
    );
  });
});

describe('A-2 Bonuses and waiting reclaims survive encode/decode', () => {
  it('a state with a bonus awaiting reclaim and a waiting reclaim decodes back to itself from JSON', () => {
    const state = run(guardState(), [transfer('out', '10')]).state;
    expect(state.reclaims).toEqual([{ bonusIds: ['F'], trigger: 'transferOut' }]);
    const decoded = decodeState(JSON.parse(JSON.stringify(state)));
    expect(decoded).toEqual({ _tag: 'Right', right: state });
  });
});
