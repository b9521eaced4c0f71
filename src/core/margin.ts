/**
 * Margin (M-1, M-2, M-4). Unrealised pnl, maintenance margin and equity are only compared, never
 * paid, so they stay exact (G-3); a margin rate is compared by multiplication and only divided
 * for display.
 */
import type { Ctx } from './context';
import type { Mark, Position } from './state';
import type { Rules } from './policy';
import type { FuturesBonus } from '../futuresBonus/codec';
import { accountMemo } from './memo';
import { add, compare, dec, divide, isNegative, isPositive, isZero, min, ONE, ROUND_DOWN, ROUND_UP, showRate, sub, ZERO, type Big } from './money';

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

/*
 * Memoisation (issue 8). States are immutable and copy-on-write shares every object a step does not
 * touch, so each account's memo keeps the last margin sums with the positions array, marks array
 * and policy they were computed for, and a new positions array is summed from them: only the
 * positions that are new, or whose mark moved, are computed again, and the sums are corrected by
 * the difference. Amounts here are exact, so that is the very value (and, big.js normalising every
 * result, the very representation) a fresh sum gives. Every memo is checked by identity before use.
 */

/** One position's M-1 terms at one mark, and its M-4 initial margin once asked for. */
interface Terms {
  readonly position: Position;
  readonly price: string | undefined;
  readonly mmr: Big;
  readonly mm: Big;
  readonly upnl: Big;
  /** `entryValue / leverage` rounded up to the rules' scale (M-4, D-27); computed on demand. */
  locked: Big | undefined;
}

/** The M-1 sums over the positions without a position voucher of one positions array. */
interface Sums {
  readonly positions: readonly Position[];
  readonly marks: readonly Mark[];
  readonly rules: Rules;
  /** Each position's terms, by index; undefined for a position with a position voucher (not counted). */
  readonly terms: readonly (Terms | undefined)[];
  /** How many positions have terms. */
  readonly counted: number;
  readonly mm: Big;
  readonly upnl: Big;
  /** M-4: the sum of the initial margins, computed on demand. */
  locked: Big | undefined;
  /** The last margin computed from these sums, for that own balance and bonus equity. */
  last: Equity | undefined;
  /** M-3 as a bound on the own balance, for one bonus equity and liquidation rate. */
  limit: Limit | undefined;
}

/**
 * M-3 with `MM > 0` (`MM` is never negative): `MM / E >= r` exactly when `r x E <= MM` (an
 * `E <= 0` satisfies it too, since `r > 0`), and with `E = own + B + upnl` that is
 * `r x own <= MM - r x (B + upnl)`: a bound that changes only with the positions, marks and
 * bonuses, so a step that moves only the own balance decides with one comparison.
 */
interface Limit {
  readonly bonus: Big;
  readonly rate: Big;
  readonly rateIsOne: boolean;
  readonly bound: Big;
}

interface Equity {
  readonly own: Big;
  readonly bonus: Big;
  readonly margin: Margin;
}

/** What an account's memo keeps: the last sums, bonus equity and mark map, with what they were computed from. */
interface MarginMemo {
  sums: Sums | undefined;
  bonuses: readonly FuturesBonus[] | undefined;
  bonusEquity: Big;
  marks: readonly Mark[] | undefined;
  markMap: Map<string, string> | undefined;
}

const memoOf = accountMemo<MarginMemo>(() => ({ sums: undefined, bonuses: undefined, bonusEquity: ZERO, marks: undefined, markMap: undefined }));

/** Up to this many marks a linear search is faster than a map. */
const MARK_SCAN_LIMIT = 8;
/** The lookup from which a build looks marks up through a map (when there are more than `MARK_SCAN_LIMIT`). */
const MAP_AFTER_LOOKUPS = 4;

/** The symbol -> mark price map of a marks array, built once per array; undefined for a few marks (a linear search is faster). */
function markMapOf(marks: readonly Mark[], memo: MarginMemo): Map<string, string> | undefined {
  if (marks.length <= MARK_SCAN_LIMIT) return undefined;
  if (memo.marks === marks && memo.markMap !== undefined) return memo.markMap;
  const map = new Map<string, string>();
  // The first mark of a symbol wins, as in `markOf`.
  for (const mark of marks) if (!map.has(mark.symbol)) map.set(mark.symbol, mark.price);
  memo.marks = marks;
  memo.markMap = map;
  return map;
}

/** The mark price text of a symbol (M-1). */
function priceOf(marks: readonly Mark[], map: Map<string, string> | undefined, symbol: string): string | undefined {
  return map === undefined ? markOf(marks, symbol)?.price : map.get(symbol);
}

/** M-1: a position's maintenance margin and unrealised pnl, `qty x mark` computed once. */
function termsOf(position: Position, price: string | undefined, mmr: Big, locked: Big | undefined): Terms {
  // Every fill sets its symbol's mark unless a mark feed already does (M-1), so a position always has one.
  const value = dec(position.qty).times(price === undefined ? ZERO : dec(price));
  const entry = dec(position.entryValue);
  return {
    position,
    price,
    mmr,
    mm: value.times(mmr),
    upnl: position.positionSide === 'long' ? value.minus(entry) : entry.minus(value),
    locked,
  };
}

/**
 * The symbols whose mark may differ between two marks arrays (marks are only replaced or added,
 * so index by index); undefined when any may (a shorter array: a state from elsewhere).
 */
function movedSymbols(before: readonly Mark[], after: readonly Mark[]): string[] | undefined {
  const moved: string[] = [];
  if (before === after) return moved;
  if (after.length < before.length) return undefined;
  for (let k = 0; k < after.length; k++) {
    const was = before[k];
    const mark = after[k] as Mark;
    if (mark === was) continue;
    moved.push(mark.symbol);
    if (was !== undefined && was.symbol !== mark.symbol) moved.push(was.symbol);
  }
  return moved;
}

/** The terms `prev` holds for `position`: copy-on-write moves a position by one index at most per change. */
function termsIn(prev: Sums, index: number, position: Position): Terms | undefined {
  const terms = prev.terms;
  const at = terms[index];
  if (at !== undefined && at.position === position) return at;
  const after = terms[index + 1];
  if (after !== undefined && after.position === position) return after;
  const before = index > 0 ? terms[index - 1] : undefined;
  return before !== undefined && before.position === position ? before : undefined;
}

function sumsOf(ctx: Ctx): Sums {
  const positions = ctx.positions;
  const memo = memoOf(ctx.input.accountId);
  const last = memo.sums;
  if (last !== undefined && last.positions === positions && last.marks === ctx.marks && last.rules === ctx.rules) return last;
  const sums = buildSums(positions, ctx.marks, ctx.rules, last !== undefined && last.rules === ctx.rules ? last : undefined, memo);
  memo.sums = sums;
  return sums;
}

/**
 * The sums of `positions` at `marks`, from `prev`'s terms where a position and its mark are the
 * same. `prev` may be any sums under the same rules: each of its terms is exact for its position
 * and mark, and its totals are the exact sums of its terms.
 */
function buildSums(positions: readonly Position[], marks: readonly Mark[], rules: Rules, prev: Sums | undefined, memo: MarginMemo): Sums {
  // A position whose terms `prev` holds, on a symbol whose mark did not move, keeps them as they are.
  const moved = prev === undefined ? undefined : movedSymbols(prev.marks, marks);
  if (prev !== undefined && moved !== undefined && prev.positions === positions) return remarked(prev, marks, moved, memo);
  let lookups = 0;
  let map: Map<string, string> | undefined;
  const terms: (Terms | undefined)[] = new Array<Terms | undefined>(positions.length);
  let counted = 0;
  let added: Terms[] | undefined;
  for (let i = 0; i < positions.length; i++) {
    const position = positions[i] as Position;
    if (position.voucher !== undefined) {
      terms[i] = undefined;
      continue;
    }
    counted++;
    const old = prev === undefined ? undefined : termsIn(prev, i, position);
    if (old !== undefined && moved !== undefined && (moved.length === 0 || !moved.includes(position.symbol))) {
      terms[i] = old;
      continue;
    }
    // A few lookups (a mark moved, a fill) search the marks; many are worth a map.
    if (++lookups === MAP_AFTER_LOOKUPS) map = markMapOf(marks, memo);
    const price = priceOf(marks, map, position.symbol);
    const mmr = rules.mmrOf(position.symbol);
    if (old !== undefined && old.price === price && old.mmr === mmr) {
      terms[i] = old;
      continue;
    }
    const fresh = termsOf(position, price, mmr, old?.locked);
    terms[i] = fresh;
    (added ??= []).push(fresh);
  }
  if (prev !== undefined) {
    // The terms of `prev` that are not carried over: positions gone, changed, or at another mark.
    let removed: Terms[] | undefined;
    const before = prev.terms;
    for (let k = 0; k < before.length; k++) {
      const old = before[k];
      if (old === undefined || terms[k] === old || terms[k + 1] === old || (k > 0 && terms[k - 1] === old)) continue;
      (removed ??= []).push(old);
    }
    const changes = (added?.length ?? 0) + (removed?.length ?? 0);
    if (changes === 0) return { positions, marks, rules, terms, counted, mm: prev.mm, upnl: prev.upnl, locked: prev.locked, last: undefined, limit: undefined };
    // Correcting costs one operation per changed term, summing afresh one per counted term but the first.
    if (changes < counted - 1) {
      let mm = prev.mm;
      let upnl = prev.upnl;
      for (const t of added ?? []) {
        mm = mm.plus(t.mm);
        upnl = upnl.plus(t.upnl);
      }
      for (const t of removed ?? []) {
        mm = mm.minus(t.mm);
        upnl = upnl.minus(t.upnl);
      }
      return { positions, marks, rules, terms, counted, mm, upnl, locked: undefined, last: undefined, limit: undefined };
    }
  }
  const { mm, upnl } = sumOf(terms);
  return { positions, marks, rules, terms, counted, mm, upnl, locked: undefined, last: undefined, limit: undefined };
}

/** The sums of `terms` added afresh. */
function sumOf(terms: readonly (Terms | undefined)[]): { readonly mm: Big; readonly upnl: Big } {
  let mm = ZERO;
  let upnl = ZERO;
  let first = true;
  for (const t of terms) {
    if (t === undefined) continue;
    mm = first ? t.mm : mm.plus(t.mm);
    upnl = first ? t.upnl : upnl.plus(t.upnl);
    first = false;
  }
  return { mm, upnl };
}

/**
 * `buildSums` for the same positions at marks that moved only at `moved` symbols (a mark price
 * update, or a fill's price): the terms are `prev`'s but for the positions on a moved symbol
 * whose mark text changed, and the sums are corrected by those.
 */
function remarked(prev: Sums, marks: readonly Mark[], moved: readonly string[], memo: MarginMemo): Sums {
  const positions = prev.positions;
  let terms = prev.terms;
  let added: Terms[] | undefined;
  let removed: Terms[] | undefined;
  if (moved.length > 0) {
    const only = moved.length === 1 ? moved[0] : undefined;
    let lookups = 0;
    let map: Map<string, string> | undefined;
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i];
      if (t === undefined) continue;
      const symbol = t.position.symbol;
      if (only !== undefined ? symbol !== only : !moved.includes(symbol)) continue;
      if (++lookups === MAP_AFTER_LOOKUPS) map = markMapOf(marks, memo);
      const price = priceOf(marks, map, symbol);
      if (price === t.price) continue;
      const fresh = termsOf(t.position, price, t.mmr, t.locked);
      if (terms === prev.terms) terms = terms.slice();
      (terms as (Terms | undefined)[])[i] = fresh;
      (added ??= []).push(fresh);
      (removed ??= []).push(t);
    }
  }
  const rules = prev.rules;
  const counted = prev.counted;
  if (added === undefined || removed === undefined) {
    return { positions, marks, rules, terms, counted, mm: prev.mm, upnl: prev.upnl, locked: prev.locked, last: undefined, limit: undefined };
  }
  // Correcting costs two operations per changed term, summing afresh one per counted term but the first.
  if (2 * added.length < counted - 1) {
    let mm = prev.mm;
    let upnl = prev.upnl;
    for (let k = 0; k < added.length; k++) {
      const a = added[k] as Terms;
      const r = removed[k] as Terms;
      mm = mm.plus(a.mm).minus(r.mm);
      upnl = upnl.plus(a.upnl).minus(r.upnl);
    }
    return { positions, marks, rules, terms, counted, mm, upnl, locked: prev.locked, last: undefined, limit: undefined };
  }
  const { mm, upnl } = sumOf(terms);
  return { positions, marks, rules, terms, counted, mm, upnl, locked: prev.locked, last: undefined, limit: undefined };
}

/** What a bonus counts in equity: its remaining when active or awaiting reclaim (M-2). */
function countedRemaining(bonus: FuturesBonus): Big {
  return bonus.status === 'active' || bonus.status === 'awaitingReclaim' ? dec(bonus.remaining) : ZERO;
}

/** Remaining of the futures bonuses that count in equity: active or awaiting reclaim (M-2). */
export function bonusEquity(ctx: Ctx): Big {
  const bonuses = ctx.futuresBonuses;
  const memo = memoOf(ctx.input.accountId);
  const before = memo.bonuses;
  if (before === bonuses) return memo.bonusEquity;
  let total = ZERO;
  if (before !== undefined && bonuses.length >= before.length) {
    // From the last total, corrected by the bonuses that changed (exact: the same value as a fresh sum).
    total = memo.bonusEquity;
    for (let i = 0; i < bonuses.length; i++) {
      const bonus = bonuses[i] as FuturesBonus;
      const was = before[i];
      if (bonus === was) continue;
      if (was !== undefined) total = sub(total, countedRemaining(was));
      total = add(total, countedRemaining(bonus));
    }
  } else {
    for (const bonus of bonuses) total = add(total, countedRemaining(bonus));
  }
  memo.bonuses = bonuses;
  memo.bonusEquity = total;
  return total;
}

function equityOf(ctx: Ctx): Equity {
  const sums = sumsOf(ctx);
  const bonus = bonusEquity(ctx);
  const last = sums.last;
  if (last !== undefined && last.own === ctx.own && last.bonus === bonus) return last;
  // Adding 0 changes nothing: skipped (this runs on most steps).
  const withBonus = isZero(bonus) ? ctx.own : ctx.own.plus(bonus);
  const equity: Equity = { own: ctx.own, bonus, margin: { mm: sums.mm, equity: isZero(sums.upnl) ? withBonus : withBonus.plus(sums.upnl) } };
  sums.last = equity;
  return equity;
}

/** M-1, M-2. */
export function marginOf(ctx: Ctx): Margin {
  return equityOf(ctx).margin;
}

/** M-3: whether the margin rate is at or above the policy's liquidation rate. */
export function liquidationReached(ctx: Ctx): boolean {
  const sums = sumsOf(ctx);
  if (isZero(sums.mm)) return false;
  const rate = ctx.rules.liquidationRate;
  // Only a state from elsewhere could hold a negative mark or qty: decide it the long way.
  if (isNegative(sums.mm)) return rateAtLeast(marginOf(ctx), rate);
  const bonus = bonusEquity(ctx);
  let limit = sums.limit;
  if (limit === undefined || limit.bonus !== bonus || limit.rate !== rate) {
    const rest = isZero(bonus) ? sums.upnl : bonus.plus(sums.upnl);
    const rateIsOne = compare(rate, ONE) === 0;
    limit = { bonus, rate, rateIsOne, bound: sums.mm.minus(rateIsOne ? rest : rate.times(rest)) };
    sums.limit = limit;
  }
  return compare(limit.rateIsOne ? ctx.own : rate.times(ctx.own), limit.bound) <= 0;
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
  const sums = sumsOf(ctx);
  if (sums.locked === undefined) {
    let locked = ZERO;
    for (const terms of sums.terms) {
      if (terms === undefined) continue;
      terms.locked ??= divide(dec(terms.position.entryValue), dec(terms.position.leverage), sums.rules.scale, ROUND_UP);
      locked = locked.plus(terms.locked);
    }
    sums.locked = locked;
  }
  return ctx.own.minus(sums.locked).plus(min(ZERO, sums.upnl));
}

/** What a clawback may take now: the transferable funds rounded down, never below 0 (D-27). */
export function takeable(ctx: Ctx): Big {
  const funds = transferable(ctx).round(ctx.scale, ROUND_DOWN);
  return isPositive(funds) ? funds : ZERO;
}
