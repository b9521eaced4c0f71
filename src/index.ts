/**
 * futures-vouchers: the rules engine behind futures incentive instruments (loss coverage
 * vouchers, position vouchers, futures bonuses). `step(state, event)` is the whole engine;
 * everything else decodes untrusted JSON into its inputs or replays streams of events.
 *
 * The contract is RULES.md; every effect names the rule that produced it.
 */
export { step, type StepResult } from './step';
export { applyJson } from './api';
export {
  createAccount,
  decodeState,
  encodeState,
  stateCodec,
  accountCodec,
  STATE_VERSION,
  type AccountState,
  type Account,
  type AccountType,
  type PositionMode,
  type Position,
  type Order,
  type Mark,
  type Retired,
} from './core/state';
export { voucherStatuses, type VoucherStatusEntry } from './core/retire';
export {
  decodeEvent,
  decodeScenario,
  decodeEventLog,
  replay,
  replayEvents,
  replayJson,
  type Scenario,
  type ReplayResult,
} from './replay';
export { eventCodec, type Event, type EventType, type EventOf, type VoucherGrant, type VoucherKind, type PositionSide } from './core/events';
export {
  EffectCodec,
  REJECTION_RULES,
  REJECTION_CODES,
  EFFECT_RULE_IDS,
  VOUCHER_REASONS,
  type Effect,
  type EffectType,
  type EffectOf,
  type RejectionCode,
  type RuleId,
  type VoucherReason,
  type CostCause,
  type BonusPayment,
} from './core/effects';
export { PolicyCodec, PolicyInputCodec, DEFAULT_POLICY, resolvePolicy, type Policy, type PolicyInput } from './core/policy';
export { formatDecodeError, type DecodeError, type Decoded } from './core/codec';
export type { LossCoverageVoucher, Compensation } from './lossCoverage/codec';
export type { PositionVoucher, VoucherMargin } from './positionVoucher/codec';
export type { FuturesBonus, DeferredReclaim, ReclaimTrigger } from './futuresBonus/codec';
export { postingsOf, balancesOf, netOf, OUTSIDE_ACCOUNTS, type Posting, type LedgerAccount, type OutsideAccount, type StepOutcome } from './ledger/postings';
export { explain } from './explain/explain';
export { formatExplanation, describeEvent, describeEffect, utcTime, type FormatOptions } from './explain/format';
export type {
  Explanation,
  EventResult,
  ItemExplanation,
  Action,
  ActionType,
  Finding,
  FindingCode,
  PositionVoucherFinding,
  VoucherStatus,
  LossCoverageStatus,
  PositionVoucherStatus,
  FuturesBonusStatus,
} from './explain/types';
export type { OrderIneligibility as LossCoverageOrderFinding, VoucherIneligibility as LossCoverageVoucherFinding } from './lossCoverage/rules';
export type { VoucherFailure as PositionVoucherFailure } from './positionVoucher/rules';
