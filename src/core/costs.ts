/**
 * The cost pipeline (P-6): every fee, funding payment and realised loss is paid by the position
 * voucher's margin (PV-6), the position's own margin, then the wallet (FB-3..FB-5, own balance,
 * deficit), and yields one `CostSettled` whose parts add up to the cost exactly.
 */
import type { Ctx } from './context';
import { assert } from './context';
import type { CostCause, EffectOf } from './effects';
import { add, str, type Big } from './money';
import { payFromVoucherMargins } from '../positionVoucher/rules';
import { splitCost } from '../futuresBonus/rules';

/** Pays `amount` (> 0) for the position at `positionIndex`; returns whether a futures bonus paid part of it. */
export function settleCost(
  ctx: Ctx,
  cause: CostCause,
  orderId: string | undefined,
  positionIndex: number,
  amount: Big,
): boolean {
  const position = ctx.positions[positionIndex];
  assert(position !== undefined, 'a cost names an existing position');
  const margins = payFromVoucherMargins(ctx, positionIndex, amount);
  ctx.trace?.costDue(ctx, positionIndex, margins.rest);
  const wallet = splitCost(ctx, margins.rest);
  const effect: EffectOf<'CostSettled'> = {
    type: 'CostSettled',
    seq: ctx.seq,
    at: ctx.at,
    rule: 'P-6',
    cause,
    symbol: position.symbol,
    positionSide: position.positionSide,
    amount: str(amount),
    fromVoucher: str(margins.fromVoucher),
    fromOwnMargin: str(margins.fromOwnMargin),
    fromBonus: wallet.fromBonus,
    fromOwn: str(wallet.fromOwn),
    deficit: str(wallet.deficit),
  };
  // D-24: an optional field that does not apply is left out, never undefined.
  if (orderId !== undefined) effect.orderId = orderId;
  ctx.effects.push(effect);
  return wallet.fromBonus.length > 0;
}

/** P-5, PV-7: credits `amount` (> 0) to the own balance. */
export function credit(
  ctx: Ctx,
  cause: 'profit' | 'funding',
  orderId: string | undefined,
  symbol: string,
  positionSide: 'long' | 'short',
  amount: Big,
): void {
  ctx.own = add(ctx.own, amount);
  const effect: EffectOf<'Credited'> = { type: 'Credited', seq: ctx.seq, at: ctx.at, rule: 'P-5', cause, symbol, positionSide, amount: str(amount) };
  if (orderId !== undefined) effect.orderId = orderId;
  ctx.effects.push(effect);
}
