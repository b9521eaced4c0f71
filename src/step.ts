/**
 * `step(state, event)`: the whole engine in one pure function (G-1), doing the work of one event
 * in the order G-6 fixes: (1) clock work, (2) the event, (3) reclaim retries and clawback takes
 * after a funds movement, (4) the liquidation signal.
 */
import { closeContext, openContext, type Ctx } from './core/context';
import { advanceClock } from './core/clock';
import type { Event } from './core/events';
import type { Effect } from './core/effects';
import type { AccountState } from './core/state';
import { reject } from './core/reject';
import { liquidationReached, marginOf, shownRate } from './core/margin';
import { cancelOrder, fillOrder, placeOrder, settleFunding, updateMark } from './core/trading';
import { flagAccount, grantVoucher, transferFunds } from './core/account';
import { retryReclaims } from './futuresBonus/rules';
import { takeOutstandingClawbacks } from './positionVoucher/rules';
import type { Trace } from './core/trace';

export interface StepResult {
  readonly state: AccountState;
  readonly effects: readonly Effect[];
}

/** G-6 step 2: applies the event; true when it was accepted and moved funds (D-28). */
function applyEvent(ctx: Ctx, event: Event): boolean {
  switch (event.type) {
    case 'VoucherGranted':
      grantVoucher(ctx, event);
      return false;
    case 'OrderPlaced':
      placeOrder(ctx, event);
      return false;
    case 'OrderFilled':
      return fillOrder(ctx, event);
    case 'OrderCancelled':
      cancelOrder(ctx, event);
      return false;
    case 'MarkPriceUpdated':
      updateMark(ctx, event);
      return false;
    case 'FundingSettled':
      return settleFunding(ctx, event);
    case 'FundsTransferred':
      return transferFunds(ctx, event);
    case 'AccountFlagged':
      flagAccount(ctx);
      return false;
    case 'Tick':
      return false;
  }
}

/** M-3, D-14: signals the crossing of the liquidation rate, once per crossing. */
function checkLiquidation(ctx: Ctx): void {
  const reached = liquidationReached(ctx);
  if (reached && !ctx.liquidationReached) {
    ctx.effects.push({ type: 'LiquidationThresholdReached', seq: ctx.seq, at: ctx.at, rule: 'M-3', marginRate: shownRate(marginOf(ctx)) });
  }
  ctx.liquidationReached = reached;
}

/**
 * Applies one event to one account's state. Pure and total: the input is never changed, every
 * domain failure is an `EventRejected` effect, and the same inputs give the same output.
 */
export function step(state: AccountState, event: Event): StepResult {
  return tracedStep(state, event, undefined);
}

/**
 * `step` with observation points for `explain` (the same code path: a trace only reads). Not
 * part of the public API.
 */
export function tracedStep(state: AccountState, event: Event, trace: Trace | undefined): StepResult {
  // G-5, D-3: a redelivered event changes nothing, and its `at` is not even looked at.
  if (event.seq <= state.lastSeq) {
    return { state, effects: [{ type: 'EventIgnored', seq: event.seq, at: event.at, rule: 'G-5', reason: 'duplicate' }] };
  }
  const ctx = openContext(state, event.seq, event.at, trace);
  ctx.lastSeq = event.seq;
  if (event.at < state.clock) {
    // D-28: an event from the past advances `seq` only.
    reject(ctx, 'OUT_OF_ORDER', `The event is dated ${event.at}, before the account's clock ${state.clock}; events must arrive in time order.`);
    return { state: closeContext(ctx), effects: ctx.effects };
  }
  advanceClock(ctx, event.at);
  trace?.eventBegins(ctx);
  // D-5: the reclaims waiting when the event itself begins are the ones step 3 retries.
  const waiting = ctx.reclaims;
  const movedFunds = applyEvent(ctx, event);
  trace?.eventApplied(ctx, movedFunds);
  if (movedFunds) {
    retryReclaims(ctx, waiting);
    takeOutstandingClawbacks(ctx);
  }
  checkLiquidation(ctx);
  return { state: closeContext(ctx), effects: ctx.effects };
}
