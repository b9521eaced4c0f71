/**
 * Invariant checkers: run them after every step of your own streams. Each returns the
 * violations it finds as data and never throws (a checker that fails unexpectedly reports
 * that as a violation too).
 */
import type { Event } from '../core/events';
import { EffectCodec, EFFECT_RULE_IDS, REJECTION_RULES, type Effect } from '../core/effects';
import type { PolicyInput } from '../core/policy';
import { createAccount, decodeState, encodeState, type Account, type AccountState } from '../core/state';
import { dec, divide, isNegative, isPositive, isZero, max, min, ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, str, ZERO, type Big } from '../core/money';
import { decimalsOf, DECIMAL_PATTERN } from '../core/money';
import { step, type StepResult } from '../step';
import { balancesOf, netOf, OUTSIDE_ACCOUNTS, traceLedger, type LedgerTrace, type Posting } from '../ledger/postings';

/** The invariants the kit checks. */
export const INVARIANTS = [
  'postings-balance',
  'value-conservation',
  'market-flows',
  'no-negative-remaining',
  'voucher-bounds',
  'reclaim-guard',
  'reclaim-retry',
  'cost-pipeline',
  'loss-coverage',
  'transferable',
  'liquidation-signal',
  'rule-ids',
  'effect-shape',
  'json-roundtrip',
  'determinism',
  'idempotency',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** One broken invariant, found after the step of the event with this `seq`. */
export interface Violation {
  readonly invariant: InvariantName;
  readonly seq: number;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/** Which invariants to run: all by default. */
export interface CheckOptions {
  readonly only?: readonly InvariantName[];
  readonly skip?: readonly InvariantName[];
}

type Check = (input: StepInput) => Violation[];

interface StepInput {
  readonly before: AccountState;
  readonly event: Event;
  readonly result: StepResult;
  /** Lazily computed postings with the clock-work boundary. */
  trace(): LedgerTrace;
}

function violation(invariant: InvariantName, seq: number, message: string, details: Record<string, unknown> = {}): Violation {
  return { invariant, seq, message, details };
}

function ignored(before: AccountState, event: Event): boolean {
  return event.seq <= before.lastSeq;
}

function accepted(result: StepResult): boolean {
  return !result.effects.some((e) => e.type === 'EventRejected' || e.type === 'EventIgnored');
}

/** Structural equality of JSON-able data; keys compared as sets, `undefined` values count. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(rb, k)) return false;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  return true;
}

/** The path of the first place where two JSON-able values differ, or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (deepEqual(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return path === '' ? '(root)' : path;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const inner = Array.isArray(a) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (!Object.prototype.hasOwnProperty.call(ra, key) || !Object.prototype.hasOwnProperty.call(rb, key)) return inner;
    const found = firstDifference(ra[key], rb[key], inner);
    if (found !== undefined) return found;
  }
  return path === '' ? '(root)' : path;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function bucketValues(state: AccountState): Map<string, Big> {
  return new Map(Object.entries(balancesOf(state)).map(([k, v]) => [k, dec(v)]));
}

function isOutside(account: string): boolean {
  return (OUTSIDE_ACCOUNTS as readonly string[]).includes(account);
}

// ---- postings ------------------------------------------------------------------------------

/** The total each effect's postings must add up to (those that post to a single counterparty). */
function effectTotal(e: Effect): Big | undefined {
  switch (e.type) {
    case 'CostSettled':
    case 'Credited':
    case 'LossCompensationPaid':
    case 'CompensationCancelled':
    case 'BonusReclaimed':
    case 'ProfitClawedBack':
      return dec(e.amount);
    case 'PositionVoucherApplied':
      return dec(e.voucherMargin).plus(dec(e.ownMargin));
    case 'LossCoverageApplied':
      return dec(e.covered);
    case 'VoucherExpired':
    case 'VoucherRevoked':
      return dec(e.unused);
    default:
      return undefined;
  }
}

const postingsBalanceCheck: Check = ({ before, event, result, trace }) => {
  const out: Violation[] = [];
  const seq = event.seq;
  const { postings } = trace();
  const scale = before.policy.scale;
  for (const p of postings) {
    if (typeof p.amount !== 'string' || !DECIMAL_PATTERN.test(p.amount) || !isPositive(dec(p.amount)) || decimalsOf(p.amount) > scale) {
      out.push(violation('postings-balance', seq, `posting ${p.from} -> ${p.to} has amount ${String(p.amount)}: not a positive decimal within the scale`, { posting: p }));
      continue;
    }
    if (p.from === p.to) out.push(violation('postings-balance', seq, `posting from ${p.from} to itself`, { posting: p }));
  }
  const nets = netOf(postings);
  const sum = Object.values(nets).reduce((acc, v) => acc.plus(dec(v)), ZERO);
  if (!isZero(sum)) out.push(violation('postings-balance', seq, `debits and credits differ by ${str(sum)}`, { nets }));
  result.effects.forEach((e, i) => {
    const expected = effectTotal(e);
    const mine = postings.filter((p) => p.effect === i);
    if (e.type === 'CostSettled') {
      const parts = dec(e.fromVoucher).plus(dec(e.fromOwnMargin)).plus(dec(e.fromOwn)).plus(dec(e.deficit))
        .plus(e.fromBonus.reduce((acc, b) => acc.plus(dec(b.amount)), ZERO));
      if (!parts.eq(dec(e.amount))) {
        out.push(violation('postings-balance', seq, `CostSettled parts add up to ${str(parts)}, not its amount ${e.amount} (P-6)`, { effect: e }));
      }
      for (const [name, value] of [['fromVoucher', e.fromVoucher], ['fromOwnMargin', e.fromOwnMargin], ['fromOwn', e.fromOwn], ['deficit', e.deficit]] as const) {
        if (isNegative(dec(value))) out.push(violation('postings-balance', seq, `CostSettled.${name} is negative: ${value}`, { effect: e }));
      }
      for (const b of e.fromBonus) {
        if (!isPositive(dec(b.amount))) out.push(violation('postings-balance', seq, `CostSettled.fromBonus lists ${b.bonusId} with ${b.amount} (D-12: only more than 0)`, { effect: e }));
      }
    }
    if ((e.type === 'CostSettled' || e.type === 'Credited') && !isPositive(dec(e.amount))) {
      out.push(violation('postings-balance', seq, `${e.type}.amount is not positive: ${e.amount} (D-24)`, { effect: e }));
    }
    if (expected === undefined) return;
    const posted = mine.reduce((acc, p) => acc.plus(dec(p.amount)), ZERO);
    if (!posted.eq(expected)) {
      out.push(violation('postings-balance', seq, `${e.type} moves ${str(expected)} but its postings add up to ${str(posted)}`, { effect: e, postings: mine }));
    }
  });
  return out;
};

// ---- value conservation --------------------------------------------------------------------

function transferNet(event: Event, result: StepResult): Big {
  if (event.type !== 'FundsTransferred' || !accepted(result)) return ZERO;
  return event.direction === 'in' ? dec(event.amount) : dec(event.amount).neg();
}

const conservationCheck: Check = ({ before, event, result, trace }) => {
  const out: Violation[] = [];
  const seq = event.seq;
  const nets = netOf(trace().postings);
  const was = bucketValues(before);
  const now = bucketValues(result.state);
  const accounts = new Set<string>([...was.keys(), ...now.keys()]);
  for (const account of Object.keys(nets)) if (!isOutside(account)) accounts.add(account);
  let internal = ZERO;
  for (const account of accounts) {
    const change = (now.get(account) ?? ZERO).minus(was.get(account) ?? ZERO);
    internal = internal.plus(change);
    const posted = dec(nets[account] ?? '0');
    if (!change.eq(posted)) {
      out.push(violation('value-conservation', seq,
        `${account} changed by ${str(change)} in the state but its postings move ${str(posted)}: value appeared or vanished without an effect`,
        { account, before: str(was.get(account) ?? ZERO), after: str(now.get(account) ?? ZERO), posted: str(posted) }));
    }
  }
  let outside = ZERO;
  for (const account of OUTSIDE_ACCOUNTS) if (account !== 'external:wallet') outside = outside.plus(dec(nets[account] ?? '0'));
  const expected = transferNet(event, result);
  if (!internal.plus(outside).eq(expected)) {
    out.push(violation('value-conservation', seq,
      `the value held in all accounts changed by ${str(internal.plus(outside))}, but only ${str(expected)} was transferred in or out`,
      { internal: str(internal), outside: str(outside), transferred: str(expected) }));
  }
  const wallet = dec(nets['external:wallet'] ?? '0');
  if (!wallet.eq(expected.neg())) {
    out.push(violation('value-conservation', seq, `external:wallet moved ${str(wallet)}, the event transferred ${str(expected)}`, {}));
  }
  return out;
};

/** Realised pnl, fees and funding against the event's own numbers (P-4, P-5). */
const marketFlowsCheck: Check = ({ before, event, result, trace }) => {
  const out: Violation[] = [];
  const seq = event.seq;
  const nets = netOf(trace().postings);
  const net = (account: string): Big => dec(nets[account] ?? '0');
  const ok = accepted(result) && !ignored(before, event);
  let fees = ZERO;
  let pnl = ZERO;
  let funding = ZERO;
  if (ok && event.type === 'OrderFilled') {
    const scale = before.policy.scale;
    fees = dec(event.fee);
    const order = before.orders.find((o) => o.orderId === event.orderId);
    if (order === undefined) return [violation('market-flows', seq, `accepted fill of unknown order ${event.orderId}`, {})];
    const held = before.positions.find((p) => p.symbol === order.symbol && p.positionSide === order.positionSide);
    const after = result.state.positions.find((p) => p.symbol === order.symbol && p.positionSide === order.positionSide);
    const qty = dec(event.qty);
    const notional = qty.times(dec(event.price)).round(scale, ROUND_HALF_UP);
    if (order.action === 'open') {
      const wantQty = (held === undefined ? ZERO : dec(held.qty)).plus(qty);
      const wantEntry = (held === undefined ? ZERO : dec(held.entryValue)).plus(notional);
      if (after === undefined || !dec(after.qty).eq(wantQty) || !dec(after.entryValue).eq(wantEntry)) {
        out.push(violation('market-flows', seq, `opening fill: position should hold ${str(wantQty)} at entry value ${str(wantEntry)} (P-4)`, { after }));
      }
    } else if (held === undefined) {
      out.push(violation('market-flows', seq, `accepted closing fill without a position`, {}));
    } else {
      const q = dec(held.qty);
      const entry = dec(held.entryValue);
      const basis = qty.eq(q) ? entry : divide(entry.times(qty), q, scale, ROUND_HALF_UP);
      pnl = held.positionSide === 'long' ? notional.minus(basis) : basis.minus(notional);
      const rest = q.minus(qty);
      if (isZero(rest) ? after !== undefined : after === undefined || !dec(after.qty).eq(rest) || !dec(after.entryValue).eq(entry.minus(basis))) {
        out.push(violation('market-flows', seq, `closing fill: position should keep ${str(rest)} at entry value ${str(entry.minus(basis))} (P-4)`, { after }));
      }
    }
  }
  if (ok && event.type === 'FundingSettled') funding = dec(event.amount);
  if (!net('platform:fees').eq(fees)) {
    out.push(violation('market-flows', seq, `platform:fees received ${str(net('platform:fees'))}, the event's fee is ${str(fees)}`, {}));
  }
  if (!net('market:pnl').eq(pnl.neg())) {
    out.push(violation('market-flows', seq, `market:pnl moved ${str(net('market:pnl'))}, the fill realised ${str(pnl)} (P-4)`, {}));
  }
  if (!net('market:funding').eq(funding)) {
    out.push(violation('market-flows', seq, `market:funding moved ${str(net('market:funding'))}, the event settled ${str(funding)}`, {}));
  }
  return out;
};

// ---- amounts in the state ------------------------------------------------------------------

const nonNegativeCheck: Check = ({ event, result }) => {
  const out: Violation[] = [];
  const seq = event.seq;
  const s = result.state;
  const bad = (what: string, value: string, details: Record<string, unknown> = {}): void => {
    out.push(violation('no-negative-remaining', seq, `${what} is ${value}`, details));
  };
  const negative = (value: string): boolean => !DECIMAL_PATTERN.test(value) || isNegative(dec(value));
  for (const v of s.lossCoverageVouchers) {
    if (negative(v.remaining)) bad(`loss coverage voucher ${v.id} remaining`, v.remaining);
    else if (dec(v.remaining).gt(dec(v.amount))) bad(`loss coverage voucher ${v.id} remaining (above its amount ${v.amount})`, v.remaining);
  }
  for (const b of s.futuresBonuses) {
    if (negative(b.remaining)) bad(`futures bonus ${b.id} remaining`, b.remaining);
    else if (dec(b.remaining).gt(dec(b.amount))) bad(`futures bonus ${b.id} remaining (above its amount ${b.amount})`, b.remaining);
  }
  for (const v of s.positionVouchers) {
    if (negative(v.profit)) bad(`position voucher ${v.id} recorded profit`, v.profit);
    if (negative(v.outstanding)) bad(`position voucher ${v.id} outstanding clawback`, v.outstanding);
  }
  for (const c of s.compensations) if (!DECIMAL_PATTERN.test(c.amount) || !isPositive(dec(c.amount))) bad(`compensation of ${c.voucherId} for ${c.orderId}`, c.amount);
  const margins = [
    ...s.positions.flatMap((p) => (p.voucher === undefined ? [] : [p.voucher])),
    ...s.orders.flatMap((o) => (o.heldMargin === undefined ? [] : [o.heldMargin])),
  ];
  for (const m of margins) {
    if (negative(m.voucherMargin)) bad(`voucher margin of ${m.voucherId}`, m.voucherMargin);
    if (negative(m.ownMargin)) bad(`own margin of ${m.voucherId}`, m.ownMargin);
  }
  for (const p of s.positions) {
    if (!DECIMAL_PATTERN.test(p.qty) || !isPositive(dec(p.qty))) bad(`position ${p.symbol} ${p.positionSide} qty`, p.qty);
    if (negative(p.entryValue)) bad(`position ${p.symbol} ${p.positionSide} entry value`, p.entryValue);
  }
  return out;
};

/**
 * Walks a step's effects in order with the running balance of every bucket (before each
 * effect's own postings), and the positions and marks in force at that point.
 */
interface Moment {
  /** A bucket's balance just before the effect's own postings. */
  balance(account: string): Big;
  /** A voucher's or bonus's status just before the effect. */
  status(id: string): string | undefined;
  /** The state whose positions and marks are in force: before the event during clock work, after it since. */
  readonly phase: AccountState;
  /** Whether the effect belongs to the clock work (G-6 step 1). */
  readonly clockWork: boolean;
}

function statusesOf(state: AccountState): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of [...state.lossCoverageVouchers, ...state.positionVouchers, ...state.futuresBonuses]) out.set(v.id, v.status);
  return out;
}

/**
 * Walks a step's effects in order with the running balance of every bucket and the status of
 * every voucher and bonus (both as they are just before each effect), and the positions and
 * marks in force at that point.
 */
function walk(input: StepInput, visit: (e: Effect, index: number, moment: Moment) => void): void {
  const { before, result } = input;
  const { postings, clockWorkEnd } = input.trace();
  const running = bucketValues(before);
  const statuses = statusesOf(before);
  const lossCoverage = new Set(before.lossCoverageVouchers.map((v) => v.id));
  const apply = (p: Posting): void => {
    running.set(p.from, (running.get(p.from) ?? ZERO).minus(dec(p.amount)));
    running.set(p.to, (running.get(p.to) ?? ZERO).plus(dec(p.amount)));
  };
  const balance = (account: string): Big => running.get(account) ?? ZERO;
  const status = (id: string): string | undefined => statuses.get(id);
  let next = 0;
  result.effects.forEach((e, i) => {
    if (i === clockWorkEnd) while (next < postings.length && (postings[next] as Posting).effect === undefined) apply(postings[next++] as Posting);
    visit(e, i, { balance, status, phase: i < clockWorkEnd ? before : result.state, clockWork: i < clockWorkEnd });
    while (next < postings.length && (postings[next] as Posting).effect === i) apply(postings[next++] as Posting);
    switch (e.type) {
      case 'VoucherExpired':
        statuses.set(e.voucherId, 'expired');
        break;
      case 'VoucherRevoked':
        statuses.set(e.voucherId, 'revoked');
        break;
      case 'ReclaimDeferred':
        for (const id of e.bonusIds) statuses.set(id, 'awaitingReclaim');
        break;
      case 'BonusReclaimed':
        for (const id of e.bonusIds) statuses.set(id, 'reclaimed');
        break;
      case 'PositionVoucherApplied':
        statuses.set(e.voucherId, 'inUse');
        break;
      case 'VoucherForfeited':
        statuses.set(e.voucherId, 'consumed');
        break;
      case 'LossCoverageApplied':
        if (isZero(dec(e.remaining)) && lossCoverage.has(e.voucherId)) statuses.set(e.voucherId, 'consumed');
        break;
      case 'CostSettled':
        for (const b of e.fromBonus) if (!isPositive(balance(`bonus:${b.bonusId}`))) statuses.set(b.bonusId, 'spent');
        break;
      default:
        break;
    }
  });
}

const voucherBoundsCheck: Check = (input) => {
  const out: Violation[] = [];
  const { before, event, result } = input;
  const seq = event.seq;
  const amountOf = new Map<string, Big>();
  for (const v of [...before.lossCoverageVouchers, ...before.positionVouchers, ...before.futuresBonuses]) amountOf.set(v.id, dec(v.amount));
  for (const v of [...result.state.lossCoverageVouchers, ...result.state.positionVouchers, ...result.state.futuresBonuses]) amountOf.set(v.id, dec(v.amount));
  const voucherAt = (symbol: string, side: string): string | undefined => {
    for (const p of before.positions) if (p.symbol === symbol && p.positionSide === side && p.voucher !== undefined) return p.voucher.voucherId;
    if (event.type === 'OrderFilled') {
      const o = before.orders.find((x) => x.orderId === event.orderId);
      if (o?.heldMargin !== undefined && o.symbol === symbol && o.positionSide === side) return o.heldMargin.voucherId;
    }
    return undefined;
  };
  walk(input, (e, _i, { balance }) => {
    const over = (what: string, value: Big, limit: Big, details: Record<string, unknown> = {}): void => {
      if (value.gt(limit)) out.push(violation('voucher-bounds', seq, `${what} ${str(value)} exceeds ${str(limit)}`, { effect: e, ...details }));
    };
    switch (e.type) {
      case 'LossCoverageApplied': {
        const remaining = balance(`voucher:${e.voucherId}`);
        if (!isPositive(dec(e.covered))) out.push(violation('voucher-bounds', seq, `LossCoverageApplied covers ${e.covered}`, { effect: e }));
        over(`coverage by ${e.voucherId}`, dec(e.covered), dec(e.loss));
        over(`coverage by ${e.voucherId}`, dec(e.covered), remaining, { note: 'the voucher had only that much left (LCV-5)' });
        if (!dec(e.remaining).eq(remaining.minus(dec(e.covered)))) {
          out.push(violation('voucher-bounds', seq, `LossCoverageApplied.remaining ${e.remaining} is not ${str(remaining)} - ${e.covered}`, { effect: e }));
        }
        break;
      }
      case 'CostSettled': {
        const id = voucherAt(e.symbol, e.positionSide);
        const fromVoucher = dec(e.fromVoucher);
        const fromOwnMargin = dec(e.fromOwnMargin);
        const wallet = dec(e.amount).minus(fromVoucher).minus(fromOwnMargin);
        if (id === undefined) {
          if (isPositive(fromVoucher) || isPositive(fromOwnMargin)) out.push(violation('voucher-bounds', seq, `a cost of a position without a voucher took voucher margins`, { effect: e }));
        } else {
          const vm = balance(`voucherMargin:${id}`);
          const om = balance(`ownMargin:${id}`);
          over(`spend of voucher margin ${id}`, fromVoucher, vm);
          over(`spend of own margin ${id}`, fromOwnMargin, om);
          // PV-6: the voucher margin first, then the own margin, then the wallet.
          if ((isPositive(fromOwnMargin) || isPositive(wallet)) && fromVoucher.lt(vm)) {
            out.push(violation('voucher-bounds', seq, `cost skipped ${str(vm.minus(fromVoucher))} of voucher margin ${id} (PV-6)`, { effect: e }));
          }
          if (isPositive(wallet) && fromOwnMargin.lt(om)) {
            out.push(violation('voucher-bounds', seq, `cost skipped ${str(om.minus(fromOwnMargin))} of own margin ${id} (PV-6)`, { effect: e }));
          }
        }
        for (const b of e.fromBonus) over(`spend of bonus ${b.bonusId}`, dec(b.amount), balance(`bonus:${b.bonusId}`));
        if (before.status === 'flagged' && e.fromBonus.length > 0) {
          out.push(violation('voucher-bounds', seq, `a futures bonus paid a cost of a flagged account (D-6)`, { effect: e }));
        }
        break;
      }
      case 'PositionVoucherApplied': {
        // PV-3, D-11: the whole principal, and own margin for what the order needs beyond it.
        const voucher = before.positionVouchers.find((v) => v.id === e.voucherId);
        if (voucher === undefined || event.type !== 'OrderPlaced') {
          out.push(violation('voucher-bounds', seq, `PositionVoucherApplied for ${e.voucherId} outside an order placement of one of the account's vouchers`, { effect: e }));
          break;
        }
        const required = divide(dec(event.qty).times(dec(event.price)), dec(event.leverage), before.policy.scale, ROUND_UP);
        const own = max(ZERO, required.minus(dec(voucher.amount)));
        if (!dec(e.voucherMargin).eq(dec(voucher.amount)) || !dec(e.ownMargin).eq(own)) {
          out.push(violation('voucher-bounds', seq, `PositionVoucherApplied holds ${e.voucherMargin} + own ${e.ownMargin}; PV-3 gives ${voucher.amount} + own ${str(own)}`, { effect: e }));
        }
        break;
      }
      case 'VoucherForfeited': {
        const amount = amountOf.get(e.voucherId) ?? ZERO;
        over(`forfeit of ${e.voucherId}`, dec(e.amount), amount);
        const held = balance(`voucherMargin:${e.voucherId}`);
        if (!dec(e.amount).eq(held)) {
          out.push(violation('voucher-bounds', seq, `VoucherForfeited of ${e.amount}, but voucher ${e.voucherId} held ${str(held)} of voucher margin`, { effect: e }));
        }
        break;
      }
      case 'BonusReclaimed':
      case 'ReclaimDeferred': {
        const held = e.bonusIds.reduce((acc, id) => acc.plus(balance(`bonus:${id}`)), ZERO);
        const granted = e.bonusIds.reduce((acc, id) => acc.plus(amountOf.get(id) ?? ZERO), ZERO);
        over(`${e.type} amount`, dec(e.amount), granted);
        if (!dec(e.amount).eq(held)) {
          out.push(violation('voucher-bounds', seq, `${e.type} of ${e.amount}, but its bonuses held ${str(held)} (FB-10)`, { effect: e }));
        }
        break;
      }
      case 'VoucherExpired':
      case 'VoucherRevoked': {
        const held = balance(`voucher:${e.voucherId}`);
        if (!dec(e.unused).eq(held)) {
          out.push(violation('voucher-bounds', seq, `${e.type}.unused ${e.unused}, but voucher ${e.voucherId} held ${str(held)}`, { effect: e }));
        }
        break;
      }
      default:
        break;
    }
  });
  return out;
};

// ---- the guard -----------------------------------------------------------------------------

function mmrOf(policy: AccountState['policy'], symbol: string): Big {
  const instrument = Object.prototype.hasOwnProperty.call(policy.instruments, symbol) ? policy.instruments[symbol] : undefined;
  return dec(instrument?.mmr ?? policy.defaultMmr);
}

/** MM and upnl of the positions without a position voucher (M-1), exact. */
function exposure(state: AccountState): { mm: Big; upnl: Big } {
  let mm = ZERO;
  let upnl = ZERO;
  for (const p of state.positions) {
    if (p.voucher !== undefined) continue;
    const mark = state.marks.find((m) => m.symbol === p.symbol);
    const price = mark === undefined ? ZERO : dec(mark.price);
    const value = dec(p.qty).times(price);
    mm = mm.plus(value.times(mmrOf(state.policy, p.symbol)));
    upnl = upnl.plus(p.positionSide === 'long' ? value.minus(dec(p.entryValue)) : dec(p.entryValue).minus(value));
  }
  return { mm, upnl };
}

const reclaimGuardCheck: Check = (input) => {
  const out: Violation[] = [];
  const { before, event } = input;
  const seq = event.seq;
  const policy = before.policy;
  const guardRate = dec(policy.reclaimGuardRate);
  const bonusIds = [...before.futuresBonuses, ...input.result.state.futuresBonuses].map((b) => b.id);
  walk(input, (e, _i, { balance, phase }) => {
    if (e.type !== 'BonusReclaimed' && e.type !== 'ReclaimDeferred') return;
    if (!policy.reclaimGuard) {
      if (e.type === 'ReclaimDeferred') out.push(violation('reclaim-guard', seq, 'a reclaim was deferred although the guard is off', { effect: e }));
      return;
    }
    const { mm, upnl } = exposure(phase);
    const bonuses = [...new Set(bonusIds)].reduce((acc, id) => acc.plus(balance(`bonus:${id}`)), ZERO);
    const equity = balance('user:futures').plus(bonuses).plus(upnl);
    const taken = e.bonusIds.reduce((acc, id) => acc.plus(balance(`bonus:${id}`)), ZERO);
    const after = equity.minus(taken);
    const fits = isZero(mm) || (isPositive(after) && mm.lt(guardRate.times(after)));
    const details = { effect: e, mm: str(mm), equity: str(equity), equityAfter: str(after), guardRate: policy.reclaimGuardRate };
    if (e.type === 'BonusReclaimed' && !fits) {
      const rate = isPositive(after) ? str(divide(mm, after, 8, ROUND_HALF_UP)) : 'unbounded';
      out.push(violation('reclaim-guard', seq, `a reclaim of ${e.amount} was carried out leaving the margin rate at ${rate}, not below ${policy.reclaimGuardRate} (FB-10)`, details));
    }
    if (e.type === 'ReclaimDeferred' && fits) {
      out.push(violation('reclaim-guard', seq, `a reclaim of ${e.amount} was deferred although it fits under the guard (FB-10)`, details));
    }
  });
  return out;
};

const DAY_MS = 86_400_000;

/** The position voucher backing the position a cost names, in this step. */
function voucherOfPosition(before: AccountState, event: Event, symbol: string, side: string): string | undefined {
  for (const p of before.positions) if (p.symbol === symbol && p.positionSide === side && p.voucher !== undefined) return p.voucher.voucherId;
  if (event.type === 'OrderFilled') {
    const o = before.orders.find((x) => x.orderId === event.orderId);
    if (o?.heldMargin !== undefined && o.symbol === symbol && o.positionSide === side) return o.heldMargin.voucherId;
  }
  return undefined;
}

/** M-4: own funds less each plain position's margin (rounded up on its own) plus their upnl when negative in sum. */
function transferableOf(state: AccountState, own: Big): Big {
  let locked = ZERO;
  let upnl = ZERO;
  for (const p of state.positions) {
    if (p.voucher !== undefined) continue;
    locked = locked.plus(divide(dec(p.entryValue), dec(p.leverage), state.policy.scale, ROUND_UP));
    const mark = state.marks.find((m) => m.symbol === p.symbol);
    const value = dec(p.qty).times(mark === undefined ? ZERO : dec(mark.price));
    upnl = upnl.plus(p.positionSide === 'long' ? value.minus(dec(p.entryValue)) : dec(p.entryValue).minus(value));
  }
  return own.minus(locked).plus(min(ZERO, upnl));
}

function bonusEquityOf(state: AccountState): Big {
  let total = ZERO;
  for (const b of state.futuresBonuses) if (b.status === 'active' || b.status === 'awaitingReclaim') total = total.plus(dec(b.remaining));
  return total;
}

/** P-6, PV-6, FB-3..FB-6, D-6, D-12, D-31: each cost paid by exactly the payers, amounts and order the rules give. */
const costPipelineCheck: Check = (input) => {
  const out: Violation[] = [];
  const { before, event } = input;
  const scale = before.policy.scale;
  const flagged = before.status === 'flagged';
  walk(input, (e, _i, m) => {
    if (e.type !== 'CostSettled') return;
    const cost = dec(e.amount);
    const id = voucherOfPosition(before, event, e.symbol, e.positionSide);
    let fromVoucher = ZERO;
    let fromOwnMargin = ZERO;
    if (id !== undefined) {
      fromVoucher = min(max(ZERO, m.balance(`voucherMargin:${id}`)), cost);
      fromOwnMargin = min(max(ZERO, m.balance(`ownMargin:${id}`)), cost.minus(fromVoucher));
    }
    let left = cost.minus(fromVoucher).minus(fromOwnMargin);
    const paid = new Map<string, Big>();
    const drain = (status: string, want: Big): Big => {
      let need = want;
      for (const b of before.futuresBonuses) {
        if (!isPositive(need)) break;
        if (m.status(b.id) !== status) continue;
        const have = m.balance(`bonus:${b.id}`).minus(paid.get(b.id) ?? ZERO);
        if (!isPositive(have)) continue;
        const take = min(have, need);
        paid.set(b.id, (paid.get(b.id) ?? ZERO).plus(take));
        need = need.minus(take);
      }
      return want.minus(need);
    };
    if (!flagged) {
      const first = before.futuresBonuses.find((b) => m.status(b.id) === 'active');
      if (first !== undefined) left = left.minus(drain('active', left.times(dec(first.rate)).round(scale, ROUND_DOWN)));
    }
    const fromOwn = min(left, max(ZERO, m.balance('user:futures')));
    left = left.minus(fromOwn);
    if (!flagged) {
      left = left.minus(drain('active', left));
      left = left.minus(drain('awaitingReclaim', left));
    }
    const fromBonus = before.futuresBonuses.filter((b) => isPositive(paid.get(b.id) ?? ZERO)).map((b) => ({ bonusId: b.id, amount: str(paid.get(b.id) as Big) }));
    const expected = { fromVoucher: str(fromVoucher), fromOwnMargin: str(fromOwnMargin), fromBonus, fromOwn: str(fromOwn), deficit: str(left) };
    const actual = { fromVoucher: e.fromVoucher, fromOwnMargin: e.fromOwnMargin, fromBonus: e.fromBonus, fromOwn: e.fromOwn, deficit: e.deficit };
    if (!deepEqual(JSON.parse(JSON.stringify(actual)), expected)) {
      out.push(violation('cost-pipeline', event.seq, `a ${e.cause} of ${e.amount} was split ${JSON.stringify(actual)}; the rules give ${JSON.stringify(expected)} (P-6, FB-3..FB-5)`, { effect: e, expected }));
    }
  });
  return out;
};

/** LCV-1..LCV-6, D-16, D-32: the closing order done in this step is covered exactly as the rules say, and nothing else is. */
const lossCoverageCheck: Check = ({ before, event, result }) => {
  const out: Violation[] = [];
  const seq = event.seq;
  const applied = result.effects.filter((e): e is Extract<Effect, { type: 'LossCoverageApplied' }> => e.type === 'LossCoverageApplied');
  const policy = before.policy;
  let done: { orderId: string; pnl: Big; notional: Big; closedAt: number; bonusPaid: boolean; voucherClosed: boolean; source: string; feeVoucher: boolean } | undefined;
  if (!ignored(before, event) && accepted(result)) {
    if (event.type === 'OrderFilled') {
      const order = before.orders.find((o) => o.orderId === event.orderId);
      const position = order === undefined ? undefined : before.positions.find((p) => p.symbol === order.symbol && p.positionSide === order.positionSide);
      const qty = dec(event.qty);
      if (order !== undefined && order.action === 'close' && position !== undefined && dec(order.filledQty).plus(qty).eq(dec(order.qty))) {
        const notional = qty.times(dec(event.price)).round(policy.scale, ROUND_HALF_UP);
        const held = dec(position.qty);
        const entry = dec(position.entryValue);
        const basis = qty.eq(held) ? entry : divide(entry.times(qty), held, policy.scale, ROUND_HALF_UP);
        const pnl = position.positionSide === 'long' ? notional.minus(basis) : basis.minus(notional);
        done = {
          orderId: order.orderId,
          pnl: dec(order.realisedPnl).plus(pnl),
          notional: dec(order.closingNotional).plus(notional),
          closedAt: event.at,
          bonusPaid: order.bonusPaid || result.effects.some((e) => e.type === 'CostSettled' && e.orderId === order.orderId && e.fromBonus.length > 0),
          voucherClosed: order.voucherPositionClosed || position.voucher !== undefined,
          source: order.source,
          feeVoucher: order.feeVoucher,
        };
      }
    } else if (event.type === 'OrderCancelled') {
      const order = before.orders.find((o) => o.orderId === event.orderId);
      if (order !== undefined && order.action === 'close' && order.lastFillAt !== undefined) {
        done = {
          orderId: order.orderId, pnl: dec(order.realisedPnl), notional: dec(order.closingNotional), closedAt: order.lastFillAt,
          bonusPaid: order.bonusPaid, voucherClosed: order.voucherPositionClosed, source: order.source, feeVoucher: order.feeVoucher,
        };
      }
    }
  }
  const expected: { voucherId: string; covered: string; remaining: string }[] = [];
  let loss = ZERO;
  if (done !== undefined) {
    loss = done.pnl.neg();
    const eligible = loss.gt(dec(policy.minLoss)) && done.source === 'main' && before.accountType === 'main' && before.status === 'active'
      && !done.feeVoucher && !done.voucherClosed && !done.bonusPaid;
    if (eligible) {
      const expired = new Set(result.effects.filter((e) => e.type === 'VoucherExpired').map((e) => (e as { voucherId: string }).voucherId));
      let uncovered = loss;
      for (const v of before.lossCoverageVouchers) {
        if (!isPositive(uncovered)) break;
        if (v.status !== 'available' || expired.has(v.id) || v.grantedAt >= done.closedAt) continue;
        if (v.minClosingNotional !== undefined && done.notional.lt(dec(v.minClosingNotional))) continue;
        const covered = min(uncovered, dec(v.remaining));
        uncovered = uncovered.minus(covered);
        expected.push({ voucherId: v.id, covered: str(covered), remaining: str(dec(v.remaining).minus(covered)) });
        if (!policy.spillover) break;
      }
    }
  }
  const actual = applied.map((e) => ({ voucherId: e.voucherId, covered: e.covered, remaining: e.remaining }));
  if (!deepEqual(actual, expected)) {
    out.push(violation('loss-coverage', seq, `coverage ${JSON.stringify(actual)}; the rules give ${JSON.stringify(expected)} (LCV-1..LCV-5)`, { order: done?.orderId, loss: str(loss) }));
  }
  if (done !== undefined) {
    const payableAt = (Math.floor(done.closedAt / DAY_MS) + 1) * DAY_MS;
    for (const e of applied) {
      if (e.orderId !== done.orderId || e.loss !== str(loss) || e.payableAt !== payableAt) {
        out.push(violation('loss-coverage', seq, `LossCoverageApplied should name order ${done.orderId}, loss ${str(loss)}, payable at ${payableAt} (LCV-6)`, { effect: e }));
      }
    }
  }
  return out;
};

/** FB-11, D-5, D-22, D-28: reclaims are retried on funds movements only, and none that fits is left waiting. */
const reclaimRetryCheck: Check = (input) => {
  const out: Violation[] = [];
  const { before, event, result } = input;
  if (ignored(before, event)) return out;
  const seq = event.seq;
  const ok = accepted(result);
  const moved = ok && (event.type === 'FundsTransferred' || event.type === 'OrderFilled' || (event.type === 'FundingSettled' && !isZero(dec(event.amount))));
  const { clockWorkEnd, postings } = input.trace();
  let ownTrigger = ok && ((event.type === 'FundsTransferred' && event.direction === 'out') || (event.type === 'AccountFlagged' && before.status === 'active'));
  result.effects.forEach((e, i) => {
    if (i < clockWorkEnd || (e.type !== 'BonusReclaimed' && e.type !== 'ReclaimDeferred')) return;
    const mine = event.type === 'FundsTransferred' ? 'transferOut' : 'flagged';
    if (ownTrigger && e.trigger === mine) {
      ownTrigger = false; // the event's own trigger: one reclaim at most (FB-9)
      return;
    }
    if (e.type === 'ReclaimDeferred') {
      out.push(violation('reclaim-retry', seq, 'a retried reclaim that still does not fit must emit nothing (FB-11)', { effect: e }));
    } else if (!moved) {
      out.push(violation('reclaim-retry', seq, `a reclaim was retried on ${event.type}, which moves no funds (FB-11, D-28)`, { effect: e }));
    }
  });
  if (!moved || !before.policy.reclaimGuard) return out;
  const waiting = [...before.reclaims.map((r) => JSON.stringify(r))];
  result.effects.slice(0, clockWorkEnd).forEach((e) => {
    if (e.type === 'ReclaimDeferred') waiting.push(JSON.stringify({ bonusIds: e.bonusIds, trigger: e.trigger }));
  });
  const takes = postings.filter((p) => p.cause === 'ProfitClawedBack' && p.from === 'user:futures').reduce((acc, p) => acc.plus(dec(p.amount)), ZERO);
  const s = result.state;
  const { mm, upnl } = exposure(s);
  const equity = dec(s.ownBalance).plus(takes).plus(bonusEquityOf(s)).plus(upnl);
  for (const reclaim of s.reclaims) {
    if (!waiting.includes(JSON.stringify({ bonusIds: reclaim.bonusIds, trigger: reclaim.trigger }))) continue;
    const awaiting = s.futuresBonuses.filter((b) => reclaim.bonusIds.includes(b.id) && b.status === 'awaitingReclaim');
    if (awaiting.length === 0) {
      out.push(violation('reclaim-retry', seq, `a waiting reclaim of ${reclaim.bonusIds.join(', ')} has no bonus left awaiting and should have been dropped (D-22)`, { reclaim }));
      continue;
    }
    const after = equity.minus(awaiting.reduce((acc, b) => acc.plus(dec(b.remaining)), ZERO));
    if (isZero(mm) || (isPositive(after) && mm.lt(dec(s.policy.reclaimGuardRate).times(after)))) {
      out.push(violation('reclaim-retry', seq, `the waiting reclaim of ${reclaim.bonusIds.join(', ')} fits under the guard after this funds movement but was not carried out (FB-11)`, { reclaim, mm: str(mm), equityAfter: str(after) }));
    }
  }
  return out;
};

/** M-4: a transfer out is refused exactly when it exceeds the transferable funds; PV-10, D-20, D-27: clawback takes. */
const transferableCheck: Check = (input) => {
  const out: Violation[] = [];
  const { before, event, result } = input;
  if (ignored(before, event)) return out;
  const seq = event.seq;
  const outOfOrder = result.effects.some((e) => e.type === 'EventRejected' && e.code === 'OUT_OF_ORDER');
  if (event.type === 'FundsTransferred' && event.direction === 'out' && !outOfOrder) {
    const limit = transferableOf(before, dec(before.ownBalance));
    const refused = result.effects.some((e) => e.type === 'EventRejected' && e.code === 'INSUFFICIENT_TRANSFERABLE');
    if (dec(event.amount).gt(limit) !== refused) {
      out.push(violation('transferable', seq, `a transfer out of ${event.amount} with ${str(limit)} transferable was ${refused ? 'refused' : 'accepted'} (M-4)`, { transferable: str(limit) }));
    }
  }
  const flagging = event.type === 'AccountFlagged' && before.status === 'active';
  const moved = accepted(result) && (event.type === 'FundsTransferred' || event.type === 'OrderFilled' || (event.type === 'FundingSettled' && !isZero(dec(event.amount))));
  const { postings } = input.trace();
  const outstanding = new Map(before.positionVouchers.map((v) => [v.id, flagging ? dec(v.profit) : dec(v.outstanding)]));
  const takes: string[] = [];
  walk(input, (e, i, m) => {
    if (e.type !== 'ProfitClawedBack') return;
    const isTake = flagging || postings.some((p) => p.effect === i && p.from === 'user:futures');
    if (!isTake) return;
    takes.push(e.voucherId);
    if (!flagging && !moved) {
      out.push(violation('transferable', seq, `a clawback was taken on ${event.type}, which moves no funds (D-20)`, { effect: e }));
    }
    const owed = outstanding.get(e.voucherId) ?? ZERO;
    const room = transferableOf(m.phase, m.balance('user:futures')).round(before.policy.scale, ROUND_DOWN);
    const want = min(owed, max(ZERO, room));
    if (!dec(e.amount).eq(want) || !dec(e.outstanding).eq(owed.minus(want))) {
      out.push(violation('transferable', seq, `a clawback took ${e.amount} leaving ${e.outstanding}; with ${str(owed)} owed and ${str(room)} transferable it takes ${str(want)} (PV-10, D-27)`, { effect: e }));
    }
    outstanding.set(e.voucherId, owed.minus(dec(e.amount)));
  });
  if (flagging) {
    const owing = before.positionVouchers.filter((v) => isPositive(dec(v.profit))).map((v) => v.id);
    if (!deepEqual(takes, owing)) {
      out.push(violation('transferable', seq, `the flag should claw back ${owing.join(', ') || 'nothing'}, one effect each in grant order, but took ${takes.join(', ') || 'nothing'} (D-20)`, {}));
    }
  } else if (moved) {
    const owing = before.positionVouchers.filter((v) => isPositive(dec(v.outstanding)));
    for (const v of owing) {
      if (takes.includes(v.id)) continue;
      const room = transferableOf(result.state, dec(result.state.ownBalance)).round(before.policy.scale, ROUND_DOWN);
      if (isPositive(room)) out.push(violation('transferable', seq, `${v.id} owes ${v.outstanding} and ${str(room)} is transferable, but nothing was taken (PV-10)`, {}));
    }
  }
  return out;
};

/** M-3, M-2, D-14: the liquidation signal fires once per crossing, with the rate shown half-up to 8 decimals. */
const liquidationSignalCheck: Check = ({ before, event, result }) => {
  if (ignored(before, event)) return [];
  const out: Violation[] = [];
  const s = result.state;
  const signals = result.effects.filter((e): e is Extract<Effect, { type: 'LiquidationThresholdReached' }> => e.type === 'LiquidationThresholdReached');
  if (result.effects.some((e) => e.type === 'EventRejected' && e.code === 'OUT_OF_ORDER')) {
    if (signals.length > 0 || s.liquidationReached !== before.liquidationReached) out.push(violation('liquidation-signal', event.seq, 'an OUT_OF_ORDER event changed the liquidation signal (D-28)', {}));
    return out;
  }
  const { mm, upnl } = exposure(s);
  const equity = dec(s.ownBalance).plus(bonusEquityOf(s)).plus(upnl);
  const reached = isPositive(mm) && (!isPositive(equity) || mm.gte(dec(s.policy.liquidationRate).times(equity)));
  const shown = isZero(mm) ? '0' : isPositive(equity) ? str(divide(mm, equity, 8, ROUND_HALF_UP)) : null;
  if (s.liquidationReached !== reached) {
    out.push(violation('liquidation-signal', event.seq, `the state says the liquidation rate is ${s.liquidationReached ? '' : 'not '}reached; the margin rate is ${shown ?? 'unbounded'} (M-3)`, { mm: str(mm), equity: str(equity) }));
  }
  const expected = reached && !before.liquidationReached ? 1 : 0;
  if (signals.length !== expected) {
    out.push(violation('liquidation-signal', event.seq, `${signals.length} LiquidationThresholdReached where the rules give ${expected} (M-3: once per crossing)`, { mm: str(mm), equity: str(equity) }));
  } else if (signals[0] !== undefined && signals[0].marginRate !== shown) {
    out.push(violation('liquidation-signal', event.seq, `LiquidationThresholdReached shows ${String(signals[0].marginRate)}, the margin rate is ${String(shown)} (M-2)`, {}));
  }
  if (signals.length > 0 && result.effects[result.effects.length - 1]?.type !== 'LiquidationThresholdReached') {
    out.push(violation('liquidation-signal', event.seq, 'LiquidationThresholdReached must be the last effect of its step (G-6 step 4)', {}));
  }
  return out;
};

// ---- effects -------------------------------------------------------------------------------

const RULES_BY_TYPE: Record<Effect['type'], readonly string[]> = {
  EventIgnored: ['G-5'],
  EventRejected: [...new Set(Object.values(REJECTION_RULES))],
  VoucherActivated: ['A-5'],
  PositionVoucherApplied: ['PV-3'],
  CostSettled: ['P-6'],
  Credited: ['P-5'],
  LossCoverageApplied: ['LCV-6'],
  LossCompensationPaid: ['LCV-7'],
  CompensationCancelled: ['G-7'],
  VoucherExpired: ['LCV-8', 'PV-9'],
  VoucherForfeited: ['PV-4', 'PV-8'],
  VoucherRevoked: ['G-7'],
  BonusReclaimed: ['FB-10'],
  ReclaimDeferred: ['FB-10'],
  ProfitClawedBack: ['PV-10'],
  LiquidationThresholdReached: ['M-3'],
};

const ruleIdsCheck: Check = ({ event, result }) => {
  const out: Violation[] = [];
  const known = new Set<string>(EFFECT_RULE_IDS);
  for (const e of result.effects) {
    const rule = (e as { rule?: unknown }).rule;
    if (typeof rule !== 'string' || !known.has(rule)) {
      out.push(violation('rule-ids', event.seq, `${e.type} names rule ${String(rule)}, which does not exist`, { effect: e }));
      continue;
    }
    const allowed = RULES_BY_TYPE[e.type] as readonly string[] | undefined;
    let expected: readonly string[] | undefined = allowed;
    if (e.type === 'EventRejected') expected = [REJECTION_RULES[e.code]];
    if (e.type === 'VoucherExpired') expected = [e.kind === 'lossCoverage' ? 'LCV-8' : e.kind === 'positionVoucher' ? 'PV-9' : '(none: a bonus expiry shows as its reclaim)'];
    if (expected !== undefined && !expected.includes(rule)) {
      out.push(violation('rule-ids', event.seq, `${e.type} names ${rule}; section 6 says ${expected.join(' or ')}`, { effect: e }));
    }
  }
  return out;
};

/** G-2: `-?(0|[1-9]digits)(.digits ending in 1-9)?`. */
const CANONICAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
const AMOUNT_FIELDS = new Set(['amount', 'fromVoucher', 'fromOwnMargin', 'fromOwn', 'deficit', 'voucherMargin', 'ownMargin', 'loss', 'covered',
  'remaining', 'unused', 'outstanding', 'projectedMarginRate', 'marginRate']);

const effectShapeCheck: Check = ({ before, event, result }) => {
  const out: Violation[] = [];
  let lastAt = Number.NEGATIVE_INFINITY;
  result.effects.forEach((e, i) => {
    if (!EffectCodec.is(e) || EffectCodec.decode(e)._tag === 'Left') {
      out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) does not match the effect codec`, { effect: e }));
    }
    for (const [key, value] of Object.entries(e)) {
      if (value === undefined || value === null) {
        if (value === null && (key === 'projectedMarginRate' || key === 'marginRate')) continue;
        out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) has ${key}: ${String(value)} (D-24: left out, never null)`, { effect: e }));
      }
    }
    for (const [key, value] of Object.entries(e)) {
      const texts = key === 'fromBonus' && Array.isArray(value) ? value.map((b) => (b as { amount?: unknown }).amount) : AMOUNT_FIELDS.has(key) ? [value] : [];
      for (const text of texts) {
        if (text === null && (key === 'projectedMarginRate' || key === 'marginRate')) continue;
        if (typeof text !== 'string' || !CANONICAL.test(text) || text === '-0') {
          out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) writes ${key} as ${JSON.stringify(text)}: not a plain canonical decimal (G-2: no trailing zeros, no leading zeros, "0" for zero)`, { effect: e }));
        }
      }
    }
    if (e.seq !== event.seq) out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) carries seq ${e.seq} (G-8)`, { effect: e }));
    if (e.at > event.at) out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) is dated ${e.at}, after the event's ${event.at}`, { effect: e }));
    if (e.at < lastAt) out.push(violation('effect-shape', event.seq, `effect #${i} (${e.type}) is dated before the effect ahead of it (G-6)`, { effect: e }));
    lastAt = e.at;
  });
  if (ignored(before, event)) {
    const only = result.effects[0];
    if (result.effects.length !== 1 || only?.type !== 'EventIgnored' || only.at !== event.at) {
      out.push(violation('effect-shape', event.seq, 'a duplicate seq must yield exactly one EventIgnored at the event\'s own at (G-5, D-3)', { effects: result.effects }));
    }
  }
  if (result.state.lastSeq !== Math.max(before.lastSeq, event.seq)) {
    out.push(violation('effect-shape', event.seq, `lastSeq is ${result.state.lastSeq} after the step (G-5)`, {}));
  }
  return out;
};

// ---- state round trip, determinism, idempotency --------------------------------------------

const roundTripCheck: Check = ({ event, result }) => {
  const json = JSON.parse(JSON.stringify(encodeState(result.state))) as unknown;
  const decoded = decodeState(json);
  if (decoded._tag === 'Left') {
    return [violation('json-roundtrip', event.seq, `the state after the step does not decode: ${decoded.left.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors: decoded.left })];
  }
  const at = firstDifference(result.state, decoded.right);
  if (at !== undefined) {
    return [violation('json-roundtrip', event.seq, `decode(encode(state)) differs from the state at ${at} (A-2)`, { path: at })];
  }
  return [];
};

const determinismCheck: Check = ({ before, event, result }) => {
  const input = clone(before);
  const pristine = clone(before);
  const again = step(input, clone(event));
  const out: Violation[] = [];
  if (!deepEqual(input, pristine)) out.push(violation('determinism', event.seq, 'step changed its input state (G-1)', {}));
  if (!deepEqual(again.effects, result.effects)) {
    out.push(violation('determinism', event.seq, 'the same state and event gave other effects (G-1)', { first: result.effects, second: again.effects }));
  }
  if (!deepEqual(again.state, result.state)) out.push(violation('determinism', event.seq, 'the same state and event gave another state (G-1)', {}));
  return out;
};

const idempotencyCheck: Check = ({ event, result }) => {
  const redelivered = step(result.state, event);
  const out: Violation[] = [];
  const only = redelivered.effects[0];
  if (redelivered.effects.length !== 1 || only?.type !== 'EventIgnored' || only.reason !== 'duplicate' || only.seq !== event.seq || only.at !== event.at || only.rule !== 'G-5') {
    out.push(violation('idempotency', event.seq, 'a redelivered event must yield exactly one EventIgnored {reason: "duplicate"} (G-5)', { effects: redelivered.effects }));
  }
  if (!deepEqual(redelivered.state, result.state)) out.push(violation('idempotency', event.seq, 'a redelivered event changed the state (G-5)', {}));
  return out;
};

const CHECKS: Record<InvariantName, Check> = {
  'postings-balance': postingsBalanceCheck,
  'value-conservation': conservationCheck,
  'market-flows': marketFlowsCheck,
  'no-negative-remaining': nonNegativeCheck,
  'voucher-bounds': voucherBoundsCheck,
  'reclaim-guard': reclaimGuardCheck,
  'reclaim-retry': reclaimRetryCheck,
  'cost-pipeline': costPipelineCheck,
  'loss-coverage': lossCoverageCheck,
  transferable: transferableCheck,
  'liquidation-signal': liquidationSignalCheck,
  'rule-ids': ruleIdsCheck,
  'effect-shape': effectShapeCheck,
  'json-roundtrip': roundTripCheck,
  determinism: determinismCheck,
  idempotency: idempotencyCheck,
};

function selected(options: CheckOptions): InvariantName[] {
  return INVARIANTS.filter((name) => (options.only === undefined || options.only.includes(name)) && !(options.skip ?? []).includes(name));
}

function stepInput(before: AccountState, event: Event, result: StepResult): StepInput {
  let trace: LedgerTrace | undefined;
  return { before, event, result, trace: () => (trace ??= traceLedger(before, event, result)) };
}

function runCheck(name: InvariantName, input: StepInput): Violation[] {
  try {
    return CHECKS[name](input);
  } catch (error) {
    return [violation(name, input.event.seq, `the check could not run: ${error instanceof Error ? error.message : String(error)}`, { error: String(error) })];
  }
}

/** One invariant on one step. */
export function checkInvariant(name: InvariantName, before: AccountState, event: Event, result: StepResult): Violation[] {
  return runCheck(name, stepInput(before, event, result));
}

const wrap = (name: InvariantName) => (before: AccountState, event: Event, result: StepResult): Violation[] => checkInvariant(name, before, event, result);

/** Double-entry postings add up: every posting positive, each effect's postings equal its amount, CostSettled parts add up (P-6). */
export const checkPostingsBalance = wrap('postings-balance');
/** Every bucket of the state changes exactly by its postings; all value together changes only by transfers in or out. */
export const checkValueConservation = wrap('value-conservation');
/** Realised pnl, fees and funding posted against the market match the event's own numbers (P-4, P-5). */
export const checkMarketFlows = wrap('market-flows');
/** No voucher, bonus or margin amount in the state is negative, nor a remaining above its grant. */
export const checkNoNegativeRemaining = wrap('no-negative-remaining');
/** Coverage, spend and forfeit never exceed what a voucher or bonus holds, in the order PV-6 gives (LCV-5, PV-6, FB-6). */
export const checkVoucherBounds = wrap('voucher-bounds');
/** A carried-out reclaim leaves the margin rate below the guard rate; a deferred one would not have (FB-10). */
export const checkReclaimGuard = wrap('reclaim-guard');
/** Reclaims are retried on funds movements only, and none that fits is left waiting (FB-11, D-22, D-28). */
export const checkReclaimRetry = wrap('reclaim-retry');
/** Each cost is paid by the payers, amounts and order P-6, PV-6 and FB-3..FB-6 give (D-6 on a flagged account). */
export const checkCostPipeline = wrap('cost-pipeline');
/** A done closing order is covered exactly as LCV-1..LCV-6 say (FIFO, spillover, thresholds), and nothing else is. */
export const checkLossCoverage = wrap('loss-coverage');
/** A transfer out is refused exactly when it exceeds the transferable funds (M-4); clawback takes (PV-10, D-20, D-27). */
export const checkTransferable = wrap('transferable');
/** The liquidation signal fires once per crossing of the liquidation rate, with the rate shown (M-3). */
export const checkLiquidationSignal = wrap('liquidation-signal');
/** Every effect names a rule that exists, and the one section 6 gives its type. */
export const checkRuleIds = wrap('rule-ids');
/** Effects match their codec, carry the event's seq, are dated in order and never later than the event (G-6, G-8, D-24). */
export const checkEffectShape = wrap('effect-shape');
/** `decode(encode(state))` equals the state (A-2). */
export const checkJsonRoundTrip = wrap('json-roundtrip');
/** The same step again gives the same result and leaves its input alone (G-1). */
export const checkDeterminism = wrap('determinism');
/** The event redelivered is ignored and changes nothing (G-5). */
export const checkIdempotency = wrap('idempotency');

/**
 * Every invariant on one step: `checkStep(before, event, step(before, event))`. Returns the
 * violations (empty when all hold); never throws.
 */
export function checkStep(before: AccountState, event: Event, result: StepResult, options: CheckOptions = {}): Violation[] {
  const input = stepInput(before, event, result);
  return selected(options).flatMap((name) => runCheck(name, input));
}

/** A stream to check: events and where they start, a state or an account with its policy. */
export type StreamInput =
  | { readonly state: AccountState; readonly events: readonly Event[] }
  | { readonly account: Account; readonly policy?: PolicyInput; readonly events: readonly Event[] };

export interface StreamCheckOptions extends CheckOptions {
  /** Stop at the first step with a violation (default false). */
  readonly stopAtFirst?: boolean;
}

/** What `checkStream` found. */
export interface StreamReport {
  readonly ok: boolean;
  /** Steps applied (and checked). */
  readonly steps: number;
  /** Effects produced over the stream. */
  readonly effects: number;
  readonly violations: Violation[];
  /** The state after the last step applied. */
  readonly state: AccountState;
}

interface Lifetime {
  amount: Big;
  out: Big;
}

/**
 * Steps a stream through the engine, running `checkStep` after every step, and over the whole
 * stream checks that no voucher or bonus ever pays out more than it was granted (coverage +
 * expiry for a loss coverage voucher; spend + forfeit + expiry for a position voucher; spend +
 * reclaim for a futures bonus), and exactly that much once it is done.
 */
export function checkStream(input: StreamInput, options: StreamCheckOptions = {}): StreamReport {
  let state = 'state' in input ? input.state : createAccount(input.account, input.policy);
  const violations: Violation[] = [];
  const lifetimes = new Map<string, Lifetime>();
  const voucherOfPosition = new Map<string, string>();
  let steps = 0;
  let effects = 0;
  const lifetimeCheck = selected(options).includes('voucher-bounds');
  for (const event of input.events) {
    let result: StepResult;
    try {
      result = step(state, event);
    } catch (error) {
      violations.push(violation('determinism', event.seq, `step threw: ${error instanceof Error ? error.message : String(error)} (G-1: no exceptions)`, { event }));
      break;
    }
    steps++;
    effects += result.effects.length;
    const found = checkStep(state, event, result, options);
    violations.push(...found);
    if (lifetimeCheck) {
      try {
        violations.push(...trackLifetimes(state, event, result, lifetimes, voucherOfPosition));
      } catch (error) {
        violations.push(violation('voucher-bounds', event.seq, `the lifetime check could not run: ${String(error)}`, {}));
      }
    }
    state = result.state;
    if (options.stopAtFirst === true && violations.length > 0) break;
  }
  return { ok: violations.length === 0, steps, effects, violations, state };
}

function trackLifetimes(
  before: AccountState, event: Event, result: StepResult, lifetimes: Map<string, Lifetime>, voucherOfPosition: Map<string, string>,
): Violation[] {
  for (const v of [...result.state.lossCoverageVouchers, ...result.state.positionVouchers, ...result.state.futuresBonuses]) {
    if (!lifetimes.has(v.id)) lifetimes.set(v.id, { amount: dec(v.amount), out: ZERO });
  }
  for (const p of before.positions) if (p.voucher !== undefined) voucherOfPosition.set(`${p.symbol}/${p.positionSide}`, p.voucher.voucherId);
  if (event.type === 'OrderFilled') {
    const o = before.orders.find((x) => x.orderId === event.orderId);
    if (o?.heldMargin !== undefined) voucherOfPosition.set(`${o.symbol}/${o.positionSide}`, o.heldMargin.voucherId);
  }
  const spend = (id: string, amount: Big): void => {
    const life = lifetimes.get(id);
    if (life !== undefined) life.out = life.out.plus(amount);
  };
  const ids = new Set<string>();
  for (const e of result.effects) {
    switch (e.type) {
      case 'LossCoverageApplied':
        spend(e.voucherId, dec(e.covered));
        ids.add(e.voucherId);
        break;
      case 'VoucherExpired':
      case 'VoucherRevoked':
        spend(e.voucherId, dec(e.unused));
        ids.add(e.voucherId);
        break;
      case 'VoucherForfeited':
        spend(e.voucherId, dec(e.amount));
        ids.add(e.voucherId);
        break;
      case 'CostSettled': {
        const id = voucherOfPosition.get(`${e.symbol}/${e.positionSide}`);
        if (id !== undefined && isPositive(dec(e.fromVoucher))) {
          spend(id, dec(e.fromVoucher));
          ids.add(id);
        }
        for (const b of e.fromBonus) {
          spend(b.bonusId, dec(b.amount));
          ids.add(b.bonusId);
        }
        break;
      }
      case 'BonusReclaimed':
        // The amount is split over its bonuses by what each still held: the total is what counts.
        for (const id of e.bonusIds) ids.add(id);
        break;
      default:
        break;
    }
  }
  const out: Violation[] = [];
  // Bonus reclaims: what each bonus held before the reclaim is its grant less what it paid so far.
  for (const e of result.effects) {
    if (e.type !== 'BonusReclaimed') continue;
    let total = ZERO;
    for (const id of e.bonusIds) {
      const life = lifetimes.get(id);
      if (life === undefined) continue;
      total = total.plus(life.amount.minus(life.out));
      life.out = life.amount;
    }
    if (!total.eq(dec(e.amount))) {
      out.push(violation('voucher-bounds', event.seq, `BonusReclaimed of ${e.amount}, but over their lifetime its bonuses had ${str(total)} left`, { effect: e }));
    }
  }
  const statusOf = new Map<string, string>();
  for (const v of [...result.state.lossCoverageVouchers, ...result.state.positionVouchers, ...result.state.futuresBonuses]) statusOf.set(v.id, v.status);
  for (const id of ids) {
    const life = lifetimes.get(id);
    if (life === undefined) continue;
    if (life.out.gt(life.amount)) {
      out.push(violation('voucher-bounds', event.seq, `${id} has paid out ${str(life.out)} over its lifetime, more than its ${str(life.amount)}`, {}));
    }
  }
  for (const [id, life] of lifetimes) {
    const status = statusOf.get(id);
    const done = status === 'consumed' || status === 'expired' || status === 'revoked' || status === 'reclaimed' || status === 'spent';
    if (done && !life.out.eq(life.amount)) {
      out.push(violation('voucher-bounds', event.seq, `${id} is ${status ?? '?'} having paid out ${str(life.out)} of its ${str(life.amount)}`, {}));
      life.out = life.amount; // report once
    }
  }
  return out;
}
