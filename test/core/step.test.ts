/**
 * The step itself (G-1, G-4, G-5, G-6, G-8, D-3, D-4, D-5, D-28): pure, idempotent, in time order,
 * doing its work in the fixed order of G-6.
 */
import { describe, expect, it } from 'vitest';
import { decodeEvent, EffectCodec, step, type AccountState, type Event } from '../../src/index';
import { account, cancel, fill, funding, grantFb, grantLcv, grantPv, mark, place, run, tick, transfer, type EventInput } from '../helpers/dsl';
import { DAY, deepFreeze, kinds, rejected, richSession, statesOf } from './support';

/** Decodes a DSL event with explicit seq and at. */
function event(input: EventInput, seq: number, at: number, scale = 8): Event {
  const decoded = decodeEvent({ seq, at, ...input }, scale);
  if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
  return decoded.right;
}

/** Worked example 3 up to the deferred reclaim (seq 4): MM 130, own 90, bonus F 50 awaiting reclaim. */
function deferredReclaim(): AccountState {
  const { state, effects } = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
    grantFb('F', '50', '0.5'),
    place('o1', 'open', '1', '2600', { leverage: '100' }),
    fill('o1', '1', '2600'),
    transfer('out', '10'),
  ]);
  expect(kinds(effects).at(-1)).toBe('ReclaimDeferred:FB-10');
  return state;
}

describe('G-1 Pure step', () => {
  it('never mutates its inputs: every state and event of a rich session deep-frozen, JSON unchanged', () => {
    const { start, events } = richSession();
    let state = deepFreeze(start);
    let seq = 0;
    for (const input of events) {
      seq += 1;
      const e = deepFreeze(event(input, seq, typeof input['at'] === 'number' ? input['at'] : state.clock));
      const stateBefore = JSON.stringify(state);
      const eventBefore = JSON.stringify(e);
      const result = step(state, e);
      expect(JSON.stringify(state)).toBe(stateBefore);
      expect(JSON.stringify(e)).toBe(eventBefore);
      state = deepFreeze(result.state);
    }
    expect(state.lastSeq).toBe(events.length);
  });

  it('same inputs, same outputs, byte for byte', () => {
    const { start, events } = richSession();
    const states = statesOf(start, events);
    states.forEach((state, i) => {
      const input = events[i];
      if (input === undefined) return;
      const e = event(input, i + 1, typeof input['at'] === 'number' ? input['at'] : state.clock);
      expect(JSON.stringify(step(state, e))).toBe(JSON.stringify(step(state, e)));
      expect(JSON.stringify(step(state, e).state)).toBe(JSON.stringify(states[i + 1]));
    });
  });

  it('the new state shares nothing mutable with a later step: stepping it again leaves the earlier result intact', () => {
    const first = run(account(), [place('o1', 'open', '2', '100'), fill('o1', '1', '100')]).state;
    const snapshot = JSON.stringify(first);
    run(first, [fill('o1', '1', '100'), place('c1', 'close', '2', '90'), fill('c1', '2', '90')]);
    expect(JSON.stringify(first)).toBe(snapshot);
  });
});

describe('G-5 Idempotency', () => {
  const base = run(account(), [transfer('in', '5', { at: 100 }), transfer('in', '5', { at: 200 })]).state;

  it('an event whose seq equals the last applied one changes nothing and yields one EventIgnored', () => {
    const e = event(transfer('in', '1000'), 2, 200);
    const result = step(base, e);
    expect(result.effects).toEqual([{ type: 'EventIgnored', seq: 2, at: 200, rule: 'G-5', reason: 'duplicate' }]);
    expect(result.state).toBe(base);
  });

  it('a lower seq is ignored too, whatever the event says', () => {
    const result = step(base, event(place('o1', 'open', '1', '1'), 1, 500));
    expect(result.effects).toEqual([{ type: 'EventIgnored', seq: 1, at: 500, rule: 'G-5', reason: 'duplicate' }]);
    expect(result.state).toBe(base);
  });

  it('D-3: a duplicate is ignored before its at is looked at (an earlier at is not OUT_OF_ORDER) and keeps its own at', () => {
    const result = step(base, event(tick(3), 2, 3));
    expect(result.effects).toEqual([{ type: 'EventIgnored', seq: 2, at: 3, rule: 'G-5', reason: 'duplicate' }]);
    expect(result.state.clock).toBe(200);
  });

  it('a redelivered accepted event does not apply twice', () => {
    const once = step(base, event(transfer('in', '7'), 3, 300));
    const twice = step(once.state, event(transfer('in', '7'), 3, 300));
    expect(once.state.ownBalance).toBe('1017');
    expect(twice.state).toBe(once.state);
    expect(twice.effects).toEqual([{ type: 'EventIgnored', seq: 3, at: 300, rule: 'G-5', reason: 'duplicate' }]);
  });

  it('a rejected event still advances seq (and the clock), so its redelivery is a duplicate', () => {
    const first = step(base, event(fill('nope', '1', '1'), 3, 300));
    expect(first.effects).toEqual([rejected(3, 300, 'UNKNOWN_ORDER', 'P-3')]);
    expect(first.state).toMatchObject({ lastSeq: 3, clock: 300 });
    const again = step(first.state, event(fill('nope', '1', '1'), 3, 300));
    expect(again.effects).toEqual([{ type: 'EventIgnored', seq: 3, at: 300, rule: 'G-5', reason: 'duplicate' }]);
  });

  it('seq may skip numbers; what is skipped can no longer be applied', () => {
    const jumped = step(base, event(transfer('in', '1'), 10, 300));
    expect(jumped.state.lastSeq).toBe(10);
    const late = step(jumped.state, event(transfer('in', '1'), 7, 300));
    expect(late.effects).toEqual([{ type: 'EventIgnored', seq: 7, at: 300, rule: 'G-5', reason: 'duplicate' }]);
  });
});

describe('G-4 Time: an event earlier than the clock is OUT_OF_ORDER', () => {
  it('it is rejected with the event own at; only seq advances, the clock stays', () => {
    const base = run(account(), [transfer('in', '5', { at: 100 })]).state;
    const result = step(base, event(transfer('in', '5'), 2, 99));
    expect(result.effects).toEqual([rejected(2, 99, 'OUT_OF_ORDER', 'G-4')]);
    expect(result.state).toEqual({ ...base, lastSeq: 2 });
  });

  it('an event at exactly the clock is in time', () => {
    const base = run(account(), [transfer('in', '5', { at: 100 })]).state;
    const result = step(base, event(transfer('in', '5'), 2, 100));
    expect(result.effects).toEqual([]);
    expect(result.state).toMatchObject({ ownBalance: '1010', clock: 100, lastSeq: 2 });
  });

  it('D-28: it runs no clock work (an overdue expiry waits for the next step) and no step 3', () => {
    // A loss coverage voucher granted already expired (D-4) falls due at the next step's clock work.
    const base = run(account(), [grantLcv('L', '10', { expiresAt: 50 }, 100)]).state;
    const late = step(base, event(transfer('in', '1'), 2, 90));
    expect(late.effects).toEqual([rejected(2, 90, 'OUT_OF_ORDER', 'G-4')]);
    expect(late.state.lossCoverageVouchers[0]?.status).toBe('available');
    expect(late.state.ownBalance).toBe('1000');
    const next = step(late.state, event(tick(100), 3, 100));
    expect(next.effects).toEqual([{ type: 'VoucherExpired', seq: 3, at: 50, rule: 'LCV-8', voucherId: 'L', kind: 'lossCoverage', unused: '10' }]);
  });

  it('D-28: a deferred reclaim is not retried by an OUT_OF_ORDER transfer in', () => {
    const waiting = run(deferredReclaim(), [tick(1000)]).state;
    const result = step(waiting, event(transfer('in', '1000'), 6, 500));
    expect(result.effects).toEqual([rejected(6, 500, 'OUT_OF_ORDER', 'G-4')]);
    expect(result.state.futuresBonuses[0]?.status).toBe('awaitingReclaim');
    expect(result.state.reclaims).toEqual(waiting.reclaims);
  });
});

describe('G-6 Order of work in one step', () => {
  it('a rejected event advances seq and the clock and runs the clock work first', () => {
    const base = run(account(), [grantLcv('L', '10', { expiresAt: 1500 })]).state;
    const result = step(base, event(fill('ghost', '1', '1'), 2, 2000));
    expect(result.effects).toEqual([
      { type: 'VoucherExpired', seq: 2, at: 1500, rule: 'LCV-8', voucherId: 'L', kind: 'lossCoverage', unused: '10' },
      rejected(2, 2000, 'UNKNOWN_ORDER', 'P-3'),
    ]);
    expect(result.state).toMatchObject({ clock: 2000, lastSeq: 2 });
  });

  it('(1) clock work in due order, ties: payouts, then expiries of lossCoverage, positionVoucher, futuresBonus; then (2) the event', () => {
    const { state, effects } = run(account(), [
      grantLcv('A', '10', {}, 0),
      grantLcv('C', '5', { expiresAt: 50_000 }),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '90', { at: 1000 }),
      fill('c1', '1', '90'),
      // Granted after the close, in the reverse of the kind order, all expiring with the payout.
      grantFb('F', '10', '0.5', { expiresAt: DAY }, 2000),
      grantPv('P', '5', { expiresAt: DAY }),
      grantLcv('B', '7', { expiresAt: DAY }),
    ]);
    expect(ofKind(effects, 'LossCoverageApplied:LCV-6')).toBe(1);
    const result = step(state, event(grantLcv('G', '1'), 10, DAY));
    expect(result.effects).toEqual([
      { type: 'VoucherExpired', seq: 10, at: 50_000, rule: 'LCV-8', voucherId: 'C', kind: 'lossCoverage', unused: '5' },
      { type: 'LossCompensationPaid', seq: 10, at: DAY, rule: 'LCV-7', voucherId: 'A', orderId: 'c1', amount: '10', from: 'campaign', to: 'spot' },
      { type: 'VoucherExpired', seq: 10, at: DAY, rule: 'LCV-8', voucherId: 'B', kind: 'lossCoverage', unused: '7' },
      { type: 'VoucherExpired', seq: 10, at: DAY, rule: 'PV-9', voucherId: 'P', kind: 'positionVoucher', unused: '5' },
      { type: 'BonusReclaimed', seq: 10, at: DAY, rule: 'FB-10', bonusIds: ['F'], amount: '10', trigger: 'expiry' },
      { type: 'VoucherActivated', seq: 10, at: DAY, rule: 'A-5', voucherId: 'G', kind: 'lossCoverage' },
    ]);
    expect(result.state.clock).toBe(DAY);
  });

  it('work due after the event time waits', () => {
    const base = run(account(), [grantLcv('L', '10', { expiresAt: 1001 })]).state;
    expect(step(base, event(tick(1000), 2, 1000)).effects).toEqual([]);
    expect(step(base, event(tick(1001), 2, 1001)).effects).toHaveLength(1);
  });

  describe('(3) D-28: retries follow every accepted funds movement, and nothing else', () => {
    it('marks, zero funding, rejected fills, ticks, placements and cancels never retry', () => {
      const { steps } = run(deferredReclaim(), [
        mark('2700'),
        funding('0'),
        fill('zz', '1', '1'),
        tick(100),
        place('o2', 'open', '0.001', '1', { symbol: 'ETHUSDT' }),
        place('o3', 'open', '1', '1', { symbol: 'ETHUSDT' }),
        cancel('o3'),
      ]);
      expect(steps).toEqual([[], [], [rejected(7, 0, 'UNKNOWN_ORDER', 'P-3')], [], [], [], []]);
    });

    it('an accepted fill that settles nothing retries: the reclaim goes ahead with its original trigger and the event at', () => {
      // After the mark: MM 135, E - B = 90 + 100 = 190, 135 < 180.5.
      const { steps, state } = run(deferredReclaim(), [
        mark('2700'),
        place('o2', 'open', '0.001', '1', { symbol: 'ETHUSDT' }),
        fill('o2', '0.001', '1', '0', { at: 5000 }),
      ]);
      expect(steps[2]).toEqual([{ type: 'BonusReclaimed', seq: 7, at: 5000, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
      expect(state.reclaims).toEqual([]);
    });

    it('non-zero funding retries (a credit of 0.00000001 is enough)', () => {
      const { steps } = run(deferredReclaim(), [mark('2700'), funding('-0.00000001', { at: 6000 })]);
      expect(steps[1]).toEqual([
        { type: 'Credited', seq: 6, at: 6000, rule: 'P-5', cause: 'funding', symbol: 'BTCUSDT', positionSide: 'long', amount: '0.00000001' },
        { type: 'BonusReclaimed', seq: 6, at: 6000, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' },
      ]);
    });

    it('a transfer in retries; a rejected transfer out does not', () => {
      const { steps } = run(deferredReclaim(), [mark('2700'), transfer('out', '100000'), transfer('in', '0.00000001')]);
      expect(steps[1]).toEqual([rejected(6, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
      expect(steps[2]).toEqual([{ type: 'BonusReclaimed', seq: 7, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
    });
  });
});

describe('G-8 every effect carries type, seq, at and rule', () => {
  it('in a rich session, every effect has them, decodes as an effect, and names the seq of its event', () => {
    const { start, events } = richSession();
    let state = start;
    let count = 0;
    for (const input of events) {
      const result = run(state, [input]);
      for (const effect of result.effects) {
        count += 1;
        expect(effect).toEqual(expect.objectContaining({ type: expect.any(String), seq: result.state.lastSeq, at: expect.any(Number), rule: expect.any(String) }));
        expect(EffectCodec.decode(effect)._tag).toBe('Right');
        expect(effect.at).toBeLessThanOrEqual(result.state.clock);
      }
      state = result.state;
    }
    expect(count).toBeGreaterThan(20);
  });
});

function ofKind(effects: Parameters<typeof kinds>[0], kind: string): number {
  return kinds(effects).filter((k) => k === kind).length;
}
