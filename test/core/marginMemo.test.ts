/**
 * The margin memo (issue 8): sums kept by symbol and carried from one state to the next must give
 * exactly what a fresh computation gives, whatever the next state is: a step's copy-on-write
 * successor, a state from elsewhere under the same account id, or one the engine never makes
 * (a mark or a position object twice, marks that shrink).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../bench/streams';
import { account } from '../helpers/dsl';
import { openContext } from '../../src/core/context';
import { liquidationReached, marginOf, rateAtLeast, transferable } from '../../src/core/margin';
import { str } from '../../src/core/money';
import type { AccountState, Mark, Position } from '../../src/core/state';
import type { FuturesBonus } from '../../src/futuresBonus/codec';

const SYMBOLS = Array.from({ length: 12 }, (_, i) => `S${i}USDT`);

/** What the margin module says of a state: through the account's memo, or afresh under an id seen once. */
function observe(state: AccountState): string[] {
  const ctx = openContext(state, state.lastSeq + 1, state.clock);
  const margin = marginOf(ctx);
  const reached = liquidationReached(ctx);
  // M-3 the long way: the bounds on the own balance decide as the rate itself does.
  expect(reached).toBe(rateAtLeast(margin, ctx.rules.liquidationRate));
  return [str(margin.mm), str(margin.equity), str(transferable(ctx)), String(reached)];
}

let freshIds = 0;
function observeFresh(state: AccountState): string[] {
  freshIds += 1;
  return observe({ ...state, accountId: `fresh-${freshIds}` });
}

function transitions(seed: number, steps: number): AccountState[] {
  const rnd = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const amount = (): string => (1 + Math.floor(rnd() * 100_000) / 1000).toString();
  const position = (): Position => {
    const p: Position = { symbol: pick(SYMBOLS), positionSide: rnd() < 0.5 ? 'long' : 'short', qty: amount(), entryValue: amount(), leverage: pick(['1', '3', '10', '20']) };
    if (rnd() < 0.15) p.voucher = { voucherId: 'pv', voucherMargin: '1', ownMargin: '0' };
    return p;
  };
  const mark = (symbol: string): Mark => ({ symbol, price: amount(), fromFeed: rnd() < 0.5 });
  let state: AccountState = { ...account({ accountId: 'memo', ownBalance: '500' }, { liquidationRate: '0.3' }), positions: [], marks: [] };
  const states: AccountState[] = [];
  for (let i = 0; i < steps; i++) {
    const positions = state.positions.slice();
    const marks = state.marks.slice();
    const r = rnd();
    if (r < 0.25) positions.push(position());
    else if (r < 0.4 && positions.length > 0) positions.splice(Math.floor(rnd() * positions.length), 1);
    else if (r < 0.55 && positions.length > 0) positions[Math.floor(rnd() * positions.length)] = position();
    else if (r < 0.75) {
      const symbol = pick(SYMBOLS);
      const at = marks.findIndex((m) => m.symbol === symbol);
      if (at < 0) marks.push(mark(symbol));
      else marks[at] = mark(symbol);
    } else if (r < 0.8) positions.reverse();
    else if (r < 0.84 && positions.length > 0) positions.push(pick(positions));
    else if (r < 0.87) marks.push(mark(pick(SYMBOLS)));
    else if (r < 0.9) marks.splice(0, Math.floor(rnd() * marks.length));
    else if (r < 0.93 && states.length > 2) {
      // A state from elsewhere under the same id: an earlier one comes back.
      state = pick(states);
      states.push(state);
      continue;
    } else if (r < 0.96) {
      const bonus: FuturesBonus = { kind: 'futuresBonus', id: `fb-${i}`, amount: '50', rate: '0.5', expiresAt: 9e12, grantedAt: 0, grantSeq: i + 1, remaining: amount(), status: pick(['active', 'awaitingReclaim', 'spent'] as const) };
      state = { ...state, futuresBonuses: [...state.futuresBonuses, bonus] };
    } else state = { ...state, ownBalance: pick([amount(), '1', '0', '-3']) };
    state = { ...state, positions, marks };
    states.push(state);
  }
  return states;
}

describe('margin memo: incremental sums equal fresh ones', () => {
  it.each([1, 2, 3, 4, 5, 6])('random transitions, seed %i', (seed) => {
    for (const state of transitions(seed, 300)) expect(observe(state)).toEqual(observeFresh(state));
  });

  it('two marks of one symbol: the first counts, before and after the map is kept', () => {
    const base = account({ accountId: 'dup-marks', ownBalance: '100' });
    const positions: Position[] = SYMBOLS.map((symbol) => ({ symbol, positionSide: 'long', qty: '1', entryValue: '10', leverage: '10' }));
    const marks: Mark[] = SYMBOLS.map((symbol) => ({ symbol, price: '11', fromFeed: true }));
    const first: AccountState = { ...base, positions, marks };
    const second: AccountState = { ...first, marks: [...marks, { symbol: 'S0USDT', price: '99', fromFeed: true }] };
    const third: AccountState = { ...second, marks: second.marks.map((m, i) => (i === 0 ? { ...m, price: '12' } : m)) };
    for (const state of [first, second, third, first]) expect(observe(state)).toEqual(observeFresh(state));
  });
});
