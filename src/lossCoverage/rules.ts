/**
 * Loss Coverage Voucher (RULES.md section 2): pays back part of a closing order's trading loss,
 * the next UTC day, from the campaign account to the spot account. Fees are never covered.
 */
import type { Ctx } from '../core/context';
import { append, removeAt, replaceAt } from '../core/context';
import { nextUtcMidnight } from '../core/clock';
import { canonical, compare, dec, isPositive, isZero, min, negate, str, sub, type Big } from '../core/money';
import type { AccountType, Order } from '../core/state';
import { failuresOf, passesAll, type Check } from '../core/checks';
import type { Compensation, LossCoverageGrant, LossCoverageVoucher } from './codec';

export function grantLossCoverage(ctx: Ctx, grant: LossCoverageGrant): void {
  // G-2: what the state stores from an event is canonical, since effects echo it (`unused`).
  const stored: LossCoverageGrant = { kind: grant.kind, id: grant.id, amount: canonical(grant.amount) };
  if (grant.expiresAt !== undefined) stored.expiresAt = grant.expiresAt;
  if (grant.minClosingNotional !== undefined) stored.minClosingNotional = canonical(grant.minClosingNotional);
  ctx.lossCoverageVouchers = append(ctx.lossCoverageVouchers, lossCoverageWith(stored, stored.amount, 'available', ctx.at, ctx.seq));
}

function lossCoverageWith(
  voucher: LossCoverageGrant,
  remaining: string,
  status: LossCoverageVoucher['status'],
  grantedAt: number,
  grantSeq: number,
): LossCoverageVoucher {
  const next: LossCoverageVoucher = {
    kind: voucher.kind,
    id: voucher.id,
    amount: voucher.amount,
    grantedAt,
    grantSeq,
    remaining,
    status,
  };
  if (voucher.expiresAt !== undefined) next.expiresAt = voucher.expiresAt;
  if (voucher.minClosingNotional !== undefined) next.minClosingNotional = voucher.minClosingNotional;
  return next;
}

function setVoucher(ctx: Ctx, index: number, remaining: string, status: LossCoverageVoucher['status']): void {
  const voucher = ctx.lossCoverageVouchers[index] as LossCoverageVoucher;
  ctx.lossCoverageVouchers = replaceAt(
    ctx.lossCoverageVouchers,
    index,
    lossCoverageWith(voucher, remaining, status, voucher.grantedAt, voucher.grantSeq),
  );
}

/** LCV-1: the loss of a done closing order, on its totals, fees excluded. */
export function orderLoss(order: Order): Big {
  return negate(dec(order.realisedPnl));
}

/** Why a done closing order cannot be covered at all (LCV-2, D-16, D-32), with the numbers behind it. */
export type OrderIneligibility =
  | { readonly rule: 'LCV-2'; readonly code: 'LOSS_NOT_ABOVE_MINIMUM'; readonly loss: string; readonly minLoss: string }
  | { readonly rule: 'LCV-2'; readonly code: 'SOURCE_NOT_MAIN'; readonly source: Order['source'] }
  | { readonly rule: 'LCV-2'; readonly code: 'ACCOUNT_NOT_MAIN'; readonly accountType: AccountType }
  | { readonly rule: 'LCV-2'; readonly code: 'ACCOUNT_FLAGGED' }
  | { readonly rule: 'LCV-2'; readonly code: 'FEE_VOUCHER' }
  | { readonly rule: 'LCV-2'; readonly code: 'VOUCHER_POSITION' }
  | { readonly rule: 'LCV-2'; readonly code: 'BONUS_PAID' };

const ORDER_CHECKS: readonly Check<[Ctx, Order], OrderIneligibility>[] = [
  {
    fails: (ctx, order) => compare(orderLoss(order), ctx.rules.minLoss) <= 0,
    finding: (ctx, order) => ({ rule: 'LCV-2', code: 'LOSS_NOT_ABOVE_MINIMUM', loss: str(orderLoss(order)), minLoss: str(ctx.rules.minLoss) }),
  },
  { fails: (_, order) => order.source !== 'main', finding: (_, order) => ({ rule: 'LCV-2', code: 'SOURCE_NOT_MAIN', source: order.source }) },
  {
    fails: (ctx) => ctx.input.accountType !== 'main',
    finding: (ctx) => ({ rule: 'LCV-2', code: 'ACCOUNT_NOT_MAIN', accountType: ctx.input.accountType }),
  },
  { fails: (ctx) => ctx.status !== 'active', finding: () => ({ rule: 'LCV-2', code: 'ACCOUNT_FLAGGED' }) },
  { fails: (_, order) => order.feeVoucher, finding: () => ({ rule: 'LCV-2', code: 'FEE_VOUCHER' }) },
  { fails: (_, order) => order.voucherPositionClosed, finding: () => ({ rule: 'LCV-2', code: 'VOUCHER_POSITION' }) },
  { fails: (_, order) => order.bonusPaid, finding: () => ({ rule: 'LCV-2', code: 'BONUS_PAID' }) },
];

/** LCV-2, D-16, D-32: whether a done closing order may be covered at all. */
export function eligibleOrder(ctx: Ctx, order: Order): boolean {
  return order.action === 'close' && !isZero(dec(order.filledQty)) && passesAll(ORDER_CHECKS, ctx, order);
}

/** LCV-2: every condition a done closing order fails (empty when it may be covered). */
export function orderIneligibility(ctx: Ctx, order: Order): OrderIneligibility[] {
  return failuresOf(ORDER_CHECKS, ctx, order);
}

/** Why a loss coverage voucher cannot cover a done closing order (LCV-3), with the numbers behind it. */
export type VoucherIneligibility =
  | { readonly rule: 'LCV-3'; readonly code: 'VOUCHER_NOT_AVAILABLE'; readonly status: LossCoverageVoucher['status'] }
  | { readonly rule: 'LCV-3'; readonly code: 'GRANTED_NOT_BEFORE_CLOSE'; readonly grantedAt: number; readonly closedAt: number }
  | {
      readonly rule: 'LCV-3';
      readonly code: 'CLOSING_NOTIONAL_BELOW_MINIMUM';
      readonly closingNotional: string;
      readonly minClosingNotional: string;
    };

const VOUCHER_CHECKS: readonly Check<[LossCoverageVoucher, Order], VoucherIneligibility>[] = [
  {
    fails: (voucher) => voucher.status !== 'available',
    finding: (voucher) => ({ rule: 'LCV-3', code: 'VOUCHER_NOT_AVAILABLE', status: voucher.status }),
  },
  {
    fails: (voucher, order) => order.lastFillAt === undefined || voucher.grantedAt >= order.lastFillAt,
    finding: (voucher, order) => ({ rule: 'LCV-3', code: 'GRANTED_NOT_BEFORE_CLOSE', grantedAt: voucher.grantedAt, closedAt: order.lastFillAt ?? 0 }),
  },
  {
    fails: (voucher, order) => voucher.minClosingNotional !== undefined && compare(dec(order.closingNotional), dec(voucher.minClosingNotional)) < 0,
    finding: (voucher, order) => ({
      rule: 'LCV-3', code: 'CLOSING_NOTIONAL_BELOW_MINIMUM',
      closingNotional: str(dec(order.closingNotional)), minClosingNotional: canonical(voucher.minClosingNotional ?? '0'),
    }),
  },
];

/** LCV-3: available now, granted strictly before the close, and the closing notional reaches its threshold. */
export function eligibleVoucher(voucher: LossCoverageVoucher, order: Order): boolean {
  return passesAll(VOUCHER_CHECKS, voucher, order);
}

/** LCV-3: every condition a voucher fails for a done closing order (empty when it is eligible). */
export function voucherIneligibility(voucher: LossCoverageVoucher, order: Order): VoucherIneligibility[] {
  return failuresOf(VOUCHER_CHECKS, voucher, order);
}

/**
 * LCV-1..LCV-6: a done closing order's loss is covered by the earliest-granted eligible voucher
 * (FIFO), one voucher per order unless the policy lets the rest spill over to the next.
 */
export function coverClosingOrder(ctx: Ctx, order: Order): void {
  ctx.trace?.closingOrderDone(ctx, order);
  if (!eligibleOrder(ctx, order)) return;
  const loss = orderLoss(order);
  const closedAt = order.lastFillAt as number;
  const payableAt = nextUtcMidnight(closedAt);
  let uncovered = loss;
  for (let i = 0; i < ctx.lossCoverageVouchers.length && isPositive(uncovered); i++) {
    const voucher = ctx.lossCoverageVouchers[i] as LossCoverageVoucher;
    if (!eligibleVoucher(voucher, order)) continue;
    const covered = min(uncovered, dec(voucher.remaining));
    const remaining = sub(dec(voucher.remaining), covered);
    uncovered = sub(uncovered, covered);
    setVoucher(ctx, i, str(remaining), isZero(remaining) ? 'consumed' : 'available');
    ctx.compensations = append(ctx.compensations, { voucherId: voucher.id, orderId: order.orderId, amount: str(covered), payableAt });
    ctx.effects.push({
      type: 'LossCoverageApplied', seq: ctx.seq, at: ctx.at, rule: 'LCV-6',
      voucherId: voucher.id, orderId: order.orderId, loss: str(loss), covered: str(covered),
      remaining: str(remaining), payableAt,
    });
    if (!ctx.rules.spillover) break;
  }
}

/** LCV-7: a compensation falls due; the campaign account pays the spot account. */
export function payCompensation(ctx: Ctx, compensation: Compensation): void {
  ctx.compensations = removeAt(ctx.compensations, ctx.compensations.indexOf(compensation));
  ctx.effects.push({
    type: 'LossCompensationPaid', seq: ctx.seq, at: ctx.at, rule: 'LCV-7',
    voucherId: compensation.voucherId, orderId: compensation.orderId, amount: compensation.amount,
    from: 'campaign', to: 'spot',
  });
}

/** LCV-8: an available voucher lapses at `expiresAt`. */
export function expireLossCoverage(ctx: Ctx, index: number): void {
  const voucher = ctx.lossCoverageVouchers[index] as LossCoverageVoucher;
  setVoucher(ctx, index, voucher.remaining, 'expired');
  ctx.effects.push({
    type: 'VoucherExpired', seq: ctx.seq, at: ctx.at, rule: 'LCV-8',
    voucherId: voucher.id, kind: 'lossCoverage', unused: voucher.remaining,
  });
}

/** G-7, D-6: a flag revokes an available voucher, a partly used one included. */
export function revokeLossCoverage(ctx: Ctx, index: number): void {
  const voucher = ctx.lossCoverageVouchers[index] as LossCoverageVoucher;
  setVoucher(ctx, index, voucher.remaining, 'revoked');
  ctx.effects.push({
    type: 'VoucherRevoked', seq: ctx.seq, at: ctx.at, rule: 'G-7',
    voucherId: voucher.id, kind: 'lossCoverage', unused: voucher.remaining,
  });
}

/** G-7, D-33: a flag cancels every unpaid compensation, by due time, voucher grant order, creation. */
export function cancelCompensations(ctx: Ctx): void {
  if (ctx.compensations.length === 0) return;
  const grantOrder = new Map(ctx.lossCoverageVouchers.map((v) => [v.id, v.grantSeq]));
  const ordered = ctx.compensations
    .map((compensation, created) => ({ compensation, created }))
    .sort(
      (a, b) =>
        a.compensation.payableAt - b.compensation.payableAt ||
        (grantOrder.get(a.compensation.voucherId) ?? 0) - (grantOrder.get(b.compensation.voucherId) ?? 0) ||
        a.created - b.created,
    );
  ctx.compensations = [];
  for (const { compensation } of ordered) {
    ctx.effects.push({
      type: 'CompensationCancelled', seq: ctx.seq, at: ctx.at, rule: 'G-7',
      voucherId: compensation.voucherId, orderId: compensation.orderId, amount: compensation.amount,
    });
  }
}
