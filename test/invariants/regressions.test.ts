/**
 * Defects the invariant runs found, each kept as a fixed regression test. Each names the rule,
 * the invariant that caught it, and how it was found.
 */
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../src/index';
import { checkStream } from '../../src/testing/index';
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

  it('G-2: the same stream, from the wire, passes every invariant of the kit', () => {
    const wire = [
      { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'l1', amount: '10.50', expiresAt: 5000 } },
      { type: 'VoucherGranted', seq: 2, at: 0, voucher: { kind: 'lossCoverage', id: 'l2', amount: '007' } },
      { type: 'Tick', seq: 3, at: 6000 },
      { type: 'AccountFlagged', seq: 4, at: 6000, reason: 'farming' },
    ];
    const events = wire.map((json) => {
      const decoded = decodeEvent(json);
      if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
      return decoded.right;
    });
    const report = checkStream({ account: { accountId: 'acc-1', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' }, events });
    expect(report.violations).toEqual([]);
  });
});
