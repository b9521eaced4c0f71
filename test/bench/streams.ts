/**
 * Seeded, realistic event streams for the benchmarks (issue 8). Every run sees the same events:
 * a small deterministic PRNG (mulberry32) drives a trading simulation that keeps its own book of
 * orders and positions, so fills reference placed orders and closes reference open positions and
 * the engine does real work (few rejections; the streams test checks that).
 *
 * Amounts are produced from integers (quantities in thousandths, prices in cents, costs in 1e-8)
 * so every decimal string is exact and within the default scale of 8.
 */
import { createAccount, decodeEvent, type Account, type AccountState, type Event, type PolicyInput } from '../../src/index';

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. Same seed, same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An event as it arrives on the wire: plain JSON, amounts as decimal strings. */
export interface WireEvent {
  readonly type: string;
  readonly seq: number;
  readonly at: number;
  readonly [field: string]: unknown;
}

export interface Stream {
  readonly name: string;
  readonly account: Account;
  readonly policy: PolicyInput;
  /** Events that build the starting book (grants, opening fills); not timed by the scaling bench. */
  readonly setup: readonly WireEvent[];
  /** The events a benchmark replays. */
  readonly events: readonly WireEvent[];
}

const qtyText = (milli: number): string => (milli / 1000).toFixed(3);
const priceText = (cents: number): string => (cents / 100).toFixed(2);
/** An amount held in units of 1e-8 as a decimal string (exact for the magnitudes used here). */
const unitsText = (units: number): string => {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  const whole = Math.floor(abs / 1e8);
  const frac = String(abs - whole * 1e8).padStart(8, '0');
  return `${sign}${whole}.${frac}`;
};

interface SymbolBook {
  readonly symbol: string;
  readonly base: number;
  price: number;
}

interface SimOrder {
  readonly orderId: string;
  readonly key: string;
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly action: 'open' | 'close';
  readonly qty: number;
  filled: number;
  readonly voucher: boolean;
}

interface SimPosition {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  qty: number;
  /** Quantity already promised to open closing orders. */
  reserved: number;
}

export interface TradingProfile {
  readonly seed: number;
  readonly accountId: string;
  readonly ownBalance: string;
  readonly symbols: readonly { symbol: string; price: number }[];
  /** Open positions (plus pending opening orders) the trader keeps between these bounds. */
  readonly minPositions: number;
  readonly maxPositions: number;
  /** Vouchers granted before the stream proper. */
  readonly initialLossCoverage: number;
  readonly initialBonuses: number;
  readonly initialPositionVouchers: number;
  /** Positions opened right after the grants, one order and one fill each. */
  readonly initialPositions: number;
  /** One new loss coverage voucher every this many events (0: never). */
  readonly lossCoverageEvery: number;
  /** Two stacked bonuses every this many events (0: never). */
  readonly bonusEvery: number;
  /** Trade the reserved position-voucher side (`SOLUSDT` long, isolated, voucher named). */
  readonly usePositionVoucher: boolean;
  /** Notional of an ordinary order, in USDT. */
  readonly notional: number;
  /** Share of transfers that go out (each one out triggers the reclaim of the active bonuses). */
  readonly transferOutShare: number;
  readonly bonusAmount: number;
}

const BONUS_RATE = '0.3';
const DAY = 86_400_000;

/**
 * An endless, lazily generated trading session. Memory stays flat however long it runs, so the
 * 1,000,000-event replay measures the engine's state, not the stream.
 */
export function* tradingSession(p: TradingProfile, startSeq = 1, startAt = 1_700_000_000_000): Generator<WireEvent, never, undefined> {
  const rnd = mulberry32(p.seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  let seq = startSeq - 1;
  let at = startAt;
  let orderNo = 0;
  let voucherNo = 0;
  let count = 0;
  const books: SymbolBook[] = p.symbols.map((s) => ({ symbol: s.symbol, base: s.price, price: s.price }));
  const bookOf = new Map(books.map((b) => [b.symbol, b]));
  const orders = new Map<string, SimOrder>();
  const positions = new Map<string, SimPosition>();
  const pvKey = 'SOLUSDT|long';
  let pvId: string | undefined;
  let pvState: 'none' | 'available' | 'ordered' | 'open' | 'closing' = 'none';
  let pvOpenedAt = 0;

  const next = (fields: Record<string, unknown>): WireEvent => {
    seq += 1;
    at += int(1_000, 180_000);
    count += 1;
    return { seq, at, ...fields } as WireEvent;
  };
  const grantLcv = (): WireEvent => {
    voucherNo += 1;
    const voucher: Record<string, unknown> = { kind: 'lossCoverage', id: `lcv-${voucherNo}`, amount: pick(['5', '10', '20', '50']) };
    if (rnd() < 0.7) voucher['expiresAt'] = at + int(2, 6) * DAY;
    if (rnd() < 0.3) voucher['minClosingNotional'] = '500';
    return next({ type: 'VoucherGranted', voucher });
  };
  const grantBonus = (): WireEvent => {
    voucherNo += 1;
    return next({
      type: 'VoucherGranted',
      voucher: { kind: 'futuresBonus', id: `fb-${voucherNo}`, amount: String(p.bonusAmount), rate: BONUS_RATE, expiresAt: at + int(1, 3) * DAY },
    });
  };
  const grantPv = (): WireEvent => {
    voucherNo += 1;
    pvId = `pv-${voucherNo}`;
    pvState = 'available';
    return next({ type: 'VoucherGranted', voucher: { kind: 'positionVoucher', id: pvId, amount: '100', expiresAt: at + 30 * DAY, maxLeverage: '20' } });
  };
  // Position vouchers that stay unused (every ordinary order is cross margin, so `auto` passes them by).
  const grantIdlePv = (): WireEvent => {
    voucherNo += 1;
    return next({ type: 'VoucherGranted', voucher: { kind: 'positionVoucher', id: `pv-${voucherNo}`, amount: '50', expiresAt: at + 365 * DAY } });
  };

  const movePrice = (book: SymbolBook): void => {
    const drift = (book.base - book.price) * 0.02;
    const step = book.price * (rnd() - 0.5) * 0.004;
    book.price = Math.max(1, Math.round(book.price + drift + step));
  };
  const qtyFor = (book: SymbolBook, notional: number): number => Math.max(1, Math.round((notional * 1000 * 100) / book.price / int(1, 3)));
  const feeOf = (qty: number, price: number): string => unitsText(Math.round(qty * price * 0.4));

  const allKeys = books.flatMap((b) => [`${b.symbol}|long`, `${b.symbol}|short`]).filter((k) => !(p.usePositionVoucher && k === pvKey));
  const pendingKeys = (): Set<string> => {
    const keys = new Set<string>();
    for (const o of orders.values()) if (o.action === 'open' && !positions.has(o.key)) keys.add(o.key);
    return keys;
  };
  const placeOpen = (fresh: boolean, wanted?: string): WireEvent => {
    let key = wanted ?? pick(allKeys);
    if (fresh) {
      // Below the target: open on a side that holds nothing yet.
      const pending = pendingKeys();
      const start = Math.floor(rnd() * allKeys.length);
      for (let i = 0; i < allKeys.length; i++) {
        const candidate = allKeys[(start + i) % allKeys.length] as string;
        if (!positions.has(candidate) && !pending.has(candidate)) {
          key = candidate;
          break;
        }
      }
    }
    const [symbol, sideText] = key.split('|') as [string, string];
    const side: 'long' | 'short' = sideText === 'long' ? 'long' : 'short';
    const book = bookOf.get(symbol) as SymbolBook;
    orderNo += 1;
    const order: SimOrder = { orderId: `o-${orderNo}`, key, symbol: book.symbol, side, action: 'open', qty: qtyFor(book, p.notional), filled: 0, voucher: false };
    orders.set(order.orderId, order);
    return next({
      type: 'OrderPlaced', orderId: order.orderId, symbol: book.symbol, positionSide: side, action: 'open',
      qty: qtyText(order.qty), price: priceText(book.price), leverage: pick(['10', '20']), marginMode: 'cross', source: 'main',
    });
  };
  const placeClose = (position: SimPosition | undefined, all: boolean, voucher = false): WireEvent | undefined => {
    if (position === undefined) return undefined;
    const key = `${position.symbol}|${position.side}`;
    if (key === pvKey && p.usePositionVoucher && !voucher) return undefined;
    const free = position.qty - position.reserved;
    if (free <= 0) return undefined;
    const qty = all || free < 4 ? free : int(1, free);
    orderNo += 1;
    const order: SimOrder = { orderId: `o-${orderNo}`, key, symbol: position.symbol, side: position.side, action: 'close', qty, filled: 0, voucher };
    orders.set(order.orderId, order);
    position.reserved += qty;
    const book = bookOf.get(position.symbol) as SymbolBook;
    return next({
      type: 'OrderPlaced', orderId: order.orderId, symbol: position.symbol, positionSide: position.side, action: 'close',
      qty: qtyText(qty), price: priceText(book.price), leverage: '10', marginMode: 'cross', source: rnd() < 0.9 ? 'main' : 'copyTrading',
    });
  };
  const fillSome = (order: SimOrder, all = false): WireEvent => {
    const left = order.qty - order.filled;
    const qty = all || left < 4 || rnd() < 0.6 ? left : int(1, left - 1);
    const book = bookOf.get(order.symbol) as SymbolBook;
    const price = book.price;
    order.filled += qty;
    if (order.action === 'open') {
      let position = positions.get(order.key);
      if (position === undefined) {
        position = { symbol: order.symbol, side: order.side, qty: 0, reserved: 0 };
        positions.set(order.key, position);
      }
      position.qty += qty;
      if (order.voucher) pvState = 'open';
    } else {
      const position = positions.get(order.key) as SimPosition;
      position.qty -= qty;
      position.reserved -= qty;
      if (position.qty === 0) {
        positions.delete(order.key);
        if (order.voucher) pvState = 'none';
      }
    }
    if (order.filled === order.qty) orders.delete(order.orderId);
    return next({ type: 'OrderFilled', orderId: order.orderId, qty: qtyText(qty), price: priceText(price), fee: feeOf(qty, price) });
  };
  const cancel = (order: SimOrder): WireEvent => {
    orders.delete(order.orderId);
    if (order.action === 'close') (positions.get(order.key) as SimPosition).reserved -= order.qty - order.filled;
    return next({ type: 'OrderCancelled', orderId: order.orderId, reason: pick(['cancelled', 'expired']) });
  };

  const pvStep = (): WireEvent | undefined => {
    const book = bookOf.get('SOLUSDT');
    if (book === undefined) return undefined;
    if (pvState === 'none') return grantPv();
    if (pvState === 'available' && !positions.has(pvKey)) {
      orderNo += 1;
      const qty = Math.floor((900 * 1000 * 100) / book.price);
      const order: SimOrder = { orderId: `o-${orderNo}`, key: pvKey, symbol: 'SOLUSDT', side: 'long', action: 'open', qty, filled: 0, voucher: true };
      orders.set(order.orderId, order);
      pvState = 'ordered';
      pvOpenedAt = count;
      return next({
        type: 'OrderPlaced', orderId: order.orderId, symbol: 'SOLUSDT', positionSide: 'long', action: 'open',
        qty: qtyText(qty), price: priceText(book.price), leverage: '10', marginMode: 'isolated', source: 'main', voucher: pvId,
      });
    }
    if (pvState === 'open' && count - pvOpenedAt > 60 && ![...orders.values()].some((o) => o.key === pvKey)) {
      pvState = 'closing';
      return placeClose(positions.get(pvKey), true, true);
    }
    return undefined;
  };

  // The starting book: vouchers first, as a real account receives them.
  for (let i = 0; i < p.initialLossCoverage; i++) yield grantLcv();
  for (let i = 0; i < p.initialBonuses; i++) yield grantBonus();
  for (let i = 0; i < p.initialPositionVouchers; i++) yield p.usePositionVoucher && i === 0 ? grantPv() : grantIdlePv();

  // The starting positions, opened directly: one order and one fill each.
  for (const key of allKeys.slice(0, p.initialPositions)) {
    const placed = placeOpen(false, key);
    yield placed;
    yield fillSome(orders.get(placed['orderId'] as string) as SimOrder, true);
  }

  let nextLcv = p.lossCoverageEvery;
  let nextBonus = p.bonusEvery;
  for (;;) {
    if (p.lossCoverageEvery > 0 && count >= nextLcv) {
      nextLcv += p.lossCoverageEvery;
      yield grantLcv();
    }
    if (p.bonusEvery > 0 && count >= nextBonus) {
      nextBonus += p.bonusEvery;
      yield grantBonus();
      yield grantBonus();
    }
    const open = [...orders.values()];
    const held = positions.size + pendingKeys().size;
    const r = rnd();
    let event: WireEvent | undefined;
    if (held < p.minPositions) event = placeOpen(true);
    else if (r < 0.34 && open.length > 0) event = fillSome(pick(open));
    else if (r < 0.42) event = held < p.maxPositions && rnd() < 0.6 ? placeOpen(false) : placeClose(pick([...positions.values()]), rnd() < 0.5);
    else if (r < 0.47 && p.usePositionVoucher) event = pvStep();
    else if (r < 0.49 && open.length > 0) {
      const order = pick(open);
      if (!order.voucher) event = cancel(order);
    } else if (r < 0.75) {
      const book = pick(books);
      movePrice(book);
      event = next({ type: 'MarkPriceUpdated', symbol: book.symbol, price: priceText(book.price) });
    } else if (r < 0.85 && positions.size > 0) {
      const position = pick([...positions.values()]);
      const book = bookOf.get(position.symbol) as SymbolBook;
      const units = Math.round(position.qty * book.price * 0.1) * (rnd() < 0.7 ? 1 : -1);
      if (units !== 0) event = next({ type: 'FundingSettled', symbol: position.symbol, positionSide: position.side, amount: unitsText(units) });
    } else if (r < 0.92) {
      event = next({ type: 'FundsTransferred', direction: rnd() < p.transferOutShare ? 'out' : 'in', amount: String(int(10, 200)) });
    } else if (r < 0.94) {
      event = next({ type: 'Tick' });
    } else {
      event = placeClose(pick([...positions.values()]), true);
    }
    if (event !== undefined) yield event;
  }
}

export function take(source: Iterator<WireEvent>, n: number): WireEvent[] {
  const out: WireEvent[] = [];
  for (let i = 0; i < n; i++) out.push(source.next().value as WireEvent);
  return out;
}

const MAIN_SYMBOLS = [
  { symbol: 'BTCUSDT', price: 6_500_000 },
  { symbol: 'ETHUSDT', price: 350_000 },
  { symbol: 'SOLUSDT', price: 15_000 },
  { symbol: 'XRPUSDT', price: 250 },
];

/** (a) A typical account: 3 loss coverage vouchers, 2 stacked bonuses, 1 position voucher, 2-4 positions. */
export const TYPICAL: TradingProfile = {
  seed: 0x5eed_0001,
  accountId: 'typical',
  ownBalance: '20000',
  symbols: MAIN_SYMBOLS,
  minPositions: 2,
  maxPositions: 4,
  initialLossCoverage: 3,
  initialBonuses: 2,
  initialPositionVouchers: 1,
  initialPositions: 0,
  lossCoverageEvery: 150,
  bonusEvery: 300,
  usePositionVoucher: true,
  notional: 3000,
  transferOutShare: 0.3,
  bonusAmount: 30,
};

function syntheticSymbols(n: number): { symbol: string; price: number }[] {
  const rnd = mulberry32(n * 7919);
  return Array.from({ length: n }, (_, i) => ({ symbol: `S${String(i).padStart(4, '0')}USDT`, price: 1_000 + Math.floor(rnd() * 1_000_000) }));
}

/**
 * An account with `vouchers` vouchers (half loss coverage, a quarter bonuses, a quarter position
 * vouchers that stay unused) and about `positions` open positions (two sides per symbol).
 */
export function sizedProfile(vouchers: number, positions: number, seed = 0x5eed_0100 + vouchers): TradingProfile {
  const lcv = Math.max(1, Math.ceil(vouchers / 2));
  const fb = Math.floor(vouchers / 4);
  const pv = vouchers - lcv - fb;
  return {
    seed,
    accountId: `sized-${vouchers}-${positions}`,
    ownBalance: '10000000',
    symbols: syntheticSymbols(Math.max(1, Math.ceil(positions / 2))),
    minPositions: positions,
    maxPositions: positions,
    initialLossCoverage: lcv,
    initialBonuses: fb,
    initialPositionVouchers: pv,
    initialPositions: positions,
    lossCoverageEvery: 0,
    bonusEvery: 0,
    usePositionVoucher: false,
    notional: 2000,
    // Transfers only come in, so no reclaim empties the pool: every voucher stays live.
    transferOutShare: 0,
    bonusAmount: 100_000,
  };
}

/** A sized account: its grants and starting positions are the setup, then `events` of trading. */
function sizedStream(name: string, profile: TradingProfile, events: number): Stream {
  const source = tradingSession(profile);
  const setup = take(source, profile.initialLossCoverage + profile.initialBonuses + profile.initialPositionVouchers + 2 * profile.initialPositions);
  return { name, account: accountOf(profile), policy: {}, setup, events: take(source, events) };
}

function accountOf(profile: TradingProfile): Account {
  return { accountId: profile.accountId, accountType: 'main', positionMode: 'hedge', ownBalance: profile.ownBalance };
}

/** (a) the typical account's first `events` events, grants included. */
export function typicalStream(events = 2_000): Stream {
  return { name: 'typical', account: accountOf(TYPICAL), policy: {}, setup: [], events: take(tradingSession(TYPICAL), events) };
}

/** An endless typical session (the 1,000,000-event replay). */
export function typicalSession(): Generator<WireEvent, never, undefined> {
  return tradingSession(TYPICAL);
}

/** (b) a heavy account: 100 vouchers, 50 positions. */
export function heavyStream(events = 1_000): Stream {
  return sizedStream('heavy', { ...sizedProfile(100, 50, 0x5eed_0002), accountId: 'heavy', lossCoverageEvery: 200 }, events);
}

/** Scaling: `n` vouchers and `n` positions. */
export function scaledStream(n: number, events = 500): Stream {
  return sizedStream(`n=${n}`, sizedProfile(n, n), events);
}

/**
 * (c) guard-heavy: a 100x long whose margin rate sits near the 95% guard; the own balance swings
 * up and down with transfers, bonuses keep arriving, transfers out trigger reclaims that the guard
 * defers, and every fill, funding and transfer retries the waiting ones.
 */
export function guardStream(events = 2_000, seed = 0x5eed_0003): Stream {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  let seq = 0;
  let at = 1_700_000_000_000;
  const next = (fields: Record<string, unknown>): WireEvent => {
    seq += 1;
    at += int(1_000, 60_000);
    return { seq, at, ...fields } as WireEvent;
  };
  const btcBase = 2_600_000;
  let btc = btcBase;
  let own = 1000;
  let rising = true;
  let bonusNo = 0;
  let orderNo = 0;
  let ethOpen: string | undefined;
  let ethHeld = false;
  const grant = (): WireEvent => {
    bonusNo += 1;
    return next({ type: 'VoucherGranted', voucher: { kind: 'futuresBonus', id: `fb-${bonusNo}`, amount: '200', rate: '0.5', expiresAt: at + 30 * DAY } });
  };
  const setup: WireEvent[] = [
    next({ type: 'OrderPlaced', orderId: 'btc-1', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '1', price: '26000', leverage: '100', marginMode: 'cross', source: 'main' }),
    next({ type: 'OrderFilled', orderId: 'btc-1', qty: '1', price: '26000', fee: '0' }),
    grant(),
    grant(),
  ];
  const out: WireEvent[] = [...setup];
  while (out.length < events) {
    const r = rnd();
    if (r < 0.05) out.push(grant());
    else if (r < 0.3) {
      btc = Math.round(btc + (btcBase - btc) * 0.05 + btc * (rnd() - 0.5) * 0.006);
      out.push(next({ type: 'MarkPriceUpdated', symbol: 'BTCUSDT', price: priceText(btc) }));
    } else if (r < 0.6) {
      const amount = int(20, 60);
      if (rising && own > 1500) rising = false;
      if (!rising && own < 950) rising = true;
      const direction = rnd() < (rising ? 0.8 : 0.2) ? 'in' : 'out';
      own += direction === 'in' ? amount : -amount;
      out.push(next({ type: 'FundsTransferred', direction, amount: String(amount) }));
    } else if (r < 0.85) {
      // Small ETH trades: each fill is a funds movement that retries the waiting reclaims.
      if (ethOpen === undefined) {
        orderNo += 1;
        ethOpen = `eth-${orderNo}`;
        const action = ethHeld ? 'close' : 'open';
        out.push(next({ type: 'OrderPlaced', orderId: ethOpen, symbol: 'ETHUSDT', positionSide: 'short', action, qty: '0.01', price: '3500', leverage: '20', marginMode: 'cross', source: 'main' }));
      } else {
        out.push(next({ type: 'OrderFilled', orderId: ethOpen, qty: '0.01', price: priceText(350_000 + int(-2_000, 2_000)), fee: '0.014' }));
        ethOpen = undefined;
        ethHeld = !ethHeld;
      }
    } else {
      out.push(next({ type: 'FundingSettled', symbol: 'BTCUSDT', positionSide: 'long', amount: rnd() < 0.7 ? '0.26' : '-0.13' }));
    }
  }
  return { name: 'guard', account: { accountId: 'guard', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' }, policy: { instruments: { BTCUSDT: { mmr: '0.05' } } }, setup: [], events: out };
}

/** Decodes wire events for an account of `scale`; a stream that does not decode is a bug here. */
export function decodeAll(events: readonly WireEvent[], scale = 8): Event[] {
  return events.map((e) => {
    const decoded = decodeEvent(e, scale);
    if (decoded._tag === 'Left') throw new Error(`bench stream event ${e.seq} does not decode: ${JSON.stringify(decoded.left)}`);
    return decoded.right;
  });
}

export function startState(stream: Stream): AccountState {
  return createAccount(stream.account, stream.policy);
}

export function toJsonLines(events: readonly WireEvent[]): string[] {
  return events.map((e) => JSON.stringify(e));
}
