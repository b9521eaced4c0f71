/**
 * Loss Coverage Voucher (RULES.md section 2): pays back part of a closing order's trading loss,
 * the next UTC day, from the campaign account to the spot account. Fees are never covered.
 */
import type { Ctx } from '../core/context';
import { append, removeAt, replaceAt } from '../core/context';
import { nextUtcMidnight } from '../core/clock';
import { dec, isPositive, isZero, min, str, type Big } from '../core/money';
import type { Order } from '../core/state';
import type { Compensation, LossCoverageGrant, LossCoverageVoucher } from './codec';

export function grantLossCoverage(ctx: Ctx, grant: LossCoverageGrant): void {
  ctx.lossCoverageVouchers = append(ctx.lossCoverageVouchers, lossCoverageWith(grant, grant.amount, 'available', ctx.at, ctx.seq));
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
  return dec(order.realisedPnl).neg();
}

/** LCV-2, D-16, D-32: whether a done closing order may be covered at all. */
export function eligibleOrder(ctx: Ctx, order: Order): boolean {
  return (
    order.action === 'close' &&
    !isZero(dec(order.filledQty)) &&
    orderLoss(order).gt(ctx.rules.minLoss) &&
    order.source === 'main' &&
    ctx.input.accountType === 'main' &&
    ctx.status === 'active' &&
    !order.feeVoucher &&
    !order.voucherPositionClosed &&
    !order.bonusPaid
  );
}

/** LCV-3: available now, granted strictly before the close, and the closing notional reaches its threshold. */
export function eligibleVoucher(voucher: LossCoverageVoucher, order: Order): boolean {
  return (
    voucher.status === 'available' &&
    order.lastFillAt !== undefined &&
    voucher.grantedAt < order.lastFillAt &&
    (voucher.minClosingNotional === undefined || dec(order.closingNotional).gte(dec(voucher.minClosingNotional)))
  );
}

/**
 * LCV-1..LCV-6: a done closing order's loss is covered by the earliest-granted eligible voucher
 * (FIFO), one voucher per order unless the policy lets the rest spill over to the next.
 */
export function coverClosingOrder(ctx: Ctx, order: Order): void {
  if (!eligibleOrder(ctx, order)) return;
  const loss = orderLoss(order);
  const closedAt = order.lastFillAt as number;
  const payableAt = nextUtcMidnight(closedAt);
  let uncovered = loss;
  for (let i = 0; i < ctx.lossCoverageVouchers.length && isPositive(uncovered); i++) {
    const voucher = ctx.lossCoverageVouchers[i] as LossCoverageVoucher;
    if (!eligibleVoucher(voucher, order)) continue;
    const covered = min(uncovered, dec(voucher.remaining));
    const remaining = dec(voucher.remaining).minus(covered);
    uncovered = uncovered.minus(covered);
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
