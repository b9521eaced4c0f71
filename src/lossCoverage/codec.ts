import * as t from 'io-ts';
import { decimal, grantTracking, Id, integer, oneOf, struct } from '../core/codec';

export const LOSS_COVERAGE_STATUSES = ['available', 'consumed', 'expired', 'revoked'] as const;

export function lossCoverageGrantFields(scale: number) {
  return {
    required: { kind: t.literal('lossCoverage'), id: Id, amount: decimal(scale, 'positive') },
    optional: { expiresAt: integer(), minClosingNotional: decimal(scale, 'nonNegative') },
  };
}

export function lossCoverageGrantCodec(scale: number) {
  const fields = lossCoverageGrantFields(scale);
  return struct('LossCoverageGrant', fields.required, fields.optional);
}

/** A loss coverage voucher as the state holds it: the grant, what remains, and its status. */
export function lossCoverageStateCodec(scale: number) {
  const fields = lossCoverageGrantFields(scale);
  return struct(
    'LossCoverageVoucher',
    {
      ...fields.required,
      ...grantTracking,
      remaining: decimal(scale, 'nonNegative'),
      status: oneOf(LOSS_COVERAGE_STATUSES),
    },
    fields.optional,
  );
}

/** A compensation owed by a loss coverage voucher, paid at `payableAt` (LCV-7). */
export function compensationCodec(scale: number) {
  return t.type(
    { voucherId: Id, orderId: Id, amount: decimal(scale, 'positive'), payableAt: integer() },
    'Compensation',
  );
}

export type LossCoverageGrant = t.TypeOf<ReturnType<typeof lossCoverageGrantCodec>>;
export type LossCoverageVoucher = t.TypeOf<ReturnType<typeof lossCoverageStateCodec>>;
export type Compensation = t.TypeOf<ReturnType<typeof compensationCodec>>;
