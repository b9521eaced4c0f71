/**
 * Margin (M-1, M-2, M-4). Unrealised pnl, maintenance margin and equity are only compared, never
 * paid, so they stay exact (G-3); a margin rate is compared by multiplication and only divided
 * for display.
 */
import type { Ctx } from './context';
import type { Mark, Position } from './state';
import { dec, divide, isPositive, isZero, min, ROUND_DOWN, ROUND_UP, showRate, ZERO, type Big } from './money';

export function markOf(marks: readonly Mark[], symbol: string): Mark | undefined {
  for (const mark of marks) if (mark.symbol === symbol) return mark;
  return undefined;
}

/** M-1: unrealised pnl of one position at its symbol's mark. */
export function unrealisedPnl(position: Position, mark: Big): Big {
  const value = dec(position.qty).times(mark);
  const entry = dec(position.entryValue);
  return position.positionSide === 'long' ? value.minus(entry) : entry.minus(value);
}

export interface Margin {
  /** Maintenance margin of the positions without a position voucher. */
  readonly mm: Big;
  /** Equity: own balance + futures bonuses still counted + upnl of those positions. */
  readonly equity: Big;
}

/** Remaining of the futures bonuses that count in equity: active or awaiting reclaim (M-2). */
export function bonusEquity(ctx: Ctx): Big {
  let total = ZERO;
  for (const bonus of ctx.futuresBonuses) {
    if (bonus.status === 'active' || bonus.status === 'awaitingReclaim') total = total.plus(dec(bonus.remaining));
  }
  return total;
}

/** M-1, M-2. */
export function marginOf(ctx: Ctx): Margin {
  let mm = ZERO;
  let upnl = ZERO;
  for (const position of ctx.positions) {
    if (position.voucher !== undefined) continue;
    const mark = markOf(ctx.marks, position.symbol);
    // Every fill sets its symbol's mark unless a mark feed already does (M-1), so a position always has one.
    const price = mark === undefined ? ZERO : dec(mark.price);
    mm = mm.plus(dec(position.qty).times(price).times(ctx.rules.mmrOf(position.symbol)));
    upnl = upnl.plus(unrealisedPnl(position, price));
  }
  return { mm, equity: ctx.own.plus(bonusEquity(ctx)).plus(upnl) };
}

/** `MM / E >= rate`, decided exactly: unbounded when `MM > 0` and `E <= 0`; 0 when `MM = 0` (M-2). */
export function rateAtLeast(margin: Margin, rate: Big): boolean {
  if (isZero(margin.mm)) return false;
  if (!isPositive(margin.equity)) return true;
  return margin.mm.gte(rate.times(margin.equity));
}

/** The margin rate for display: half-up to 8 decimals, `null` when unbounded (M-2, D-24). */
export function shownRate(margin: Margin): string | null {
  if (isZero(margin.mm)) return '0';
  return isPositive(margin.equity) ? showRate(margin.mm, margin.equity) : null;
}

/**
 * M-4: own balance less the initial margin of the positions without a position voucher (each
 * term rounded up on its own, D-27), plus their unrealised pnl when it is negative in sum (D-15).
 */
export function transferable(ctx: Ctx): Big {
  let locked = ZERO;
  let upnl = ZERO;
  for (const position of ctx.positions) {
    if (position.voucher !== undefined) continue;
    locked = locked.plus(divide(dec(position.entryValue), dec(position.leverage), ctx.scale, ROUND_UP));
    const mark = markOf(ctx.marks, position.symbol);
    upnl = upnl.plus(unrealisedPnl(position, mark === undefined ? ZERO : dec(mark.price)));
  }
  return ctx.own.minus(locked).plus(min(ZERO, upnl));
}

/** What a clawback may take now: the transferable funds rounded down, never below 0 (D-27). */
export function takeable(ctx: Ctx): Big {
  const funds = transferable(ctx).round(ctx.scale, ROUND_DOWN);
  return isPositive(funds) ? funds : ZERO;
}
