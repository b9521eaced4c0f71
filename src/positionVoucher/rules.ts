/**
 * Position Voucher (RULES.md section 3): trial funds lent as isolated margin for one new position.
 * Its principal is never refunded; costs hit it first; profits are the user's unless clawed back.
 */
import type { Ctx } from '../core/context';
import { orderWith } from '../core/order';
import { append, replaceAt } from '../core/context';
import type { EventOf } from '../core/events';
import type { VoucherReason } from '../core/effects';
import { takeable, transferable } from '../core/margin';
import { add, canonical, compare, dec, divide, isPositive, max, min, mul, ROUND_UP, str, sub, ZERO, type Big } from '../core/money';
import type { AccountType, Order, Position, PositionMode } from '../core/state';
import { failuresOf, passesAll, type Check } from '../core/checks';
import { accountMemo } from '../core/memo';
import type { PositionVoucher, PositionVoucherGrant, VoucherMargin } from './codec';

type OrderPlaced = EventOf<'OrderPlaced'>;

export function grantPositionVoucher(ctx: Ctx, grant: PositionVoucherGrant): void {
  const voucher: PositionVoucher = {
    kind: grant.kind,
    id: grant.id,
    amount: canonical(grant.amount),
    expiresAt: grant.expiresAt,
    grantedAt: ctx.at,
    grantSeq: ctx.seq,
    status: 'available',
    profit: '0',
    outstanding: '0',
  };
  if (grant.maxLeverage !== undefined) voucher.maxLeverage = canonical(grant.maxLeverage);
  if (grant.symbols !== undefined) voucher.symbols = grant.symbols;
  if (grant.allowOwnFunds !== undefined) voucher.allowOwnFunds = grant.allowOwnFunds;
  ctx.positionVouchers = append(ctx.positionVouchers, voucher);
}

/** A copy of `voucher` with a new status and PV-10 amounts (a literal, never a spread). */
function positionVoucherWith(
  voucher: PositionVoucher,
  status: PositionVoucher['status'],
  profit: string,
  outstanding: string,
): PositionVoucher {
  const next: PositionVoucher = {
    kind: voucher.kind,
    id: voucher.id,
    amount: voucher.amount,
    expiresAt: voucher.expiresAt,
    grantedAt: voucher.grantedAt,
    grantSeq: voucher.grantSeq,
    status,
    profit,
    outstanding,
  };
  if (voucher.maxLeverage !== undefined) next.maxLeverage = voucher.maxLeverage;
  if (voucher.symbols !== undefined) next.symbols = voucher.symbols;
  if (voucher.allowOwnFunds !== undefined) next.allowOwnFunds = voucher.allowOwnFunds;
  return next;
}

function voucherIndex(ctx: Ctx, id: string): number {
  return ctx.positionVouchers.findIndex((v) => v.id === id);
}

function setVoucherStatus(ctx: Ctx, index: number, status: PositionVoucher['status']): void {
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  ctx.positionVouchers = replaceAt(ctx.positionVouchers, index, positionVoucherWith(voucher, status, voucher.profit, voucher.outstanding));
}

/** D-11: the margin an order needs, `qty x price / leverage` rounded up once. */
export function requiredMargin(ctx: Ctx, qty: string, price: string, leverage: string): Big {
  return divide(mul(dec(qty), dec(price)), dec(leverage), ctx.scale, ROUND_UP);
}

/** PV-5, D-17: a position holding a voucher, or a voucher order on that side, locks it. */
export function lockedByVoucher(ctx: Ctx, symbol: string, side: Position['positionSide']): boolean {
  for (const p of ctx.positions) if (p.symbol === symbol && p.positionSide === side && p.voucher !== undefined) return true;
  for (const o of ctx.orders) if (o.symbol === symbol && o.positionSide === side && o.voucherId !== undefined) return true;
  return false;
}

/** What keeps `(symbol, side)` busy for a new voucher position: a position, or an open opening order (its id). */
function sideOccupant(ctx: Ctx, symbol: string, side: Position['positionSide']): { readonly orderId?: string } | undefined {
  for (const p of ctx.positions) if (p.symbol === symbol && p.positionSide === side) return {};
  for (const o of ctx.orders) if (o.symbol === symbol && o.positionSide === side && o.action === 'open') return { orderId: o.orderId };
  return undefined;
}

/** D-34: the id of a voucher in use on the symbol, either side, other than `except`. */
function voucherOnSymbol(ctx: Ctx, symbol: string, except: string | undefined): string | undefined {
  for (const p of ctx.positions) if (p.symbol === symbol && p.voucher !== undefined && p.voucher.voucherId !== except) return p.voucher.voucherId;
  for (const o of ctx.orders) if (o.symbol === symbol && o.voucherId !== undefined && o.voucherId !== except) return o.voucherId;
  return undefined;
}

/** Why a position voucher cannot back an order (PV-1, PV-2, D-34), with the numbers behind it. */
export type VoucherFailure =
  | { readonly rule: 'PV-2'; readonly code: 'VOUCHER_UNAVAILABLE' }
  | { readonly rule: 'PV-1'; readonly code: 'NOT_OPENING' }
  | { readonly rule: 'PV-1'; readonly code: 'ACCOUNT_NOT_MAIN'; readonly accountType: AccountType }
  | { readonly rule: 'PV-1'; readonly code: 'ACCOUNT_FLAGGED' }
  | { readonly rule: 'PV-1'; readonly code: 'NOT_HEDGE_MODE'; readonly positionMode: PositionMode }
  | { readonly rule: 'PV-1'; readonly code: 'NOT_ISOLATED'; readonly marginMode: OrderPlaced['marginMode'] }
  | { readonly rule: 'PV-1'; readonly code: 'SOURCE_NOT_MAIN'; readonly source: OrderPlaced['source'] }
  | { readonly rule: 'PV-1'; readonly code: 'SYMBOL_NOT_ALLOWED'; readonly symbol: string; readonly symbols: readonly string[] }
  | { readonly rule: 'PV-1'; readonly code: 'LEVERAGE_TOO_HIGH'; readonly leverage: string; readonly maxLeverage: string }
  | {
      readonly rule: 'PV-1';
      readonly code: 'SIDE_BUSY';
      readonly symbol: string;
      readonly positionSide: OrderPlaced['positionSide'];
      /** The open opening order that holds the side; absent when a position does. */
      readonly orderId?: string;
    }
  | { readonly rule: 'PV-1'; readonly code: 'SYMBOL_HAS_VOUCHER'; readonly symbol: string; readonly voucherId: string }
  | {
      readonly rule: 'PV-1';
      readonly code: 'MARGIN_NOT_COVERED';
      /** `qty x price / leverage`, rounded up (D-11). */
      readonly required: string;
      readonly amount: string;
      readonly allowOwnFunds: boolean;
      /** Own transferable funds (M-4), which may cover the difference when `allowOwnFunds`. */
      readonly transferable: string;
    };

type VoucherCheckArgs = [Ctx, OrderPlaced, PositionVoucher | undefined];

type VoucherCheck = Check<VoucherCheckArgs, VoucherFailure>;

/** PV-1: the conditions on the order and the account alone, the same for every voucher. */
const ORDER_CHECKS = {
  opening: { fails: (_, order) => order.action !== 'open', finding: () => ({ rule: 'PV-1', code: 'NOT_OPENING' }) },
  main: {
    fails: (ctx) => ctx.input.accountType !== 'main',
    finding: (ctx) => ({ rule: 'PV-1', code: 'ACCOUNT_NOT_MAIN', accountType: ctx.input.accountType }),
  },
  notFlagged: { fails: (ctx) => ctx.status === 'flagged', finding: () => ({ rule: 'PV-1', code: 'ACCOUNT_FLAGGED' }) },
  hedge: {
    fails: (ctx) => ctx.input.positionMode !== 'hedge',
    finding: (ctx) => ({ rule: 'PV-1', code: 'NOT_HEDGE_MODE', positionMode: ctx.input.positionMode }),
  },
  isolated: {
    fails: (_, order) => order.marginMode !== 'isolated',
    finding: (_, order) => ({ rule: 'PV-1', code: 'NOT_ISOLATED', marginMode: order.marginMode }),
  },
  sourceMain: { fails: (_, order) => order.source !== 'main', finding: (_, order) => ({ rule: 'PV-1', code: 'SOURCE_NOT_MAIN', source: order.source }) },
  sideFree: {
    fails: (ctx, order) => sideOccupant(ctx, order.symbol, order.positionSide) !== undefined,
    finding: (ctx, order) => ({ rule: 'PV-1', code: 'SIDE_BUSY', symbol: order.symbol, positionSide: order.positionSide, ...sideOccupant(ctx, order.symbol, order.positionSide) }),
  },
} satisfies Record<string, VoucherCheck>;

/** PV-1: the conditions on the voucher's own fields (skipped without a voucher, D-34). */
const FIELD_CHECKS = {
  symbolAllowed: {
    fails: (_, order, voucher) => voucher?.symbols !== undefined && !voucher.symbols.includes(order.symbol),
    finding: (_, order, voucher) => ({ rule: 'PV-1', code: 'SYMBOL_NOT_ALLOWED', symbol: order.symbol, symbols: voucher?.symbols ?? [] }),
  },
  leverage: {
    fails: (_, order, voucher) => voucher?.maxLeverage !== undefined && compare(dec(order.leverage), dec(voucher.maxLeverage)) > 0,
    finding: (_, order, voucher) => ({ rule: 'PV-1', code: 'LEVERAGE_TOO_HIGH', leverage: canonical(order.leverage), maxLeverage: canonical(voucher?.maxLeverage ?? '0') }),
  },
} satisfies Record<string, VoucherCheck>;

const SYMBOL_VOUCHER_CHECK: VoucherCheck = {
  fails: (ctx, order, voucher) => voucherOnSymbol(ctx, order.symbol, voucher?.id ?? order.voucher) !== undefined,
  finding: (ctx, order, voucher) => ({
    rule: 'PV-1', code: 'SYMBOL_HAS_VOUCHER', symbol: order.symbol, voucherId: voucherOnSymbol(ctx, order.symbol, voucher?.id ?? order.voucher) ?? '',
  }),
};

const MARGIN_CHECK: VoucherCheck = {
  fails: (ctx, order, voucher) => voucher !== undefined && !marginCovered(ctx, voucher, requiredMargin(ctx, order.qty, order.price, order.leverage)),
  finding: (ctx, order, voucher) => ({
    rule: 'PV-1', code: 'MARGIN_NOT_COVERED',
    required: str(requiredMargin(ctx, order.qty, order.price, order.leverage)),
    amount: canonical(voucher?.amount ?? '0'),
    allowOwnFunds: voucher?.allowOwnFunds === true,
    transferable: str(transferable(ctx)),
  }),
};

/** PV-1, PV-2, D-34: the conditions in the order the rules list them; those needing the voucher's fields are skipped without it. */
const VOUCHER_CHECKS: readonly VoucherCheck[] = [
  { fails: (_c, _o, voucher) => voucher === undefined, finding: () => ({ rule: 'PV-2', code: 'VOUCHER_UNAVAILABLE' }) },
  ORDER_CHECKS.opening,
  ORDER_CHECKS.main,
  ORDER_CHECKS.notFlagged,
  ORDER_CHECKS.hedge,
  ORDER_CHECKS.isolated,
  ORDER_CHECKS.sourceMain,
  FIELD_CHECKS.symbolAllowed,
  FIELD_CHECKS.leverage,
  ORDER_CHECKS.sideFree,
  SYMBOL_VOUCHER_CHECK,
  MARGIN_CHECK,
];

/** `auto` (PV-2): the same conditions, those that do not depend on the voucher decided once. */
const AUTO_ORDER_CHECKS: readonly VoucherCheck[] = [
  ORDER_CHECKS.main,
  ORDER_CHECKS.notFlagged,
  ORDER_CHECKS.hedge,
  ORDER_CHECKS.isolated,
  ORDER_CHECKS.sourceMain,
  ORDER_CHECKS.sideFree,
];
const AUTO_FIELD_CHECKS: readonly VoucherCheck[] = [FIELD_CHECKS.symbolAllowed, FIELD_CHECKS.leverage];

/**
 * PV-1, PV-2, D-34: every condition `order` fails for `voucher` (undefined: no available position
 * voucher has the id), in the order the rules list them, with the numbers behind each. Empty
 * means the voucher may back the order.
 */
export function voucherFailures(ctx: Ctx, order: OrderPlaced, voucher: PositionVoucher | undefined): VoucherFailure[] {
  return failuresOf(VOUCHER_CHECKS, ctx, order, voucher);
}

/** PV-2: the reasons of `voucherFailures`, as `EventRejected.reasons` lists them. */
export function voucherReasons(ctx: Ctx, order: OrderPlaced, voucher: PositionVoucher | undefined): VoucherReason[] {
  return voucherFailures(ctx, order, voucher).map((failure) => failure.code);
}

/** PV-1: the voucher covers the `required` margin, or own transferable funds cover the gap when it allows them. */
function marginCovered(ctx: Ctx, voucher: PositionVoucher, required: Big): boolean {
  const gap = sub(required, dec(voucher.amount));
  if (!isPositive(gap)) return true;
  return voucher.allowOwnFunds === true && compare(transferable(ctx), gap) >= 0;
}

/** The available position vouchers, in grant order, per account and positions vouchers array. */
const availableMemo = accountMemo<{ vouchers: readonly PositionVoucher[] | undefined; available: readonly PositionVoucher[] }>(
  () => ({ vouchers: undefined, available: [] }),
);

function availableVouchers(ctx: Ctx): readonly PositionVoucher[] {
  const memo = availableMemo(ctx.input.accountId);
  if (memo.vouchers !== ctx.positionVouchers) {
    memo.vouchers = ctx.positionVouchers;
    memo.available = ctx.positionVouchers.filter((v) => v.status === 'available');
  }
  return memo.available;
}

/**
 * PV-2 `auto`: the earliest-granted available voucher that passes every check. The checks that do
 * not depend on the voucher are decided once, the required margin computed once, and the
 * vouchers in use on the symbol looked up once (D-34: only one other than the candidate counts).
 */
function autoVoucher(ctx: Ctx, order: OrderPlaced): PositionVoucher | undefined {
  const available = availableVouchers(ctx);
  if (available.length === 0 || !passesAll(AUTO_ORDER_CHECKS, ctx, order, undefined)) return undefined;
  const inUse = voucherOnSymbol(ctx, order.symbol, undefined);
  let required: Big | undefined;
  for (const voucher of available) {
    if (!passesAll(AUTO_FIELD_CHECKS, ctx, order, voucher)) continue;
    if (inUse !== undefined && (inUse !== voucher.id || voucherOnSymbol(ctx, order.symbol, voucher.id) !== undefined)) continue;
    required ??= requiredMargin(ctx, order.qty, order.price, order.leverage);
    if (marginCovered(ctx, voucher, required)) return voucher;
  }
  return undefined;
}

export type VoucherChoice =
  | { readonly kind: 'none' }
  | { readonly kind: 'use'; readonly voucher: PositionVoucher }
  | { readonly kind: 'refuse'; readonly reasons: VoucherReason[] };

const NONE: VoucherChoice = { kind: 'none' };

/** PV-2, D-9: a named voucher or a refusal; `auto` the earliest-granted eligible one or none. */
export function chooseVoucher(ctx: Ctx, order: OrderPlaced): VoucherChoice {
  const wanted = order.voucher ?? 'auto';
  if (wanted === 'none') return NONE;
  if (wanted === 'auto') {
    if (order.action !== 'open') return NONE;
    const voucher = autoVoucher(ctx, order);
    return voucher === undefined ? NONE : { kind: 'use', voucher };
  }
  const voucher = ctx.positionVouchers.find((v) => v.id === wanted && v.status === 'available');
  const reasons = voucherReasons(ctx, order, voucher);
  return voucher !== undefined && reasons.length === 0 ? { kind: 'use', voucher } : { kind: 'refuse', reasons };
}

/**
 * PV-3: the whole principal becomes the order's voucher margin and the voucher is in use; what the
 * order needs beyond it moves from the own balance into the order's own margin.
 */
export function commitVoucher(ctx: Ctx, order: OrderPlaced, voucher: PositionVoucher): VoucherMargin {
  const principal = dec(voucher.amount);
  const ownMargin = max(ZERO, sub(requiredMargin(ctx, order.qty, order.price, order.leverage), principal));
  ctx.own = sub(ctx.own, ownMargin);
  setVoucherStatus(ctx, voucherIndex(ctx, voucher.id), 'inUse');
  const held: VoucherMargin = { voucherId: voucher.id, voucherMargin: voucher.amount, ownMargin: str(ownMargin) };
  ctx.effects.push({
    type: 'PositionVoucherApplied', seq: ctx.seq, at: ctx.at, rule: 'PV-3',
    voucherId: voucher.id, orderId: order.orderId, symbol: order.symbol, positionSide: order.positionSide,
    voucherMargin: held.voucherMargin, ownMargin: held.ownMargin,
  });
  return held;
}

export interface MarginPayment {
  readonly fromVoucher: Big;
  readonly fromOwnMargin: Big;
  readonly rest: Big;
}

/** PV-6: a voucher position's costs come out of its voucher margin, then its own margin. */
export function payFromVoucherMargins(ctx: Ctx, positionIndex: number, cost: Big): MarginPayment {
  const position = ctx.positions[positionIndex] as Position;
  const margin = position.voucher;
  if (margin === undefined) return { fromVoucher: ZERO, fromOwnMargin: ZERO, rest: cost };
  const voucherMargin = dec(margin.voucherMargin);
  const ownMargin = dec(margin.ownMargin);
  const fromVoucher = min(voucherMargin, cost);
  const fromOwnMargin = min(ownMargin, sub(cost, fromVoucher));
  if (isPositive(fromVoucher) || isPositive(fromOwnMargin)) {
    ctx.positions = replaceAt(ctx.positions, positionIndex, positionWithVoucher(position, {
      voucherId: margin.voucherId,
      voucherMargin: str(sub(voucherMargin, fromVoucher)),
      ownMargin: str(sub(ownMargin, fromOwnMargin)),
    }));
  }
  return { fromVoucher, fromOwnMargin, rest: sub(sub(cost, fromVoucher), fromOwnMargin) };
}

export function positionWithVoucher(position: Position, voucher: VoucherMargin | undefined): Position {
  const next: Position = {
    symbol: position.symbol,
    positionSide: position.positionSide,
    qty: position.qty,
    entryValue: position.entryValue,
    leverage: position.leverage,
  };
  if (voucher !== undefined) next.voucher = voucher;
  return next;
}

/**
 * PV-4, D-18: a voucher order done without a fill forfeits the whole principal and returns its own
 * margin; after a partial fill the position keeps all voucher margin and its own margin shrinks to
 * what the filled quantity needs beyond the voucher.
 */
export function releaseCancelledVoucherOrder(ctx: Ctx, order: Order): void {
  if (order.voucherId === undefined) return;
  const index = voucherIndex(ctx, order.voucherId);
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  if (order.heldMargin !== undefined) {
    ctx.own = add(ctx.own, dec(order.heldMargin.ownMargin));
    setVoucherStatus(ctx, index, 'consumed');
    ctx.effects.push({
      type: 'VoucherForfeited', seq: ctx.seq, at: ctx.at, rule: 'PV-4',
      voucherId: voucher.id, orderId: order.orderId, amount: order.heldMargin.voucherMargin,
    });
    return;
  }
  const positionIndex = ctx.positions.findIndex((p) => p.voucher?.voucherId === order.voucherId);
  const position = ctx.positions[positionIndex];
  if (position?.voucher === undefined) return;
  const target = max(ZERO, sub(requiredMargin(ctx, order.filledQty, order.price, order.leverage), dec(voucher.amount)));
  const ownMargin = dec(position.voucher.ownMargin);
  if (compare(ownMargin, target) <= 0) return;
  ctx.own = add(ctx.own, sub(ownMargin, target));
  ctx.positions = replaceAt(ctx.positions, positionIndex, positionWithVoucher(position, {
    voucherId: position.voucher.voucherId,
    voucherMargin: position.voucher.voucherMargin,
    ownMargin: str(target),
  }));
}

/**
 * PV-8, D-19: a voucher position closed to zero forfeits what is left of its voucher margin (even
 * 0), returns its own margin, and consumes the voucher; its opening order, if still open, goes on
 * without it.
 */
export function closeVoucherPosition(ctx: Ctx, margin: VoucherMargin, closingOrderId: string): void {
  ctx.own = add(ctx.own, dec(margin.ownMargin));
  setVoucherStatus(ctx, voucherIndex(ctx, margin.voucherId), 'consumed');
  const orderIndex = ctx.orders.findIndex((o) => o.voucherId === margin.voucherId);
  const order = ctx.orders[orderIndex];
  if (order !== undefined) ctx.orders = replaceAt(ctx.orders, orderIndex, orderWith(order, order, undefined));
  ctx.effects.push({
    type: 'VoucherForfeited', seq: ctx.seq, at: ctx.at, rule: 'PV-8',
    voucherId: margin.voucherId, orderId: closingOrderId, amount: margin.voucherMargin,
  });
}


/**
 * PV-7, PV-10, D-30: a voucher position's realised profit is the user's and is recorded against
 * its voucher; on a flagged account it is clawed back instead of credited. Returns whether the
 * profit was credited to the own balance.
 */
export function recordVoucherProfit(ctx: Ctx, voucherId: string, profit: Big): boolean {
  const index = voucherIndex(ctx, voucherId);
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  if (ctx.status === 'flagged') {
    ctx.effects.push({
      type: 'ProfitClawedBack', seq: ctx.seq, at: ctx.at, rule: 'PV-10',
      voucherId, amount: str(profit), outstanding: voucher.outstanding,
    });
    return false;
  }
  ctx.positionVouchers = replaceAt(ctx.positionVouchers, index,
    positionVoucherWith(voucher, voucher.status, str(add(dec(voucher.profit), profit)), voucher.outstanding));
  return true;
}

/** Takes what it can of one voucher's outstanding clawback from the own balance (D-27). */
function take(ctx: Ctx, index: number, outstanding: Big, always: boolean): void {
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  const amount = min(outstanding, takeable(ctx));
  if (!always && !isPositive(amount)) return;
  const left = sub(outstanding, amount);
  ctx.own = sub(ctx.own, amount);
  ctx.positionVouchers = replaceAt(ctx.positionVouchers, index, positionVoucherWith(voucher, voucher.status, voucher.profit, str(left)));
  ctx.effects.push({
    type: 'ProfitClawedBack', seq: ctx.seq, at: ctx.at, rule: 'PV-10',
    voucherId: voucher.id, amount: str(amount), outstanding: str(left),
  });
}

/** PV-10, D-20: on a flag, each voucher with recorded profit has it clawed back, one effect each. */
export function clawBackOnFlag(ctx: Ctx): void {
  for (let i = 0; i < ctx.positionVouchers.length; i++) {
    const profit = dec((ctx.positionVouchers[i] as PositionVoucher).profit);
    if (isPositive(profit)) take(ctx, i, profit, true);
  }
}

/** PV-10, D-30: after an accepted funds movement, outstanding clawbacks take what funds allow. */
export function takeOutstandingClawbacks(ctx: Ctx): void {
  for (let i = 0; i < ctx.positionVouchers.length; i++) {
    const text = (ctx.positionVouchers[i] as PositionVoucher).outstanding;
    // Most vouchers owe nothing: "0" is not parsed.
    if (text === '0') continue;
    const outstanding = dec(text);
    if (isPositive(outstanding)) take(ctx, i, outstanding, false);
  }
}

/** PV-9: an available voucher lapses at `expiresAt`; one in use lives with its position. */
export function expirePositionVoucher(ctx: Ctx, index: number): void {
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  setVoucherStatus(ctx, index, 'expired');
  ctx.effects.push({
    type: 'VoucherExpired', seq: ctx.seq, at: ctx.at, rule: 'PV-9',
    voucherId: voucher.id, kind: 'positionVoucher', unused: voucher.amount,
  });
}

/** G-7: a flag revokes an available voucher. */
export function revokePositionVoucher(ctx: Ctx, index: number): void {
  const voucher = ctx.positionVouchers[index] as PositionVoucher;
  setVoucherStatus(ctx, index, 'revoked');
  ctx.effects.push({
    type: 'VoucherRevoked', seq: ctx.seq, at: ctx.at, rule: 'G-7',
    voucherId: voucher.id, kind: 'positionVoucher', unused: voucher.amount,
  });
}
