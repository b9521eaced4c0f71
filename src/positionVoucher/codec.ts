import * as t from 'io-ts';
import { decimal, grantTracking, Id, integer, oneOf, struct } from '../core/codec';

export const POSITION_VOUCHER_STATUSES = ['available', 'inUse', 'consumed', 'expired', 'revoked'] as const;

export function positionVoucherGrantFields(scale: number) {
  return {
    required: { kind: t.literal('positionVoucher'), id: Id, amount: decimal(scale, 'positive'), expiresAt: integer() },
    optional: { maxLeverage: decimal(scale, 'positive'), symbols: t.array(t.string), allowOwnFunds: t.boolean },
  };
}

export function positionVoucherGrantCodec(scale: number) {
  const fields = positionVoucherGrantFields(scale);
  return struct('PositionVoucherGrant', fields.required, fields.optional);
}

/**
 * A position voucher as the state holds it. `profit` is the realised profit credited from its
 * position (PV-10); `outstanding` is what a flag still has to claw back of it.
 */
export function positionVoucherStateCodec(scale: number) {
  const fields = positionVoucherGrantFields(scale);
  return struct(
    'PositionVoucher',
    {
      ...fields.required,
      ...grantTracking,
      status: oneOf(POSITION_VOUCHER_STATUSES),
      profit: decimal(scale, 'nonNegative'),
      outstanding: decimal(scale, 'nonNegative'),
    },
    fields.optional,
  );
}

/** The margin a position voucher backs a position (or its still unfilled order) with. */
export function voucherMarginCodec(scale: number) {
  return t.type(
    { voucherId: Id, voucherMargin: decimal(scale, 'nonNegative'), ownMargin: decimal(scale, 'nonNegative') },
    'VoucherMargin',
  );
}

export type PositionVoucherGrant = t.TypeOf<ReturnType<typeof positionVoucherGrantCodec>>;
export type PositionVoucher = t.TypeOf<ReturnType<typeof positionVoucherStateCodec>>;
export type VoucherMargin = t.TypeOf<ReturnType<typeof voucherMarginCodec>>;
