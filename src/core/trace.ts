/**
 * Observation points inside one step, for `explain` only: `step` itself never sets a trace, and a
 * step with a trace computes exactly what it computes without one. Each hook is called with the
 * live working copy at the moment a rule decides; a hook only reads it (never changes it) and
 * does its reading at once, since the working copy moves on after the hook returns.
 */
import type { Ctx } from './context';
import type { Big } from './money';
import type { Order } from './state';
import type { GuardDecision } from '../futuresBonus/rules';
import type { ReclaimTrigger } from '../futuresBonus/codec';

/** One attempt at a reclaim under the guard (FB-10), the first or a retry (FB-11). */
export interface ReclaimAttempt {
  /** Indexes into `ctx.futuresBonuses` of the bonuses the reclaim covers now. */
  readonly indexes: readonly number[];
  readonly amount: Big;
  readonly trigger: ReclaimTrigger;
  readonly retry: boolean;
  readonly decision: GuardDecision;
}

export interface Trace {
  /** G-6: the clock work is done and the event itself (step 2) begins. */
  eventBegins(ctx: Ctx): void;
  /** G-6 step 2 is done; `movedFunds` says whether step 3 runs (FB-11, D-28). */
  eventApplied(ctx: Ctx, movedFunds: boolean): void;
  /** LCV-1: a closing order with fills is done; its loss is about to be evaluated. */
  closingOrderDone(ctx: Ctx, order: Order): void;
  /**
   * P-6: the position voucher's margins have paid their part of a cost of the position at
   * `positionIndex`; `walletCost`, the rest, is about to be split (FB-3..FB-5). Its
   * `CostSettled` comes next.
   */
  costDue(ctx: Ctx, positionIndex: number, walletCost: Big): void;
  /** FB-10: the guard has decided on a reclaim; its effect, if any, comes next. */
  reclaimAttempted(ctx: Ctx, attempt: ReclaimAttempt): void;
}
