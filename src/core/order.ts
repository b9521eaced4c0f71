import type { Order } from './state';

/** What an open order has done so far (LCV-1, LCV-2, D-16, D-32). */
export interface OrderProgress {
  readonly filledQty: string;
  readonly realisedPnl: string;
  readonly closingNotional: string;
  readonly bonusPaid: boolean;
  readonly voucherPositionClosed: boolean;
  readonly lastFillAt?: number;
}

/**
 * A copy of `order` with new progress and the position voucher backing it, if any (a literal,
 * never a spread). A voucher order's held margin is not carried over: its first fill hands it to
 * the position (PV-3), and a voucher position closed first releases it (D-19).
 */
export function orderWith(order: Order, progress: OrderProgress, voucherId: string | undefined): Order {
  const next: Order = {
    orderId: order.orderId,
    symbol: order.symbol,
    positionSide: order.positionSide,
    action: order.action,
    qty: order.qty,
    price: order.price,
    leverage: order.leverage,
    marginMode: order.marginMode,
    source: order.source,
    feeVoucher: order.feeVoucher,
    filledQty: progress.filledQty,
    realisedPnl: progress.realisedPnl,
    closingNotional: progress.closingNotional,
    bonusPaid: progress.bonusPaid,
    voucherPositionClosed: progress.voucherPositionClosed,
  };
  if (progress.lastFillAt !== undefined) next.lastFillAt = progress.lastFillAt;
  if (voucherId !== undefined) next.voucherId = voucherId;
  return next;
}
