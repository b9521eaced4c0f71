/**
 * The testing kit itself: its arbitraries draw valid streams that reach the edge cases they
 * promise, and each of its checkers catches a planted fault (so none of them can pass vacuously).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAccount,
  decodeEvent,
  encodeState,
  step,
  type AccountState,
  type Effect,
  type Event,
  type StepResult,
} from '../../src/index';
import {
  arbAccount,
  arbAccountState,
  arbEventStream,
  arbPolicy,
  checkStep,
  checkStream,
  deepEqual,
  INVARIANTS,
  type InvariantName,
} from '../../src/testing/index';
import { account, fill, grantFb, grantLcv, grantPv, place, transfer } from '../helpers/dsl';
import { last, stepAll, type Stepped } from './support';

const DAY = 86_400_000;

function invariantsOf(s: { before: AccountState; event: Event; result: StepResult }): InvariantName[] {
  return [...new Set(checkStep(s.before, s.event, s.result).map((v) => v.invariant))];
}

function withState(s: Stepped, change: (state: AccountState) => AccountState): Stepped {
  return { ...s, result: { state: change(s.result.state), effects: s.result.effects } };
}

function withEffects(s: Stepped, change: (effects: Effect[]) => Effect[]): Stepped {
  return { ...s, result: { state: s.result.state, effects: change([...s.result.effects]) } };
}

describe('arbitraries', () => {
  it('policies, accounts and fresh states decode and start at seq 0', () => {
    fc.assert(
      fc.property(arbAccountState(), (state) => {
        expect(state.lastSeq).toBe(0);
        expect(state.clock).toBe(0);
        expect(deepEqual(JSON.parse(JSON.stringify(encodeState(state))), state)).toBe(true);
      }),
      { numRuns: 50 },
    );
    for (const policy of fc.sample(arbPolicy(), { numRuns: 30, seed: 3 })) expect(policy.scale).toBeTypeOf('number');
    const types = new Set(fc.sample(arbAccount(), { numRuns: 200, seed: 4 }).map((a) => `${a.accountType}/${a.positionMode}`));
    expect(types.size).toBe(6);
  });

  it('streams are valid: wire-decodable events, seq 1.., at never back, fills and closes of live orders and positions', () => {
    const refused = new Set(['UNKNOWN_ORDER', 'FILL_EXCEEDS_ORDER', 'FILL_EXCEEDS_POSITION', 'UNKNOWN_POSITION', 'DUPLICATE_ORDER', 'DUPLICATE_VOUCHER', 'INSUFFICIENT_TRANSFERABLE', 'OUT_OF_ORDER']);
    fc.assert(
      fc.property(arbEventStream({ length: { min: 1, max: 50 }, bias: true }), (stream) => {
        let state = createAccount(stream.account, stream.policy);
        let at = 0;
        stream.events.forEach((event, i) => {
          expect(event.seq).toBe(i + 1);
          expect(event.at).toBeGreaterThanOrEqual(at);
          at = event.at;
          const decoded = decodeEvent(JSON.parse(JSON.stringify(event)), state.policy.scale);
          expect(decoded._tag, JSON.stringify(event)).toBe('Right');
          if (decoded._tag === 'Right') expect(deepEqual(decoded.right, event)).toBe(true);
          if (event.type === 'OrderFilled') {
            const order = state.orders.find((o) => o.orderId === event.orderId);
            expect(order, `fill of ${event.orderId}`).toBeDefined();
          }
          const result = step(state, event);
          for (const e of result.effects) {
            if (e.type === 'EventRejected') expect(refused.has(e.code), `${e.code}: ${e.message}`).toBe(false);
          }
          state = result.state;
        });
      }),
      { numRuns: 150 },
    );
  }, 60_000);

  it('noise brings the rejections a valid stream avoids', () => {
    const codes = new Set<string>();
    for (const stream of fc.sample(arbEventStream({ length: 40, noise: 0.2 }), { numRuns: 60, seed: 11 })) {
      let state = createAccount(stream.account, stream.policy);
      for (const event of stream.events) {
        const result = step(state, event);
        for (const e of result.effects) if (e.type === 'EventRejected') codes.add(e.code);
        state = result.state;
      }
    }
    for (const code of ['UNKNOWN_ORDER', 'FILL_EXCEEDS_ORDER', 'DUPLICATE_ORDER', 'DUPLICATE_VOUCHER', 'INSUFFICIENT_TRANSFERABLE', 'UNKNOWN_POSITION']) {
      expect(codes, code).toContain(code);
    }
  }, 60_000);

  it('bias reaches the edge cases: minLoss exactly, one-unit fees, equal timestamps, midnights, expiries hit, the guard rate', () => {
    const seen = new Map<string, number>();
    const hit = (what: string): void => void seen.set(what, (seen.get(what) ?? 0) + 1);
    const effects = new Set<string>();
    for (const stream of fc.sample(arbEventStream({ length: 60, bias: true }), { numRuns: 150, seed: 5 })) {
      let state = createAccount(stream.account, stream.policy);
      const unit = state.policy.scale === 0 ? '1' : `0.${'0'.repeat(state.policy.scale - 1)}1`;
      let previous = -1;
      for (const event of stream.events) {
        if (event.at === previous) hit('equal timestamps');
        previous = event.at;
        if (event.at % DAY === 0) hit('midnight');
        const dues = [
          ...state.lossCoverageVouchers.filter((v) => v.status === 'available').map((v) => v.expiresAt),
          ...state.positionVouchers.filter((v) => v.status === 'available').map((v) => v.expiresAt),
          ...state.futuresBonuses.filter((v) => v.status === 'active').map((v) => v.expiresAt),
        ];
        if (dues.includes(event.at)) hit('expiresAt hit');
        if (event.type === 'OrderFilled' && event.fee === unit) hit('fee of one unit');
        const result = step(state, event);
        for (const e of result.effects) {
          effects.add(e.type === 'EventRejected' ? `EventRejected:${e.code}` : e.type);
          if (e.type === 'LossCoverageApplied' && e.loss === state.policy.minLoss) hit('loss of exactly minLoss covered');
        }
        if (event.type === 'OrderFilled') {
          const order = state.orders.find((o) => o.orderId === event.orderId);
          const done = order !== undefined && order.action === 'close' && !result.state.orders.some((o) => o.orderId === order.orderId);
          const closing = result.state.orders.length < state.orders.length && done;
          if (closing) {
            const realised = (result.effects.find((e) => e.type === 'CostSettled' && e.cause === 'loss') as { amount?: string } | undefined)?.amount;
            if (realised === state.policy.minLoss && order.realisedPnl === '0') hit('loss of exactly minLoss');
          }
        }
        const mr = marginRate(result.state);
        if (mr !== undefined && Math.abs(mr - Number(state.policy.reclaimGuardRate)) < 0.02) hit('margin rate at the guard');
        state = result.state;
      }
    }
    for (const what of ['equal timestamps', 'midnight', 'expiresAt hit', 'fee of one unit', 'loss of exactly minLoss', 'margin rate at the guard']) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
    }
    for (const type of ['VoucherActivated', 'PositionVoucherApplied', 'CostSettled', 'Credited', 'LossCoverageApplied', 'LossCompensationPaid',
      'VoucherExpired', 'VoucherForfeited', 'VoucherRevoked', 'BonusReclaimed', 'ReclaimDeferred', 'LiquidationThresholdReached']) {
      expect(effects, type).toContain(type);
    }
  }, 120_000);
});

/** The margin rate as a float, for statistics only (M-2). */
function marginRate(state: AccountState): number | undefined {
  let mm = 0;
  let upnl = 0;
  for (const p of state.positions) {
    if (p.voucher !== undefined) continue;
    const mark = Number(state.marks.find((m) => m.symbol === p.symbol)?.price ?? '0');
    const value = Number(p.qty) * mark;
    mm += value * Number(state.policy.instruments[p.symbol]?.mmr ?? state.policy.defaultMmr);
    upnl += p.positionSide === 'long' ? value - Number(p.entryValue) : Number(p.entryValue) - value;
  }
  const bonus = state.futuresBonuses.filter((b) => b.status === 'active' || b.status === 'awaitingReclaim').reduce((a, b) => a + Number(b.remaining), 0);
  const equity = Number(state.ownBalance) + bonus + upnl;
  return mm > 0 && equity > 0 ? mm / equity : undefined;
}

describe('checkers catch planted faults', () => {
  const session = stepAll(account({ ownBalance: '1000' }), [
    grantFb('b1', '100', '0.5'),
    grantLcv('l1', '50', {}, 500),
    grantPv('p1', '10'),
    place('o1', 'open', '1', '100', { source: 'bot' }),
    fill('o1', '1', '100', '2', { at: 1000 }),
    place('c1', 'close', '1', '90', { source: 'bot' }),
    fill('c1', '1', '90', '0', { at: 2000 }),
  ]);
  const fee = session[4] as Stepped;
  const loss = last(session);

  it('the untouched session is clean', () => {
    for (const s of session) expect(checkStep(s.before, s.event, s.result)).toEqual([]);
    expect(INVARIANTS.length).toBe(16);
  });

  it('value-conservation: a balance that moves without an effect', () => {
    const bad = withState(fee, (s) => ({ ...s, ownBalance: String(Number(s.ownBalance) + 1) }));
    expect(invariantsOf(bad)).toContain('value-conservation');
  });

  it('value-conservation: an effect dropped from the output', () => {
    const bad = withEffects(fee, (effects) => effects.filter((e) => e.type !== 'CostSettled'));
    expect(invariantsOf(bad)).toContain('value-conservation');
  });

  it('postings-balance: CostSettled parts that do not add up', () => {
    const bad = withEffects(fee, (effects) => effects.map((e) => (e.type === 'CostSettled' ? { ...e, amount: '3' } : e)));
    expect(invariantsOf(bad)).toContain('postings-balance');
  });

  it('market-flows: a loss realised at the wrong amount, consistently booked', () => {
    const bad = withEffects(
      withState(loss, (s) => ({ ...s, ownBalance: String(Number(s.ownBalance) + 1) })),
      (effects) => effects.map((e) => (e.type === 'CostSettled' && e.cause === 'loss' ? { ...e, amount: '9', fromOwn: String(Number(e.fromOwn) - 1) } : e)),
    );
    const found = invariantsOf(bad);
    expect(found).toContain('market-flows');
  });

  it('no-negative-remaining and voucher-bounds: a bonus below zero', () => {
    const bad = withState(fee, (s) => ({ ...s, futuresBonuses: s.futuresBonuses.map((b) => ({ ...b, remaining: '-1' })) }));
    expect(invariantsOf(bad)).toContain('no-negative-remaining');
  });

  it('voucher-bounds: a bonus paying more than it holds', () => {
    const steps = stepAll(account({ ownBalance: '0' }), [grantFb('b1', '1', '1'), place('o1', 'open', '1', '100'), fill('o1', '1', '100', '0.5')]);
    const s = last(steps);
    const bad = withEffects(s, (effects) => effects.map((e) => (e.type === 'CostSettled' ? { ...e, fromBonus: [{ bonusId: 'b1', amount: '1.5' }], fromOwn: '0', deficit: '-1' } : e)));
    expect(invariantsOf(bad)).toContain('voucher-bounds');
  });

  it('reclaim-guard: a reclaim carried out above the guard rate', () => {
    const policy = { instruments: { BTCUSDT: { mmr: '0.05' } }, reclaimGuard: false };
    const steps = stepAll(account({ ownBalance: '100' }, policy), [
      grantFb('b1', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100', marginMode: 'cross' }),
      fill('o1', '1', '2600'),
      transfer('out', '10'),
    ]);
    const s = last(steps);
    expect(s.result.effects.map((e) => e.type)).toContain('BonusReclaimed');
    expect(invariantsOf(s)).toEqual([]);
    const guarded = { ...s.before.policy, reclaimGuard: true };
    const bad: Stepped = {
      before: { ...s.before, policy: guarded },
      event: s.event,
      result: { state: { ...s.result.state, policy: guarded }, effects: s.result.effects },
    };
    expect(checkStep(bad.before, bad.event, bad.result, { only: ['reclaim-guard'] }).map((v) => v.invariant)).toEqual(['reclaim-guard']);
  });

  it('rule-ids: an unknown rule, and a real rule on the wrong effect', () => {
    const unknown = withEffects(fee, (effects) => effects.map((e) => ({ ...e, rule: 'X-9' }) as unknown as Effect));
    expect(invariantsOf(unknown)).toContain('rule-ids');
    const wrong = withEffects(fee, (effects) => effects.map((e) => (e.type === 'CostSettled' ? ({ ...e, rule: 'P-5' } as unknown as Effect) : e)));
    expect(checkStep(wrong.before, wrong.event, wrong.result, { only: ['rule-ids'] })).toHaveLength(1);
  });

  it('effect-shape: a null where a field should be left out, a wrong seq', () => {
    const bad = withEffects(fee, (effects) => effects.map((e) => ({ ...e, seq: 99, orderId: null }) as unknown as Effect));
    expect(checkStep(bad.before, bad.event, bad.result, { only: ['effect-shape'] }).length).toBeGreaterThan(1);
  });

  it('json-roundtrip: a state field that JSON drops', () => {
    const bad = withState(fee, (s) => ({ ...s, positions: s.positions.map((p) => ({ ...p, voucher: undefined }) as unknown as typeof p) }));
    expect(checkStep(bad.before, bad.event, bad.result, { only: ['json-roundtrip'] }).map((v) => v.invariant)).toEqual(['json-roundtrip']);
  });

  it('determinism: a result the engine would not give', () => {
    const bad = withState(fee, (state) => ({ ...state, clock: state.clock + 1 }));
    expect(checkStep(bad.before, bad.event, bad.result, { only: ['determinism'] }).map((v) => v.invariant)).toEqual(['determinism']);
  });

  it('idempotency: a state that forgot the event it applied', () => {
    const bad = withState(fee, (s) => ({ ...s, lastSeq: s.lastSeq - 1 }));
    expect(checkStep(bad.before, bad.event, bad.result, { only: ['idempotency'] }).map((v) => v.invariant)).toContain('idempotency');
  });

  it('checkers never throw, even on garbage', () => {
    const garbage = { state: { ...fee.result.state, ownBalance: 'NaN', positions: [{}] }, effects: [{ type: 'Nope' }] } as unknown as StepResult;
    const found = checkStep(fee.before, fee.event, garbage);
    expect(found.length).toBeGreaterThan(0);
    for (const v of found) expect(typeof v.message).toBe('string');
  });

  it('checkStream reports steps and a voucher that paid out more than it was granted', () => {
    const report = checkStream({ account: { accountId: 'acc-1', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' }, events: session.map((s) => s.event) });
    expect(report).toMatchObject({ ok: true, steps: session.length, violations: [] });
    expect(report.state).toEqual(last(session).result.state);
  });
});
