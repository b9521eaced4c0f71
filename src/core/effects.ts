/**
 * Effects (RULES.md section 6): past-tense facts, each naming the rule that produced it (G-8).
 * Rejections are effects too. The TypeScript types are derived from these codecs.
 */
import * as t from 'io-ts';
import { decimal, Id, integer, MAX_SCALE, oneOf, struct, taggedUnion } from './codec';
import { POSITION_SIDES } from './events';
import { RECLAIM_TRIGGERS } from '../futuresBonus/codec';

/** The rejection codes of section 6 and the rule each names. */
export const REJECTION_RULES = {
  OUT_OF_ORDER: 'G-4',
  UNKNOWN_ORDER: 'P-3',
  DUPLICATE_ORDER: 'P-3',
  UNKNOWN_POSITION: 'P-3',
  FILL_EXCEEDS_ORDER: 'P-3',
  FILL_EXCEEDS_POSITION: 'P-3',
  POSITION_MODE_CONFLICT: 'P-1',
  INSUFFICIENT_TRANSFERABLE: 'M-4',
  DUPLICATE_VOUCHER: 'A-5',
  ACCOUNT_FLAGGED: 'G-7',
  BONUS_RATE_CONFLICT: 'FB-2',
  VOUCHER_NOT_ELIGIBLE: 'PV-2',
  VOUCHER_POSITION_LOCKED: 'PV-5',
} as const;

export type RejectionCode = keyof typeof REJECTION_RULES;
export const REJECTION_CODES = Object.keys(REJECTION_RULES) as [RejectionCode, ...RejectionCode[]];

/** Every rule id an effect may name. */
export const EFFECT_RULE_IDS = [
  'G-4', 'G-5', 'G-7', 'A-5', 'P-1', 'P-3', 'P-5', 'P-6', 'M-3', 'M-4',
  'LCV-6', 'LCV-7', 'LCV-8', 'PV-2', 'PV-3', 'PV-4', 'PV-5', 'PV-8', 'PV-9', 'PV-10', 'FB-2', 'FB-10',
] as const;
export type RuleId = (typeof EFFECT_RULE_IDS)[number];

/** The reasons a named position voucher cannot back an order (PV-2), in the order they are listed. */
export const VOUCHER_REASONS = [
  'VOUCHER_UNAVAILABLE', 'NOT_OPENING', 'ACCOUNT_NOT_MAIN', 'ACCOUNT_FLAGGED', 'NOT_HEDGE_MODE',
  'NOT_ISOLATED', 'SOURCE_NOT_MAIN', 'SYMBOL_NOT_ALLOWED', 'LEVERAGE_TOO_HIGH', 'SIDE_BUSY',
  'SYMBOL_HAS_VOUCHER', 'MARGIN_NOT_COVERED',
] as const;
export type VoucherReason = (typeof VOUCHER_REASONS)[number];

const amount = decimal(MAX_SCALE);
const rate = t.union([amount, t.null]);
const side = oneOf(POSITION_SIDES);
const kind = oneOf(['lossCoverage', 'positionVoucher', 'futuresBonus'] as const);
const bonusIds = t.array(Id);
const trigger = oneOf(RECLAIM_TRIGGERS);

function effect<T extends string, R extends RuleId, P extends t.Props>(type: T, rules: readonly [R, ...R[]], props: P) {
  return t.type({ type: t.literal(type), seq: integer(1), at: integer(), rule: oneOf(rules), ...props }, type);
}

function effectWithOptional<T extends string, R extends RuleId, P extends t.Props, O extends t.Props>(
  type: T,
  rules: readonly [R, ...R[]],
  props: P,
  optional: O,
) {
  return struct(type, { type: t.literal(type), seq: integer(1), at: integer(), rule: oneOf(rules), ...props }, optional);
}

const REJECTION_RULE_IDS = [...new Set(Object.values(REJECTION_RULES))] as [RuleId, ...RuleId[]];

export const EffectCodec = taggedUnion('Effect', 'type', {
  EventIgnored: effect('EventIgnored', ['G-5'], { reason: t.literal('duplicate') }),
  EventRejected: effectWithOptional(
    'EventRejected',
    REJECTION_RULE_IDS,
    { code: oneOf(REJECTION_CODES), message: t.string },
    { reasons: t.array(oneOf(VOUCHER_REASONS)) },
  ),
  VoucherActivated: effect('VoucherActivated', ['A-5'], { voucherId: Id, kind }),
  PositionVoucherApplied: effect('PositionVoucherApplied', ['PV-3'], {
    voucherId: Id, orderId: Id, symbol: Id, positionSide: side, voucherMargin: amount, ownMargin: amount,
  }),
  CostSettled: effectWithOptional(
    'CostSettled',
    ['P-6'],
    {
      cause: oneOf(['loss', 'fee', 'funding'] as const),
      symbol: Id,
      positionSide: side,
      amount,
      fromVoucher: amount,
      fromOwnMargin: amount,
      fromBonus: t.array(t.type({ bonusId: Id, amount })),
      fromOwn: amount,
      deficit: amount,
    },
    { orderId: Id },
  ),
  Credited: effectWithOptional(
    'Credited',
    ['P-5'],
    { cause: oneOf(['profit', 'funding'] as const), symbol: Id, positionSide: side, amount },
    { orderId: Id },
  ),
  LossCoverageApplied: effect('LossCoverageApplied', ['LCV-6'], {
    voucherId: Id, orderId: Id, loss: amount, covered: amount, remaining: amount, payableAt: integer(),
  }),
  LossCompensationPaid: effect('LossCompensationPaid', ['LCV-7'], {
    voucherId: Id, orderId: Id, amount, from: t.literal('campaign'), to: t.literal('spot'),
  }),
  CompensationCancelled: effect('CompensationCancelled', ['G-7'], { voucherId: Id, orderId: Id, amount }),
  VoucherExpired: effect('VoucherExpired', ['LCV-8', 'PV-9'], { voucherId: Id, kind, unused: amount }),
  VoucherForfeited: effect('VoucherForfeited', ['PV-4', 'PV-8'], { voucherId: Id, orderId: Id, amount }),
  VoucherRevoked: effect('VoucherRevoked', ['G-7'], { voucherId: Id, kind, unused: amount }),
  BonusReclaimed: effect('BonusReclaimed', ['FB-10'], { bonusIds, amount, trigger }),
  ReclaimDeferred: effect('ReclaimDeferred', ['FB-10'], { bonusIds, amount, trigger, projectedMarginRate: rate }),
  ProfitClawedBack: effect('ProfitClawedBack', ['PV-10'], { voucherId: Id, amount, outstanding: amount }),
  LiquidationThresholdReached: effect('LiquidationThresholdReached', ['M-3'], { marginRate: rate }),
});

export type Effect = t.TypeOf<typeof EffectCodec>;
export type EffectType = Effect['type'];
export type EffectOf<K extends EffectType> = Extract<Effect, { type: K }>;
export type CostCause = EffectOf<'CostSettled'>['cause'];
export type BonusPayment = EffectOf<'CostSettled'>['fromBonus'][number];
