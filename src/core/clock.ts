/**
 * The clock (G-4, G-6 step 1): everything that falls due at or before the event's time runs first,
 * in order of due time; on a tie payouts, then expiries of loss coverage vouchers, position
 * vouchers and futures bonuses; within a kind in grant order, then creation order (D-4).
 */
import type { Ctx } from './context';
import { expireLossCoverage, payCompensation } from '../lossCoverage/rules';
import { expirePositionVoucher } from '../positionVoucher/rules';
import { expireFuturesBonus } from '../futuresBonus/rules';
import type { LossCoverageVoucher } from '../lossCoverage/codec';

const DAY_MS = 86_400_000;

/** 00:00 UTC of the day after `at` (LCV-6). */
export function nextUtcMidnight(at: number): number {
  return (Math.floor(at / DAY_MS) + 1) * DAY_MS;
}

interface DueWork {
  readonly due: number;
  readonly rank: number;
  readonly grantSeq: number;
  readonly created: number;
  readonly run: (ctx: Ctx) => void;
}

function byDueOrder(a: DueWork, b: DueWork): number {
  return a.due - b.due || a.rank - b.rank || a.grantSeq - b.grantSeq || a.created - b.created;
}

function grantSeqOf(vouchers: readonly LossCoverageVoucher[], id: string): number {
  for (const v of vouchers) if (v.id === id) return v.grantSeq;
  return 0;
}

/** Collects what falls due by `until`. Items keep their identity: each run finds its own index. */
function dueBy(ctx: Ctx, until: number): DueWork[] {
  const work: DueWork[] = [];
  ctx.compensations.forEach((compensation, created) => {
    if (compensation.payableAt <= until) {
      work.push({
        due: compensation.payableAt, rank: 0, grantSeq: grantSeqOf(ctx.lossCoverageVouchers, compensation.voucherId), created,
        run: (c) => payCompensation(c, compensation),
      });
    }
  });
  ctx.lossCoverageVouchers.forEach((voucher, i) => {
    if (voucher.status === 'available' && voucher.expiresAt !== undefined && voucher.expiresAt <= until) {
      work.push({ due: voucher.expiresAt, rank: 1, grantSeq: voucher.grantSeq, created: 0, run: (c) => expireLossCoverage(c, i) });
    }
  });
  ctx.positionVouchers.forEach((voucher, i) => {
    if (voucher.status === 'available' && voucher.expiresAt <= until) {
      work.push({ due: voucher.expiresAt, rank: 2, grantSeq: voucher.grantSeq, created: 0, run: (c) => expirePositionVoucher(c, i) });
    }
  });
  ctx.futuresBonuses.forEach((bonus, i) => {
    if (bonus.status === 'active' && bonus.expiresAt <= until) {
      work.push({ due: bonus.expiresAt, rank: 3, grantSeq: bonus.grantSeq, created: 0, run: (c) => expireFuturesBonus(c, i) });
    }
  });
  return work;
}

/** G-6 step 1: advances the clock to `until`, running due work with `at` set to each due time. */
export function advanceClock(ctx: Ctx, until: number): void {
  const work = dueBy(ctx, until);
  if (work.length > 0) {
    work.sort(byDueOrder);
    for (const item of work) {
      ctx.at = item.due;
      item.run(ctx);
    }
  }
  ctx.at = until;
  ctx.clock = until;
}
