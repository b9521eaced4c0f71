/**
 * The clock's memo (issue 8): the earliest due time of each slice, carried from one state to the
 * next by the items that changed, must run the very work a cold scan finds: ties at the earliest
 * time, the earliest item going, states coming back from elsewhere under the same account id.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../bench/streams';
import { account, grantFb, grantLcv, grantPv, tick, transfer, type EventInput } from '../helpers/dsl';
import { decodeEvent, step, type AccountState, type Effect } from '../../src/index';

/** Grants of every kind expiring at a few shared times, ticks through them, transfers that reclaim bonuses. */
function session(seed: number, length: number): EventInput[] {
  const rnd = mulberry32(seed);
  const expiries = [5_000, 9_000, 9_000, 14_000, 20_000];
  const expiry = (at: number): number => at + (expiries[Math.floor(rnd() * expiries.length)] as number);
  const events: EventInput[] = [];
  let at = 0;
  for (let i = 0; i < length; i++) {
    at += Math.floor(rnd() * 3_000);
    const r = rnd();
    if (r < 0.2) events.push(grantLcv(`L${i}`, '5', { expiresAt: expiry(at) }, at));
    else if (r < 0.35) events.push(grantPv(`P${i}`, '5', { expiresAt: expiry(at) }, at));
    else if (r < 0.55) events.push(grantFb(`F${i}`, '7', '0.5', { expiresAt: expiry(at) }, at));
    else if (r < 0.65) events.push({ ...transfer(rnd() < 0.5 ? 'out' : 'in', '3'), at });
    else events.push(tick(at));
  }
  return events;
}

/** Steps `events` from `start`; with `cold`, under a new account id each step, so no memo is ever warm. */
function replay(start: AccountState, events: readonly EventInput[], cold: boolean): { effects: (readonly Effect[])[]; state: AccountState } {
  let state = start;
  const effects: (readonly Effect[])[] = [];
  events.forEach((input, i) => {
    const decoded = decodeEvent({ seq: i + 1, at: state.clock, ...input }, state.policy.scale);
    if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
    const result = step(cold ? { ...state, accountId: `cold-${i}` } : state, decoded.right);
    state = { ...result.state, accountId: start.accountId };
    effects.push(result.effects);
  });
  return { effects, state };
}

describe('clock memo: carried due times run the same work as a cold scan', () => {
  it.each([1, 2, 3, 4])('seed %i', (seed) => {
    const start = account({ accountId: `clock-${seed}`, ownBalance: '20' });
    const events = session(seed, 400);
    const warm = replay(start, events, false);
    expect(warm.effects.flat().length).toBeGreaterThan(events.length / 4);
    expect(warm).toEqual(replay(start, events, true));
  });

  it('a state from elsewhere under the same id: earlier states come back', () => {
    const start = account({ accountId: 'clock-back', ownBalance: '20' });
    const events = session(7, 120);
    const states = [start];
    let state = start;
    for (const [i, input] of events.entries()) {
      const decoded = decodeEvent({ seq: i + 1, at: state.clock, ...input }, state.policy.scale);
      if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
      state = step(state, decoded.right).state;
      states.push(state);
    }
    const rnd = mulberry32(99);
    for (let k = 0; k < 60; k++) {
      const from = states[Math.floor(rnd() * states.length)] as AccountState;
      const later = { type: 'Tick', seq: from.lastSeq + 1, at: from.clock + Math.floor(rnd() * 30_000) } as const;
      const decoded = decodeEvent(later, from.policy.scale);
      if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
      const warm = step(from, decoded.right);
      const cold = step({ ...from, accountId: `back-cold-${k}` }, decoded.right);
      expect(warm.effects).toEqual(cold.effects);
    }
  });
});
