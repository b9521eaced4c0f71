/**
 * A small DSL for rule tests: build events with defaults, replay them, and pick effects.
 * Events go through the public decoder, so every test also exercises the wire format.
 */
import {
  createAccount,
  decodeEvent,
  step,
  type AccountState,
  type Effect,
  type EffectOf,
  type EffectType,
  type Event,
  type PolicyInput,
  type Account,
} from '../../src/index';

export type EventInput = Record<string, unknown> & { type: string };

export function account(over: Partial<Account> = {}, policy: PolicyInput = {}): AccountState {
  return createAccount({ accountId: 'acc-1', accountType: 'main', positionMode: 'hedge', ownBalance: '1000', ...over }, policy);
}

/** Runs `events` (seq assigned 1.. unless given) and returns all effects and the final state. */
export function run(state: AccountState, events: EventInput[]): { state: AccountState; effects: Effect[]; steps: Effect[][] } {
  let current = state;
  const effects: Effect[] = [];
  const steps: Effect[][] = [];
  let seq = state.lastSeq;
  for (const input of events) {
    seq = typeof input['seq'] === 'number' ? input['seq'] : seq + 1;
    const json = { seq, at: current.clock, ...input };
    const decoded = decodeEvent(json, current.policy.scale);
    if (decoded._tag === 'Left') throw new Error(`test event does not decode: ${JSON.stringify(decoded.left)}`);
    const result = step(current, decoded.right);
    current = result.state;
    effects.push(...result.effects);
    steps.push([...result.effects]);
  }
  return { state: current, effects, steps };
}

export function ofType<K extends EffectType>(effects: readonly Effect[], type: K): EffectOf<K>[] {
  return effects.filter((e): e is EffectOf<K> => e.type === type);
}

export function types(effects: readonly Effect[]): string[] {
  return effects.map((e) => e.type);
}

// Event builders with sensible defaults.
export const grantLcv = (id: string, amount: string, extra: Record<string, unknown> = {}, at?: number): EventInput => ({
  type: 'VoucherGranted', ...(at === undefined ? {} : { at }), voucher: { kind: 'lossCoverage', id, amount, ...extra },
});
export const grantPv = (id: string, amount: string, extra: Record<string, unknown> = {}, at?: number): EventInput => ({
  type: 'VoucherGranted', ...(at === undefined ? {} : { at }), voucher: { kind: 'positionVoucher', id, amount, expiresAt: 9e12, ...extra },
});
export const grantFb = (id: string, amount: string, rate: string, extra: Record<string, unknown> = {}, at?: number): EventInput => ({
  type: 'VoucherGranted', ...(at === undefined ? {} : { at }), voucher: { kind: 'futuresBonus', id, amount, rate, expiresAt: 9e12, ...extra },
});
export const place = (orderId: string, action: 'open' | 'close', qty: string, price: string, extra: Record<string, unknown> = {}): EventInput => ({
  type: 'OrderPlaced', orderId, symbol: 'BTCUSDT', positionSide: 'long', action, qty, price, leverage: '10',
  marginMode: 'isolated', source: 'main', ...extra,
});
export const fill = (orderId: string, qty: string, price: string, fee = '0', extra: Record<string, unknown> = {}): EventInput => ({
  type: 'OrderFilled', orderId, qty, price, fee, ...extra,
});
export const cancel = (orderId: string, extra: Record<string, unknown> = {}): EventInput => ({ type: 'OrderCancelled', orderId, reason: 'cancelled', ...extra });
export const mark = (price: string, extra: Record<string, unknown> = {}): EventInput => ({ type: 'MarkPriceUpdated', symbol: 'BTCUSDT', price, ...extra });
export const funding = (amount: string, extra: Record<string, unknown> = {}): EventInput => ({ type: 'FundingSettled', symbol: 'BTCUSDT', positionSide: 'long', amount, ...extra });
export const transfer = (direction: 'in' | 'out', amount: string, extra: Record<string, unknown> = {}): EventInput => ({ type: 'FundsTransferred', direction, amount, ...extra });
export const flag = (extra: Record<string, unknown> = {}): EventInput => ({ type: 'AccountFlagged', reason: 'farming', ...extra });
export const tick = (at: number): EventInput => ({ type: 'Tick', at });

export type { Event };

/** The three voucher arrays of a state (and of its `retired` lists, FV-8). */
export type VoucherArray = 'lossCoverageVouchers' | 'positionVouchers' | 'futuresBonuses';
export const VOUCHER_ARRAYS: readonly VoucherArray[] = ['lossCoverageVouchers', 'positionVouchers', 'futuresBonuses'];

/** Where a voucher is: live in its kind's array, or retired to that kind's list in `retired` (FV-8). */
export interface Whereabouts {
  readonly retired: boolean;
  readonly kind: VoucherArray;
  readonly status: string;
}

/**
 * FV-8: where the voucher `id` is and its status: its array while it is live, else its kind's
 * `retired` list; `undefined` when it was never granted. Throws when the id is in two places
 * (live and retired, or retired twice): no rule allows that.
 */
export function whereIs(state: AccountState, id: string): Whereabouts | undefined {
  const found: Whereabouts[] = [];
  for (const kind of VOUCHER_ARRAYS) {
    for (const v of state[kind]) if (v.id === id) found.push({ retired: false, kind, status: v.status });
    for (const [rid, status] of state.retired[kind]) if (rid === id) found.push({ retired: true, kind, status });
  }
  if (found.length > 1) throw new Error(`voucher ${id} is in ${found.length} places: ${JSON.stringify(found)}`);
  return found[0];
}

/** FV-8: every voucher of a kind ever granted, `[id, status]`: the live ones, then the retired ones. */
export function everyVoucher(state: AccountState, kind: VoucherArray): Array<[string, string]> {
  return [...state[kind].map((v): [string, string] => [v.id, v.status]), ...state.retired[kind].map(([id, status]): [string, string] => [id, status])];
}

/** FV-8: a voucher's status, live or retired (`undefined` when it was never granted). */
export function statusOf(state: AccountState, id: string): string | undefined {
  return whereIs(state, id)?.status;
}

/** FV-8: `{ retired: true, kind, status }`: the voucher left its array and its kind's `retired` list holds `[id, status]`. */
export const retiredAs = (kind: VoucherArray, status: string): Whereabouts => ({ retired: true, kind, status });
