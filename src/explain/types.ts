/**
 * The data `explain` returns: plain JSON-able values, discriminated unions throughout, so a
 * support tool can render them its own way and `formatExplanation` can render them as sentences.
 */
import type { CostCause, Effect, EffectOf, RejectionCode, VoucherReason } from '../core/effects';
import type { Event, EventType, PositionSide, VoucherKind } from '../core/events';
import type { LossCoverageVoucher } from '../lossCoverage/codec';
import type { OrderIneligibility, VoucherIneligibility } from '../lossCoverage/rules';
import type { PositionVoucher } from '../positionVoucher/codec';
import type { VoucherFailure } from '../positionVoucher/rules';
import type { FuturesBonus, ReclaimTrigger } from '../futuresBonus/codec';

export type LossCoverageStatus = LossCoverageVoucher['status'];
export type PositionVoucherStatus = PositionVoucher['status'];
export type FuturesBonusStatus = FuturesBonus['status'];
export type VoucherStatus = LossCoverageStatus | PositionVoucherStatus | FuturesBonusStatus;

/** What `explain(state, event)` finds: the event's result and, for every voucher and bonus, what it does and why. */
export interface Explanation {
  readonly accountId: string;
  readonly event: Event;
  readonly result: EventResult;
  /** Every voucher and bonus of the account (and one the event grants or tries to), in grant order. */
  readonly items: readonly ItemExplanation[];
  /** The effects `step` emits for the event: the single source of what happens. */
  readonly effects: readonly Effect[];
}

export type EventResult =
  | { readonly kind: 'applied' }
  | { readonly kind: 'ignored'; readonly rule: 'G-5'; readonly lastSeq: number }
  | {
      readonly kind: 'rejected';
      readonly rule: EffectOf<'EventRejected'>['rule'];
      readonly code: RejectionCode;
      readonly message: string;
      readonly reasons?: readonly VoucherReason[];
    };

interface ItemCommon {
  readonly id: string;
  /** `applied` when the event does anything to it (see `actions`), else `notApplied`. */
  readonly outcome: 'applied' | 'notApplied';
  /** What the event does to it, in the order of the effects. */
  readonly actions: readonly Action[];
  /** The rules that did not apply to it, each with the numbers behind it. */
  readonly findings: readonly Finding[];
}

/** One voucher or bonus. A status is `null` before a grant (new this event) and after a refused grant. */
export type ItemExplanation =
  | (ItemCommon & { readonly kind: 'lossCoverage'; readonly statusBefore: LossCoverageStatus | null; readonly statusAfter: LossCoverageStatus | null })
  | (ItemCommon & { readonly kind: 'positionVoucher'; readonly statusBefore: PositionVoucherStatus | null; readonly statusAfter: PositionVoucherStatus | null })
  | (ItemCommon & { readonly kind: 'futuresBonus'; readonly statusBefore: FuturesBonusStatus | null; readonly statusAfter: FuturesBonusStatus | null });

interface CostRef {
  readonly cause: CostCause;
  readonly orderId?: string;
  readonly symbol: string;
  readonly positionSide: PositionSide;
  /** The whole cost (`CostSettled.amount`). */
  readonly cost: string;
}

/** What an event does to a voucher or bonus; each names its rule. */
export type Action =
  | { readonly type: 'granted'; readonly rule: 'A-5'; readonly kind: VoucherKind; readonly amount: string }
  | {
      readonly type: 'lossCovered';
      readonly rule: 'LCV-6';
      readonly orderId: string;
      readonly loss: string;
      readonly covered: string;
      readonly remaining: string;
      readonly payableAt: number;
    }
  | { readonly type: 'compensationPaid'; readonly rule: 'LCV-7'; readonly orderId: string; readonly amount: string; readonly at: number }
  | { readonly type: 'compensationCancelled'; readonly rule: 'G-7'; readonly orderId: string; readonly amount: string }
  | { readonly type: 'expired'; readonly rule: 'LCV-8' | 'PV-9'; readonly unused: string; readonly at: number }
  | { readonly type: 'revoked'; readonly rule: 'G-7'; readonly unused: string }
  | {
      readonly type: 'backsOrder';
      readonly rule: 'PV-3';
      readonly orderId: string;
      readonly symbol: string;
      readonly positionSide: PositionSide;
      /** `qty x price / leverage`, rounded up (D-11). */
      readonly required: string;
      readonly voucherMargin: string;
      readonly ownMargin: string;
      /** Named by the order, or taken by `"auto"` as the earliest-granted eligible voucher (PV-2). */
      readonly chosen: 'named' | 'auto';
    }
  | (CostRef & { readonly type: 'voucherPaidCost'; readonly rule: 'PV-6'; readonly fromVoucher: string; readonly fromOwnMargin: string })
  | { readonly type: 'forfeited'; readonly rule: 'PV-4' | 'PV-8'; readonly orderId: string; readonly amount: string }
  | { readonly type: 'clawedBack'; readonly rule: 'PV-10'; readonly amount: string; readonly outstanding: string }
  | (CostRef & {
      readonly type: 'bonusPaidCost';
      /** FB-3 within the share, FB-4 when the pool held less than its share, FB-5 beyond it. */
      readonly rule: 'FB-3' | 'FB-4' | 'FB-5';
      /** `share`: within the pool's share; `beyondShare`: own funds ran out (FB-5 c); `awaitingReclaim`: as a fallback (FB-5 d). */
      readonly stage: 'share' | 'beyondShare' | 'awaitingReclaim';
      /** What reached the wallet after the position voucher's margins (P-6). */
      readonly walletCost: string;
      readonly rate: string;
      /** The active pool's share of the wallet cost, rounded down (FB-3); 0 with no active bonus. */
      readonly share: string;
      /** What the active pool paid in all. */
      readonly poolPaid: string;
      readonly fromOwn: string;
      /** What this bonus paid. */
      readonly paid: string;
      /** What this bonus holds after paying (0: it is spent). */
      readonly remaining: string;
    })
  | {
      readonly type: 'reclaimed';
      readonly rule: 'FB-10';
      readonly bonusIds: readonly string[];
      readonly amount: string;
      /** This bonus's part of `amount`. */
      readonly part: string;
      readonly trigger: ReclaimTrigger;
      /** A retry after a funds movement (FB-11), not the first attempt. */
      readonly retry: boolean;
      /** The margin rate once the reclaim is out, against the guard rate; `null` when the guard is off. */
      readonly guard: { readonly marginRateAfter: string | null; readonly guardRate: string } | null;
    }
  | {
      readonly type: 'reclaimDeferred';
      readonly rule: 'FB-10';
      readonly bonusIds: readonly string[];
      readonly amount: string;
      readonly part: string;
      readonly trigger: ReclaimTrigger;
      readonly projectedMarginRate: string | null;
      readonly guardRate: string;
    };

export type ActionType = Action['type'];

/** A position voucher condition that failed (PV-1, PV-2); an unavailable voucher also says its status. */
export type PositionVoucherFinding =
  | Exclude<VoucherFailure, { readonly code: 'VOUCHER_UNAVAILABLE' }>
  | { readonly rule: 'PV-2'; readonly code: 'VOUCHER_UNAVAILABLE'; readonly status: PositionVoucherStatus | null };

/** A rule that did not apply to a voucher or bonus, with the numbers behind it. */
export type Finding =
  | { readonly rule: 'G-5'; readonly code: 'DUPLICATE_EVENT'; readonly lastSeq: number }
  | { readonly rule: EffectOf<'EventRejected'>['rule']; readonly code: 'EVENT_REJECTED'; readonly rejection: RejectionCode }
  | { readonly rule: 'D-31'; readonly code: 'FINAL_STATUS'; readonly status: VoucherStatus }
  // Loss coverage.
  | { readonly rule: 'LCV-1'; readonly code: 'NO_CLOSING_ORDER_DONE'; readonly eventType: EventType }
  | { readonly rule: 'LCV-1'; readonly code: 'ORDER_NOT_DONE'; readonly orderId: string; readonly filledQty: string; readonly qty: string }
  | OrderIneligibility
  | VoucherIneligibility
  | { readonly rule: 'LCV-4'; readonly code: 'EARLIER_VOUCHER_USED'; readonly orderId: string; readonly voucherId: string }
  | { readonly rule: 'LCV-4'; readonly code: 'LOSS_ALREADY_COVERED'; readonly orderId: string; readonly loss: string }
  | { readonly rule: 'LCV-7'; readonly code: 'PAYOUT_NOT_DUE'; readonly orderId: string; readonly amount: string; readonly payableAt: number }
  // Position vouchers.
  | PositionVoucherFinding
  | { readonly rule: 'PV-2'; readonly code: 'NOT_REQUESTED'; readonly orderId: string; readonly requested: string }
  | { readonly rule: 'PV-2'; readonly code: 'EARLIER_VOUCHER_CHOSEN'; readonly orderId: string; readonly voucherId: string }
  | { readonly rule: 'PV-1'; readonly code: 'NO_ORDER_PLACED'; readonly eventType: EventType }
  | { readonly rule: 'PV-6'; readonly code: 'NO_COST_ON_POSITION'; readonly symbol: string; readonly positionSide: PositionSide; readonly orderId?: string }
  | { readonly rule: 'PV-6'; readonly code: 'VOUCHER_MARGIN_EXHAUSTED'; readonly cause: CostCause; readonly cost: string }
  | { readonly rule: 'PV-10'; readonly code: 'CLAWBACK_NOT_TAKEN'; readonly outstanding: string; readonly movedFunds: boolean; readonly takeable: string }
  // Futures bonuses.
  | { readonly rule: 'FB-2'; readonly code: 'RATE_CONFLICT'; readonly rate: string; readonly bonusId: string; readonly bonusRate: string }
  | { readonly rule: 'FB-7'; readonly code: 'NO_COST'; readonly eventType: EventType }
  | { readonly rule: 'D-6'; readonly code: 'FLAGGED_NO_BONUS'; readonly cause: CostCause; readonly cost: string }
  | { readonly rule: 'P-6'; readonly code: 'NO_WALLET_COST'; readonly cause: CostCause; readonly cost: string }
  | { readonly rule: 'FB-6'; readonly code: 'EARLIER_BONUS_PAID'; readonly cause: CostCause; readonly cost: string; readonly share: string; readonly paidBy: readonly string[] }
  | { readonly rule: 'FB-3'; readonly code: 'SHARE_ROUNDS_TO_ZERO'; readonly cause: CostCause; readonly walletCost: string; readonly rate: string }
  | { readonly rule: 'FB-5'; readonly code: 'FALLBACK_NOT_NEEDED'; readonly cause: CostCause; readonly cost: string }
  | {
      readonly rule: 'FB-10';
      readonly code: 'RECLAIM_STILL_DEFERRED';
      readonly amount: string;
      readonly trigger: ReclaimTrigger;
      readonly projectedMarginRate: string | null;
      readonly guardRate: string;
    }
  | { readonly rule: 'FB-11'; readonly code: 'RECLAIM_NOT_RETRIED'; readonly trigger: ReclaimTrigger; readonly eventType: EventType };

export type FindingCode = Finding['code'];
