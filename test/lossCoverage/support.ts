/**
 * Shared set-ups for the loss coverage voucher tests (RULES.md section 2): a round trip that
 * closes a long with a chosen loss, and the exact shapes of the LCV effects.
 */
import { cancel, fill, place, type EventInput } from '../helpers/dsl';
import type { Effect } from '../../src/index';

export const DAY = 86_400_000;
/** 2026-01-01T00:00:00.000Z: a UTC midnight. */
export const T0 = 1_767_225_600_000;

export interface TradeOptions {
  /** When the opening order is placed and filled (default: `at`). */
  readonly openAt?: number;
  readonly qty?: string;
  readonly entry?: string;
  readonly closeFee?: string;
  /** Extra fields of the closing `OrderPlaced` (source, feeVoucher, ...). */
  readonly close?: Record<string, unknown>;
  /** Extra fields of the opening `OrderPlaced`. */
  readonly open?: Record<string, unknown>;
}

/**
 * Four events: open a long of `qty` at `entry` (default 1 at 1000), then close it in one fill at
 * `exit`, the close dated `at`. Opening order `${id}-open`, closing order `id`.
 */
export function roundTrip(id: string, exit: string, at: number, o: TradeOptions = {}): EventInput[] {
  const qty = o.qty ?? '1';
  const entry = o.entry ?? '1000';
  const openAt = o.openAt ?? at;
  return [
    place(`${id}-open`, 'open', qty, entry, { at: openAt, ...o.open }),
    fill(`${id}-open`, qty, entry, '0', { at: openAt }),
    place(id, 'close', qty, exit, { at, ...o.close }),
    fill(id, qty, exit, o.closeFee ?? '0', { at }),
  ];
}

/** Opens a long of `qty` at `entry` (two events at `at`). */
export function openLong(id: string, qty: string, entry: string, at: number, extra: Record<string, unknown> = {}): EventInput[] {
  return [place(id, 'open', qty, entry, { at, ...extra }), fill(id, qty, entry, '0', { at })];
}

export const cancelAt = (orderId: string, at: number): EventInput => cancel(orderId, { at });

export const LCV_TYPES = ['LossCoverageApplied', 'LossCompensationPaid', 'CompensationCancelled', 'VoucherExpired', 'VoucherRevoked'] as const;

/** Only the effects a loss coverage voucher produces or that end one. */
export function lcvOnly(effects: readonly Effect[]): Effect[] {
  return effects.filter((e) => (LCV_TYPES as readonly string[]).includes(e.type));
}

export const applied = (seq: number, at: number, voucherId: string, orderId: string, loss: string, covered: string, remaining: string, payableAt: number) => ({
  type: 'LossCoverageApplied', seq, at, rule: 'LCV-6', voucherId, orderId, loss, covered, remaining, payableAt,
});

export const paid = (seq: number, at: number, voucherId: string, orderId: string, amount: string) => ({
  type: 'LossCompensationPaid', seq, at, rule: 'LCV-7', voucherId, orderId, amount, from: 'campaign', to: 'spot',
});

export const compensationCancelled = (seq: number, at: number, voucherId: string, orderId: string, amount: string) => ({
  type: 'CompensationCancelled', seq, at, rule: 'G-7', voucherId, orderId, amount,
});

export const expired = (seq: number, at: number, voucherId: string, unused: string) => ({
  type: 'VoucherExpired', seq, at, rule: 'LCV-8', voucherId, kind: 'lossCoverage', unused,
});

export const revoked = (seq: number, at: number, voucherId: string, unused: string, kind = 'lossCoverage') => ({
  type: 'VoucherRevoked', seq, at, rule: 'G-7', voucherId, kind, unused,
});

export const activated = (seq: number, at: number, voucherId: string, kind = 'lossCoverage') => ({
  type: 'VoucherActivated', seq, at, rule: 'A-5', voucherId, kind,
});

/** A plain `CostSettled` of the BTCUSDT long paid by own funds alone. */
export const ownCost = (seq: number, at: number, cause: 'loss' | 'fee', orderId: string, amount: string) => ({
  type: 'CostSettled', seq, at, rule: 'P-6', cause, orderId, symbol: 'BTCUSDT', positionSide: 'long', amount,
  fromVoucher: '0', fromOwnMargin: '0', fromBonus: [], fromOwn: amount, deficit: '0',
});
