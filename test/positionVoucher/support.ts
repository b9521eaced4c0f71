/**
 * Shared set-ups for the position voucher tests (RULES.md section 3).
 *
 * The DSL's defaults: account `acc-1`, `main`, `hedge`, own 1000; orders on BTCUSDT long,
 * leverage 10, isolated, source main; vouchers expire at 9e12.
 */
import { account, fill, place, run, type EventInput } from '../helpers/dsl';
import type { AccountState, Effect, PolicyInput } from '../../src/index';

/** A bare `CostSettled` expectation on BTCUSDT long (fields not given are left to the caller). */
export const cost = (over: Record<string, unknown>): Record<string, unknown> => ({
  type: 'CostSettled', rule: 'P-6', symbol: 'BTCUSDT', positionSide: 'long', fromBonus: [], ...over,
});

export const credited = (over: Record<string, unknown>): Record<string, unknown> => ({
  type: 'Credited', rule: 'P-5', symbol: 'BTCUSDT', positionSide: 'long', ...over,
});

/** The one `VOUCHER_NOT_ELIGIBLE` rejection among `effects`, as `{ rule, code, reasons }`. */
export function notEligible(effects: readonly Effect[]): { rule: string; code: string; reasons: readonly string[] | undefined } | undefined {
  for (const e of effects) {
    if (e.type === 'EventRejected') return { rule: e.rule, code: e.code, reasons: e.reasons };
  }
  return undefined;
}

/** Runs `events` on a fresh DSL account (own balance, account fields and policy adjustable). */
export function onAccount(
  events: EventInput[],
  over: Parameters<typeof account>[0] = {},
  policy: PolicyInput = {},
): { state: AccountState; effects: Effect[]; steps: Effect[][] } {
  return run(account(over, policy), events);
}

/** Opens a voucher-backed long of `qty` BTCUSDT at `price` (leverage 10) with voucher `id`, fully filled. */
export function openWithVoucher(id: string, qty: string, price: string, fee = '0', extra: Record<string, unknown> = {}): EventInput[] {
  return [place(`open-${id}`, 'open', qty, price, { voucher: id, ...extra }), fill(`open-${id}`, qty, price, fee)];
}

/** The position voucher `id` in `state`. */
export function voucherIn(state: AccountState, id: string): AccountState['positionVouchers'][number] | undefined {
  return state.positionVouchers.find((v) => v.id === id);
}

/** The position on `symbol`/`side` in `state`. */
export function positionIn(state: AccountState, symbol = 'BTCUSDT', side: 'long' | 'short' = 'long'): AccountState['positions'][number] | undefined {
  return state.positions.find((p) => p.symbol === symbol && p.positionSide === side);
}
