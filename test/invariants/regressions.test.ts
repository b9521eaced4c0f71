/**
 * Defects the invariant runs found, each kept as a fixed regression test. Each names the rule,
 * the invariant that caught it, and how it was found.
 */
import { describe, expect, it } from 'vitest';
import { createAccount, decodeEvent, decodeState, encodeState } from '../../src/index';
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

  // Found by `json-roundtrip` once arbAccount and arbPolicy respelled decimals ("1000.00", "0.950"):
  // createAccount kept the spelling of a typed account's balance and policy, while decodeState
  // now returns canonical decimals, so decode(encode(state)) differed from the state.
  it('A-2: a state created from "1000.00" and a policy of "0.950" round-trips through JSON', () => {
    const state = createAccount(
      { accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '01000.00' },
      { minLoss: '1.0', reclaimGuardRate: '0.950', liquidationRate: '1.00', defaultMmr: '0.0050', instruments: { BTCUSDT: { mmr: '0.040' } } },
    );
    const decoded = decodeState(JSON.parse(JSON.stringify(encodeState(state))));
    expect(decoded._tag).toBe('Right');
    if (decoded._tag === 'Right') expect(decoded.right).toEqual(state);
    expect(state.ownBalance).toBe('1000');
    expect(state.policy).toMatchObject({ minLoss: '1', reclaimGuardRate: '0.95', liquidationRate: '1', defaultMmr: '0.005', instruments: { BTCUSDT: { mmr: '0.04' } } });
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
