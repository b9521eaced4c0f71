/**
 * Events (RULES.md section 5): the input of `step`. Decoded from untrusted JSON against the
 * account's scale (D-25); the TypeScript types are derived from these codecs.
 */
import * as t from 'io-ts';
import { decimal, Id, integer, oneOf, struct, taggedUnion } from './codec';
import { lossCoverageGrantCodec } from '../lossCoverage/codec';
import { positionVoucherGrantCodec } from '../positionVoucher/codec';
import { futuresBonusGrantCodec } from '../futuresBonus/codec';

export const POSITION_SIDES = ['long', 'short'] as const;
export const ORDER_ACTIONS = ['open', 'close'] as const;
export const MARGIN_MODES = ['isolated', 'cross'] as const;
export const ORDER_SOURCES = ['main', 'copyTrading', 'gridTrading', 'bot'] as const;
export const CANCEL_REASONS = ['cancelled', 'rejected', 'expired'] as const;
export const TRANSFER_DIRECTIONS = ['in', 'out'] as const;

export type PositionSide = (typeof POSITION_SIDES)[number];

const header = { seq: integer(1), at: integer() };

/** What an order is, as placed (P-2): the event and the state's open order share these fields. */
export function orderFields(scale: number) {
  const positive = decimal(scale, 'positive');
  return {
    orderId: Id,
    symbol: Id,
    positionSide: oneOf(POSITION_SIDES),
    action: oneOf(ORDER_ACTIONS),
    qty: positive,
    price: positive,
    leverage: positive,
    marginMode: oneOf(MARGIN_MODES),
    source: oneOf(ORDER_SOURCES),
  };
}

function buildEventCodec(scale: number) {
  const positive = decimal(scale, 'positive');
  const side = oneOf(POSITION_SIDES);
  return taggedUnion('Event', 'type', {
    VoucherGranted: t.type(
      {
        type: t.literal('VoucherGranted'),
        ...header,
        voucher: taggedUnion('Voucher', 'kind', {
          lossCoverage: lossCoverageGrantCodec(scale),
          positionVoucher: positionVoucherGrantCodec(scale),
          futuresBonus: futuresBonusGrantCodec(scale),
        }),
      },
      'VoucherGranted',
    ),
    OrderPlaced: struct(
      'OrderPlaced',
      {
        type: t.literal('OrderPlaced'),
        ...header,
        ...orderFields(scale),
      },
      { feeVoucher: t.boolean, voucher: Id },
    ),
    OrderFilled: t.type(
      {
        type: t.literal('OrderFilled'),
        ...header,
        orderId: Id,
        qty: positive,
        price: positive,
        fee: decimal(scale, 'nonNegative'),
      },
      'OrderFilled',
    ),
    OrderCancelled: t.type(
      { type: t.literal('OrderCancelled'), ...header, orderId: Id, reason: oneOf(CANCEL_REASONS) },
      'OrderCancelled',
    ),
    MarkPriceUpdated: t.type(
      { type: t.literal('MarkPriceUpdated'), ...header, symbol: Id, price: positive },
      'MarkPriceUpdated',
    ),
    FundingSettled: t.type(
      { type: t.literal('FundingSettled'), ...header, symbol: Id, positionSide: side, amount: decimal(scale) },
      'FundingSettled',
    ),
    FundsTransferred: t.type(
      { type: t.literal('FundsTransferred'), ...header, direction: oneOf(TRANSFER_DIRECTIONS), amount: positive },
      'FundsTransferred',
    ),
    AccountFlagged: t.type({ type: t.literal('AccountFlagged'), ...header, reason: t.string }, 'AccountFlagged'),
    Tick: t.type({ type: t.literal('Tick'), ...header }, 'Tick'),
  });
}

const eventCodecs = new Map<number, ReturnType<typeof buildEventCodec>>();

/** The event codec for an account whose amounts carry at most `scale` decimals. */
export function eventCodec(scale: number): ReturnType<typeof buildEventCodec> {
  let codec = eventCodecs.get(scale);
  if (codec === undefined) {
    codec = buildEventCodec(scale);
    eventCodecs.set(scale, codec);
  }
  return codec;
}

export type Event = t.TypeOf<ReturnType<typeof buildEventCodec>>;
export type EventType = Event['type'];
export type EventOf<K extends EventType> = Extract<Event, { type: K }>;
export type VoucherGrant = EventOf<'VoucherGranted'>['voucher'];
export type VoucherKind = VoucherGrant['kind'];
