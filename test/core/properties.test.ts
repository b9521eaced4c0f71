/**
 * Properties over random, valid-shaped event streams (test/core/arbitraries.ts): the step is
 * total and pure (G-1), idempotent (G-5), deterministic, round-trips its state, rejects
 * without side effects, and never creates or loses money (G-3, P-6).
 *
 * Conservation of the own balance, checked for every step (all amounts exact):
 *
 *   own' - own = credits                      (Credited: profit and funding received, P-5)
 *              - (fromOwn + deficit)          (the own parts of every CostSettled, P-6)
 *              + transfer in - transfer out   (an accepted FundsTransferred)
 *              - ownMargin committed          (PositionVoucherApplied.ownMargin, PV-3)
 *              + own margin returned          (PV-4 cancel or shrink, PV-8 close)
 *              - clawbacks taken              (ProfitClawedBack that takes from the own balance, PV-10)
 *
 * "Own margin returned" has no effect of its own (D-18), so it is derived from the states: the own
 * margin held by voucher orders and positions changes by what is committed, less what costs took
 * from it (CostSettled.fromOwnMargin), less what returned:
 *
 *   returned = committed - fromOwnMargin - (heldOwnMargin' - heldOwnMargin)
 *
 * and it must never be negative, and be positive only on a cancel or a fill. A ProfitClawedBack
 * that replaces a Credited on a flagged account (D-30) takes nothing: it is the one emitted by a
 * fill on an account already flagged whose `outstanding` is the voucher's outstanding before the
 * step (a take always lowers it).
 *
 * Alongside: futures bonuses (sum of remaining) change by grants - fromBonus - BonusReclaimed, and
 * voucher margin (held by orders and positions) by PositionVoucherApplied.voucherMargin -
 * fromVoucher - VoucherForfeited.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import {
  decodeEvent,
  decodeScenario,
  decodeState,
  EffectCodec,
  encodeState,
  replayJson,
  step,
  createAccount,
  type AccountState,
  type Effect,
  type EffectOf,
  type Event,
} from '../../src/index';
import { sessionArb, type Session } from './arbitraries';
import { deepFreeze } from './support';
import { account, cancel, fill, flag, grantPv, place, transfer, type EventInput } from '../helpers/dsl';

const ZERO = new Big(0);
const sum = (values: readonly string[]): Big => values.reduce((total, v) => total.plus(v), ZERO);
const of = <K extends Effect['type']>(effects: readonly Effect[], type: K): EffectOf<K>[] =>
  effects.filter((e): e is EffectOf<K> => e.type === type);

function heldOwnMargin(s: AccountState): Big {
  return sum([...s.orders.map((o) => o.heldMargin?.ownMargin ?? '0'), ...s.positions.map((p) => p.voucher?.ownMargin ?? '0')]);
}
function heldVoucherMargin(s: AccountState): Big {
  return sum([...s.orders.map((o) => o.heldMargin?.voucherMargin ?? '0'), ...s.positions.map((p) => p.voucher?.voucherMargin ?? '0')]);
}
function bonusTotal(s: AccountState): Big {
  return sum(s.futuresBonuses.map((b) => b.remaining));
}

function decodeSession(session: Session): { start: AccountState; events: Event[] } {
  const decoded = decodeScenario(session);
  if (decoded._tag === 'Left') throw new Error(`the generator made an invalid event: ${JSON.stringify(decoded.left)}`);
  return { start: createAccount(decoded.right.account, decoded.right.policy), events: decoded.right.events };
}

/** Every check of one step from `before` with `event`; returns the state after. */
function checkStep(before: AccountState, event: Event): AccountState {
  const { state: after, effects } = step(before, event);

  // G-8: every effect is well formed and names its event.
  for (const effect of effects) {
    expect(EffectCodec.decode(effect)._tag).toBe('Right');
    expect(effect.seq).toBe(event.seq);
  }

  // G-5, D-3: a duplicate changes nothing.
  if (event.seq <= before.lastSeq) {
    expect(effects).toEqual([{ type: 'EventIgnored', seq: event.seq, at: event.at, rule: 'G-5', reason: 'duplicate' }]);
    expect(after).toBe(before);
    return after;
  }
  expect(after.lastSeq).toBe(event.seq);

  // G-4, D-28: an event from the past advances seq only.
  if (event.at < before.clock) {
    expect(effects).toEqual([expect.objectContaining({ type: 'EventRejected', code: 'OUT_OF_ORDER', rule: 'G-4', at: event.at })]);
    expect(after).toEqual({ ...before, lastSeq: event.seq });
    return after;
  }
  expect(after.clock).toBe(event.at);
  for (const effect of effects) expect(effect.at).toBeLessThanOrEqual(event.at);

  // A rejection changes nothing but what the clock (and the M-3 check) would have done anyway.
  const rejections = of(effects, 'EventRejected');
  expect(rejections.length).toBeLessThanOrEqual(1);
  const accepted = rejections.length === 0;
  if (!accepted) {
    const asTick = step(before, { type: 'Tick', seq: event.seq, at: event.at });
    expect(after).toEqual(asTick.state);
    expect(effects.filter((e) => e.type !== 'EventRejected')).toEqual(asTick.effects);
  }

  // P-6: every cost's parts add up to it; every amount is positive or zero as it should be.
  for (const cost of of(effects, 'CostSettled')) {
    const parts = sum([cost.fromVoucher, cost.fromOwnMargin, ...cost.fromBonus.map((b) => b.amount), cost.fromOwn, cost.deficit]);
    expect(parts.eq(cost.amount)).toBe(true);
    expect(new Big(cost.amount).gt(0)).toBe(true);
    for (const part of [cost.fromVoucher, cost.fromOwnMargin, cost.fromOwn, cost.deficit]) expect(new Big(part).gte(0)).toBe(true);
    for (const b of cost.fromBonus) expect(new Big(b.amount).gt(0)).toBe(true);
  }
  for (const credit of of(effects, 'Credited')) expect(new Big(credit.amount).gt(0)).toBe(true);

  // Own balance conservation (see the header).
  const costs = of(effects, 'CostSettled');
  const credits = sum(of(effects, 'Credited').map((e) => e.amount));
  const paidFromOwn = sum(costs.flatMap((e) => [e.fromOwn, e.deficit]));
  const paidFromOwnMargin = sum(costs.map((e) => e.fromOwnMargin));
  const transferIn = accepted && event.type === 'FundsTransferred' && event.direction === 'in' ? new Big(event.amount) : ZERO;
  const transferOut = accepted && event.type === 'FundsTransferred' && event.direction === 'out' ? new Big(event.amount) : ZERO;
  const committed = sum(of(effects, 'PositionVoucherApplied').map((e) => e.ownMargin));
  const returned = committed.minus(paidFromOwnMargin).minus(heldOwnMargin(after).minus(heldOwnMargin(before)));
  const outstandingBefore = new Map(before.positionVouchers.map((v) => [v.id, v.outstanding]));
  const replacesCredit = (e: EffectOf<'ProfitClawedBack'>): boolean =>
    event.type === 'OrderFilled' && before.status === 'flagged' && e.outstanding === outstandingBefore.get(e.voucherId);
  const clawedBack = sum(of(effects, 'ProfitClawedBack').filter((e) => !replacesCredit(e)).map((e) => e.amount));
  const expectedOwn = new Big(before.ownBalance)
    .plus(credits)
    .minus(paidFromOwn)
    .plus(transferIn)
    .minus(transferOut)
    .minus(committed)
    .plus(returned)
    .minus(clawedBack);
  expect(returned.gte(0)).toBe(true);
  if (returned.gt(0)) expect(['OrderCancelled', 'OrderFilled']).toContain(event.type);
  expect(new Big(after.ownBalance).eq(expectedOwn)).toBe(true);
  // The same equation without `returned`: own funds plus own margin held are conserved.
  expect(
    new Big(after.ownBalance).plus(heldOwnMargin(after)).eq(
      new Big(before.ownBalance).plus(heldOwnMargin(before)).plus(credits).minus(paidFromOwn).minus(paidFromOwnMargin).plus(transferIn).minus(transferOut).minus(clawedBack),
    ),
  ).toBe(true);

  // Futures bonuses: grants - payments - reclaims.
  const granted =
    event.type === 'VoucherGranted' && event.voucher.kind === 'futuresBonus' && of(effects, 'VoucherActivated').some((e) => e.voucherId === event.voucher.id)
      ? new Big(event.voucher.amount)
      : ZERO;
  const paidByBonus = sum(costs.flatMap((e) => e.fromBonus.map((b) => b.amount)));
  const reclaimed = sum(of(effects, 'BonusReclaimed').map((e) => e.amount));
  expect(bonusTotal(after).eq(bonusTotal(before).plus(granted).minus(paidByBonus).minus(reclaimed))).toBe(true);

  // Voucher margin: committed - paid - forfeited.
  const voucherCommitted = sum(of(effects, 'PositionVoucherApplied').map((e) => e.voucherMargin));
  const paidByVoucher = sum(costs.map((e) => e.fromVoucher));
  const forfeited = sum(of(effects, 'VoucherForfeited').map((e) => e.amount));
  expect(heldVoucherMargin(after).eq(heldVoucherMargin(before).plus(voucherCommitted).minus(paidByVoucher).minus(forfeited))).toBe(true);

  // G-5: the same event delivered again changes nothing.
  const again = step(after, event);
  expect(again.state).toBe(after);
  expect(again.effects).toEqual([{ type: 'EventIgnored', seq: event.seq, at: event.at, rule: 'G-5', reason: 'duplicate' }]);

  // decode(encode(state)) equals the state, through JSON text too.
  expect(decodeState(encodeState(after))).toEqual({ _tag: 'Right', right: after });
  expect(decodeState(JSON.parse(JSON.stringify(encodeState(after))))).toEqual({ _tag: 'Right', right: after });
  return after;
}

const RUNS = { numRuns: 250 };

describe('G-1, G-3, G-5, A-2, P-6 properties over random event streams', () => {
  it('the step never throws, never mutates its (deep-frozen) inputs, and every step passes every check above', () => {
    fc.assert(
      fc.property(sessionArb(40), (session) => {
        const { start, events } = decodeSession(session);
        let state = deepFreeze(start);
        for (const event of events) {
          const eventText = JSON.stringify(event);
          const stateText = JSON.stringify(state);
          const next = checkStep(state, deepFreeze(event));
          expect(JSON.stringify(event)).toBe(eventText);
          expect(JSON.stringify(state)).toBe(stateText);
          state = deepFreeze(next);
        }
      }),
      RUNS,
    );
  }, 120_000);

  it('replaying the same events gives identical output, byte for byte', () => {
    fc.assert(
      fc.property(sessionArb(30), (session) => {
        const first = replayJson(session);
        const second = replayJson(JSON.parse(JSON.stringify(session)));
        expect(first._tag).toBe('Right');
        expect(JSON.stringify(second)).toBe(JSON.stringify(first));
      }),
      RUNS,
    );
  }, 120_000);

  it('the streams are not trivial: across runs they reach fills, vouchers, bonuses, rejections and duplicates', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(sessionArb(40), (session) => {
        const result = replayJson(session);
        if (result._tag === 'Right') for (const e of result.right.effects) seen.add(e.type === 'EventRejected' ? e.code : e.type);
      }),
      { numRuns: 300, seed: 42 },
    );
    for (const kind of [
      'CostSettled', 'Credited', 'PositionVoucherApplied', 'VoucherForfeited', 'LossCoverageApplied', 'BonusReclaimed', 'ReclaimDeferred',
      'LiquidationThresholdReached', 'EventIgnored', 'OUT_OF_ORDER', 'UNKNOWN_ORDER', 'FILL_EXCEEDS_ORDER', 'INSUFFICIENT_TRANSFERABLE',
      'DUPLICATE_VOUCHER', 'VoucherExpired', 'VoucherForfeited',
    ]) {
      expect(seen).toContain(kind);
    }
  }, 120_000);
});

describe('the conservation check on a hand-made session with every kind of own-balance movement', () => {
  it('own margin committed and returned (PV-3, PV-4, PV-8), clawback takes and a clawback in place of a credit (PV-10, D-30)', () => {
    const inputs: EventInput[] = [
      grantPv('P', '5', { allowOwnFunds: true }),
      grantPv('Q', '20'),
      grantPv('R', '50'),
      grantPv('S', '5', { allowOwnFunds: true }),
      place('v1', 'open', '1', '100', { voucher: 'P' }), // required 10: voucher 5 + own margin 5 (own 95)
      fill('v1', '1', '100', '1'), // the fee comes from the voucher margin (4 left)
      place('v2', 'open', '1', '100', { symbol: 'ETHUSDT', voucher: 'Q' }), // required 10 <= 20: no own margin
      fill('v2', '1', '100'),
      place('v4', 'open', '1', '100', { symbol: 'XRPUSDT', voucher: 'S' }), // own margin 5 (own 90)
      cancel('v4'), // PV-4: S forfeits 5, own margin 5 returns (own 95)
      place('c1', 'close', '1', '150'),
      fill('c1', '1', '150'), // profit 50 credited; PV-8: P forfeits 4, own margin 5 returns (own 150)
      transfer('out', '140'), // own 10
      flag(), // R revoked; P: takes 10 of 50 (own 0), 40 outstanding
      place('c2', 'close', '1', '130', { symbol: 'ETHUSDT' }),
      fill('c2', '1', '130'), // flagged: ProfitClawedBack 30 instead of a credit; Q forfeits 20
      transfer('in', '25'), // takes 25, 15 outstanding (own 0)
      transfer('in', '100'), // takes 15 (own 85)
    ];
    let state = account({ ownBalance: '100' });
    const all: Effect[] = [];
    for (const input of inputs) {
      const decoded = decodeEvent({ seq: state.lastSeq + 1, at: state.clock, ...input }, state.policy.scale);
      if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
      all.push(...step(state, decoded.right).effects);
      state = checkStep(state, decoded.right);
    }
    expect(of(all, 'PositionVoucherApplied').map((e) => [e.voucherId, e.ownMargin])).toEqual([['P', '5'], ['Q', '0'], ['S', '5']]);
    expect(of(all, 'VoucherForfeited').map((e) => [e.voucherId, e.amount, e.rule])).toEqual([['S', '5', 'PV-4'], ['P', '4', 'PV-8'], ['Q', '20', 'PV-8']]);
    expect(of(all, 'Credited').map((e) => e.amount)).toEqual(['50']);
    expect(of(all, 'VoucherRevoked').map((e) => e.voucherId)).toEqual(['R']);
    expect(of(all, 'ProfitClawedBack').map((e) => [e.voucherId, e.amount, e.outstanding])).toEqual([
      ['P', '10', '40'],
      ['Q', '30', '0'],
      ['P', '25', '15'],
      ['P', '15', '0'],
    ]);
    expect(state.ownBalance).toBe('85');
  });
});
