/**
 * Orders, fills and positions (P-1..P-5), funding and mark prices. Each handler either rejects
 * (one `EventRejected`, nothing else changes) or applies the event and reports whether it moved
 * funds in the futures account (FB-11, D-28).
 */
import type { Ctx } from './context';
import { append, removeAt, replaceAt } from './context';
import type { EventOf, PositionSide } from './events';
import { reject } from './reject';
import { credit, settleCost } from './costs';
import { add, canonical, compare, dec, divide, isNegative, isPositive, isZero, mul, negate, round, ROUND_HALF_UP, str, sub, ZERO, type Big } from './money';
import type { Order, Position } from './state';
import { orderWith } from './order';
import { coverClosingOrder } from '../lossCoverage/rules';
import {
  chooseVoucher,
  closeVoucherPosition,
  commitVoucher,
  lockedByVoucher,
  positionWithVoucher,
  recordVoucherProfit,
  releaseCancelledVoucherOrder,
} from '../positionVoucher/rules';

export function positionIndex(ctx: Ctx, symbol: string, side: PositionSide): number {
  const positions = ctx.positions;
  for (let i = 0; i < positions.length; i++) {
    const p = positions[i] as Position;
    if (p.symbol === symbol && p.positionSide === side) return i;
  }
  return -1;
}

function orderIndex(ctx: Ctx, orderId: string): number {
  const orders = ctx.orders;
  for (let i = 0; i < orders.length; i++) if ((orders[i] as Order).orderId === orderId) return i;
  return -1;
}

/** P-1: in one-way mode a symbol holds one side at most. */
function oppositeSideHeld(ctx: Ctx, symbol: string, side: PositionSide): boolean {
  return ctx.input.positionMode === 'oneWay' && positionIndex(ctx, symbol, side === 'long' ? 'short' : 'long') >= 0;
}

/** P-2, D-7: records an order, committing a position voucher to it when one is chosen (PV-2, PV-3). */
export function placeOrder(ctx: Ctx, e: EventOf<'OrderPlaced'>): void {
  if (orderIndex(ctx, e.orderId) >= 0) {
    return reject(ctx, 'DUPLICATE_ORDER', `Order ${e.orderId} is already open; an order id can be reused only once that order is filled or cancelled.`);
  }
  const opening = e.action === 'open';
  if (!opening && positionIndex(ctx, e.symbol, e.positionSide) < 0) {
    return reject(ctx, 'UNKNOWN_POSITION', `There is no ${e.positionSide} ${e.symbol} position for closing order ${e.orderId} to close.`);
  }
  if (opening && oppositeSideHeld(ctx, e.symbol, e.positionSide)) {
    return reject(ctx, 'POSITION_MODE_CONFLICT', `The account is in one-way mode and already holds the other side of ${e.symbol}; it cannot open a ${e.positionSide} position there.`);
  }
  if (opening && lockedByVoucher(ctx, e.symbol, e.positionSide)) {
    return reject(ctx, 'VOUCHER_POSITION_LOCKED', `The ${e.positionSide} ${e.symbol} position is backed by a position voucher; no other order may add to it.`);
  }
  const choice = chooseVoucher(ctx, e);
  if (choice.kind === 'refuse') {
    return reject(ctx, 'VOUCHER_NOT_ELIGIBLE', `Position voucher ${e.voucher ?? ''} cannot be used for order ${e.orderId}: ${choice.reasons.join(', ')}.`, choice.reasons);
  }
  const order: Order = {
    orderId: e.orderId,
    symbol: e.symbol,
    positionSide: e.positionSide,
    action: e.action,
    qty: canonical(e.qty),
    price: canonical(e.price),
    leverage: canonical(e.leverage),
    marginMode: e.marginMode,
    source: e.source,
    feeVoucher: e.feeVoucher === true,
    filledQty: '0',
    realisedPnl: '0',
    closingNotional: '0',
    bonusPaid: false,
    voucherPositionClosed: false,
  };
  if (choice.kind === 'use') {
    order.voucherId = choice.voucher.id;
    order.heldMargin = commitVoucher(ctx, e, choice.voucher);
  }
  ctx.orders = append(ctx.orders, order);
}

/** M-1, D-13: a fill moves its symbol's mark unless a mark price feed has taken over. */
function markFromFill(ctx: Ctx, symbol: string, price: string): void {
  const marks = ctx.marks;
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i];
    if (mark === undefined || mark.symbol !== symbol) continue;
    if (!mark.fromFeed && mark.price !== price) ctx.marks = replaceAt(marks, i, { symbol, price, fromFeed: false });
    return;
  }
  ctx.marks = append(marks, { symbol, price, fromFeed: false });
}

export function updateMark(ctx: Ctx, e: EventOf<'MarkPriceUpdated'>): void {
  const i = ctx.marks.findIndex((m) => m.symbol === e.symbol);
  const mark = { symbol: e.symbol, price: canonical(e.price), fromFeed: true };
  ctx.marks = i < 0 ? append(ctx.marks, mark) : replaceAt(ctx.marks, i, mark);
}

function positionWith(position: Position, qty: Big, entryValue: Big): Position {
  const next: Position = {
    symbol: position.symbol,
    positionSide: position.positionSide,
    qty: str(qty),
    entryValue: str(entryValue),
    leverage: position.leverage,
  };
  if (position.voucher !== undefined) next.voucher = position.voucher;
  return next;
}

interface FillOutcome {
  readonly pnl: Big;
  readonly notional: Big;
}

/** P-4: an opening fill adds to (or creates) the position; a voucher order hands it its margin. */
function openFill(ctx: Ctx, order: Order, qty: Big, notional: Big): number {
  const index = positionIndex(ctx, order.symbol, order.positionSide);
  if (index >= 0) {
    const position = ctx.positions[index] as Position;
    ctx.positions = replaceAt(ctx.positions, index, positionWith(position, add(dec(position.qty), qty), add(dec(position.entryValue), notional)));
    return index;
  }
  const created: Position = {
    symbol: order.symbol,
    positionSide: order.positionSide,
    qty: str(qty),
    entryValue: str(notional),
    leverage: order.leverage,
  };
  ctx.positions = append(ctx.positions, positionWithVoucher(created, order.heldMargin));
  return ctx.positions.length - 1;
}

/** P-4: a closing fill releases its share of the cost basis (half-up, once: D-27) and realises pnl. */
function closeFill(ctx: Ctx, index: number, qty: Big, notional: Big): Big {
  const position = ctx.positions[index] as Position;
  const held = dec(position.qty);
  const entryValue = dec(position.entryValue);
  const basis = compare(qty, held) === 0 ? entryValue : divide(mul(entryValue, qty), held, ctx.scale, ROUND_HALF_UP);
  ctx.positions = replaceAt(ctx.positions, index, positionWith(position, sub(held, qty), sub(entryValue, basis)));
  return position.positionSide === 'long' ? sub(notional, basis) : sub(basis, notional);
}

/** P-3..P-5 and the order of a fill's effects (section 6): pnl, fee, PV-8, then LCV. */
export function fillOrder(ctx: Ctx, e: EventOf<'OrderFilled'>): boolean {
  const oi = orderIndex(ctx, e.orderId);
  const order = ctx.orders[oi];
  if (order === undefined) {
    reject(ctx, 'UNKNOWN_ORDER', `Order ${e.orderId} is not open: it was never placed, or it is already filled or cancelled.`);
    return false;
  }
  const qty = dec(e.qty);
  const orderQty = dec(order.qty);
  const filledBefore = dec(order.filledQty);
  // qty > orderQty - filledBefore, decided on the sum the order keeps.
  const filled = add(filledBefore, qty);
  if (compare(filled, orderQty) > 0) {
    reject(ctx, 'FILL_EXCEEDS_ORDER', `A fill of ${e.qty} is more than the ${str(sub(orderQty, filledBefore))} still unfilled on order ${e.orderId}.`);
    return false;
  }
  let index = positionIndex(ctx, order.symbol, order.positionSide);
  if (order.action === 'close') {
    const position = ctx.positions[index];
    if (position === undefined) {
      reject(ctx, 'UNKNOWN_POSITION', `There is no ${order.positionSide} ${order.symbol} position left for closing order ${e.orderId} to close.`);
      return false;
    }
    if (compare(qty, dec(position.qty)) > 0) {
      reject(ctx, 'FILL_EXCEEDS_POSITION', `A closing fill of ${e.qty} is more than the ${position.qty} held in the ${order.positionSide} ${order.symbol} position.`);
      return false;
    }
  } else if (oppositeSideHeld(ctx, order.symbol, order.positionSide)) {
    reject(ctx, 'POSITION_MODE_CONFLICT', `The account is in one-way mode and already holds the other side of ${order.symbol}; order ${e.orderId} cannot open a ${order.positionSide} position there.`);
    return false;
  }

  const notional = round(mul(qty, dec(e.price)), ctx.scale, ROUND_HALF_UP);
  markFromFill(ctx, order.symbol, canonical(e.price));
  let pnl = ZERO;
  if (order.action === 'open') index = openFill(ctx, order, qty, notional);
  else pnl = closeFill(ctx, index, qty, notional);
  const outcome: FillOutcome = { pnl, notional };
  const voucher = (ctx.positions[index] as Position).voucher;

  let bonusPaid = order.bonusPaid;
  if (isNegative(outcome.pnl)) {
    bonusPaid = settleCost(ctx, 'loss', order.orderId, index, negate(outcome.pnl)) || bonusPaid;
  } else if (isPositive(outcome.pnl)) {
    if (voucher === undefined || recordVoucherProfit(ctx, voucher.voucherId, outcome.pnl)) {
      credit(ctx, 'profit', order.orderId, order.symbol, order.positionSide, outcome.pnl);
    }
  }
  const fee = dec(e.fee);
  if (isPositive(fee)) bonusPaid = settleCost(ctx, 'fee', order.orderId, index, fee) || bonusPaid;

  const position = ctx.positions[index] as Position;
  if (isZero(dec(position.qty))) {
    ctx.positions = removeAt(ctx.positions, index);
    if (position.voucher !== undefined) closeVoucherPosition(ctx, position.voucher, order.orderId);
  }

  const next = orderAfterFill(ctx.orders[oi] as Order, filled, outcome, e.at, bonusPaid, voucher !== undefined && order.action === 'close');
  if (compare(filled, orderQty) === 0) {
    ctx.orders = removeAt(ctx.orders, oi);
    if (next.action === 'close') coverClosingOrder(ctx, next);
  } else {
    ctx.orders = replaceAt(ctx.orders, oi, next);
  }
  return true;
}

function orderAfterFill(order: Order, filled: Big, fill: FillOutcome, at: number, bonusPaid: boolean, closedVoucher: boolean): Order {
  return orderWith(order, {
    filledQty: str(filled),
    realisedPnl: isZero(fill.pnl) ? order.realisedPnl : str(add(dec(order.realisedPnl), fill.pnl)),
    closingNotional: str(add(dec(order.closingNotional), fill.notional)),
    bonusPaid,
    voucherPositionClosed: order.voucherPositionClosed || closedVoucher,
    lastFillAt: at,
  }, order.voucherId);
}

/** P-3, PV-4, LCV-1: a cancelled order is forgotten; a voucher order forfeits; a closing order with fills is evaluated. */
export function cancelOrder(ctx: Ctx, e: EventOf<'OrderCancelled'>): void {
  const oi = orderIndex(ctx, e.orderId);
  const order = ctx.orders[oi];
  if (order === undefined) {
    return reject(ctx, 'UNKNOWN_ORDER', `Order ${e.orderId} is not open: it was never placed, or it is already filled or cancelled.`);
  }
  ctx.orders = removeAt(ctx.orders, oi);
  releaseCancelledVoucherOrder(ctx, order);
  if (order.action === 'close' && order.lastFillAt !== undefined) coverClosingOrder(ctx, order);
}

/** P-5, D-10: funding paid is a cost, funding received a credit; 0 moves nothing. */
export function settleFunding(ctx: Ctx, e: EventOf<'FundingSettled'>): boolean {
  const index = positionIndex(ctx, e.symbol, e.positionSide);
  if (index < 0) {
    reject(ctx, 'UNKNOWN_POSITION', `There is no ${e.positionSide} ${e.symbol} position to settle funding for.`);
    return false;
  }
  const amount = dec(e.amount);
  if (isZero(amount)) return false;
  if (isPositive(amount)) settleCost(ctx, 'funding', undefined, index, amount);
  else credit(ctx, 'funding', undefined, e.symbol, e.positionSide, negate(amount));
  return true;
}
