import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../src/index';
import { account, grantFb, grantLcv, grantPv, ofType, run, flag, tick } from './helpers/dsl';

describe('G-2 amounts are canonical from decode onwards', () => {
  it.each([
    ['007.50', '7.5'], ['1.0', '1'], ['-0', '0'], ['-0.000', '0'], ['00', '0'], ['0.5', '0.5'], ['-12.340', '-12.34'], ['10', '10'],
  ])('a funding amount %s decodes as %s', (given, canonical) => {
    const decoded = decodeEvent({ type: 'FundingSettled', seq: 1, at: 0, symbol: 'X', positionSide: 'long', amount: given });
    expect(decoded._tag === 'Right' && decoded.right.type === 'FundingSettled' ? decoded.right.amount : undefined).toBe(canonical);
  });

  it('a grant written "010.50" is echoed as "10.5" by every effect that repeats it', () => {
    const { effects } = run(account(), [
      grantLcv('L', '010.50'),
      grantPv('P', '020.000'),
      grantFb('F', '30.10', '0.50', { expiresAt: 5 }),
      tick(5),
      flag(),
    ]);
    expect(ofType(effects, 'VoucherRevoked').map((e) => e.unused)).toEqual(['10.5', '20']);
    expect(ofType(effects, 'BonusReclaimed').map((e) => e.amount)).toEqual(['30.1']);
  });
});
