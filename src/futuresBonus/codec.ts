import * as t from 'io-ts';
import { decimal, grantTracking, Id, integer, oneOf } from '../core/codec';

export const FUTURES_BONUS_STATUSES = ['active', 'awaitingReclaim', 'reclaimed', 'spent'] as const;
export const RECLAIM_TRIGGERS = ['expiry', 'transferOut', 'flagged'] as const;

export function futuresBonusGrantFields(scale: number) {
  return {
    kind: t.literal('futuresBonus'),
    id: Id,
    amount: decimal(scale, 'positive'),
    rate: decimal(scale, 'rate'),
    expiresAt: integer(),
  };
}

export function futuresBonusGrantCodec(scale: number) {
  return t.type(futuresBonusGrantFields(scale), 'FuturesBonusGrant');
}

export function futuresBonusStateCodec(scale: number) {
  return t.type(
    {
      ...futuresBonusGrantFields(scale),
      ...grantTracking,
      remaining: decimal(scale, 'nonNegative'),
      status: oneOf(FUTURES_BONUS_STATUSES),
    },
    'FuturesBonus',
  );
}

/** A reclaim the guard deferred (FB-10), waiting for a funds movement (FB-11). */
export const DeferredReclaimCodec = t.type(
  { bonusIds: t.array(Id), trigger: oneOf(RECLAIM_TRIGGERS) },
  'DeferredReclaim',
);

export type FuturesBonusGrant = t.TypeOf<ReturnType<typeof futuresBonusGrantCodec>>;
export type FuturesBonus = t.TypeOf<ReturnType<typeof futuresBonusStateCodec>>;
export type DeferredReclaim = t.TypeOf<typeof DeferredReclaimCodec>;
export type ReclaimTrigger = (typeof RECLAIM_TRIGGERS)[number];
