/**
 * The working copy of one step. The input state is never mutated: each slice starts as the
 * input's own array and is replaced by a new array when a rule changes it, so the new state
 * shares every slice nothing touched. Amounts in hot use (the own balance) are parsed once per step.
 */
import type { AccountState, Mark, Order, Position } from './state';
import type { Effect } from './effects';
import { rulesOf, type Rules } from './policy';
import { compare, dec, str, type Big } from './money';
import type { Compensation, LossCoverageVoucher } from '../lossCoverage/codec';
import type { PositionVoucher } from '../positionVoucher/codec';
import type { DeferredReclaim, FuturesBonus } from '../futuresBonus/codec';
import type { Trace } from './trace';
import { retireChanged } from './retire';

export interface Ctx {
  readonly input: AccountState;
  readonly rules: Rules;
  readonly scale: number;
  status: AccountState['status'];
  own: Big;
  /** The own balance as parsed from the input state: `own` is this very value while no rule moved it. */
  readonly ownAtOpen: Big;
  lossCoverageVouchers: readonly LossCoverageVoucher[];
  positionVouchers: readonly PositionVoucher[];
  futuresBonuses: readonly FuturesBonus[];
  positions: readonly Position[];
  orders: readonly Order[];
  marks: readonly Mark[];
  compensations: readonly Compensation[];
  reclaims: readonly DeferredReclaim[];
  clock: number;
  lastSeq: number;
  liquidationReached: boolean;
  readonly effects: Effect[];
  /** The `seq` of the event being applied (G-8). */
  readonly seq: number;
  /** When the effect being produced takes effect: the due time during clock work, else the event's `at`. */
  at: number;
  /** Observation points for `explain`; never set by `step`. */
  readonly trace: Trace | undefined;
}

export function openContext(state: AccountState, seq: number, at: number, trace?: Trace): Ctx {
  const rules = rulesOf(state.policy);
  const own = dec(state.ownBalance);
  return {
    input: state,
    rules,
    scale: rules.scale,
    status: state.status,
    own,
    ownAtOpen: own,
    lossCoverageVouchers: state.lossCoverageVouchers,
    positionVouchers: state.positionVouchers,
    futuresBonuses: state.futuresBonuses,
    positions: state.positions,
    orders: state.orders,
    marks: state.marks,
    compensations: state.compensations,
    reclaims: state.reclaims,
    clock: state.clock,
    lastSeq: state.lastSeq,
    liquidationReached: state.liquidationReached,
    effects: [],
    seq,
    at,
    trace,
  };
}

/**
 * Builds the new state in one object literal, keeping the input's text for an unchanged balance,
 * with the vouchers that became final retired (FV-8).
 */
export function closeContext(ctx: Ctx): AccountState {
  const s = ctx.input;
  const live = retireChanged(ctx, s);
  return {
    version: s.version,
    accountId: s.accountId,
    accountType: s.accountType,
    positionMode: s.positionMode,
    ownBalance: ctx.own === ctx.ownAtOpen || compare(ctx.own, ctx.ownAtOpen) === 0 ? s.ownBalance : str(ctx.own),
    status: ctx.status,
    policy: s.policy,
    lossCoverageVouchers: live.lossCoverageVouchers as LossCoverageVoucher[],
    positionVouchers: live.positionVouchers as PositionVoucher[],
    futuresBonuses: live.futuresBonuses as FuturesBonus[],
    positions: ctx.positions as Position[],
    orders: ctx.orders as Order[],
    marks: ctx.marks as Mark[],
    compensations: ctx.compensations as Compensation[],
    reclaims: ctx.reclaims as DeferredReclaim[],
    clock: ctx.clock,
    lastSeq: ctx.lastSeq,
    liquidationReached: ctx.liquidationReached,
    retired: live.retired,
  };
}

export function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  const out = items.slice();
  out[index] = item;
  return out;
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  const out = items.slice();
  out.splice(index, 1);
  return out;
}

export function append<T>(items: readonly T[], item: T): T[] {
  const out = items.slice();
  out.push(item);
  return out;
}

/** A broken invariant is a programmer error, never an input error: fail loudly (Tiger Style). */
export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`futures-vouchers invariant broken: ${message}`);
}
