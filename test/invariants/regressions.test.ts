/**
 * Defects the invariant runs found, each kept as a fixed regression test. Each names the rule,
 * the invariant that caught it, and how it was found.
 */
import { describe, expect, it } from 'vitest';
import { account, grantLcv, grantPv, flag, ofType, run, tick } from '../helpers/dsl';

describe('regressions found by the invariant runs', () => {
  // Found by `effect-shape` once the streams respelled amounts ("5.0", "0.010", "007"), all valid
  // inputs (D-1, D-26): a loss coverage voucher kept its grant's spelling as its remaining, and
  // VoucherExpired/VoucherRevoked printed it as `unused`.
  it('G-2: an untouched loss coverage voucher granted as "10.50" or "007" prints `unused` canonically', () => {
    const r = run(account(), [
      grantLcv('l1', '10.50', { expiresAt: 5000 }),
      grantLcv('l2', '007'),
      grantPv('p1', '20.0'),
      tick(6000),
      flag(),
    ]);
    expect(ofType(r.effects, 'VoucherExpired').map((e) => e.unused)).toEqual(['10.5']);
    expect(ofType(r.effects, 'VoucherRevoked').map((e) => e.unused)).toEqual(['7', '20']);
  });
});
