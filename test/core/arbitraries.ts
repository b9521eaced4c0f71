/**
 * fast-check generators of valid-shaped inputs: a policy, an account, and a stream of events of
 * every type with `seq` and `at` assigned. Shapes are always valid (every event decodes); the
 * contents are deliberately mixed: fills for placed and unknown orders, closes without positions,
 * repeated voucher ids, bonus rates that conflict, transfers beyond the funds, duplicates and
 * events from the past.
 */
import fc from 'fast-check';

export type Json = Record<string, unknown>;

export const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const SIDES = ['long', 'short'] as const;
const ORDER_IDS = ['o1', 'o2', 'o3', 'o4'] as const;
const VOUCHER_IDS = ['V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7'] as const;
const HOUR = 3_600_000;
const LAST = '<last placed>';
const FOLLOW = '<follow the last open>';
const DAY = 24 * HOUR;

/** A decimal string of `units` x 10^-decimals, printed with its decimals (trailing zeros kept). */
function fixed(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
  return negative ? `-${text}` : text;
}

/** A decimal in [min, max] with at most `scale` decimals (more precise values are truncated). */
export function decimalArb(min: number, max: number, scale: number, precision = 8): fc.Arbitrary<string> {
  const decimals = Math.min(scale, precision);
  const factor = 10 ** decimals;
  return fc
    .integer({ min: Math.ceil(min * factor), max: Math.floor(max * factor) })
    .map((units) => fixed(BigInt(units), decimals));
}

/** A positive decimal: mostly round values (so that fills meet orders), sometimes odd ones. */
function positiveArb(round: readonly string[], min: number, max: number, scale: number): fc.Arbitrary<string> {
  const smallest = scale === 0 ? 1 : 10 ** -Math.min(scale, 8);
  return fc.oneof(
    { arbitrary: fc.constantFrom(...round), weight: 3 },
    { arbitrary: decimalArb(Math.max(min, smallest), max, scale), weight: 1 },
  );
}

export interface Universe {
  readonly scale: number;
}

export const policyArb: fc.Arbitrary<Json> = fc.record(
  {
    scale: fc.constantFrom(8, 8, 8, 2, 0),
    minLoss: fc.constantFrom('1', '0', '0.5'),
    spillover: fc.boolean(),
    reclaimGuard: fc.boolean(),
    reclaimGuardRate: fc.constantFrom('0.95', '0.5'),
    liquidationRate: fc.constantFrom('1', '0.3', '0.05'),
    defaultMmr: fc.constantFrom('0.005', '0.05'),
    instruments: fc.constantFrom({}, { BTCUSDT: { mmr: '0.01' } }, { ETHUSDT: { mmr: '0.1' } }),
  },
  { requiredKeys: [] },
);

export function accountArb(scale: number): fc.Arbitrary<Json> {
  return fc.record({
    accountId: fc.constant('prop'),
    accountType: fc.constantFrom('main', 'main', 'main', 'main', 'main', 'sub', 'institutional'),
    positionMode: fc.constantFrom('hedge', 'hedge', 'hedge', 'oneWay'),
    ownBalance: fc.oneof(decimalArb(0, 5000, scale), decimalArb(-50, 50, scale), fc.constant('0')),
  });
}

/** The body of one event: everything but `seq` and `at`. `horizon` bounds expiry times. */
export function eventBodyArb(scale: number, horizon: number): fc.Arbitrary<Json> {
  return partsOf(scale, horizon).single;
}

/**
 * A chunk of the stream: one event, or an order placed and filled at once (an opening order, or a
 * closing order on the side opened last), so that streams reach positions, closes and pnl often.
 */
export function chunkArb(scale: number, horizon: number): fc.Arbitrary<Json[]> {
  const { single, placed, price, fee, voucherId } = partsOf(scale, horizon);
  const placedAndFilled = (action: 'open' | 'close') =>
    fc
      .tuple(placed, price, fee, fc.constantFrom('all', 'all', 'half'))
      .map(([order, fillPrice, fillFee, part]): Json[] => {
        const qty = String(order['qty']);
        const fillQty = part === 'half' && scale > 0 && qty !== '0.5' ? '0.5' : qty;
        return [
          { ...order, action, [FOLLOW]: true },
          { type: 'OrderFilled', orderId: LAST, qty: fillQty, price: fillPrice, fee: fillFee },
        ];
      });
  // A position voucher that fits the order placed right after it (PV-1), so voucher positions are common.
  const voucherPosition = fc
    .tuple(voucherId, fc.constantFrom('100', '500'), fc.boolean(), placedAndFilled('open'))
    .map(([id, amount, allowOwnFunds, [order, filled]]): Json[] => [
      { type: 'VoucherGranted', voucher: { kind: 'positionVoucher', id, amount, expiresAt: 2 * horizon, allowOwnFunds } },
      { ...order, leverage: '10', marginMode: 'isolated', source: 'main', voucher: 'auto' },
      filled as Json,
    ]);
  return fc.oneof(
    { arbitrary: single.map((body) => [body]), weight: 8 },
    { arbitrary: placedAndFilled('open'), weight: 2 },
    { arbitrary: placedAndFilled('close'), weight: 2 },
    { arbitrary: voucherPosition, weight: 1 },
  );
}

function partsOf(scale: number, horizon: number) {
  const price = positiveArb(['100', '90', '110', '50', '2000'], 0, 3000, scale);
  const qty = positiveArb(scale === 0 ? ['1', '2', '3'] : ['0.5', '1', '2', '3'], 0, 5, scale);
  const fillQty = positiveArb(scale === 0 ? ['1', '1', '2'] : ['0.5', '1', '1', '2'], 0, 3, scale);
  const amount = positiveArb(['10', '50', '100', '5'], 0, 500, scale);
  // Mostly far away (so vouchers live to be used), sometimes soon, sometimes already past (D-4).
  const expiresAt = fc.oneof({ arbitrary: fc.integer({ min: -HOUR, max: horizon }), weight: 1 }, { arbitrary: fc.constant(2 * horizon), weight: 2 });
  const symbol = fc.constantFrom(...SYMBOLS);
  const side = fc.constantFrom(...SIDES);
  const voucherId = fc.constantFrom(...VOUCHER_IDS);
  // LAST stands for the order placed last (filled in by sessionArb), so that fills find their orders.
  const orderId = fc.oneof(
    { arbitrary: fc.constant(LAST), weight: 12 },
    { arbitrary: fc.constantFrom(...ORDER_IDS), weight: 6 },
    { arbitrary: fc.constant('ghost'), weight: 1 },
  );

  const lossCoverage = fc.record(
    { kind: fc.constant('lossCoverage'), id: voucherId, amount, expiresAt, minClosingNotional: fc.constantFrom('0', '50', '1000') },
    { requiredKeys: ['kind', 'id', 'amount'] },
  );
  const positionVoucher = fc.record(
    {
      kind: fc.constant('positionVoucher'),
      id: voucherId,
      amount: positiveArb(['50', '100', '500'], 0, 1000, scale),
      expiresAt,
      maxLeverage: fc.constantFrom('10', '20'),
      symbols: fc.constantFrom(['BTCUSDT'], ['ETHUSDT'], [], [...SYMBOLS], [...SYMBOLS]),
      allowOwnFunds: fc.boolean(),
    },
    { requiredKeys: ['kind', 'id', 'amount', 'expiresAt'] },
  );
  const futuresBonus = fc.record({
    kind: fc.constant('futuresBonus'),
    id: voucherId,
    amount,
    rate: scale === 0 ? fc.constant('1') : fc.constantFrom('0.5', '0.5', '1', '0.3'),
    expiresAt,
  });

  const placed = fc.record(
    {
      type: fc.constant('OrderPlaced'),
      orderId: fc.constantFrom(...ORDER_IDS),
      symbol,
      positionSide: side,
      action: fc.constantFrom('open', 'open', 'open', 'close', 'close'),
      qty,
      price,
      leverage: fc.constantFrom('1', '5', '10', '20', '100'),
      marginMode: fc.constantFrom('isolated', 'isolated', 'isolated', 'cross'),
      source: fc.constantFrom('main', 'main', 'main', 'main', 'main', 'main', 'copyTrading', 'bot', 'gridTrading'),
      feeVoucher: fc.boolean(),
      voucher: fc.oneof({ arbitrary: fc.constantFrom('auto', 'auto', 'none'), weight: 4 }, { arbitrary: voucherId, weight: 1 }),
      // A closing order usually follows the side opened last (filled in by sessionArb).
      [FOLLOW]: fc.constantFrom(true, true, true, true, false),
    },
    { requiredKeys: ['type', 'orderId', 'symbol', 'positionSide', 'action', 'qty', 'price', 'leverage', 'marginMode', 'source', FOLLOW] },
  );

  const fee = fc.oneof(fc.constant('0'), decimalArb(0, 2, scale));
  const single = fc.oneof(
    { arbitrary: fc.record({ type: fc.constant('VoucherGranted'), voucher: fc.oneof(lossCoverage, positionVoucher, futuresBonus) }), weight: 7 },
    { arbitrary: placed, weight: 8 },
    {
      arbitrary: fc.record({ type: fc.constant('OrderFilled'), orderId, qty: fillQty, price, fee }),
      weight: 14,
    },
    {
      arbitrary: fc.record({ type: fc.constant('OrderCancelled'), orderId, reason: fc.constantFrom('cancelled', 'rejected', 'expired') }),
      weight: 2,
    },
    { arbitrary: fc.record({ type: fc.constant('MarkPriceUpdated'), symbol, price }), weight: 3 },
    {
      arbitrary: fc.record({ type: fc.constant('FundingSettled'), symbol, positionSide: side, amount: fc.oneof(decimalArb(-5, 5, scale), fc.constant('0')) }),
      weight: 3,
    },
    {
      arbitrary: fc.record({ type: fc.constant('FundsTransferred'), direction: fc.constantFrom('in', 'out'), amount: positiveArb(['10', '100', '1000'], 0, 3000, scale) }),
      weight: 3,
    },
    { arbitrary: fc.record({ type: fc.constant('AccountFlagged'), reason: fc.constant('farming') }), weight: 1 },
    { arbitrary: fc.constant({ type: 'Tick' }), weight: 1 },
  );
  return { single, placed, price, fee, voucherId };
}

/** How an event's seq and at follow the previous one: mostly in order, sometimes not. */
const stepArb = fc.record({
  seq: fc.oneof(
    { arbitrary: fc.constant(1), weight: 20 },
    { arbitrary: fc.constant(0), weight: 1 }, // a duplicate of the previous seq
    { arbitrary: fc.constant(-1), weight: 1 }, // an older seq
    { arbitrary: fc.integer({ min: 2, max: 5 }), weight: 1 }, // a gap
  ),
  dt: fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 6 * HOUR }), weight: 8 },
    { arbitrary: fc.integer({ min: DAY, max: 3 * DAY }), weight: 1 },
    { arbitrary: fc.integer({ min: -HOUR, max: -1 }), weight: 1 }, // from the past: OUT_OF_ORDER
  ),
});

export interface Session {
  readonly policy: Json;
  readonly account: Json;
  readonly events: Json[];
}

/** A whole session: policy, account and up to `maxEvents` events with seq and at assigned. */
export function sessionArb(maxEvents = 40): fc.Arbitrary<Session> {
  return policyArb.chain((policy) => {
    const scale = typeof policy['scale'] === 'number' ? policy['scale'] : 8;
    const horizon = 5 * DAY;
    return fc
      .record({
        account: accountArb(scale),
        chunks: fc.array(fc.tuple(chunkArb(scale, horizon), stepArb, stepArb), { minLength: 1, maxLength: Math.ceil(maxEvents / 1.3), size: 'max' }),
      })
      .map(({ account, chunks }) => {
        // A chunk's second event comes with the second step; the stream is cut at maxEvents.
        const bodies = chunks.flatMap(([bodies, first, second]) => bodies.map((body, i) => [body, i === 0 ? first : second] as const)).slice(0, maxEvents);
        let seq = 0;
        let at = 0;
        // Duplicates and events from the past do not move the stream on: the next one continues it.
        let lastPlaced = 'o1';
        let lastOpen: Json = { symbol: 'BTCUSDT', positionSide: 'long' };
        const events = bodies.map(([generated, move]) => {
          const body: Json = { ...generated };
          if (body['type'] === 'OrderPlaced') {
            if (body['action'] === 'open') lastOpen = { symbol: body['symbol'], positionSide: body['positionSide'] };
            else if (body[FOLLOW] === true) Object.assign(body, lastOpen);
            delete body[FOLLOW];
            lastPlaced = String(body['orderId']);
          }
          if (body['orderId'] === LAST) body['orderId'] = lastPlaced;
          const eventSeq = Math.max(1, seq + move.seq);
          const eventAt = Math.max(0, at + move.dt);
          if (move.seq > 0) seq = eventSeq;
          if (move.dt >= 0) at = eventAt;
          return { ...body, seq: eventSeq, at: eventAt };
        });
        return { policy, account, events };
      });
  });
}
