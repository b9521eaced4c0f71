/**
 * Issue 8: the fast path of decoding (`decimalValue`, the checks written out per event type in
 * `decodedEvent`) against the codecs that state the rules: for any JSON, what the fast path
 * decides is what the codec decodes, the same value and the input itself exactly when the codec
 * keeps it; and it decides every valid event of the types it covers.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimal, decimalValue, decodeWith, reportErrors, type DecimalSign } from '../../src/core/codec';
import { decodedEvent, eventCodec, MARGIN_MODES, ORDER_ACTIONS, ORDER_SOURCES, POSITION_SIDES, TRANSFER_DIRECTIONS, CANCEL_REASONS } from '../../src/core/events';
import { decodeEvent } from '../../src/replay';

const SIGNS: readonly DecimalSign[] = ['any', 'positive', 'nonNegative', 'rate'];
const SCALES = [0, 2, 8, 18] as const;

/** Decimal-like text: mostly well formed (leading and trailing zeros, signs, many decimals), some not. */
const decimalText: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', '-', '--', '+'),
      fc.string({ unit: fc.constantFrom('0', '0', '1', '9'), maxLength: 4 }),
      fc.constantFrom('', '.', '..'),
      fc.string({ unit: fc.constantFrom('0', '0', '5', '9'), maxLength: 20 }),
    )
    .map(([sign, int, point, fraction]) => `${sign}${int}${point}${fraction}`),
  fc.string({ unit: fc.constantFrom('-', '0', '1', '.', 'e', ' ', 'x', '\n', '٣'), maxLength: 8 }),
  fc.constantFrom('1', '1.0', '01', '1.000000001', '0.5', '-0', '-0.0', '00', '0.'),
);

const notText = fc.constantFrom<unknown>(undefined, null, 1, 0, true, [], {}, ['1']);

describe('decimalValue is decimal(scale, sign)', () => {
  it('for any text or other value, every scale and sign', () => {
    fc.assert(
      fc.property(fc.oneof(decimalText, notText), fc.constantFrom(...SCALES), fc.constantFrom(...SIGNS), (u, scale, sign) => {
        const decoded = decimal(scale, sign).decode(u);
        expect(decimalValue(u, scale, sign)).toBe(decoded._tag === 'Right' ? decoded.right : undefined);
      }),
      { numRuns: 5000 },
    );
  });
});

/** A field's value: mostly a valid one (so that whole events are often valid), sometimes not. */
const field = (valid: fc.Arbitrary<unknown>, invalid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: invalid, weight: 1 });
const idValue = field(fc.constantFrom('o-1', 'BTCUSDT'), fc.constantFrom<unknown>('', 1, null));
const integerValue = field(fc.constantFrom(1, 7, 1_700_000_000_000), fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 53, '1', null));
const amount = fc
  .tuple(fc.constantFrom('', '', '-'), fc.constantFrom('0', '1', '00', '012', '65000'), fc.constantFrom('', '.5', '.50', '.08', '.000', '.123456789'))
  .map(([sign, int, fraction]) => `${sign}${int}${fraction}`);
const decimalValue_ = field(amount, fc.oneof(decimalText, notText));
const member = (values: readonly string[]) => field(fc.constantFrom(...values), fc.constantFrom<unknown>('other', '', 1));
const booleanValue = field(fc.boolean(), fc.constantFrom<unknown>('true', 0));

/** Each type's fields and the values to draw for them (valid ones and not). */
const FIELDS: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
  OrderPlaced: {
    orderId: idValue,
    symbol: idValue,
    positionSide: member(POSITION_SIDES),
    action: member(ORDER_ACTIONS),
    qty: decimalValue_,
    price: decimalValue_,
    leverage: decimalValue_,
    marginMode: member(MARGIN_MODES),
    source: member(ORDER_SOURCES),
    feeVoucher: booleanValue,
    voucher: idValue,
  },
  OrderFilled: { orderId: idValue, qty: decimalValue_, price: decimalValue_, fee: decimalValue_ },
  OrderCancelled: { orderId: idValue, reason: member(CANCEL_REASONS) },
  MarkPriceUpdated: { symbol: idValue, price: decimalValue_ },
  FundingSettled: { symbol: idValue, positionSide: member(POSITION_SIDES), amount: decimalValue_ },
  FundsTransferred: { direction: member(TRANSFER_DIRECTIONS), amount: decimalValue_ },
  AccountFlagged: { reason: fc.constantFrom<unknown>('fraud', '', 1) },
  Tick: {},
};

/**
 * An event as JSON gives it: a type (sometimes another one's or none), the header, each field
 * present or not, maybe an extra key (`__proto__` among them: JSON.parse makes it an own key).
 */
const eventJson: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.constantFrom(...Object.keys(FIELDS)),
    fc.constantFrom<unknown>(...Object.keys(FIELDS), 'VoucherGranted', 'Nope', undefined),
    fc.nat(20),
  )
  .chain(([fieldsOf, type, mistype]) => {
    const fields = { seq: integerValue, at: integerValue, ...FIELDS[fieldsOf] };
    return fc.tuple(
      fc.record(fields, { requiredKeys: mistype > 2 ? (Object.keys(fields) as (keyof typeof fields)[]) : [] }),
      fc.option(fc.tuple(fc.constantFrom('__proto__', 'extra', 'constructor'), fc.constantFrom<unknown>({ qty: '1' }, null, 1, '1.0'))),
    ).map(([record, extra]) => {
      const entries: [string, unknown][] = Object.entries(record);
      if (mistype > 0) entries.unshift(['type', mistype === 1 ? type : fieldsOf]);
      if (extra !== null) entries.push(extra);
      return JSON.parse(JSON.stringify(Object.fromEntries(entries))) as unknown;
    });
  });

const anyJson: fc.Arbitrary<unknown> = fc.oneof(eventJson, fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown));

describe('decodedEvent is eventCodec(scale)', () => {
  it('decides only what the codec decodes, to the same value, the input itself where the codec keeps it', () => {
    fc.assert(
      fc.property(anyJson, fc.constantFrom(...SCALES), (u, scale) => {
        // One input for both (neither changes it), so that fields holding objects are the same.
        const text = JSON.stringify(u);
        const fast = decodedEvent(u, scale);
        const decoded = eventCodec(scale).decode(u);
        expect(JSON.stringify(u)).toBe(text);
        if (fast !== undefined) {
          expect(decoded._tag).toBe('Right');
          if (decoded._tag !== 'Right') return;
          expect(fast).toStrictEqual(decoded.right);
          expect(Object.getPrototypeOf(fast)).toBe(Object.getPrototypeOf(decoded.right));
          expect(fast === u).toBe(decoded.right === u);
        } else if (decoded._tag === 'Right') {
          // Left to the codec: grants, and copies of input with a `__proto__` key.
          const ownProto = Object.prototype.hasOwnProperty.call(u, '__proto__');
          expect(decoded.right.type === 'VoucherGranted' || (ownProto && decoded.right !== u)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it('decodeEvent, and decoding with the event codec (logs, scenarios), give what io-ts gives, errors included', () => {
    fc.assert(
      fc.property(anyJson, fc.constantFrom(...SCALES), (u, scale) => {
        const decoded = eventCodec(scale).decode(u);
        const expected = decoded._tag === 'Right' ? decoded : { _tag: 'Left', left: reportErrors(decoded.left) };
        expect(decodeEvent(u, scale)).toStrictEqual(expected);
        expect(decodeWith(eventCodec(scale), u)).toStrictEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('a `__proto__` key stays what io-ts makes of it: a prototype where it copies, a field where it does not', () => {
    const copied = JSON.parse('{"type":"MarkPriceUpdated","seq":1,"at":0,"symbol":"BTCUSDT","price":"1.50","__proto__":{"x":1}}') as unknown;
    const kept = JSON.parse('{"type":"MarkPriceUpdated","seq":1,"at":0,"symbol":"BTCUSDT","price":"1.5","__proto__":{"x":1}}') as unknown;
    const a = decodeEvent(copied, 8);
    const b = decodeEvent(kept, 8);
    expect(a._tag === 'Right' && Object.getPrototypeOf(a.right)).toEqual({ x: 1 });
    expect(b._tag === 'Right' && b.right).toBe(kept);
  });
});
