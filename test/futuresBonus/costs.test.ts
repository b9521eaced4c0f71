/**
 * The wallet part of the cost pipeline (P-6): the bonus split (FB-3), the short-bonus and
 * short-own-funds fallbacks (FB-4, FB-5), FIFO in the pool (FB-6), which costs (FB-7), flagged
 * accounts (D-6), `fromBonus` (D-12) and statuses (D-31).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import { account, fill, flag, funding, grantFb, ofType, place, retiredAs, run, transfer, types, whereIs, type EventInput } from '../helpers/dsl';
import { guardState } from './support';
import { decodeState } from '../../src/index';

const cost = (over: Record<string, unknown>) => ({
  type: 'CostSettled', rule: 'P-6', symbol: 'BTCUSDT', positionSide: 'long', fromVoucher: '0', fromOwnMargin: '0', ...over,
});

/** An account holding a long of 10 BTCUSDT at 100 (no fee), ready to pay fees on further fills. */
function withPosition(own: string, grants: EventInput[], policy = {}) {
  return run(account({ ownBalance: own }, policy), [...grants, place('o1', 'open', '100', '100'), fill('o1', '10', '100')]).state;
}

describe('FB-3 Split', () => {
  it('worked example 2: a fee of 10 at rate 0.5 is 5 from the bonus and 5 from own funds', () => {
    const { effects, state } = run(withPosition('1000', [grantFb('F', '100', '0.5')]), [fill('o1', '1', '100', '10')]);
    expect(effects).toEqual([
      cost({ seq: 4, at: 0, cause: 'fee', orderId: 'o1', amount: '10', fromBonus: [{ bonusId: 'F', amount: '5' }], fromOwn: '5', deficit: '0' }),
    ]);
    expect(state.futuresBonuses[0]).toMatchObject({ remaining: '95', status: 'active' });
    expect(state.ownBalance).toBe('995');
  });

  it('the bonus share is rounded down to scale, own funds pay the rest (0.00000003 at 0.5)', () => {
    const { effects } = run(withPosition('1000', [grantFb('F', '100', '0.5')]), [fill('o1', '1', '100', '0.00000003')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '0.00000001' }], fromOwn: '0.00000002', deficit: '0' });
  });

  it('rounding down follows the policy scale (scale 2: 0.05 x 0.5 = 0.025 -> 0.02)', () => {
    const { effects } = run(withPosition('1000', [grantFb('F', '100', '0.5')], { scale: 2 }), [fill('o1', '1', '100', '0.05')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '0.05', fromBonus: [{ bonusId: 'F', amount: '0.02' }], fromOwn: '0.03' });
  });

  it('rate 0.33333333: a fee of 1 -> 0.33333333 bonus, 0.66666667 own', () => {
    const { effects } = run(withPosition('1000', [grantFb('F', '100', '0.33333333')]), [fill('o1', '1', '100', '1')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '0.33333333' }], fromOwn: '0.66666667' });
  });

  it('rate 1: the bonus pays the whole cost', () => {
    const { effects } = run(withPosition('1000', [grantFb('F', '100', '1')]), [fill('o1', '1', '100', '7.5')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '7.5' }], fromOwn: '0' });
  });

  it('D-12: a bonus share that rounds to 0 lists no bonus (0.00000001 at 0.5)', () => {
    const { effects, state } = run(withPosition('1000', [grantFb('F', '100', '0.5')]), [fill('o1', '1', '100', '0.00000001')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [], fromOwn: '0.00000001', deficit: '0' });
    expect(state.futuresBonuses[0]?.remaining).toBe('100');
  });

  it('property: with enough bonus and own funds the bonus pays exactly floor(C x rate) and own funds the rest', () => {
    const rate = fc.integer({ min: 1, max: 100_000_000 }).map((n) => new Big(n).div(1e8).toFixed());
    const fee = fc.integer({ min: 1, max: 10_000_000_000 }).map((n) => new Big(n).div(1e8).toFixed());
    fc.assert(
      fc.property(rate, fee, (r, f) => {
        const { effects } = run(withPosition('1000', [grantFb('F', '1000', r)]), [fill('o1', '1', '100', f)]);
        const share = new Big(f).times(r).round(8, Big.roundDown);
        const settled = ofType(effects, 'CostSettled')[0];
        expect(settled?.fromBonus).toEqual(share.gt(0) ? [{ bonusId: 'F', amount: share.toFixed() }] : []);
        expect(settled?.fromOwn).toBe(new Big(f).minus(share).toFixed());
      }),
    );
  });
});

describe('FB-4 Short bonus', () => {
  it('a pool holding less than the bonus share pays what it holds; own funds pay the gap; the bonus is spent', () => {
    const { effects, state } = run(withPosition('1000', [grantFb('F', '3', '0.5')]), [fill('o1', '1', '100', '10')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '10', fromBonus: [{ bonusId: 'F', amount: '3' }], fromOwn: '7', deficit: '0' });
    // F paid all 3 it held: spent, and retired at once (FV-8).
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'spent'));
  });

  it('a spent bonus pays nothing more', () => {
    const { effects } = run(withPosition('1000', [grantFb('F', '3', '0.5')]), [fill('o1', '1', '100', '10'), fill('o1', '1', '100', '10')]);
    expect(ofType(effects, 'CostSettled')[1]).toMatchObject({ fromBonus: [], fromOwn: '10' });
  });
});

describe('FB-5 Short own funds', () => {
  it('worked example 2: bonus 100 at 0.5, own 3, loss 10 -> bonus 5, own 3, bonus 2 more; bonus 93, own 0', () => {
    const { effects, state } = run(account({ ownBalance: '3' }), [
      grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100'), place('c1', 'close', '1', '90'), fill('c1', '1', '90'),
    ]);
    expect(ofType(effects, 'CostSettled')).toEqual([
      cost({ seq: 5, at: 0, cause: 'loss', orderId: 'c1', amount: '10', fromBonus: [{ bonusId: 'F', amount: '7' }], fromOwn: '3', deficit: '0' }),
    ]);
    expect(state.futuresBonuses[0]).toMatchObject({ remaining: '93', status: 'active' });
    expect(state.ownBalance).toBe('0');
  });

  it('what nobody can pay is a deficit that leaves own funds below zero', () => {
    // loss 10: (a) share 5, the pool holds 4; (b) own 3; (c) pool empty; (e) deficit 3.
    const { effects, state } = run(account({ ownBalance: '3' }), [
      grantFb('F', '4', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100'), place('c1', 'close', '1', '90'), fill('c1', '1', '90'),
    ]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '10', fromBonus: [{ bonusId: 'F', amount: '4' }], fromOwn: '3', deficit: '3' });
    expect(state.ownBalance).toBe('-3');
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'spent'));
  });

  it('own funds already below zero pay nothing; the pool pays on past its rate', () => {
    const start = run(account({ ownBalance: '3' }), [
      grantFb('F', '4', '0.5'), place('o1', 'open', '2', '100'), fill('o1', '2', '100'), place('c1', 'close', '1', '90'), fill('c1', '1', '90'),
      grantFb('G', '20', '0.5'),
    ]).state;
    expect(start.ownBalance).toBe('-3');
    const { effects, state } = run(start, [funding('4')]);
    expect(effects).toEqual([cost({ seq: 7, at: 0, cause: 'funding', amount: '4', fromBonus: [{ bonusId: 'G', amount: '4' }], fromOwn: '0', deficit: '0' })]);
    expect(state.ownBalance).toBe('-3');
  });

  it('(d) bonuses awaiting reclaim pay last, after the active pool has paid past its rate', () => {
    // Guard set-up, transfer out 10 defers F (own 90). G (150 at 0.3) is then the active pool.
    // Loss 200: (a) G 60, (b) own 90, (c) G 50 more; F, though granted first, pays nothing.
    const { effects, state } = run(guardState(), [transfer('out', '10'), grantFb('G', '150', '0.3'), place('c1', 'close', '1', '2400'), fill('c1', '1', '2400')]);
    expect(types(effects)).toEqual(['ReclaimDeferred', 'VoucherActivated', 'CostSettled', 'BonusReclaimed']);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ cause: 'loss', amount: '200', fromBonus: [{ bonusId: 'G', amount: '110' }], fromOwn: '90', deficit: '0' });
    // F is reclaimed with all 50 it held (it paid nothing) and retired (FV-8); G lives on.
    expect(ofType(effects, 'BonusReclaimed')).toMatchObject([{ bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
    expect(state.futuresBonuses.map((b) => [b.id, b.remaining, b.status])).toEqual([['G', '40', 'active']]);
    expect(state.retired.futuresBonuses).toEqual([['F', 'reclaimed']]);
  });

  it('(d) then (e): awaiting bonuses pay after the active pool is empty, each down to zero (spent), then the deficit', () => {
    // Loss 200: (a) share 60, G holds 10; (b) own 90; (c) nothing; (d) F 50 (spent); (e) deficit 50.
    const { effects, state } = run(guardState(), [transfer('out', '10'), grantFb('G', '10', '0.3'), place('c1', 'close', '1', '2400'), fill('c1', '1', '2400')]);
    expect(effects.slice(2)).toEqual([
      cost({ seq: 7, at: 0, cause: 'loss', orderId: 'c1', amount: '200', fromBonus: [{ bonusId: 'F', amount: '50' }, { bonusId: 'G', amount: '10' }], fromOwn: '90', deficit: '50' }),
    ]);
    expect(state.ownBalance).toBe('-50');
    expect(state.futuresBonuses).toEqual([]);
    expect(state.retired.futuresBonuses).toEqual([['F', 'spent'], ['G', 'spent']]);
    expect(state.reclaims).toEqual([]);
  });

  it('with no active bonus the share is 0: own funds pay first, then the awaiting bonus', () => {
    const { effects } = run(guardState(), [transfer('out', '10'), funding('100')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '100', fromBonus: [{ bonusId: 'F', amount: '10' }], fromOwn: '90', deficit: '0' });
  });
});

describe('FB-6 FIFO in the pool', () => {
  it('bonuses pay in grant order, each down to zero (spent) before the next', () => {
    const { effects, state } = run(withPosition('1000', [grantFb('F1', '3', '0.5'), grantFb('F2', '4', '0.5'), grantFb('F3', '100', '0.5')]), [fill('o1', '1', '100', '20')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F1', amount: '3' }, { bonusId: 'F2', amount: '4' }, { bonusId: 'F3', amount: '3' }], fromOwn: '10' });
    expect(state.futuresBonuses.map((b) => [b.id, b.remaining, b.status])).toEqual([['F3', '97', 'active']]);
    expect(state.retired.futuresBonuses).toEqual([['F1', 'spent'], ['F2', 'spent']]);
  });

  it('fromBonus lists each bonus once, summing (a) and (c)', () => {
    // own 4, loss 20 at 0.5: (a) F1 3 + F2 7 = 10; (b) own 4; (c) F2 6 more.
    const { effects } = run(account({ ownBalance: '4' }), [
      grantFb('F1', '3', '0.5'), grantFb('F2', '100', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100'), place('c1', 'close', '1', '80'), fill('c1', '1', '80'),
    ]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '20', fromBonus: [{ bonusId: 'F1', amount: '3' }, { bonusId: 'F2', amount: '13' }], fromOwn: '4', deficit: '0' });
  });
});

describe('FB-7 Which costs', () => {
  it('fees, funding paid and realised losses of a short position all split', () => {
    const { effects } = run(account(), [
      grantFb('F', '100', '0.5'),
      place('s1', 'open', '1', '100', { positionSide: 'short' }),
      fill('s1', '1', '100', '2'),
      funding('4', { positionSide: 'short' }),
      place('s2', 'close', '1', '110', { positionSide: 'short' }),
      fill('s2', '1', '110', '1'),
    ]);
    const split = ofType(effects, 'CostSettled').map((c) => [c.cause, c.positionSide, c.amount, c.fromBonus[0]?.amount, c.fromOwn]);
    expect(split).toEqual([['fee', 'short', '2', '1', '1'], ['funding', 'short', '4', '2', '2'], ['loss', 'short', '10', '5', '5'], ['fee', 'short', '1', '0.5', '0.5']]);
  });

  it('profits and funding received go to own funds and leave the bonus untouched', () => {
    const { effects, state } = run(account(), [
      grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100'), funding('-3'), place('c1', 'close', '1', '120'), fill('c1', '1', '120'),
    ]);
    expect(types(effects)).toEqual(['VoucherActivated', 'Credited', 'Credited']);
    expect(state.futuresBonuses[0]?.remaining).toBe('100');
    expect(state.ownBalance).toBe('1023');
  });

  it('a bonus awaiting reclaim pays no share at its rate, only as a fallback', () => {
    const { effects } = run(guardState(), [transfer('out', '10'), funding('10')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ amount: '10', fromBonus: [], fromOwn: '10', deficit: '0' });
  });
});

describe('D-6 Flagged accounts: no futures bonus pays', () => {
  it('not at its rate, and not as a fallback: own funds, then the deficit', () => {
    // Guard set-up; the flag's reclaim is deferred (E - B = 100, 130 >= 95): F awaits, still in equity.
    const { effects, steps, state } = run(guardState(), [flag(), funding('5'), funding('200')]);
    expect(steps[0]).toEqual([
      { type: 'ReclaimDeferred', seq: 4, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'flagged', projectedMarginRate: '1.3' },
    ]);
    expect(ofType(effects, 'CostSettled')).toEqual([
      cost({ seq: 5, at: 0, cause: 'funding', amount: '5', fromBonus: [], fromOwn: '5', deficit: '0' }),
      cost({ seq: 6, at: 0, cause: 'funding', amount: '200', fromBonus: [], fromOwn: '95', deficit: '105' }),
    ]);
    // After: own -105, F 50 awaiting: E = -55 <= 0 with MM 130: unbounded (M-2), signalled (M-3).
    expect(steps[2]?.[1]).toEqual({ type: 'LiquidationThresholdReached', seq: 6, at: 0, rule: 'M-3', marginRate: null });
    expect(state.futuresBonuses[0]).toMatchObject({ remaining: '50', status: 'awaitingReclaim' });
  });
});

describe('P-6 One CostSettled per cost, parts adding up (property)', () => {
  const amount = fc.integer({ min: 1, max: 5_000_000_000 }).map((n) => new Big(n).div(1e8).toFixed());
  const op = fc.oneof(
    fc.record({ kind: fc.constant('grant' as const), amount }),
    fc.record({ kind: fc.constant('fee' as const), amount }),
    fc.record({ kind: fc.constant('funding' as const), amount }),
    fc.record({ kind: fc.constant('out' as const), amount }),
    fc.record({ kind: fc.constant('flag' as const) }),
  );
  it('sum of parts = amount; own and bonus balances move by exactly the parts; remaining never < 0', () => {
    fc.assert(
      fc.property(fc.constantFrom('0', '5', '30'), fc.constantFrom('0.5', '0.3', '1'), fc.array(op, { maxLength: 20 }), (own, rate, ops) => {
        let state = run(account({ ownBalance: own }), [place('o1', 'open', '100', '100'), fill('o1', '1', '100')]).state;
        let n = 0;
        for (const o of ops) {
          const event: EventInput =
            o.kind === 'grant' ? grantFb(`F${++n}`, o.amount, rate)
            : o.kind === 'fee' ? fill('o1', '0.01', '100', o.amount)
            : o.kind === 'funding' ? funding(o.amount)
            : o.kind === 'out' ? transfer('out', o.amount)
            : flag();
          const before = state;
          const { effects, state: after } = run(state, [event]);
          state = after;
          let ownMoved = new Big(0);
          const paid = new Map<string, Big>();
          for (const c of ofType(effects, 'CostSettled')) {
            const parts = c.fromBonus.reduce((s, b) => s.plus(b.amount), new Big(c.fromVoucher).plus(c.fromOwnMargin).plus(c.fromOwn).plus(c.deficit));
            expect(parts.eq(c.amount)).toBe(true);
            expect(c.fromBonus.every((b) => new Big(b.amount).gt(0))).toBe(true);
            const ids = c.fromBonus.map((b) => b.bonusId);
            expect(ids).toEqual(before.futuresBonuses.map((b) => b.id).filter((id) => ids.includes(id)));
            if (before.status === 'flagged') expect(c.fromBonus).toEqual([]);
            ownMoved = ownMoved.minus(c.fromOwn).minus(c.deficit);
            for (const b of c.fromBonus) paid.set(b.bonusId, (paid.get(b.bonusId) ?? new Big(0)).plus(b.amount));
          }
          if (o.kind === 'out' && types(effects)[0] !== 'EventRejected') ownMoved = ownMoved.minus(o.amount);
          expect(new Big(after.ownBalance).minus(before.ownBalance).eq(ownMoved)).toBe(true);
          for (const b of after.futuresBonuses) {
            expect(new Big(b.remaining).gte(0)).toBe(true);
            const prior = before.futuresBonuses.find((p) => p.id === b.id);
            if (prior === undefined || b.status === 'reclaimed') continue;
            expect(new Big(prior.remaining).minus(b.remaining).eq(paid.get(b.id) ?? 0)).toBe(true);
            expect(b.status === 'spent').toBe(new Big(b.remaining).eq(0));
          }
          // FV-8: a bonus spent in this step has left its array: it paid exactly all it held.
          for (const [id, status] of after.retired.futuresBonuses.slice(before.retired.futuresBonuses.length)) {
            if (status !== 'spent') continue;
            const prior = before.futuresBonuses.find((p) => p.id === id);
            expect(prior).toBeDefined();
            expect(new Big(prior?.remaining ?? '0').eq(paid.get(id) ?? 0)).toBe(true);
          }
        }
      }),
    );
  });
});

describe('FB-3 The pool rate is that of the active bonuses with remaining', () => {
  it('a stored active bonus at remaining 0 with another rate does not set the split rate', () => {
    const base = run(account(), [grantFb('F0', '10', '0.3'), place('o1', 'open', '100', '100'), fill('o1', '10', '100')]).state;
    const stored = decodeState(JSON.parse(JSON.stringify({ ...base, futuresBonuses: base.futuresBonuses.map((b) => ({ ...b, remaining: '0' })) })));
    if (stored._tag === 'Left') throw new Error('the stored state must decode');
    // F0 has nothing left, so F (0.5) may be granted (FB-2) and the pool splits at 0.5: 10 -> 5 / 5.
    const { effects } = run(stored.right, [grantFb('F', '100', '0.5'), fill('o1', '1', '100', '10')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '5' }], fromOwn: '5' });
  });
});
