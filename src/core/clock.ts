/**
 * The clock (G-4, G-6 step 1): everything that falls due at or before the event's time runs first,
 * in order of due time; on a tie payouts, then expiries of loss coverage vouchers, position
 * vouchers and futures bonuses; within a kind in grant order, then creation order (D-4).
 */
import type { Ctx } from './context';
import { expireLossCoverage, payCompensation } from '../lossCoverage/rules';
import { expirePositionVoucher } from '../positionVoucher/rules';
import { expireFuturesBonus } from '../futuresBonus/rules';
import type { Compensation, LossCoverageVoucher } from '../lossCoverage/codec';
import type { PositionVoucher } from '../positionVoucher/codec';
import type { FuturesBonus } from '../futuresBonus/codec';
import { accountMemo, changedSpan } from './memo';

const DAY_MS = 86_400_000;

/** 00:00 UTC of the day after `at` (LCV-6). */
export function nextUtcMidnight(at: number): number {
  return (Math.floor(at / DAY_MS) + 1) * DAY_MS;
}

/** What falls due: a payout (rank 0) or the expiry of a voucher of one kind (ranks 1..3, G-6). */
interface DueWork {
  readonly due: number;
  readonly rank: 0 | 1 | 2 | 3;
  readonly grantSeq: number;
  readonly created: number;
  /** Rank 0: the compensation (it finds its own index when paid); ranks 1..3: the voucher's index (vouchers are never removed). */
  readonly compensation: Compensation | undefined;
  readonly index: number;
}

function byDueOrder(a: DueWork, b: DueWork): number {
  return a.due - b.due || a.rank - b.rank || a.grantSeq - b.grantSeq || a.created - b.created;
}

function grantSeqOf(vouchers: readonly LossCoverageVoucher[], id: string): number {
  for (const v of vouchers) if (v.id === id) return v.grantSeq;
  return 0;
}

/*
 * When each kind of item falls due (Infinity: never). One function per kind serves both the scan
 * of what is due and the memo of the earliest due time, so the two cannot disagree.
 */
const compensationDue = (c: Compensation): number => c.payableAt;
const lossCoverageDue = (v: LossCoverageVoucher): number =>
  v.status === 'available' && v.expiresAt !== undefined ? v.expiresAt : Infinity;
const positionVoucherDue = (v: PositionVoucher): number => (v.status === 'available' ? v.expiresAt : Infinity);
const bonusDue = (b: FuturesBonus): number => (b.status === 'active' ? b.expiresAt : Infinity);

/** Collects what falls due by `until`, from the slices whose earliest due time (`memo`, just brought up to date) is by then. */
function dueBy(ctx: Ctx, until: number, memo: ClockMemo): DueWork[] {
  const work: DueWork[] = [];
  const compensations = ctx.compensations;
  if (memo.compensations.due <= until) {
    for (let created = 0; created < compensations.length; created++) {
      const compensation = compensations[created] as Compensation;
      const due = compensationDue(compensation);
      if (due <= until) {
        const grantSeq = grantSeqOf(ctx.lossCoverageVouchers, compensation.voucherId);
        work.push({ due, rank: 0, grantSeq, created, compensation, index: created });
      }
    }
  }
  if (memo.lossCoverage.due <= until) collectExpiries(work, ctx.lossCoverageVouchers, lossCoverageDue, 1, until);
  if (memo.positionVouchers.due <= until) collectExpiries(work, ctx.positionVouchers, positionVoucherDue, 2, until);
  if (memo.bonuses.due <= until) collectExpiries(work, ctx.futuresBonuses, bonusDue, 3, until);
  return work;
}

function collectExpiries<V extends { readonly grantSeq: number }>(
  work: DueWork[],
  vouchers: readonly V[],
  dueOf: (voucher: V) => number,
  rank: 1 | 2 | 3,
  until: number,
): void {
  for (let i = 0; i < vouchers.length; i++) {
    const voucher = vouchers[i] as V;
    const due = dueOf(voucher);
    if (due <= until) work.push({ due, rank, grantSeq: voucher.grantSeq, created: 0, compensation: undefined, index: i });
  }
}

function run(ctx: Ctx, item: DueWork): void {
  switch (item.rank) {
    case 0:
      payCompensation(ctx, item.compensation as Compensation);
      return;
    case 1:
      expireLossCoverage(ctx, item.index);
      return;
    case 2:
      expirePositionVoucher(ctx, item.index);
      return;
    case 3:
      expireFuturesBonus(ctx, item.index);
      return;
  }
}

/**
 * The earliest time anything of one slice can fall due, per account and by the identity of the
 * slice (issue 8): a step that changes no slice, or only some, looks only at those, and only at
 * the items it replaced, added or removed. Infinity when nothing can fall due.
 */
interface SliceDue {
  items: readonly unknown[] | undefined;
  due: number;
  /** How many items fall due at `due`: the earliest is looked for again only when the last of them goes. */
  count: number;
}

interface ClockMemo {
  readonly compensations: SliceDue;
  readonly lossCoverage: SliceDue;
  readonly positionVouchers: SliceDue;
  readonly bonuses: SliceDue;
}

const unscanned = (): SliceDue => ({ items: undefined, due: Infinity, count: 0 });
const memoOf = accountMemo<ClockMemo>(() => ({
  compensations: unscanned(),
  lossCoverage: unscanned(),
  positionVouchers: unscanned(),
  bonuses: unscanned(),
}));

/** Beyond this many items replaced at once (a state from elsewhere), the slice is scanned afresh. */
const SPAN_LIMIT = 8;

/** The earliest due time of `items`, from the memo of the slice last seen where the two share items. */
function earliestOf<T>(memo: SliceDue, items: readonly T[], dueOf: (item: T) => number): number {
  const before = memo.items as readonly T[] | undefined;
  if (before === items) return memo.due;
  memo.items = items;
  if (before !== undefined && carried(memo, before, items, dueOf)) return memo.due;
  let due = Infinity;
  let count = 0;
  for (const item of items) {
    const itemDue = dueOf(item);
    if (itemDue < due) {
      due = itemDue;
      count = 0;
    }
    if (itemDue === due) count++;
  }
  memo.due = due;
  memo.count = count;
  return due;
}

/**
 * Carries the memo from `before` to `after` by the items that differ; false when it cannot (too
 * many differ, or the last item at the earliest time left).
 */
function carried<T>(memo: SliceDue, before: readonly T[], after: readonly T[], dueOf: (item: T) => number): boolean {
  const { start, endBefore, endAfter } = changedSpan(before, after);
  if (endBefore - start > SPAN_LIMIT || endAfter - start > SPAN_LIMIT) return false;
  let due = memo.due;
  let count = memo.count;
  for (let i = start; i < endAfter; i++) {
    const itemDue = dueOf(after[i] as T);
    if (itemDue < due) {
      due = itemDue;
      count = 0;
    }
    if (itemDue === due) count++;
  }
  for (let i = start; i < endBefore; i++) {
    if (dueOf(before[i] as T) !== due) continue;
    // The last item at the earliest time left: which is next needs a look at them all.
    if (--count === 0) return false;
  }
  memo.due = due;
  memo.count = count;
  return true;
}

/** The earliest due time of the account's slices now: what `dueBy` would collect is due at or after it. */
function earliestDue(ctx: Ctx, memo: ClockMemo): number {
  return Math.min(
    earliestOf(memo.compensations, ctx.compensations, compensationDue),
    earliestOf(memo.lossCoverage, ctx.lossCoverageVouchers, lossCoverageDue),
    earliestOf(memo.positionVouchers, ctx.positionVouchers, positionVoucherDue),
    earliestOf(memo.bonuses, ctx.futuresBonuses, bonusDue),
  );
}

/** G-6 step 1: advances the clock to `until`, running due work with `at` set to each due time. */
export function advanceClock(ctx: Ctx, until: number): void {
  const memo = memoOf(ctx.input.accountId);
  if (earliestDue(ctx, memo) <= until) {
    const work = dueBy(ctx, until, memo);
    work.sort(byDueOrder);
    for (const item of work) {
      ctx.at = item.due;
      run(ctx, item);
    }
  }
  ctx.at = until;
  ctx.clock = until;
}
