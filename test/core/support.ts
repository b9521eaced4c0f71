/**
 * Shared set-ups for the foundation's tests (test/core): a session that touches every part of the
 * state, a deep freeze to prove that nothing is mutated, and small effect builders.
 */
import { expect } from 'vitest';
import { account, fill, flag, funding, grantFb, grantLcv, grantPv, mark, place, run, tick, transfer, type EventInput } from '../helpers/dsl';
import type { AccountState, Effect } from '../../src/index';

export const DAY = 86_400_000;

/** Freezes `value` and everything reachable from it; writing to it then throws (ES modules are strict). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/**
 * A session through every kind of event and most rules: grants of all kinds, a voucher order
 * filled in part, plain fills and closes, marks, funding, a deferred reclaim, a loss coverage
 * payout, an expiry, a voucher position's profit, a flag, a transfer.
 */
export function richSession(): { start: AccountState; events: EventInput[] } {
  return {
    start: account({ ownBalance: '60' }, { instruments: { BTCUSDT: { mmr: '0.12' } } }),
    events: [
      grantLcv('L1', '10', { expiresAt: 9e12, minClosingNotional: '5' }, 100),
      grantLcv('L2', '3', {}, 100),
      grantPv('P1', '20', { maxLeverage: '20', symbols: ['ETHUSDT'], allowOwnFunds: true }),
      grantPv('P2', '5', { expiresAt: 5000 }),
      grantFb('F1', '30', '0.5', { expiresAt: 3000 }),
      place('v1', 'open', '2', '100', { symbol: 'ETHUSDT', leverage: '5', voucher: 'P1' }),
      fill('v1', '1', '100', '0.1'),
      place('o1', 'open', '3', '100', { leverage: '100', at: 200, voucher: 'none' }),
      fill('o1', '3', '100', '0.3'),
      place('c1', 'close', '1', '90'),
      fill('c1', '1', '90', '0.1'),
      mark('95'),
      funding('0.2'),
      transfer('out', '1'),
      place('c3', 'close', '1', '80'),
      fill('c3', '1', '80'),
      tick(4000),
      tick(90_000_000),
      place('c2', 'close', '1', '120', { symbol: 'ETHUSDT' }),
      fill('c2', '1', '130'),
      flag(),
      transfer('in', '50'),
    ],
  };
}

/** Every state of a session, the start included, stepping one event at a time. */
export function statesOf(start: AccountState, events: readonly EventInput[]): AccountState[] {
  const states = [start];
  let state = start;
  for (const event of events) {
    state = run(state, [event]).state;
    states.push(state);
  }
  return states;
}

export const rejected = (seq: number, at: number, code: string, rule: string) => ({
  type: 'EventRejected', seq, at, rule, code, message: expect.any(String),
});

/** The types and rules of effects, for a quick look at their order. */
export function kinds(effects: readonly Effect[]): string[] {
  return effects.map((e) => `${e.type}:${e.rule}`);
}
