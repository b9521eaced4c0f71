/**
 * fast-check arbitraries for policies, fresh accounts and valid event streams.
 *
 * A stream is drawn as a list of abstract intents ("fill some open order", "move a mark price",
 * ...), each with a handful of random numbers; the intents are then turned into concrete events
 * one by one against the engine's own state, so that every fill names an order that is open
 * (with a quantity within its unfilled part), every close names a position that is held, every
 * transfer out is sized from the transferable funds, and so on. Shrinking works on the intents:
 * a shrunk stream is still valid.
 */
import * as fc from 'fast-check';
import type { Event, EventOf, PositionSide, VoucherKind } from '../core/events';
import type { PolicyInput } from '../core/policy';
import { resolvePolicy } from '../core/policy';
import { createAccount, type Account, type AccountState, type AccountType, type PositionMode } from '../core/state';
import { openContext } from '../core/context';
import { marginOf, transferable } from '../core/margin';
import { nextUtcMidnight } from '../core/clock';
import { dec, decimalsOf, divide, isPositive, max, min, ROUND_DOWN, ROUND_HALF_UP, str, ZERO, type Big } from '../core/money';
import { step } from '../step';
import { decodeEvent } from '../replay';

/** A generated stream: replay it with `createAccount(account, policy)` and `step`. */
export interface GeneratedStream {
  readonly account: Account;
  readonly policy: PolicyInput;
  readonly events: Event[];
}

/** Options of `arbEventStream`. */
export interface StreamOptions {
  /** How many events: exactly this many, or a range. Default `{ min: 1, max: 40 }`. */
  readonly length?: number | { readonly min?: number; readonly max?: number };
  /**
   * Share of choices steered to edge cases, 0 to 1 (`true` is 0.35, `false` 0; default 0.2):
   * losses of exactly `minLoss` (and one unit either side), fees of one unit of the scale, equal
   * timestamps, UTC midnights and `expiresAt`/`payableAt` hit exactly, positions sized so that
   * the margin rate sits at the reclaim guard, transfers out of exactly what the guard allows.
   */
  readonly bias?: boolean | number;
  /**
   * Share of events that are deliberately off, 0 to 1 (default 0): fills of unknown or done
   * orders or beyond the unfilled quantity, closes without a position, duplicate order and
   * voucher ids, transfers out beyond the transferable funds. They must be rejected and move nothing.
   */
  readonly noise?: number;
  /** The kinds of voucher granted (default all three). */
  readonly kinds?: readonly VoucherKind[];
  /** The policies to draw from (default `arbPolicy()`). */
  readonly policy?: fc.Arbitrary<PolicyInput>;
  /** The accounts to draw from, given the policy's scale (default `arbAccount({ scale })`). */
  readonly account?: (scale: number) => fc.Arbitrary<Account>;
}

/** Options of `arbAccount`. */
export interface AccountOptions {
  /** Decimals of `ownBalance` (the policy's scale). Default 8. */
  readonly scale?: number;
  readonly accountTypes?: readonly AccountType[];
  readonly positionModes?: readonly PositionMode[];
}

/** Options of `arbPolicy`. */
export interface PolicyOptions {
  /** The scales to draw from. Default 8, 2, 4, 0, 6 (8 most often). */
  readonly scales?: readonly number[];
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);

function unitOf(scale: number): Big {
  return dec(scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`);
}

function fits(text: string, scale: number): boolean {
  return decimalsOf(text) <= scale;
}

/** `units` (an integer) times 10^-scale, as a decimal string. */
function fromUnits(units: number, scale: number): string {
  return str(dec(String(Math.trunc(units))).times(unitOf(scale)));
}

const SCALES = [8, 8, 8, 2, 2, 4, 0, 6] as const;

/** Policies, every field sometimes left to its default. */
export function arbPolicy(options: PolicyOptions = {}): fc.Arbitrary<PolicyInput> {
  const scales = options.scales ?? SCALES;
  return fc.constantFrom(...scales).chain((scale) => {
    // A few spellings other than the canonical one ("1.0", "0.950"): valid policy decimals (D-26).
    const minLosses = ['1', '0', '5', '0.5', '0.01', '2.5', '1.0'].filter((m) => fits(m, scale));
    return fc.record(
      {
        scale: fc.constant(scale),
        minLoss: fc.constantFrom(...minLosses),
        spillover: fc.boolean(),
        reclaimGuard: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
        reclaimGuardRate: fc.constantFrom('0.95', '0.95', '0.9', '0.5', '0.950'),
        liquidationRate: fc.constantFrom('1', '1', '0.98', '1.2', '1.00'),
        defaultMmr: fc.constantFrom('0.005', '0.01', '0.004', '0.05', '0.0050'),
        instruments: fc.constantFrom({}, { BTCUSDT: { mmr: '0.004' } }, { BTCUSDT: { mmr: '0.05' }, ETHUSDT: { mmr: '0.010' } }),
      },
      { requiredKeys: ['scale'] },
    );
  });
}

/** Accounts as a scenario file gives them (section 7): each type and mode, balances from 0 up. */
export function arbAccount(options: AccountOptions = {}): fc.Arbitrary<Account> {
  const scale = options.scale ?? 8;
  const types = options.accountTypes ?? ['main', 'main', 'main', 'sub', 'institutional'];
  const modes = options.positionModes ?? ['hedge', 'hedge', 'oneWay'];
  const whole = (n: number): string => fromUnits(n * 10 ** scale, scale);
  const balance = fc.oneof(
    { arbitrary: fc.integer({ min: 100, max: 20_000 }).map(whole), weight: 6 },
    { arbitrary: fc.integer({ min: 20_000, max: 2_000_000 }).map(whole), weight: 2 },
    { arbitrary: fc.constantFrom('0', fromUnits(1, scale)), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 1_000_000_000 }).map((u) => fromUnits(u, scale)), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 50 }).map((n) => `-${whole(n)}`), weight: 1 },
    // Other valid spellings of a balance (D-1): trailing and leading zeros.
    { arbitrary: fc.integer({ min: 100, max: 20_000 }).map((n) => `00${whole(n)}.0`), weight: 1 },
  );
  return fc.record({
    accountId: fc.constantFrom('acc-1', 'acc-2', 'u-42'),
    accountType: fc.constantFrom(...types),
    positionMode: fc.constantFrom(...modes),
    ownBalance: balance,
  });
}

/** Fresh account states (clock and `seq` at 0), each with its policy fixed in it. */
export function arbAccountState(options: { readonly policy?: fc.Arbitrary<PolicyInput> } = {}): fc.Arbitrary<AccountState> {
  return (options.policy ?? arbPolicy()).chain((policy) =>
    arbAccount({ scale: resolvePolicy(policy).scale }).map((account) => createAccount(account, policy)),
  );
}

const INTENTS = [
  ['grant', 12], ['place', 20], ['fill', 24], ['cancel', 4], ['mark', 12],
  ['funding', 6], ['transfer', 9], ['flag', 3], ['tick', 6],
] as const;
type IntentKind = (typeof INTENTS)[number][0];

interface Intent {
  readonly kind: IntentKind;
  readonly r: readonly number[];
}

const arbIntent: fc.Arbitrary<Intent> = fc.record({
  kind: fc.oneof(...INTENTS.map(([kind, weight]) => ({ arbitrary: fc.constant(kind), weight }))),
  r: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
});

/** Draws choices from an intent's random numbers (0 always picks the first, simplest option). */
class Dice {
  private i = 0;
  constructor(private readonly r: readonly number[]) {}
  int(n: number): number {
    if (n <= 1) return 0;
    const raw = this.r[this.i % this.r.length] ?? 0;
    const mixed = this.i < this.r.length ? raw : (raw * 2654435761 + this.i) >>> 0;
    this.i++;
    return mixed % n;
  }
  chance(p: number): boolean {
    return p > 0 && this.int(1_000_000) < p * 1_000_000;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  /** A fraction in [lo, hi), to 4 decimals. */
  fraction(lo: number, hi: number): Big {
    return dec(String(lo)).plus(dec(String(this.int(10_000))).times(dec(String(hi - lo))).div(dec('10000')));
  }
}

const SYMBOLS = [
  { symbol: 'BTCUSDT', base: '60000' },
  { symbol: 'ETHUSDT', base: '3000' },
  { symbol: 'XRPUSDT', base: '0.52' },
] as const;
const LEVERAGES = ['10', '20', '5', '1', '50', '100', '125', '2.5'];
const SOURCES = ['main', 'main', 'main', 'main', 'copyTrading', 'gridTrading', 'bot'] as const;
const RATES = ['0.5', '1', '0.25', '0.1'];
const DECIMAL_FIELDS = new Set(['amount', 'minClosingNotional', 'maxLeverage', 'rate', 'qty', 'price', 'leverage', 'fee']);

/** Turns intents into events against the engine's state (see the module comment). */
class Materializer {
  private state: AccountState;
  private readonly scale: number;
  private readonly unit: Big;
  private orders = 0;
  private vouchers = 0;
  readonly events: Event[] = [];

  constructor(
    account: Account,
    policy: PolicyInput,
    private readonly start: number,
    private readonly bias: number,
    private readonly noise: number,
    private readonly kinds: readonly VoucherKind[],
  ) {
    this.state = createAccount(account, policy);
    this.scale = this.state.policy.scale;
    this.unit = unitOf(this.scale);
  }

  run(intents: readonly Intent[]): void {
    // A flag early on would leave little to see: flags come in the last 40% of a stream.
    const flagsFrom = Math.floor(intents.length * 0.6);
    intents.forEach((intent, index) => {
      const d = new Dice(intent.r);
      const kind = intent.kind === 'flag' && index < flagsFrom ? 'tick' : intent.kind;
      const edge = d.chance(this.bias);
      const noisy = d.chance(this.noise);
      const seq = this.state.lastSeq + 1;
      const at = this.nextAt(d, edge, kind === 'tick');
      let event = this.build(kind, d, edge, noisy, seq, at);
      if (edge && d.chance(0.3)) event = this.respell(d, event);
      this.events.push(event);
      this.state = step(this.state, event).state;
    });
  }

  // ---- amounts -------------------------------------------------------------------------------

  /**
   * Writes one decimal of the event in another valid spelling (D-1, D-26): a trailing zero
   * ("10.50", "3.0") or leading zeros ("0012"), and returns the event as `decodeEvent` reads that
   * JSON: a stream holds what the wire decoder gives, whatever it does with spellings. The value
   * and its scale do not change; the engine must still print canonical amounts (G-2).
   */
  private respell(d: Dice, event: Event): Event {
    const holders: { obj: Record<string, unknown>; key: string }[] = [];
    const collect = (obj: Record<string, unknown>): void => {
      for (const [key, value] of Object.entries(obj)) {
        if (DECIMAL_FIELDS.has(key) && typeof value === 'string') holders.push({ obj, key });
        else if (key === 'voucher' && typeof value === 'object' && value !== null) collect(value as Record<string, unknown>);
      }
    };
    collect(event as unknown as Record<string, unknown>);
    if (holders.length === 0) return event;
    const { obj, key } = d.pick(holders);
    const text = obj[key] as string;
    const negative = text.startsWith('-');
    const digits = negative ? text.slice(1) : text;
    const spelled = d.chance(0.5) ? (digits.includes('.') ? `${digits}0` : `${digits}.0`) : `00${digits}`;
    obj[key] = negative ? `-${spelled}` : spelled;
    const decoded = decodeEvent(JSON.parse(JSON.stringify(event)) as unknown, this.scale);
    return decoded._tag === 'Right' ? decoded.right : event;
  }

  private down(x: Big): Big {
    return x.round(this.scale, ROUND_DOWN);
  }
  private text(x: Big): string {
    return str(this.down(x));
  }
  /** At least one unit, at the scale. */
  private positive(x: Big): string {
    return str(max(this.down(x), this.unit));
  }
  private whole(d: Dice, lo: number, hi: number): Big {
    const units = this.scale > 4 ? 10 ** 4 : 10 ** this.scale;
    return this.down(dec(String(lo + d.int(hi - lo + 1))).plus(dec(String(d.int(units))).div(dec(String(units)))));
  }

  private priceOf(symbol: string): Big {
    const mark = this.state.marks.find((m) => m.symbol === symbol);
    if (mark !== undefined) return dec(mark.price);
    const base = SYMBOLS.find((s) => s.symbol === symbol)?.base ?? '100';
    return max(this.down(dec(base)), this.unit);
  }

  private near(d: Dice, price: Big, spread: number): string {
    const move = d.fraction(-spread, spread);
    return this.positive(price.times(dec('1').plus(move)));
  }

  private leverages(): string[] {
    return LEVERAGES.filter((l) => fits(l, this.scale));
  }

  // ---- time ----------------------------------------------------------------------------------

  private dues(clock: number): number[] {
    const s = this.state;
    const out: number[] = [];
    for (const v of s.lossCoverageVouchers) if (v.status === 'available' && v.expiresAt !== undefined) out.push(v.expiresAt);
    for (const v of s.positionVouchers) if (v.status === 'available') out.push(v.expiresAt);
    for (const b of s.futuresBonuses) if (b.status === 'active') out.push(b.expiresAt);
    for (const c of s.compensations) out.push(c.payableAt);
    return out.filter((t) => t >= clock).sort((a, b) => a - b);
  }

  private nextAt(d: Dice, edge: boolean, tick: boolean): number {
    const clock = this.state.lastSeq === 0 ? this.start : this.state.clock;
    if (edge) {
      const dues = this.dues(clock);
      switch (d.int(10)) {
        case 0:
        case 1:
        case 2:
        case 3:
          return clock;
        case 4:
        case 5:
        case 6: {
          const midnight = nextUtcMidnight(clock - 1);
          return d.chance(0.3) && midnight - 1 >= clock ? midnight - 1 : midnight;
        }
        default:
          if (dues.length > 0) {
            const due = d.pick(dues.slice(0, 3));
            return d.chance(0.25) && due - 1 >= clock ? due - 1 : due;
          }
          return clock;
      }
    }
    if (tick) return clock + d.pick([HOUR, 6 * HOUR, DAY, 3 * DAY]) + d.int(HOUR);
    switch (d.int(8)) {
      case 0:
        return clock;
      case 1:
      case 2:
      case 3:
      case 4:
        return clock + 1 + d.int(60_000);
      case 5:
      case 6:
        return clock + d.int(HOUR);
      default:
        return clock + d.int(DAY);
    }
  }

  // ---- events --------------------------------------------------------------------------------

  private build(kind: IntentKind, d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): Event {
    switch (kind) {
      case 'grant':
        return this.grant(d, edge, noisy, seq, at);
      case 'place':
        return this.place(d, edge, noisy, seq, at);
      case 'fill':
        return this.fill(d, edge, noisy, seq, at);
      case 'cancel':
        return this.cancel(d, noisy, seq, at) ?? this.mark(d, edge, seq, at);
      case 'mark':
        return this.mark(d, edge, seq, at);
      case 'funding':
        return this.funding(d, edge, noisy, seq, at) ?? this.mark(d, edge, seq, at);
      case 'transfer':
        return this.transfer(d, edge, noisy, seq, at);
      case 'flag':
        return { type: 'AccountFlagged', seq, at, reason: d.pick(['farming', 'wash trading']) };
      case 'tick':
        return { type: 'Tick', seq, at };
    }
  }

  private expiry(d: Dice, edge: boolean, at: number): number {
    if (edge) {
      switch (d.int(3)) {
        case 0:
          return nextUtcMidnight(at);
        case 1:
          return at; // D-4: already due, falls due at the next step's clock work
        default:
          return at + 1;
      }
    }
    return at + d.pick([6 * HOUR, DAY, 3 * DAY, 10 * DAY, 30 * DAY]) + d.int(HOUR);
  }

  private grant(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): EventOf<'VoucherGranted'> {
    const s = this.state;
    const taken = [...s.lossCoverageVouchers, ...s.positionVouchers, ...s.futuresBonuses].map((v) => v.id);
    const id = noisy && taken.length > 0 ? d.pick(taken) : `v${++this.vouchers}`;
    const kind = d.pick(this.kinds);
    if (kind === 'lossCoverage') {
      const minLoss = dec(s.policy.minLoss);
      const amount = edge
        ? d.pick([this.positive(minLoss), str(this.unit), this.positive(minLoss.plus(this.unit))])
        : this.positive(this.whole(d, 1, 200));
      const voucher: EventOf<'VoucherGranted'>['voucher'] = { kind, id, amount };
      if (d.chance(0.5)) voucher.expiresAt = this.expiry(d, edge, at);
      if (d.chance(0.25)) voucher.minClosingNotional = edge ? '0' : this.text(this.whole(d, 10, 20_000));
      return { type: 'VoucherGranted', seq, at, voucher };
    }
    if (kind === 'positionVoucher') {
      const voucher: EventOf<'VoucherGranted'>['voucher'] = {
        kind, id, amount: this.positive(this.whole(d, 5, 1_000)), expiresAt: this.expiry(d, edge, at),
      };
      if (d.chance(0.3)) voucher.maxLeverage = d.pick(this.leverages());
      if (d.chance(0.3)) voucher.symbols = d.pick([['BTCUSDT'], ['ETHUSDT', 'XRPUSDT'], [], ['BTCUSDT', 'ETHUSDT', 'XRPUSDT']]);
      if (d.chance(0.3)) voucher.allowOwnFunds = d.chance(0.7);
      return { type: 'VoucherGranted', seq, at, voucher };
    }
    const active = s.futuresBonuses.find((b) => b.status === 'active');
    const rates = RATES.filter((r) => fits(r, this.scale));
    const rate = active !== undefined && d.chance(0.85) ? active.rate : d.pick(rates);
    return {
      type: 'VoucherGranted', seq, at,
      voucher: { kind, id, amount: this.positive(this.whole(d, 5, 500)), rate, expiresAt: this.expiry(d, edge, at) },
    };
  }

  private newOrderId(d: Dice, noisy: boolean): string {
    if (noisy && this.state.orders.length > 0) return d.pick(this.state.orders).orderId;
    return `o${++this.orders}`;
  }

  private place(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): EventOf<'OrderPlaced'> {
    const s = this.state;
    const vouchers = s.positionVouchers.filter((v) => v.status === 'available');
    const roll = d.int(100);
    // Voucher positions live short lives: close them often enough to see PV-7, PV-8 and PV-10.
    if (s.positions.some((p) => p.voucher !== undefined) && roll >= 80) return this.placeClose(d, noisy, seq, at);
    if (vouchers.length > 0 && roll < 45) {
      const placed = this.placeWithVoucher(d, edge, seq, at, d.pick(vouchers));
      if (placed !== undefined) return placed;
    }
    if (s.positions.length > 0 && roll >= 45 && roll < 80) return this.placeClose(d, noisy, seq, at);
    return this.placeOpen(d, edge, noisy, seq, at);
  }

  private placeOpen(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): EventOf<'OrderPlaced'> {
    const s = this.state;
    const { symbol } = d.pick(SYMBOLS);
    let positionSide: PositionSide = d.pick(['long', 'short'] as const);
    if (s.positionMode === 'oneWay' && !noisy) {
      const held = s.positions.find((p) => p.symbol === symbol);
      if (held !== undefined) positionSide = held.positionSide;
    }
    const price = this.near(d, this.priceOf(symbol), 0.01);
    let qty: string;
    if (edge && d.chance(0.5)) {
      // Sized so that the margin rate lands at (or just around) the reclaim guard's rate.
      const margin = marginOf(openContext(s, seq, at));
      const guard = dec(s.policy.reclaimGuardRate);
      const target = guard.times(d.pick(['1', '0.9999', '1.0001', '0.5', '1.05'])).times(margin.equity).minus(margin.mm);
      const mmr = dec(s.policy.instruments[symbol]?.mmr ?? s.policy.defaultMmr);
      qty = this.positive(divide(max(target, ZERO), dec(price).times(mmr), this.scale, ROUND_DOWN));
    } else if (edge) {
      qty = d.pick([str(this.unit), '1']);
    } else {
      const budget = max(dec(s.ownBalance), dec('1000')).times(d.fraction(0.05, 3));
      qty = this.positive(divide(budget, dec(price), this.scale, ROUND_DOWN));
    }
    const order: EventOf<'OrderPlaced'> = {
      type: 'OrderPlaced', seq, at, orderId: this.newOrderId(d, noisy), symbol, positionSide, action: 'open', qty, price,
      leverage: d.pick(this.leverages()), marginMode: d.chance(0.6) ? 'isolated' : 'cross', source: d.pick(SOURCES),
    };
    if (d.chance(0.1)) order.feeVoucher = d.chance(0.8);
    const voucherChoice = d.int(10);
    if (voucherChoice < 2) order.voucher = 'none';
    else if (voucherChoice < 3 && s.positionVouchers.length > 0) order.voucher = d.pick(s.positionVouchers).id;
    return order;
  }

  private placeWithVoucher(
    d: Dice, edge: boolean, seq: number, at: number, voucher: AccountState['positionVouchers'][number],
  ): EventOf<'OrderPlaced'> | undefined {
    const s = this.state;
    const symbols = voucher.symbols ?? SYMBOLS.map((x) => x.symbol);
    if (symbols.length === 0) return undefined;
    const symbol = d.pick(symbols);
    const busy = (side: PositionSide): boolean =>
      s.positions.some((p) => p.symbol === symbol && p.positionSide === side) ||
      s.orders.some((o) => o.symbol === symbol && o.positionSide === side && o.action === 'open');
    const sides = (['long', 'short'] as const).filter((side) => !busy(side));
    if (sides.length === 0) return undefined;
    const leverages = this.leverages().filter((l) => voucher.maxLeverage === undefined || dec(l).lte(dec(voucher.maxLeverage)));
    if (leverages.length === 0) return undefined;
    const leverage = d.pick(leverages);
    const price = this.near(d, this.priceOf(symbol), 0.005);
    let budget = dec(voucher.amount);
    if (voucher.allowOwnFunds === true && d.chance(0.5)) {
      budget = budget.plus(max(ZERO, transferable(openContext(s, seq, at))).times(d.fraction(0, 1)));
    }
    // Margin of `qty x price / leverage`: right at the budget on an edge, else some share of it.
    const share = edge ? dec('1') : d.fraction(0.2, 1);
    const qty = this.positive(divide(budget.times(share).times(dec(leverage)), dec(price), this.scale, ROUND_DOWN));
    const order: EventOf<'OrderPlaced'> = {
      type: 'OrderPlaced', seq, at, orderId: `o${++this.orders}`, symbol, positionSide: d.pick(sides), action: 'open',
      qty, price, leverage, marginMode: 'isolated', source: 'main',
    };
    if (d.chance(0.6)) order.voucher = voucher.id;
    return order;
  }

  private placeClose(d: Dice, noisy: boolean, seq: number, at: number): EventOf<'OrderPlaced'> {
    const s = this.state;
    const backed = s.positions.filter((p) => p.voucher !== undefined);
    const position = backed.length > 0 && d.chance(0.5) ? d.pick(backed) : d.pick(s.positions);
    const held = dec(position.qty);
    let qty: string;
    switch (d.int(4)) {
      case 0:
      case 1:
        qty = position.qty;
        break;
      case 2:
        qty = this.positive(held.div(dec('2')));
        break;
      default:
        qty = noisy ? str(held.plus(this.unit)) : this.positive(held.times(d.fraction(0, 1)));
    }
    let positionSide = position.positionSide;
    if (noisy && d.chance(0.5)) positionSide = positionSide === 'long' ? 'short' : 'long';
    const order: EventOf<'OrderPlaced'> = {
      type: 'OrderPlaced', seq, at, orderId: this.newOrderId(d, noisy), symbol: position.symbol, positionSide, action: 'close',
      qty, price: this.near(d, this.priceOf(position.symbol), 0.02), leverage: position.leverage,
      marginMode: d.chance(0.5) ? 'isolated' : 'cross', source: d.chance(0.7) ? 'main' : d.pick(SOURCES),
    };
    if (d.chance(0.1)) order.feeVoucher = true;
    if (noisy && s.positionVouchers.length > 0) order.voucher = d.pick(s.positionVouchers).id;
    return order;
  }

  private fill(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): Event {
    const s = this.state;
    if (s.orders.length === 0) return this.place(d, edge, noisy, seq, at);
    if (noisy && d.chance(0.3)) {
      return { type: 'OrderFilled', seq, at, orderId: `o${this.orders + 1000}`, qty: str(this.unit), price: '1', fee: '0' };
    }
    const closes = s.orders.filter((o) => o.action === 'close');
    const order = closes.length > 0 && d.chance(0.5) ? d.pick(closes) : d.pick(s.orders);
    const unfilled = dec(order.qty).minus(dec(order.filledQty));
    const position = s.positions.find((p) => p.symbol === order.symbol && p.positionSide === order.positionSide);
    if (order.action === 'close' && position === undefined && !noisy) {
      return { type: 'OrderCancelled', seq, at, orderId: order.orderId, reason: 'expired' };
    }
    const cap = order.action === 'close' && position !== undefined ? min(unfilled, dec(position.qty)) : unfilled;
    let qty: Big;
    if (noisy) qty = unfilled.plus(this.unit);
    else if (edge && d.chance(0.3)) qty = min(cap, this.unit);
    else {
      switch (d.int(4)) {
        case 0:
        case 1:
          qty = cap;
          break;
        case 2:
          qty = max(min(cap, this.unit), this.down(cap.div(dec('2'))));
          break;
        default:
          qty = max(min(cap, this.unit), this.down(cap.times(d.fraction(0, 1))));
      }
    }
    let price = order.action === 'close' ? this.near(d, this.priceOf(order.symbol), 0.01) : this.near(d, dec(order.price), 0.003);
    if (edge && order.action === 'close' && position !== undefined && qty.eq(unfilled)) {
      const target = this.edgeClosePrice(d, order, position, qty);
      if (target !== undefined) price = target;
    }
    const notional = qty.times(dec(price));
    let fee: string;
    if (edge && d.chance(0.6)) {
      const own = dec(s.ownBalance);
      const margin = position?.voucher;
      const options = [str(this.unit), '0'];
      if (isPositive(own)) options.push(str(own));
      if (margin !== undefined && isPositive(dec(margin.voucherMargin))) options.push(margin.voucherMargin);
      fee = d.pick(options);
    } else {
      fee = d.chance(0.35) ? '0' : this.text(notional.times(d.fraction(0.0001, 0.0008)));
    }
    return { type: 'OrderFilled', seq, at, orderId: order.orderId, qty: str(qty), price, fee };
  }

  /** A closing fill's price that makes the order's loss exactly a threshold (LCV-2, LCV-5). */
  private edgeClosePrice(
    d: Dice, order: AccountState['orders'][number], position: AccountState['positions'][number], qty: Big,
  ): string | undefined {
    const s = this.state;
    const minLoss = dec(s.policy.minLoss);
    // Losses at the thresholds, and profits (negative losses) for PV-7 and PV-10.
    const targets = [minLoss, minLoss.plus(this.unit), minLoss.minus(this.unit), minLoss.neg(), dec('-5')];
    const lcv = s.lossCoverageVouchers.find((v) => v.status === 'available');
    if (lcv !== undefined) targets.push(dec(lcv.remaining), dec(lcv.remaining).plus(this.unit));
    const loss = d.pick(targets);
    const pnl = loss.neg().minus(dec(order.realisedPnl));
    const held = dec(position.qty);
    const entry = dec(position.entryValue);
    const basis = qty.eq(held) ? entry : divide(entry.times(qty), held, this.scale, ROUND_HALF_UP);
    const notional = position.positionSide === 'long' ? basis.plus(pnl) : basis.minus(pnl);
    if (!isPositive(notional)) return undefined;
    const price = divide(notional, qty, this.scale, ROUND_HALF_UP);
    return isPositive(price) ? str(price) : undefined;
  }

  private cancel(d: Dice, noisy: boolean, seq: number, at: number): Event | undefined {
    const orders = this.state.orders;
    const reason = d.pick(['cancelled', 'rejected', 'expired'] as const);
    if (noisy) return { type: 'OrderCancelled', seq, at, orderId: `o${this.orders + 1000}`, reason };
    if (orders.length === 0) return undefined;
    return { type: 'OrderCancelled', seq, at, orderId: d.pick(orders).orderId, reason };
  }

  private mark(d: Dice, edge: boolean, seq: number, at: number): EventOf<'MarkPriceUpdated'> {
    const held = this.state.positions.map((p) => p.symbol);
    const symbol = held.length > 0 && d.chance(0.8) ? d.pick(held) : d.pick(SYMBOLS).symbol;
    const spread = edge ? d.pick([0.3, 0.6]) : 0.05;
    return { type: 'MarkPriceUpdated', seq, at, symbol, price: this.near(d, this.priceOf(symbol), spread) };
  }

  private funding(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): EventOf<'FundingSettled'> | undefined {
    const positions = this.state.positions;
    if (noisy || positions.length === 0) {
      if (!noisy) return undefined;
      return { type: 'FundingSettled', seq, at, symbol: 'NOPEUSDT', positionSide: 'long', amount: '1' };
    }
    const position = d.pick(positions);
    let amount: string;
    if (edge) {
      const options = ['0', str(this.unit), `-${str(this.unit)}`];
      if (position.voucher !== undefined) {
        options.push(position.voucher.voucherMargin, str(dec(position.voucher.voucherMargin).plus(dec(position.voucher.ownMargin))));
      }
      if (isPositive(dec(this.state.ownBalance))) options.push(this.state.ownBalance);
      amount = str(dec(d.pick(options)));
    } else {
      const notional = dec(position.qty).times(this.priceOf(position.symbol));
      const value = this.down(notional.times(d.fraction(0.0001, 0.003)));
      amount = str(d.chance(0.35) ? value.neg() : value);
    }
    return { type: 'FundingSettled', seq, at, symbol: position.symbol, positionSide: position.positionSide, amount };
  }

  private transfer(d: Dice, edge: boolean, noisy: boolean, seq: number, at: number): EventOf<'FundsTransferred'> {
    const s = this.state;
    const ctx = openContext(s, seq, at);
    const available = this.down(transferable(ctx));
    const into = (amount: string): EventOf<'FundsTransferred'> => ({ type: 'FundsTransferred', seq, at, direction: 'in', amount });
    const out = (amount: Big): EventOf<'FundsTransferred'> => ({ type: 'FundsTransferred', seq, at, direction: 'out', amount: str(amount) });
    if (noisy) return out(max(available, ZERO).plus(this.unit));
    if (d.chance(0.4) || available.lt(this.unit)) {
      return into(edge && d.chance(0.5) ? str(this.unit) : this.positive(this.whole(d, 1, 5_000)));
    }
    if (edge) {
      // The amount that leaves the margin rate exactly at the guard once the active bonuses go.
      const margin = marginOf(ctx);
      let bonus = ZERO;
      for (const b of s.futuresBonuses) if (b.status === 'active') bonus = bonus.plus(dec(b.remaining));
      const options = [available];
      if (isPositive(margin.mm)) {
        const atGuard = margin.equity.minus(bonus).minus(divide(margin.mm, dec(s.policy.reclaimGuardRate), this.scale, ROUND_DOWN));
        for (const x of [atGuard, atGuard.plus(this.unit), atGuard.minus(this.unit)]) {
          if (x.gte(this.unit) && x.lte(available)) options.push(this.down(x));
        }
      }
      return out(d.pick(options));
    }
    return out(max(this.unit, this.down(available.times(d.fraction(0.05, 1)))));
  }
}

/** The length range of a stream. */
function lengthOf(length: StreamOptions['length']): { min: number; max: number } {
  if (typeof length === 'number') return { min: length, max: length };
  const lo = length?.min ?? 1;
  return { min: lo, max: Math.max(lo, length?.max ?? 40) };
}

function shareOf(value: boolean | number | undefined, fallback: number, whenTrue: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value ? whenTrue : 0;
  return Math.min(1, Math.max(0, value));
}

/**
 * Valid event streams with the account and policy they start from. Seqs are 1, 2, 3, ...;
 * `at` never goes back; fills name open orders within their unfilled quantity; closes name held
 * positions; grants of all three kinds; mark prices that move; transfers; funding; flags; ticks.
 */
export function arbEventStream(options: StreamOptions = {}): fc.Arbitrary<GeneratedStream> {
  const { min: minLength, max: maxLength } = lengthOf(options.length);
  const bias = shareOf(options.bias, 0.2, 0.35);
  const noise = shareOf(options.noise, 0, 0.05);
  const policies = options.policy ?? arbPolicy();
  const kinds: readonly VoucherKind[] = options.kinds !== undefined && options.kinds.length > 0
    ? options.kinds
    : ['lossCoverage', 'positionVoucher', 'futuresBonus'];
  const accounts = options.account ?? ((scale: number) => arbAccount({ scale }));
  const start = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 3 * DAY }).map((offset) => START + offset), weight: 3 },
    { arbitrary: fc.constantFrom(START + DAY, START + DAY - 1, START + DAY - 60_000), weight: bias > 0 ? 1 : 0 },
  );
  return policies.chain((policy) =>
    fc
      .record({
        account: accounts(resolvePolicy(policy).scale),
        start,
        intents: fc.array(arbIntent, { minLength, maxLength }),
      })
      .map(({ account, start: at, intents }) => {
        const materializer = new Materializer(account, policy, at, bias, noise, kinds);
        materializer.run(intents);
        return { account: { ...account }, policy: { ...policy }, events: materializer.events };
      }),
  );
}
