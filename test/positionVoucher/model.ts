/**
 * Generators of position-voucher-focused event sequences for the fast-check properties, and the
 * bookkeeping the properties check them against.
 *
 * A generated sequence is a list of intents; each is turned into a concrete event against the
 * state it meets (a fill picks one of the open orders and a quantity it can take), so most events
 * are accepted while rejections still occur. Quantities are whole or tenths and prices carry up
 * to two decimals; leverages 3 and 7 make the required margin round (D-11).
 */
import fc from 'fast-check';
import Big from 'big.js';
import { decodeEvent, step, type AccountState, type Effect, type Event } from '../../src/index';
import { account } from '../helpers/dsl';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
const SIDES = ['long', 'short'] as const;

/** `'last'`: the most recently placed open order; `'voucher'`: the first position a voucher backs. */
export type Intent =
  | { kind: 'grant'; amount: string; allowOwnFunds: boolean; maxLeverage: string | undefined; symbols: string[] | undefined; lifetime: number }
  | { kind: 'open'; symbol: number; side: number; sizing: number; price: string; leverage: string; isolated: boolean; voucher: 'auto' | 'none' | 'latest' | number }
  | { kind: 'close'; pick: number | 'voucher'; fraction: number; move: number }
  | { kind: 'fill'; pick: number | 'last'; fraction: number; move: number; fee: string }
  | { kind: 'cancel'; pick: number | 'last'; reason: 'cancelled' | 'rejected' | 'expired' }
  | { kind: 'funding'; pick: number | 'voucher'; amount: string }
  | { kind: 'mark'; symbol: number; price: string }
  | { kind: 'transfer'; direction: 'in' | 'out'; amount: string | { share: number } }
  | { kind: 'flag' }
  | { kind: 'tick' };

const price = fc.integer({ min: 5000, max: 200000 }).map((cents) => new Big(cents).div(100).toFixed());
const amount = (min: number, max: number) => fc.integer({ min: min * 10, max: max * 10 }).map((tenths) => new Big(tenths).div(10).toFixed());
const fraction = fc.integer({ min: 1, max: 4 });
const move = fc.integer({ min: -30, max: 30 });
const fee = fc.constantFrom('0', '0', '0.5', '1.23', '7', '40');
const fundingAmount = fc.integer({ min: -2000, max: 3000 }).map((cents) => new Big(cents).div(100).toFixed());

const grant = fc.record({
  kind: fc.constant('grant' as const),
  amount: amount(1, 300),
  allowOwnFunds: fc.boolean(),
  maxLeverage: fc.constantFrom<string | undefined>(undefined, '5', '10', '20'),
  symbols: fc.constantFrom<string[] | undefined>(undefined, ['BTCUSDT'], ['ETHUSDT'], ['BTCUSDT', 'ETHUSDT']),
  lifetime: fc.integer({ min: 0, max: 30_000 }),
});

const open = (voucher: fc.Arbitrary<'auto' | 'none' | 'latest' | number>) =>
  fc.record({
    kind: fc.constant('open' as const),
    symbol: fc.nat(1),
    side: fc.nat(1),
    // The order needs `sizing` percent of a voucher's amount as margin (see toEvent).
    sizing: fc.integer({ min: 20, max: 220 }),
    price,
    leverage: fc.constantFrom('1', '3', '5', '7', '10', '20'),
    // Mostly isolated, so that vouchers are used; cross orders open plain positions.
    isolated: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    voucher,
  });

const fill = (pick: fc.Arbitrary<number | 'last'>) => fc.record({ kind: fc.constant('fill' as const), pick, fraction, move, fee });
const close = (pick: fc.Arbitrary<number | 'voucher'>) => fc.record({ kind: fc.constant('close' as const), pick, fraction, move: fc.integer({ min: -40, max: 40 }) });
const funding = (pick: fc.Arbitrary<number | 'voucher'>) => fc.record({ kind: fc.constant('funding' as const), pick, amount: fundingAmount });

/** One event's intent. */
const single: fc.Arbitrary<Intent[]> = fc.oneof(
  { weight: 2, arbitrary: grant },
  { weight: 3, arbitrary: open(fc.oneof(fc.constantFrom<'auto' | 'none' | 'latest'>('auto', 'none', 'latest'), fc.nat(5))) },
  { weight: 3, arbitrary: close(fc.oneof(fc.nat(3), fc.constant('voucher' as const))) },
  { weight: 5, arbitrary: fill(fc.oneof(fc.nat(7), fc.constant('last' as const))) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.oneof(fc.nat(7), fc.constant('last' as const)), reason: fc.constantFrom('cancelled' as const, 'rejected' as const, 'expired' as const) }) },
  { weight: 2, arbitrary: funding(fc.oneof(fc.nat(3), fc.constant('voucher' as const))) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('mark' as const), symbol: fc.nat(1), price }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('transfer' as const), direction: fc.constantFrom('in' as const, 'out' as const), amount: amount(0.1, 500) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flag' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
).map((i): Intent[] => [i]);

/**
 * The life of one voucher position: a grant, an order naming it, fills (perhaps partial, perhaps
 * cancelled), funding, and closes of some or all of it.
 */
const voucherTrade: fc.Arbitrary<Intent[]> = fc
  .tuple(
    grant,
    open(fc.constant('latest' as const)),
    fc.array(fill(fc.constant('last' as const)), { maxLength: 3 }),
    fc.boolean(),
    fc.array(funding(fc.constant('voucher' as const)), { maxLength: 2 }),
    fc.array(fc.tuple(close(fc.constant('voucher' as const)), fill(fc.constant('last' as const))), { maxLength: 3 }),
  )
  .map(([g, o, fills, cancelRest, fundings, closes]): Intent[] => [
    g, o, ...fills,
    ...(cancelRest ? [{ kind: 'cancel' as const, pick: 'last' as const, reason: 'cancelled' as const }] : []),
    ...fundings,
    ...closes.flat(),
  ]);

/**
 * A flag after the user moved most of their own balance out: the clawback (PV-10) finds little to
 * take, and what is outstanding is taken on the funds movements that follow.
 */
const flagCycle: fc.Arbitrary<Intent[]> = fc
  .tuple(
    fc.integer({ min: 1, max: 4 }),
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('transfer' as const), direction: fc.constant('in' as const), amount: amount(0.1, 100) }),
        funding(fc.nat(3)),
        fill(fc.constant('last' as const)),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([share, after]): Intent[] => [{ kind: 'transfer', direction: 'out', amount: { share } }, { kind: 'flag' }, ...after]);

/** Single events and voucher trades, most often ending in a flag cycle. */
export const intents: fc.Arbitrary<Intent[]> = fc
  .tuple(
    fc.array(fc.oneof({ weight: 3, arbitrary: single }, { weight: 1, arbitrary: voucherTrade }), { minLength: 2, maxLength: 14 }),
    fc.option(flagCycle, { freq: 3 }),
  )
  .map(([parts, last]) => [...parts.flat(), ...(last ?? [])]);
export const ownBalance: fc.Arbitrary<string> = fc.constantFrom('0', '50', '300', '1000', '5000');

function scaled(value: Big, fraction: number, step: string): string {
  // `fraction` quarters of `value`, down to a multiple of `step`, at least one step, at most `value`.
  const unit = new Big(step);
  const part = value.times(fraction).div(4).div(unit).round(0, 0).times(unit);
  const chosen = part.lt(unit) ? unit : part;
  return (chosen.gt(value) ? value : chosen).toFixed();
}

function pickOrder(state: AccountState, pick: number | 'last'): AccountState['orders'][number] | undefined {
  return pick === 'last' ? state.orders[state.orders.length - 1] : state.orders[pick % Math.max(1, state.orders.length)];
}

function pickPosition(state: AccountState, pick: number | 'voucher'): AccountState['positions'][number] | undefined {
  if (pick === 'voucher') return state.positions.find((p) => p.voucher !== undefined) ?? state.positions[0];
  return state.positions[pick % Math.max(1, state.positions.length)];
}

/** Turns one intent into a concrete event (without seq) against `state`. */
export function toEvent(state: AccountState, it: Intent, grantCount: number, granted: ReadonlyMap<string, string> = new Map()): Record<string, unknown> & { type: string } {
  const at = state.clock + 1000;
  switch (it.kind) {
    case 'grant': {
      const voucher: Record<string, unknown> = { kind: 'positionVoucher', id: `V${grantCount}`, amount: it.amount, expiresAt: at + it.lifetime, allowOwnFunds: it.allowOwnFunds };
      if (it.maxLeverage !== undefined) voucher['maxLeverage'] = it.maxLeverage;
      if (it.symbols !== undefined) voucher['symbols'] = it.symbols;
      return { type: 'VoucherGranted', at, voucher };
    }
    case 'open': {
      // A named voucher is one of those granted so far (in whatever status, retired ones too:
      // `granted` holds every amount granted); the size is set against that voucher, or the
      // first available one, so that margins are sometimes covered.
      const voucher =
        typeof it.voucher === 'number' ? `V${it.voucher % Math.max(1, grantCount)}` : it.voucher === 'latest' ? `V${Math.max(0, grantCount - 1)}` : it.voucher;
      const target = granted.get(voucher) ?? state.positionVouchers.find((v) => v.status === 'available')?.amount;
      const margin = new Big(target ?? '100').times(it.sizing).div(100);
      const sized = margin.times(it.leverage).div(it.price).round(3, 0);
      const qty = sized.gt(0) ? sized.toFixed() : '0.001';
      return {
        type: 'OrderPlaced', at, orderId: `o${state.lastSeq + 1}`, symbol: SYMBOLS[it.symbol], positionSide: SIDES[it.side], action: 'open',
        qty, price: it.price, leverage: it.leverage, marginMode: it.isolated ? 'isolated' : 'cross', source: 'main', voucher,
      };
    }
    case 'close': {
      // Closes part or all of a held position (or, with none held, is refused: UNKNOWN_POSITION).
      const position = pickPosition(state, it.pick);
      const held = new Big(position?.qty ?? '1');
      const qty = scaled(held, it.fraction, held.lt('0.001') ? '0.00000001' : '0.001');
      const entry = position === undefined ? new Big(100) : new Big(position.entryValue).div(held);
      const closePrice = entry.times(100 + it.move).div(100).round(2, 1);
      return {
        type: 'OrderPlaced', at, orderId: `c${state.lastSeq + 1}`, symbol: position?.symbol ?? 'BTCUSDT', positionSide: position?.positionSide ?? 'long',
        action: 'close', qty, price: closePrice.gt(0) ? closePrice.toFixed() : '0.01', leverage: '10', marginMode: 'isolated', source: 'main',
      };
    }
    case 'fill': {
      const order = pickOrder(state, it.pick);
      if (order === undefined) return { type: 'OrderFilled', at, orderId: 'nothing', qty: '1', price: '100', fee: it.fee };
      let unfilled = new Big(order.qty).minus(new Big(order.filledQty));
      if (order.action === 'close') {
        const position = state.positions.find((p) => p.symbol === order.symbol && p.positionSide === order.positionSide);
        if (position !== undefined && new Big(position.qty).lt(unfilled)) unfilled = new Big(position.qty);
      }
      const step = unfilled.lt('0.001') ? '0.00000001' : '0.001';
      const qty = scaled(unfilled, it.fraction, step);
      const fillPrice = new Big(order.price).times(100 + it.move).div(100).round(2, 1).toFixed();
      return { type: 'OrderFilled', at, orderId: order.orderId, qty, price: fillPrice, fee: it.fee };
    }
    case 'cancel': {
      const order = pickOrder(state, it.pick);
      return { type: 'OrderCancelled', at, orderId: order?.orderId ?? 'nothing', reason: it.reason };
    }
    case 'funding': {
      const position = pickPosition(state, it.pick);
      return { type: 'FundingSettled', at, symbol: position?.symbol ?? 'BTCUSDT', positionSide: position?.positionSide ?? 'long', amount: it.amount };
    }
    case 'mark':
      return { type: 'MarkPriceUpdated', at, symbol: SYMBOLS[it.symbol], price: it.price };
    case 'transfer': {
      // `{ share }`: that many quarters of the own balance (0.1 when it holds nothing).
      const own = new Big(state.ownBalance);
      const shared = typeof it.amount === 'string' ? it.amount : own.times(it.amount.share).div(4).round(1, 0);
      return { type: 'FundsTransferred', at, direction: it.direction, amount: new Big(shared).gt(0) ? new Big(shared).toFixed() : '0.1' };
    }
    case 'flag':
      return { type: 'AccountFlagged', at, reason: 'farming' };
    case 'tick':
      return { type: 'Tick', at: at + 4000 };
  }
}

export interface Step {
  readonly event: Event;
  readonly before: AccountState;
  readonly after: AccountState;
  readonly effects: readonly Effect[];
}

/** Replays the intents on a new DSL account with `own` as its own balance. */
export function simulate(own: string, plan: readonly Intent[]): Step[] {
  let state = account({ ownBalance: own });
  const steps: Step[] = [];
  let grants = 0;
  // The amount of every voucher granted: a retired one (FV-8) is no longer in the state.
  const granted = new Map<string, string>();
  for (const it of plan) {
    const json = { seq: state.lastSeq + 1, ...toEvent(state, it, grants, granted) };
    if (it.kind === 'grant') grants++;
    const decoded = decodeEvent(json, state.policy.scale);
    if (decoded._tag === 'Left') throw new Error(`generated event does not decode: ${JSON.stringify(json)} ${JSON.stringify(decoded.left)}`);
    const result = step(state, decoded.right);
    steps.push({ event: decoded.right, before: state, after: result.state, effects: result.effects });
    for (const v of result.state.positionVouchers) granted.set(v.id, v.amount);
    state = result.state;
  }
  return steps;
}

const sum = (values: Iterable<string>): Big => {
  let total = new Big(0);
  for (const v of values) total = total.plus(v);
  return total;
};

/** Own margin held for position vouchers: by positions and by orders not filled yet. */
export function heldOwnMargin(state: AccountState): Big {
  return sum([
    ...state.positions.map((p) => p.voucher?.ownMargin ?? '0'),
    ...state.orders.map((o) => o.heldMargin?.ownMargin ?? '0'),
  ]);
}

/** Voucher margin held: by positions and by orders not filled yet. */
export function heldVoucherMargin(state: AccountState): Big {
  return sum([
    ...state.positions.map((p) => p.voucher?.voucherMargin ?? '0'),
    ...state.orders.map((o) => o.heldMargin?.voucherMargin ?? '0'),
  ]);
}

export function accepted(s: Step): boolean {
  return !s.effects.some((e) => e.type === 'EventRejected' || e.type === 'EventIgnored');
}

/**
 * The clawback takes of a step (PV-10): every `ProfitClawedBack` of a flag, and elsewhere those that
 * lower the voucher's outstanding. One emitted in place of a `Credited` profit on a flagged account
 * (D-30) leaves the outstanding as it was before the step.
 */
export function takes(s: Step): Big {
  let total = new Big(0);
  for (const e of s.effects) {
    if (e.type !== 'ProfitClawedBack') continue;
    const before = s.before.positionVouchers.find((v) => v.id === e.voucherId)?.outstanding ?? '0';
    if (s.event.type === 'AccountFlagged' || !new Big(e.outstanding).eq(before)) total = total.plus(e.amount);
  }
  return total;
}

/** The profits emitted as `ProfitClawedBack` instead of `Credited` (D-30) in a step. */
export function withheldProfits(s: Step): Big {
  return sum(s.effects.flatMap((e) => (e.type === 'ProfitClawedBack' ? [e.amount] : []))).minus(takes(s));
}

/** The net effect on the user's own funds (own balance plus own margin held) that a step's effects account for. */
export function ownFlow(s: Step): Big {
  let flow = new Big(0);
  const e = s.event;
  if (e.type === 'FundsTransferred' && accepted(s)) flow = e.direction === 'in' ? flow.plus(e.amount) : flow.minus(e.amount);
  for (const effect of s.effects) {
    if (effect.type === 'Credited') flow = flow.plus(effect.amount);
    if (effect.type === 'CostSettled') flow = flow.minus(effect.fromOwnMargin).minus(effect.fromOwn).minus(effect.deficit);
  }
  return flow.minus(takes(s));
}

/**
 * The voucher a cost or credit of `symbol`/`side` in step `s` belongs to: the voucher of the
 * position there before the step, else the voucher of the opening order being filled.
 */
export function voucherOf(s: Step, symbol: string, side: string): string | undefined {
  const position = s.before.positions.find((p) => p.symbol === symbol && p.positionSide === side);
  if (position !== undefined) return position.voucher?.voucherId;
  const e = s.event;
  if (e.type !== 'OrderFilled') return undefined;
  const order = s.before.orders.find((o) => o.orderId === e.orderId);
  return order !== undefined && order.action === 'open' && order.symbol === symbol && order.positionSide === side ? order.voucherId : undefined;
}
