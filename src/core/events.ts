/**
 * Events (RULES.md section 5): the input of `step`. Decoded from untrusted JSON against the
 * account's scale (D-25); the TypeScript types are derived from these codecs.
 */
import * as t from 'io-ts';
import { decimal, decimalValue, handWritten, Id, integer, oneOf, struct, taggedUnion } from './codec';
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
    handWritten(codec, (u) => decodedEvent(u, scale));
    eventCodecs.set(scale, codec);
  }
  return codec;
}

export type Event = t.TypeOf<ReturnType<typeof buildEventCodec>>;
export type EventType = Event['type'];
export type EventOf<K extends EventType> = Extract<Event, { type: K }>;
export type VoucherGrant = EventOf<'VoucherGranted'>['voucher'];
export type VoucherKind = VoucherGrant['kind'];

/*
 * The fast path of `decodeEvent` (issue 8): a check written out per event type, reading its
 * fields by name (one or two object shapes at each read, where the check compiled from the codec
 * reads every field of every type in one place, so every read there is megamorphic), and a copy
 * by spread. It gives what the codec decodes `u` to (`u` itself, or a copy with the canonical
 * decimals), or `undefined` where it does not decide: invalid input (the codec reports it),
 * grants (2% of a stream; the compiled check serves them) and a `__proto__` key (below).
 * test/core/fast-events.test.ts holds it to the codec.
 */

type Fields = Record<string, unknown>;

const isId = (u: unknown): boolean => typeof u === 'string' && u.length > 0;
const isMember = (values: readonly string[], u: unknown): boolean => typeof u === 'string' && values.includes(u);
const isHeader = (seq: unknown, at: unknown): boolean => Number.isSafeInteger(seq) && (seq as number) >= 1 && Number.isSafeInteger(at);
/**
 * io-ts copies with `Object.assign`, a spread is 4x faster and builds the same object but where
 * `u` has an own `__proto__` key (JSON can): `Object.assign` sets it as the copy's prototype.
 */
const spreadable = (u: Fields): boolean => !Object.prototype.hasOwnProperty.call(u, '__proto__');

/** An order's event (placed, filled): its qty, price and `key` (leverage, fee) canonical, as for `withDecimal`. */
function withOrderAmounts<E>(u: Fields, valid: boolean, scale: number, key: string, raw: unknown, value: string | undefined): E | undefined {
  const qty = u['qty'];
  const price = u['price'];
  const q = decimalValue(qty, scale, 'positive');
  const p = decimalValue(price, scale, 'positive');
  if (!valid || q === undefined || p === undefined || value === undefined) return undefined;
  if (q === qty && p === price && value === raw) return u as E;
  // OrderPlaced is a struct, an intersection: io-ts merges the required part's copy with the
  // optional part (no decimals, so unchanged), which is a copy of the same fields.
  if (!spreadable(u)) return undefined;
  const copy: Fields = { ...u };
  copy['qty'] = q;
  copy['price'] = p;
  copy[key] = value;
  return copy as E;
}

/** An event with one decimal field, `key`: `u` where `value` is `raw` already, else the copy. */
function withDecimal<E>(u: Fields, valid: boolean, key: string, raw: unknown, value: string | undefined): E | undefined {
  if (!valid || value === undefined) return undefined;
  if (value === raw) return u as E;
  if (!spreadable(u)) return undefined;
  const copy: Fields = { ...u };
  copy[key] = value;
  return copy as E;
}

/** What `eventCodec(scale)` decodes `u` to, where the fast path decides; else `undefined`. */
export function decodedEvent(u: unknown, scale: number): Event | undefined {
  if (!t.UnknownRecord.is(u)) return undefined;
  const fields = u as Fields;
  switch (fields['type']) {
    case 'OrderFilled': {
      const fee = fields['fee'];
      const valid = isHeader(fields['seq'], fields['at']) && isId(fields['orderId']);
      return withOrderAmounts<EventOf<'OrderFilled'>>(fields, valid, scale, 'fee', fee, decimalValue(fee, scale, 'nonNegative'));
    }
    case 'MarkPriceUpdated': {
      const price = fields['price'];
      const valid = isHeader(fields['seq'], fields['at']) && isId(fields['symbol']);
      return withDecimal<EventOf<'MarkPriceUpdated'>>(fields, valid, 'price', price, decimalValue(price, scale, 'positive'));
    }
    case 'OrderPlaced': {
      const leverage = fields['leverage'];
      const feeVoucher = fields['feeVoucher'];
      const voucher = fields['voucher'];
      const valid =
        isHeader(fields['seq'], fields['at']) &&
        isId(fields['orderId']) &&
        isId(fields['symbol']) &&
        isMember(POSITION_SIDES, fields['positionSide']) &&
        isMember(ORDER_ACTIONS, fields['action']) &&
        isMember(MARGIN_MODES, fields['marginMode']) &&
        isMember(ORDER_SOURCES, fields['source']) &&
        (feeVoucher === undefined || typeof feeVoucher === 'boolean') &&
        (voucher === undefined || isId(voucher));
      return withOrderAmounts<EventOf<'OrderPlaced'>>(fields, valid, scale, 'leverage', leverage, decimalValue(leverage, scale, 'positive'));
    }
    case 'FundingSettled': {
      const amount = fields['amount'];
      const valid = isHeader(fields['seq'], fields['at']) && isId(fields['symbol']) && isMember(POSITION_SIDES, fields['positionSide']);
      return withDecimal<EventOf<'FundingSettled'>>(fields, valid, 'amount', amount, decimalValue(amount, scale, 'any'));
    }
    case 'FundsTransferred': {
      const amount = fields['amount'];
      const valid = isHeader(fields['seq'], fields['at']) && isMember(TRANSFER_DIRECTIONS, fields['direction']);
      return withDecimal<EventOf<'FundsTransferred'>>(fields, valid, 'amount', amount, decimalValue(amount, scale, 'positive'));
    }
    case 'OrderCancelled':
      return isHeader(fields['seq'], fields['at']) && isId(fields['orderId']) && isMember(CANCEL_REASONS, fields['reason'])
        ? (fields as EventOf<'OrderCancelled'>)
        : undefined;
    case 'Tick':
      return isHeader(fields['seq'], fields['at']) ? (fields as EventOf<'Tick'>) : undefined;
    case 'AccountFlagged':
      return isHeader(fields['seq'], fields['at']) && typeof fields['reason'] === 'string' ? (fields as EventOf<'AccountFlagged'>) : undefined;
    default:
      return undefined;
  }
}
