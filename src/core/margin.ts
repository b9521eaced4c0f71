/**
 * Margin (M-1, M-2, M-4). Unrealised pnl, maintenance margin and equity are only compared, never
 * paid, so they stay exact (G-3); a margin rate is compared by multiplication and only divided
 * for display.
 */
import { assert, type Ctx } from './context';
import type { Mark, Position } from './state';
import type { Rules } from './policy';
import type { FuturesBonus } from '../futuresBonus/codec';
import { accountMemo, changedSpan } from './memo';
import { add, compare, dec, divide, isNegative, isPositive, isZero, min, mul, ONE, ROUND_DOWN, ROUND_UP, showRate, sub, ZERO, type Big } from './money';

export function markOf(marks: readonly Mark[], symbol: string): Mark | undefined {
  for (const mark of marks) if (mark.symbol === symbol) return mark;
  return undefined;
}

/** M-1: unrealised pnl of one position at its symbol's mark. */
export function unrealisedPnl(position: Position, mark: Big): Big {
  const value = mul(dec(position.qty), mark);
  const entry = dec(position.entryValue);
  return position.positionSide === 'long' ? sub(value, entry) : sub(entry, value);
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
 * symbols whose positions changed, or whose mark moved, are computed again, and the sums are
 * corrected by the difference. Amounts here are exact, so that is the very value a fresh sum
 * gives. Every memo is checked by identity before use.
 *
 * The sums are kept by symbol: one mark and one mmr serve all positions on a symbol, so a mark
 * move is found through the symbol, without a look at the other positions, and costs the same
 * few operations however many positions the symbol holds.
 */

/** A position counted in the sums (it has no position voucher), and its M-4 initial margin once asked for. */
interface Member {
  readonly position: Position;
  /** `entryValue / leverage` rounded up to the rules' scale (M-4, D-27); computed on demand. */
  locked: Big | undefined;
}

/**
 * The counted positions on one symbol and their M-1 terms at one mark. A group belongs to the
 * account's memo and is updated in place as the memo's sums move on.
 */
interface Group {
  readonly symbol: string;
  readonly mmr: Big;
  readonly members: Member[];
  /** For two or more members: what a mark multiplies, worked out once per set of members. */
  aggregate: Aggregate | undefined;
  price: string | undefined;
  mm: Big;
  upnl: Big;
  /** Whether `mm` and `upnl` are in the memo's totals: false for a group emptied or not yet priced. */
  counted: boolean;
  /** Whether the update at hand prices it again (its members changed, or its mark moved). */
  changed: boolean;
}

/** The groups of an account's memo, by symbol and in an array to go through (a group, once made, stays). */
interface Groups {
  readonly bySymbol: Map<string, Group>;
  readonly all: Group[];
}

/** M-1 over several positions at one mark `p`: `MM = p x mmr x Σ qty`, `upnl = p x (Σ long qty - Σ short qty) + (Σ short entry - Σ long entry)`. */
interface Aggregate {
  readonly mmPerPrice: Big;
  readonly netQty: Big;
  readonly netEntry: Big;
}

/** The M-1 sums over the positions without a position voucher of one positions array. */
interface Sums {
  readonly positions: readonly Position[];
  readonly marks: readonly Mark[];
  readonly rules: Rules;
  /** The memo's groups: they describe these sums only while these are the memo's last. */
  readonly groups: Groups;
  /** How many groups are in the totals (the others are empty). */
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
 * `r x own <= (MM - r x upnl) - r x B`: bounds that change only with the positions and marks
 * (`bare`) and with the bonuses, so a step that moves only the own balance decides with one
 * comparison. The rate is the sums' rules' own.
 */
interface Limit {
  readonly rateIsOne: boolean;
  /** `MM - r x upnl`: the bound without bonuses. */
  readonly bare: Big;
  /** The bonus equity `bound` is for. */
  bonus: Big | undefined;
  bound: Big;
}

interface Equity {
  readonly own: Big;
  readonly bonus: Big;
  readonly margin: Margin;
}

/** The symbol -> mark price map of one marks array whose symbols are all different (undefined when they are not). */
interface MarkIndex {
  marks: readonly Mark[];
  map: Map<string, string> | undefined;
}

/** What an account's memo keeps: the last sums, bonus equity and mark map, with what they were computed from. */
interface MarginMemo {
  sums: Sums | undefined;
  bonuses: readonly FuturesBonus[] | undefined;
  bonusEquity: Big;
  markIndex: MarkIndex | undefined;
}

const memoOf = accountMemo<MarginMemo>(() => ({ sums: undefined, bonuses: undefined, bonusEquity: ZERO, markIndex: undefined }));

/** Up to this many marks a linear search is faster than a map. */
const MARK_SCAN_LIMIT = 8;

/** The symbol -> mark price map of a marks array, kept across steps; undefined for a few marks (a linear search is faster). */
function markMapOf(marks: readonly Mark[], memo: MarginMemo): Map<string, string> | undefined {
  if (marks.length <= MARK_SCAN_LIMIT) return undefined;
  const index = memo.markIndex;
  if (index !== undefined && index.marks === marks) return index.map;
  let map: Map<string, string> | undefined = new Map<string, string>();
  for (const mark of marks) {
    // Two marks of one symbol (only a state from elsewhere): `markOf`'s search decides which counts.
    if (map.has(mark.symbol)) {
      map = undefined;
      break;
    }
    map.set(mark.symbol, mark.price);
  }
  memo.markIndex = { marks, map };
  return map;
}

/** The mark price text of a symbol (M-1). */
function priceOf(marks: readonly Mark[], map: Map<string, string> | undefined, symbol: string): string | undefined {
  return map === undefined ? markOf(marks, symbol)?.price : map.get(symbol);
}

/**
 * The symbols whose mark may differ between two marks arrays (marks are only replaced or added,
 * so index by index); undefined when any may (a shorter array: a state from elsewhere). The
 * memo's mark map, if it is `before`'s, is carried over to `after` on the way.
 */
function movedSymbols(before: readonly Mark[], after: readonly Mark[], memo: MarginMemo): string[] | undefined {
  const moved: string[] = [];
  if (before === after) return moved;
  if (after.length < before.length) return undefined;
  const index = memo.markIndex;
  let map = index !== undefined && index.marks === before ? index.map : undefined;
  for (let k = 0; k < after.length; k++) {
    const was = before[k];
    const mark = after[k] as Mark;
    if (mark === was) continue;
    moved.push(mark.symbol);
    if (was !== undefined && was.symbol !== mark.symbol) {
      moved.push(was.symbol);
      map = undefined;
    } else if (map !== undefined) {
      // A new symbol must be new to the map, or the marks hold one symbol twice.
      if (was === undefined && map.has(mark.symbol)) map = undefined;
      else map.set(mark.symbol, mark.price);
    }
  }
  if (map !== undefined && index !== undefined) index.marks = after;
  else if (index !== undefined && index.marks === before) memo.markIndex = undefined;
  return moved;
}

function sumsOf(ctx: Ctx): Sums {
  const positions = ctx.positions;
  const memo = memoOf(ctx.input.accountId);
  const last = memo.sums;
  if (last !== undefined && last.positions === positions && last.marks === ctx.marks && last.rules === ctx.rules) return last;
  // The groups are changed in place: until the new sums are complete, no sums describe them.
  memo.sums = undefined;
  const sums = last !== undefined && last.rules === ctx.rules ? updated(last, positions, ctx.marks, memo) : fresh(positions, ctx.marks, ctx.rules, memo);
  memo.sums = sums;
  return sums;
}

/** A position joins its symbol's group (created when it is the first). */
function join(groups: Groups, position: Position, rules: Rules): Group {
  const symbol = position.symbol;
  let group = groups.bySymbol.get(symbol);
  if (group === undefined) {
    group = { symbol, mmr: rules.mmrOf(symbol), members: [], aggregate: undefined, price: undefined, mm: ZERO, upnl: ZERO, counted: false, changed: false };
    groups.bySymbol.set(symbol, group);
    groups.all.push(group);
  }
  group.members.push({ position, locked: undefined });
  group.aggregate = undefined;
  return group;
}

/** The sums of `positions` at `marks` computed afresh. */
function fresh(positions: readonly Position[], marks: readonly Mark[], rules: Rules, memo: MarginMemo): Sums {
  const groups: Groups = { bySymbol: new Map(), all: [] };
  for (const position of positions) if (position.voucher === undefined) join(groups, position, rules);
  const map = groups.all.length > 1 ? markMapOf(marks, memo) : undefined;
  for (const group of groups.all) priceGroup(group, priceOf(marks, map, group.symbol));
  const { mm, upnl } = sumOf(groups);
  return { positions, marks, rules, groups, counted: groups.all.length, mm, upnl, locked: undefined, last: undefined, limit: undefined };
}

/** M-1 of a group at `price`: `qty x mark` once for one position, the aggregate for more. */
function priceGroup(group: Group, price: string | undefined): void {
  // Every fill sets its symbol's mark unless a mark feed already does (M-1), so a position always has one.
  const mark = price === undefined ? ZERO : dec(price);
  const members = group.members;
  group.price = price;
  group.counted = true;
  if (members.length === 1) {
    const position = (members[0] as Member).position;
    const value = mul(dec(position.qty), mark);
    const entry = dec(position.entryValue);
    group.mm = mul(value, group.mmr);
    group.upnl = position.positionSide === 'long' ? sub(value, entry) : sub(entry, value);
    return;
  }
  const aggregate = (group.aggregate ??= aggregateOf(members, group.mmr));
  group.mm = mul(mark, aggregate.mmPerPrice);
  group.upnl = add(mul(mark, aggregate.netQty), aggregate.netEntry);
}

function aggregateOf(members: readonly Member[], mmr: Big): Aggregate {
  let qty = ZERO;
  let netQty = ZERO;
  let netEntry = ZERO;
  for (const { position } of members) {
    const q = dec(position.qty);
    const entry = dec(position.entryValue);
    qty = add(qty, q);
    if (position.positionSide === 'long') {
      netQty = add(netQty, q);
      netEntry = sub(netEntry, entry);
    } else {
      netQty = sub(netQty, q);
      netEntry = add(netEntry, entry);
    }
  }
  return { mmPerPrice: mul(qty, mmr), netQty, netEntry };
}

/** The totals of the groups added afresh. */
function sumOf(groups: Groups): { readonly mm: Big; readonly upnl: Big } {
  let mm = ZERO;
  let upnl = ZERO;
  let first = true;
  for (const group of groups.all) {
    if (!group.counted) continue;
    mm = first ? group.mm : add(mm, group.mm);
    upnl = first ? group.upnl : add(upnl, group.upnl);
    first = false;
  }
  return { mm, upnl };
}

/**
 * The sums of `positions` at `marks` from `prev` (the memo's last, under the same rules): the
 * positions that left or joined are taken from or put in their groups, and the groups whose
 * members changed or whose mark moved are priced again, the totals corrected by them.
 */
function updated(prev: Sums, positions: readonly Position[], marks: readonly Mark[], memo: MarginMemo): Sums {
  const groups = prev.groups;
  const rules = prev.rules;
  const touched: Group[] = [];
  if (prev.positions !== positions) {
    const before = prev.positions;
    const { start, endBefore, endAfter } = changedSpan(before, positions);
    if (endBefore - start > 1 && endAfter - start > 1) {
      // A wider span (a state from elsewhere): the positions in both arrays stay where they are.
      const joining = new Map<Position, number>();
      for (let i = start; i < endAfter; i++) {
        const position = positions[i] as Position;
        joining.set(position, (joining.get(position) ?? 0) + 1);
      }
      for (let i = start; i < endBefore; i++) {
        const position = before[i] as Position;
        const count = joining.get(position) ?? 0;
        if (count > 0) joining.set(position, count - 1);
        else if (position.voucher === undefined) leave(groups, position, touched);
      }
      for (const [position, count] of joining) for (let k = 0; k < count; k++) enter(groups, position, rules, touched);
    } else {
      for (let i = start; i < endBefore; i++) {
        const position = before[i] as Position;
        if (position.voucher === undefined) leave(groups, position, touched);
      }
      for (let i = start; i < endAfter; i++) enter(groups, positions[i] as Position, rules, touched);
    }
  }
  const moved = movedSymbols(prev.marks, marks, memo);
  // A mark map kept across steps serves any lookup; a new one pays for several.
  const index = memo.markIndex;
  const map = index !== undefined && index.marks === marks ? index.map : moved === undefined || moved.length + touched.length > 1 ? markMapOf(marks, memo) : undefined;
  // M-4's initial margins depend on the positions only.
  const locked = touched.length === 0 ? prev.locked : undefined;
  // The groups to price again: those whose members changed, then those whose mark text moved.
  const due = touched;
  const prices: (string | undefined)[] = [];
  for (const group of touched) prices.push(priceOf(marks, map, group.symbol));
  if (moved === undefined) {
    for (const group of groups.all) moving(due, prices, group, priceOf(marks, map, group.symbol));
  } else {
    for (const symbol of moved) {
      const group = groups.bySymbol.get(symbol);
      if (group !== undefined) moving(due, prices, group, priceOf(marks, map, symbol));
    }
  }
  // Correcting costs an operation per total for each term that leaves or joins, summing afresh one per group but the first.
  let corrections = 0;
  let counted = prev.counted;
  for (const group of due) {
    const was = group.counted ? 1 : 0;
    const is = group.members.length > 0 ? 1 : 0;
    corrections += was + is;
    counted += is - was;
  }
  const correct = corrections < counted - 1;
  let mm = prev.mm;
  let upnl = prev.upnl;
  for (let k = 0; k < due.length; k++) {
    const group = due[k] as Group;
    group.changed = false;
    if (correct && group.counted) {
      mm = sub(mm, group.mm);
      upnl = sub(upnl, group.upnl);
    }
    if (group.members.length === 0) {
      // An emptied group stays for the symbol's next position (a map entry less to delete and make).
      group.counted = false;
      continue;
    }
    priceGroup(group, prices[k]);
    if (correct) {
      mm = add(mm, group.mm);
      upnl = add(upnl, group.upnl);
    }
  }
  if (due.length === 0 || correct) return { positions, marks, rules, groups, counted, mm, upnl, locked, last: undefined, limit: undefined };
  const sums = sumOf(groups);
  return { positions, marks, rules, groups, counted, mm: sums.mm, upnl: sums.upnl, locked, last: undefined, limit: undefined };
}

/** Queues a group whose members did not change if its mark text moved. */
function moving(due: Group[], prices: (string | undefined)[], group: Group, price: string | undefined): void {
  if (group.changed || !group.counted || price === group.price) return;
  // Marked as queued, so a symbol named twice is priced once.
  group.changed = true;
  due.push(group);
  prices.push(price);
}

/** A position without a position voucher joins its symbol's group. */
function enter(groups: Groups, position: Position, rules: Rules, touched: Group[]): void {
  if (position.voucher !== undefined) return;
  const group = join(groups, position, rules);
  if (!group.changed) {
    group.changed = true;
    touched.push(group);
  }
}

/** A position leaves its symbol's group (the memo's groups hold every counted position of the last sums). */
function leave(groups: Groups, position: Position, touched: Group[]): void {
  const group = groups.bySymbol.get(position.symbol);
  assert(group !== undefined, 'a counted position of the last margin sums has its group');
  const members = group.members;
  let at = 0;
  while (at < members.length && (members[at] as Member).position !== position) at++;
  assert(at < members.length, 'a counted position of the last margin sums is in its group');
  // The order of the members does not matter: the last takes the leaver's place.
  members[at] = members[members.length - 1] as Member;
  members.pop();
  group.aggregate = undefined;
  if (!group.changed) {
    group.changed = true;
    touched.push(group);
  }
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
  const withBonus = isZero(bonus) ? ctx.own : add(ctx.own, bonus);
  const equity: Equity = { own: ctx.own, bonus, margin: { mm: sums.mm, equity: isZero(sums.upnl) ? withBonus : add(withBonus, sums.upnl) } };
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
  let limit = sums.limit;
  if (limit === undefined) {
    const rateIsOne = compare(rate, ONE) === 0;
    const upnl = sums.upnl;
    const bare = isZero(upnl) ? sums.mm : sub(sums.mm, rateIsOne ? upnl : mul(rate, upnl));
    limit = { rateIsOne, bare, bonus: undefined, bound: bare };
    sums.limit = limit;
  }
  const own = limit.rateIsOne ? ctx.own : mul(rate, ctx.own);
  // Bonuses only add to equity (B >= 0, r > 0): a rate below the threshold without them stays below with them.
  if (compare(own, limit.bare) > 0) return false;
  const bonus = bonusEquity(ctx);
  if (limit.bonus !== bonus) {
    limit.bonus = bonus;
    limit.bound = isZero(bonus) ? limit.bare : sub(limit.bare, limit.rateIsOne ? bonus : mul(rate, bonus));
  }
  return compare(own, limit.bound) <= 0;
}

/** `MM / E >= rate`, decided exactly: unbounded when `MM > 0` and `E <= 0`; 0 when `MM = 0` (M-2). */
export function rateAtLeast(margin: Margin, rate: Big): boolean {
  if (isZero(margin.mm)) return false;
  if (!isPositive(margin.equity)) return true;
  return compare(margin.mm, mul(rate, margin.equity)) >= 0;
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
    for (const group of sums.groups.all) {
      for (const member of group.members) {
        member.locked ??= divide(dec(member.position.entryValue), dec(member.position.leverage), sums.rules.scale, ROUND_UP);
        locked = add(locked, member.locked);
      }
    }
    sums.locked = locked;
  }
  return add(sub(ctx.own, sums.locked), min(ZERO, sums.upnl));
}

/** What a clawback may take now: the transferable funds rounded down, never below 0 (D-27). */
export function takeable(ctx: Ctx): Big {
  const funds = transferable(ctx).round(ctx.scale, ROUND_DOWN);
  return isPositive(funds) ? funds : ZERO;
}
