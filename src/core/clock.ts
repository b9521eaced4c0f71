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
import { accountMemo } from './memo';

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

/** Collects what falls due by `until`. */
function dueBy(ctx: Ctx, until: number): DueWork[] {
  const work: DueWork[] = [];
  const compensations = ctx.compensations;
  for (let created = 0; created < compensations.length; created++) {
    const compensation = compensations[created] as Compensation;
    if (compensation.payableAt <= until) {
      const grantSeq = grantSeqOf(ctx.lossCoverageVouchers, compensation.voucherId);
      work.push({ due: compensation.payableAt, rank: 0, grantSeq, created, compensation, index: created });
    }
  }
  const lossCoverage = ctx.lossCoverageVouchers;
  for (let i = 0; i < lossCoverage.length; i++) {
    const voucher = lossCoverage[i] as LossCoverageVoucher;
    if (voucher.status === 'available' && voucher.expiresAt !== undefined && voucher.expiresAt <= until) {
      work.push({ due: voucher.expiresAt, rank: 1, grantSeq: voucher.grantSeq, created: 0, compensation: undefined, index: i });
    }
  }
  const positionVouchers = ctx.positionVouchers;
  for (let i = 0; i < positionVouchers.length; i++) {
    const voucher = positionVouchers[i] as PositionVoucher;
    if (voucher.status === 'available' && voucher.expiresAt <= until) {
      work.push({ due: voucher.expiresAt, rank: 2, grantSeq: voucher.grantSeq, created: 0, compensation: undefined, index: i });
    }
  }
  const bonuses = ctx.futuresBonuses;
  for (let i = 0; i < bonuses.length; i++) {
    const bonus = bonuses[i] as FuturesBonus;
    if (bonus.status === 'active' && bonus.expiresAt <= until) {
      work.push({ due: bonus.expiresAt, rank: 3, grantSeq: bonus.grantSeq, created: 0, compensation: undefined, index: i });
    }
  }
  return work;
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
 * slice (issue 8): a step that changes no slice, or only some, rescans only those. Infinity when
 * nothing can fall due.
 */
interface ClockMemo {
  compensations: readonly Compensation[] | undefined;
  compensationsDue: number;
  lossCoverage: readonly LossCoverageVoucher[] | undefined;
  lossCoverageDue: number;
  positionVouchers: readonly PositionVoucher[] | undefined;
  positionVouchersDue: number;
  bonuses: readonly FuturesBonus[] | undefined;
  bonusesDue: number;
}

const memoOf = accountMemo<ClockMemo>(() => ({
  compensations: undefined,
  compensationsDue: Infinity,
  lossCoverage: undefined,
  lossCoverageDue: Infinity,
  positionVouchers: undefined,
  positionVouchersDue: Infinity,
  bonuses: undefined,
  bonusesDue: Infinity,
}));

/** The earliest due time of the account's slices now: what `dueBy` would collect is due at or after it. */
function earliestDue(ctx: Ctx): number {
  const memo = memoOf(ctx.input.accountId);
  if (memo.compensations !== ctx.compensations) {
    let due = Infinity;
    for (const compensation of ctx.compensations) if (compensation.payableAt < due) due = compensation.payableAt;
    memo.compensations = ctx.compensations;
    memo.compensationsDue = due;
  }
  if (memo.lossCoverage !== ctx.lossCoverageVouchers) {
    let due = Infinity;
    for (const voucher of ctx.lossCoverageVouchers) {
      if (voucher.status === 'available' && voucher.expiresAt !== undefined && voucher.expiresAt < due) due = voucher.expiresAt;
    }
    memo.lossCoverage = ctx.lossCoverageVouchers;
    memo.lossCoverageDue = due;
  }
  if (memo.positionVouchers !== ctx.positionVouchers) {
    let due = Infinity;
    for (const voucher of ctx.positionVouchers) if (voucher.status === 'available' && voucher.expiresAt < due) due = voucher.expiresAt;
    memo.positionVouchers = ctx.positionVouchers;
    memo.positionVouchersDue = due;
  }
  if (memo.bonuses !== ctx.futuresBonuses) {
    let due = Infinity;
    for (const bonus of ctx.futuresBonuses) if (bonus.status === 'active' && bonus.expiresAt < due) due = bonus.expiresAt;
    memo.bonuses = ctx.futuresBonuses;
    memo.bonusesDue = due;
  }
  return Math.min(memo.compensationsDue, memo.lossCoverageDue, memo.positionVouchersDue, memo.bonusesDue);
}

/** G-6 step 1: advances the clock to `until`, running due work with `at` set to each due time. */
export function advanceClock(ctx: Ctx, until: number): void {
  if (earliestDue(ctx) <= until) {
    const work = dueBy(ctx, until);
    work.sort(byDueOrder);
    for (const item of work) {
      ctx.at = item.due;
      run(ctx, item);
    }
  }
  ctx.at = until;
  ctx.clock = until;
}
