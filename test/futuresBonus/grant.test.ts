/**
 * Futures bonus grants: stacking of equal rates (FB-1) and the rate-conflict refusal (FB-2),
 * with the grant rejections' order (D-7) and ids (D-31).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { account, fill, flag, grantFb, ofType, place, run, transfer, types } from '../helpers/dsl';
import { decodeState } from '../../src/index';

const rejected = (code: string, rule: string, seq: number) => ({
  type: 'EventRejected', seq, at: 0, rule, code, message: expect.any(String) as unknown,
});

describe('FB-1 Stacking', () => {
  it('"0.5" and "0.50" are the same rate: both are granted and pay as one pool, in grant order', () => {
    const { effects, state } = run(account(), [
      grantFb('F1', '10', '0.5'),
      grantFb('F2', '10', '0.50'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100', '30'),
    ]);
    expect(types(effects)).toEqual(['VoucherActivated', 'VoucherActivated', 'CostSettled']);
    // bonusShare = 30 x 0.5 = 15: F1 pays its 10 (spent), F2 the other 5; own pays 15.
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '30', fromBonus: [{ bonusId: 'F1', amount: '10' }, { bonusId: 'F2', amount: '5' }], fromOwn: '15', deficit: '0' });
    expect(state.futuresBonuses.map((b) => [b.id, b.remaining, b.status])).toEqual([['F2', '5', 'active']]);
    expect(state.retired.futuresBonuses).toEqual([['F1', 'spent']]);
    expect(state.ownBalance).toBe('985');
  });

  it('"1" and "1.000" stack too', () => {
    const { effects } = run(account(), [grantFb('F1', '10', '1'), grantFb('F2', '10', '1.000')]);
    expect(types(effects)).toEqual(['VoucherActivated', 'VoucherActivated']);
  });
});

describe('FB-2 Rate conflict', () => {
  it('a different rate while an active bonus has remaining is BONUS_RATE_CONFLICT, and nothing changes', () => {
    const before = run(account(), [grantFb('F1', '10', '0.5')]).state;
    const { effects, state } = run(before, [grantFb('F2', '10', '0.3')]);
    expect(effects).toEqual([rejected('BONUS_RATE_CONFLICT', 'FB-2', 2)]);
    expect(state.futuresBonuses).toEqual(before.futuresBonuses);
    expect(state.lastSeq).toBe(2);
  });

  it('a rejected grant takes no id (D-31): the same id is granted later at the pool rate', () => {
    const { effects, state } = run(account(), [grantFb('F1', '10', '0.5'), grantFb('F2', '10', '0.3'), grantFb('F2', '10', '0.5')]);
    expect(types(effects)).toEqual(['VoucherActivated', 'EventRejected', 'VoucherActivated']);
    expect(state.futuresBonuses.map((b) => b.id)).toEqual(['F1', 'F2']);
  });

  it('a different rate is fine once the active bonus is spent', () => {
    const { effects, state } = run(account(), [
      grantFb('F1', '10', '0.5'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100', '20'), // bonusShare 10: F1 pays all it has and is spent
      grantFb('F2', '10', '0.3'),
    ]);
    expect(types(effects)).toEqual(['VoucherActivated', 'CostSettled', 'VoucherActivated']);
    expect(state.futuresBonuses.map((b) => [b.id, b.status])).toEqual([['F2', 'active']]);
    expect(state.retired.futuresBonuses).toEqual([['F1', 'spent']]);
  });

  it('a different rate is fine once the active bonus is reclaimed', () => {
    const { effects } = run(account(), [grantFb('F1', '10', '0.5'), transfer('out', '1'), grantFb('F2', '10', '0.3')]);
    expect(types(effects)).toEqual(['VoucherActivated', 'BonusReclaimed', 'VoucherActivated']);
  });

  it('a bonus awaiting reclaim does not conflict (only an active one does)', () => {
    const { effects, state } = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('F1', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
      transfer('out', '10'), // deferred (worked example 3)
      grantFb('F2', '10', '0.3'),
    ]);
    expect(types(effects)).toEqual(['VoucherActivated', 'ReclaimDeferred', 'VoucherActivated']);
    expect(state.futuresBonuses.map((b) => b.status)).toEqual(['awaitingReclaim', 'active']);
  });

  it('D-7: ACCOUNT_FLAGGED before DUPLICATE_VOUCHER before BONUS_RATE_CONFLICT', () => {
    const base = run(account(), [grantFb('F1', '10', '0.5')]).state;
    expect(run(base, [grantFb('F1', '10', '0.3')]).effects).toEqual([rejected('DUPLICATE_VOUCHER', 'A-5', 2)]);
    const flagged = run(base, [flag()]).state;
    expect(run(flagged, [grantFb('F1', '10', '0.3')]).effects).toEqual([rejected('ACCOUNT_FLAGGED', 'G-7', 3)]);
  });

  it('property: a grant is refused exactly when an active bonus with remaining holds a numerically different rate', () => {
    const rates = ['0.5', '0.50', '0.3', '0.300', '1', '1.0', '0.00000001'];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('grant' as const), rate: fc.constantFrom(...rates), amount: fc.constantFrom('1', '5', '20') }),
      fc.record({ kind: fc.constant('fee' as const), fee: fc.constantFrom('1', '10', '40') }),
      fc.record({ kind: fc.constant('out' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 14 }), (ops) => {
        let state = run(account({ ownBalance: '100000' }), [place('o', 'open', '1000', '1')]).state;
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'grant') {
            const id = `F${++n}`;
            const activeRates = state.futuresBonuses.filter((b) => b.status === 'active' && Number(b.remaining) > 0).map((b) => Number(b.rate));
            const conflict = activeRates.some((r) => r !== Number(o.rate));
            const { effects, state: next } = run(state, [grantFb(id, o.amount, o.rate)]);
            expect(types(effects)).toEqual([conflict ? 'EventRejected' : 'VoucherActivated']);
            if (conflict) expect(next.futuresBonuses).toEqual(state.futuresBonuses);
            state = next;
          } else if (o.kind === 'fee') {
            state = run(state, [fill('o', '0.001', '1', o.fee)]).state;
          } else {
            state = run(state, [transfer('out', '0.00000001')]).state;
          }
        }
      }),
    );
  });
});

describe('FB-2 Rate conflict: the letter of the rule', () => {
  it('an active bonus whose expiry falls due in this step\'s clock work no longer conflicts (G-6: the clock first)', () => {
    const { effects } = run(account(), [grantFb('F1', '10', '0.5', { expiresAt: 1000 }), grantFb('F2', '10', '0.3', {}, 1000)]);
    expect(types(effects)).toEqual(['VoucherActivated', 'BonusReclaimed', 'VoucherActivated']);
  });

  it('a stored state with an active bonus at remaining 0 does not conflict ("an active bonus with remaining > 0")', () => {
    const base = run(account(), [grantFb('F1', '10', '0.5')]).state;
    const stored = decodeState(JSON.parse(JSON.stringify({ ...base, futuresBonuses: base.futuresBonuses.map((b) => ({ ...b, remaining: '0' })) })));
    if (stored._tag === 'Left') throw new Error('the stored state must decode');
    expect(types(run(stored.right, [grantFb('F2', '10', '0.3')]).effects)).toEqual(['VoucherActivated']);
  });
});
