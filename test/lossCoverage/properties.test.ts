/**
 * Properties of loss coverage vouchers (RULES.md section 2) over generated LCV-focused event
 * sequences: grants (with and without expiry and closing-notional threshold, some already
 * expired), round trips closed in one to three fills (some cancelled after their fills, some
 * from other sources or with a fee voucher), ticks across UTC midnights, and the odd flag.
 * The reference model at the bottom is an independent reading of LCV-1..LCV-7 and G-7.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import { account, run, type EventInput } from '../helpers/dsl';
import type { AccountState, Effect, EffectOf } from '../../src/index';
import { DAY, T0 } from './support';

type Source = 'main' | 'copyTrading' | 'gridTrading' | 'bot';
type Side = 'long' | 'short';

interface GrantOp {
  readonly t: 'grant';
  readonly dt: number;
  readonly amount: string;
  /** Milliseconds after the grant, or the next UTC midnight (a tie with the payouts due then). */
  readonly expiresIn: number | 'midnight' | undefined;
  readonly minClosingNotional: string | undefined;
}
interface ExitFill {
  readonly qty: number;
  readonly price: string;
  readonly fee: string;
  readonly dt: number;
}
interface TradeOp {
  readonly t: 'trade';
  readonly dt: number;
  readonly side: Side;
  readonly entry: string;
  readonly openFee: string;
  readonly exits: readonly ExitFill[];
  /** The closing order asks for one more than it gets and is cancelled after its fills. */
  readonly cancelled: boolean;
  readonly cancelDt: number;
  readonly source: Source;
  readonly feeVoucher: boolean;
}
interface TickOp {
  readonly t: 'tick';
  readonly dt: number;
}
interface FlagOp {
  readonly t: 'flag';
  readonly dt: number;
}
type Op = GrantOp | TradeOp | TickOp | FlagOp;

interface Scenario {
  readonly spillover: boolean;
  readonly minLoss: string;
  readonly accountType: 'main' | 'sub';
  readonly ops: readonly Op[];
}

/** A time step; -1 and -2 are markers: up to 23:59:59.999, or up to 00:00:00.000, of the next UTC midnight. */
const TO_BEFORE_MIDNIGHT = -1;
const TO_MIDNIGHT = -2;
const dtArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(TO_BEFORE_MIDNIGHT, TO_MIDNIGHT) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 6 * 3_600_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * DAY }) },
);
const nextMidnight = (t: number) => (Math.floor(t / DAY) + 1) * DAY;
function advance(now: number, dt: number): number {
  if (dt === TO_BEFORE_MIDNIGHT) return Math.max(now, nextMidnight(now) - 1);
  if (dt === TO_MIDNIGHT) return nextMidnight(now);
  return now + dt;
}

const cents = (min: number, max: number) => fc.integer({ min, max }).map((n) => new Big(n).div(100).toFixed());
const feeArb = fc.constantFrom('0', '0', '0.1', '0.37', '2');

const grantArb: fc.Arbitrary<GrantOp> = fc.record({
  t: fc.constant('grant' as const),
  dt: dtArb,
  amount: cents(1, 3000),
  expiresIn: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 2 * DAY }) },
    { weight: 1, arbitrary: fc.constant('midnight' as const) },
    { weight: 1, arbitrary: fc.integer({ min: -1000, max: 10 }) }, // some already expired (D-4)
  ),
  minClosingNotional: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom('99', '100', '198', '200', '0') }, // a close's notional, to the cent
  ),
});

const tradeArb: fc.Arbitrary<TradeOp> = fc.record({
  t: fc.constant('trade' as const),
  dt: dtArb,
  side: fc.constantFrom<Side>('long', 'short'),
  entry: fc.constantFrom('95', '100', '105'),
  openFee: feeArb,
  exits: fc.array(fc.record({ qty: fc.integer({ min: 1, max: 2 }), price: fc.oneof(
        { weight: 3, arbitrary: cents(8000, 10800) },
        { weight: 2, arbitrary: fc.constantFrom('94', '99', '104', '97.5', '102.5', '100', '95', '105') }, // losses of exactly 1 or 2.5
      ), fee: feeArb, dt: dtArb }), { minLength: 1, maxLength: 3 }),
  cancelled: fc.boolean(),
  cancelDt: dtArb,
  source: fc.oneof({ weight: 6, arbitrary: fc.constant<Source>('main') }, { weight: 1, arbitrary: fc.constantFrom<Source>('copyTrading', 'gridTrading', 'bot') }),
  feeVoucher: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: grantArb },
  { weight: 6, arbitrary: tradeArb },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('tick' as const), dt: dtArb }) },
);

/** At most one flag, in one run out of three, somewhere in the sequence (a flag ends all coverage). */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    spillover: fc.boolean(),
    minLoss: fc.constantFrom('0', '1', '1', '2.5'),
    accountType: fc.oneof({ weight: 8, arbitrary: fc.constant('main' as const) }, { weight: 1, arbitrary: fc.constant('sub' as const) }),
    ops: fc.array(opArb, { minLength: 3, maxLength: 25, size: 'medium' }),
    flag: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ where: fc.nat(), dt: dtArb }) }),
  })
  .map(({ flag, ops, ...rest }) => {
    if (flag === undefined) return { ...rest, ops };
    const at = flag.where % (ops.length + 1);
    return { ...rest, ops: [...ops.slice(0, at), { t: 'flag' as const, dt: flag.dt }, ...ops.slice(at)] };
  });

/** What the test knows about the events it built, for the reference model. */
type Mark =
  | { readonly k: 'grant'; readonly id: string; readonly amount: string; readonly expiresAt: number | undefined; readonly minClosingNotional: string | undefined }
  | { readonly k: 'done'; readonly orderId: string; readonly closedAt: number; readonly loss: Big; readonly notional: Big; readonly source: Source; readonly feeVoucher: boolean }
  | { readonly k: 'flag' }
  | { readonly k: 'other' };

interface Built {
  readonly events: EventInput[];
  /** One mark per event, with its `seq` (index + 1) and `at`. */
  readonly marks: { readonly seq: number; readonly at: number; readonly mark: Mark }[];
  readonly end: number;
}

/** Turns the ops into events with explicit `seq` and `at`, starting 6 hours before T0 + 1 day. */
function build(s: Scenario, fees: (fee: string) => string = (f) => f): Built {
  const events: EventInput[] = [];
  const marks: Built['marks'] = [];
  let now = T0 + DAY - 6 * 3_600_000;
  let vouchers = 0;
  let trades = 0;
  const push = (event: Record<string, unknown> & { type: string }, mark: Mark): void => {
    const seq = events.length + 1;
    events.push({ ...event, seq, at: now });
    marks.push({ seq, at: now, mark });
  };
  for (const op of s.ops) {
    now = advance(now, op.dt);
    switch (op.t) {
      case 'grant': {
        const id = `V${++vouchers}`;
        const expiresAt = op.expiresIn === undefined ? undefined : op.expiresIn === 'midnight' ? nextMidnight(now) : now + op.expiresIn;
        const voucher: Record<string, unknown> = { kind: 'lossCoverage', id, amount: op.amount };
        if (expiresAt !== undefined) voucher['expiresAt'] = expiresAt;
        if (op.minClosingNotional !== undefined) voucher['minClosingNotional'] = op.minClosingNotional;
        push({ type: 'VoucherGranted', voucher }, { k: 'grant', id, amount: op.amount, expiresAt, minClosingNotional: op.minClosingNotional });
        break;
      }
      case 'trade': {
        const n = ++trades;
        const open = `o${n}`;
        const close = `c${n}`;
        const qty = op.exits.reduce((sum, e) => sum + e.qty, 0);
        const common = { symbol: 'BTCUSDT', positionSide: op.side, leverage: '10', marginMode: 'cross' };
        push({ type: 'OrderPlaced', orderId: open, action: 'open', qty: String(qty), price: op.entry, source: 'main', ...common }, { k: 'other' });
        push({ type: 'OrderFilled', orderId: open, qty: String(qty), price: op.entry, fee: fees(op.openFee) }, { k: 'other' });
        const closeQty = op.cancelled ? qty + 1 : qty;
        push(
          { type: 'OrderPlaced', orderId: close, action: 'close', qty: String(closeQty), price: op.entry, source: op.source, feeVoucher: op.feeVoucher, ...common },
          { k: 'other' },
        );
        let loss = new Big(0);
        let notional = new Big(0);
        op.exits.forEach((exit, i) => {
          now = advance(now, exit.dt);
          // The basis of q out of an entry at one price is q x entry, exactly.
          const pnl = new Big(exit.price).minus(op.entry).times(exit.qty).times(op.side === 'long' ? 1 : -1);
          loss = loss.minus(pnl);
          notional = notional.plus(new Big(exit.price).times(exit.qty));
          const last = i === op.exits.length - 1;
          const done: Mark = { k: 'done', orderId: close, closedAt: now, loss, notional, source: op.source, feeVoucher: op.feeVoucher };
          push({ type: 'OrderFilled', orderId: close, qty: String(exit.qty), price: exit.price, fee: fees(exit.fee) }, last && !op.cancelled ? done : { k: 'other' });
        });
        if (op.cancelled) {
          const closedAt = now;
          now = advance(now, op.cancelDt);
          push({ type: 'OrderCancelled', orderId: close, reason: 'cancelled' }, { k: 'done', orderId: close, closedAt, loss, notional, source: op.source, feeVoucher: op.feeVoucher });
        }
        break;
      }
      case 'tick':
        push({ type: 'Tick' }, { k: 'other' });
        break;
      case 'flag':
        push({ type: 'AccountFlagged', reason: 'farming' }, { k: 'flag' });
        break;
    }
  }
  // A final Tick far in the future: everything due has fallen due.
  now += 30 * DAY;
  push({ type: 'Tick' }, { k: 'other' });
  return { events, marks, end: now };
}

function replayScenario(s: Scenario, fees?: (fee: string) => string): { built: Built; effects: Effect[]; steps: Effect[][]; state: AccountState } {
  const built = build(s, fees);
  const result = run(account({ accountType: s.accountType, ownBalance: '100000' }, { spillover: s.spillover, minLoss: s.minLoss }), built.events);
  return { built, ...result };
}

const ofKind = <K extends Effect['type']>(effects: readonly Effect[], type: K): EffectOf<K>[] => effects.filter((e): e is EffectOf<K> => e.type === type);

// ---------------------------------------------------------------------------------------------
// The reference model: an independent reading of LCV-1..LCV-7 and G-7 over the built timeline.
// ---------------------------------------------------------------------------------------------

interface ModelVoucher {
  readonly id: string;
  readonly grantedAt: number;
  readonly amount: Big;
  readonly expiresAt: number | undefined;
  readonly minClosingNotional: Big | undefined;
  remaining: Big;
  revoked: boolean;
}

interface ModelCoverage {
  readonly seq: number;
  readonly at: number;
  readonly voucherId: string;
  readonly orderId: string;
  readonly loss: string;
  readonly covered: string;
  readonly remaining: string;
  readonly payableAt: number;
}

function model(s: Scenario, built: Built): { coverages: ModelCoverage[]; cancelledBy: Map<string, number> } {
  const vouchers: ModelVoucher[] = [];
  const coverages: ModelCoverage[] = [];
  const unpaid: ModelCoverage[] = [];
  const cancelledBy = new Map<string, number>();
  let flagged = false;
  // LCV-8 at the step's clock work: an available voucher is gone once the clock reaches expiresAt.
  const available = (v: ModelVoucher, t: number) => !v.revoked && v.remaining.gt(0) && (v.expiresAt === undefined || v.expiresAt > t);
  for (const { seq, at, mark } of built.marks) {
    // LCV-7: payouts fall due at the clock work of the first step at or after payableAt.
    for (let i = unpaid.length - 1; i >= 0; i--) if ((unpaid[i] as ModelCoverage).payableAt <= at) unpaid.splice(i, 1);
    switch (mark.k) {
      case 'grant':
        if (flagged) break; // G-7: ACCOUNT_FLAGGED
        vouchers.push({
          id: mark.id, grantedAt: at, amount: new Big(mark.amount), expiresAt: mark.expiresAt,
          minClosingNotional: mark.minClosingNotional === undefined ? undefined : new Big(mark.minClosingNotional),
          remaining: new Big(mark.amount), revoked: false,
        });
        break;
      case 'flag':
        if (flagged) break;
        flagged = true;
        for (const v of vouchers) if (available(v, at)) v.revoked = true;
        for (const c of unpaid.splice(0)) cancelledBy.set(`${c.voucherId}/${c.orderId}`, seq);
        break;
      case 'done': {
        const eligibleOrder = mark.loss.gt(s.minLoss) && mark.source === 'main' && s.accountType === 'main' && !flagged && !mark.feeVoucher;
        if (!eligibleOrder) break;
        let rest = mark.loss;
        for (const v of vouchers) {
          if (!rest.gt(0)) break;
          const eligible = available(v, at) && v.grantedAt < mark.closedAt && (v.minClosingNotional === undefined || mark.notional.gte(v.minClosingNotional));
          if (!eligible) continue;
          const covered = rest.lt(v.remaining) ? rest : v.remaining;
          v.remaining = v.remaining.minus(covered);
          rest = rest.minus(covered);
          const c: ModelCoverage = {
            seq, at, voucherId: v.id, orderId: mark.orderId, loss: mark.loss.toFixed(), covered: covered.toFixed(),
            remaining: v.remaining.toFixed(), payableAt: (Math.floor(mark.closedAt / DAY) + 1) * DAY,
          };
          coverages.push(c);
          unpaid.push(c);
          if (!s.spillover) break;
        }
        break;
      }
      case 'other':
        break;
    }
  }
  return { coverages, cancelledBy };
}

const RUNS = { numRuns: 300 };

describe('LCV-3, LCV-4 FIFO: the voucher chosen is always the earliest eligible one', () => {
  it('every LossCoverageApplied equals the reference model\'s choice (spillover on and off)', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built, effects } = replayScenario(s);
        const expected = model(s, built).coverages.map((c) => ({ type: 'LossCoverageApplied', rule: 'LCV-6', ...c }));
        expect(ofKind(effects, 'LossCoverageApplied')).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('with spillover off an order is covered by one voucher at most', () => {
    fc.assert(
      fc.property(scenarioArb.map((s) => ({ ...s, spillover: false })), (s) => {
        const orders = ofKind(replayScenario(s).effects, 'LossCoverageApplied').map((e) => e.orderId);
        expect(new Set(orders).size).toBe(orders.length);
      }),
      RUNS,
    );
  });
});

describe('LCV-2 Eligible order', () => {
  it('orders from another source, with a fee voucher, or of a sub account are never covered', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built, effects } = replayScenario(s);
        const excluded = new Set<string>();
        for (const { mark } of built.marks) if (mark.k === 'done' && (mark.source !== 'main' || mark.feeVoucher || s.accountType !== 'main')) excluded.add(mark.orderId);
        for (const e of ofKind(effects, 'LossCoverageApplied')) expect(excluded.has(e.orderId)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('LCV-5 Amount', () => {
  it('covered never exceeds the loss nor the voucher\'s amount, and is more than 0', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built, effects } = replayScenario(s);
        const amounts = new Map<string, string>();
        for (const { mark } of built.marks) if (mark.k === 'grant') amounts.set(mark.id, mark.amount);
        for (const e of ofKind(effects, 'LossCoverageApplied')) {
          const covered = new Big(e.covered);
          expect(covered.gt(0)).toBe(true);
          expect(covered.lte(e.loss)).toBe(true);
          expect(covered.lte(amounts.get(e.voucherId) ?? '0')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('the covered amounts of a voucher add up to at most its amount, and to exactly amount - remaining', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built, effects, state } = replayScenario(s);
        // Every voucher granted: a live one shows its remaining; a retired one (FV-8) had what the
        // effect that ended it says was unused, or nothing once consumed.
        const amounts = new Map<string, string>();
        for (const { mark } of built.marks) if (mark.k === 'grant') amounts.set(mark.id, mark.amount);
        const unused = new Map<string, string>();
        for (const e of effects) if ((e.type === 'VoucherExpired' || e.type === 'VoucherRevoked') && e.kind === 'lossCoverage') unused.set(e.voucherId, e.unused);
        const vouchers = [
          ...state.lossCoverageVouchers,
          ...state.retired.lossCoverageVouchers.map(([id, status]) => ({
            id, status, amount: amounts.get(id) ?? '0', remaining: status === 'consumed' ? '0' : unused.get(id) ?? '?',
          })),
        ];
        const granted = ofKind(effects, 'VoucherActivated').filter((e) => e.kind === 'lossCoverage').map((e) => e.voucherId);
        expect(vouchers.map((v) => v.id).sort()).toEqual(granted.sort());
        for (const v of vouchers) {
          const mine = ofKind(effects, 'LossCoverageApplied').filter((e) => e.voucherId === v.id);
          const total = mine.reduce((sum, e) => sum.plus(e.covered), new Big(0));
          expect(total.lte(v.amount)).toBe(true);
          expect(total.toFixed()).toBe(new Big(v.amount).minus(v.remaining).toFixed());
          // Each effect's remaining is what was left after it.
          let left = new Big(v.amount);
          for (const e of mine) {
            left = left.minus(e.covered);
            expect(e.remaining).toBe(left.toFixed());
          }
          if (v.status === 'consumed') expect(v.remaining).toBe('0');
          // Available, or ended while available (expired, revoked): something was left.
          if (v.status !== 'consumed') expect(new Big(v.remaining).gt(0)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('fees never change a coverage: the same sequence with other fees (no bonus) covers the same', () => {
    const feeMap = fc.func(fc.constantFrom('0', '0.01', '1', '3.5', '40'));
    fc.assert(
      fc.property(scenarioArb, feeMap, (s, otherFee) => {
        const lcv = (effects: Effect[]) => effects.filter((e) => ['LossCoverageApplied', 'LossCompensationPaid', 'CompensationCancelled', 'VoucherExpired', 'VoucherRevoked'].includes(e.type));
        const a = lcv(replayScenario(s).effects);
        const b = lcv(replayScenario(s, (fee) => otherFee(fee)).effects);
        expect(b).toEqual(a);
      }),
      RUNS,
    );
  });
});

describe('LCV-7 Payout, G-7 cancellation', () => {
  it('every coverage is paid exactly once or cancelled exactly once, for its covered amount', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built, effects, state } = replayScenario(s);
        const { cancelledBy } = model(s, built);
        const key = (e: { voucherId: string; orderId: string }) => `${e.voucherId}/${e.orderId}`;
        const applied = ofKind(effects, 'LossCoverageApplied');
        const paidOut = ofKind(effects, 'LossCompensationPaid');
        const cancelled = ofKind(effects, 'CompensationCancelled');
        expect(paidOut.length + cancelled.length).toBe(applied.length);
        for (const a of applied) {
          const p = paidOut.filter((e) => key(e) === key(a));
          const c = cancelled.filter((e) => key(e) === key(a));
          expect(p.length + c.length).toBe(1);
          const flagSeq = cancelledBy.get(key(a));
          if (flagSeq === undefined) {
            // Paid at its due time, by the first step whose clock reaches it, from the campaign to spot.
            expect(p[0]).toEqual({ type: 'LossCompensationPaid', seq: expect.any(Number) as unknown, at: a.payableAt, rule: 'LCV-7', voucherId: a.voucherId, orderId: a.orderId, amount: a.covered, from: 'campaign', to: 'spot' });
            const runner = built.marks.find((m) => m.seq > a.seq && m.at >= a.payableAt);
            expect(p[0]?.seq).toBe(runner?.seq);
          } else {
            expect(c[0]).toEqual({ type: 'CompensationCancelled', seq: flagSeq, at: built.marks[flagSeq - 1]?.at, rule: 'G-7', voucherId: a.voucherId, orderId: a.orderId, amount: a.covered });
          }
        }
        expect(state.compensations).toEqual([]);
      }),
      RUNS,
    );
  });

  it('payouts never change the futures wallet', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { built } = replayScenario(s);
        // Replay up to the last event, then the final far Tick alone: it only pays and expires.
        const upToEnd = run(account({ accountType: s.accountType, ownBalance: '100000' }, { spillover: s.spillover, minLoss: s.minLoss }), built.events.slice(0, -1)).state;
        const after = run(upToEnd, built.events.slice(-1)).state;
        expect(after.ownBalance).toBe(upToEnd.ownBalance);
      }),
      { numRuns: 100 },
    );
  });
});

describe('G-6 Order of clock work', () => {
  it('within a step, payouts and expiries go by due time; on a tie payouts come before expiries', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { steps } = replayScenario(s);
        for (const stepEffects of steps) {
          const clock = stepEffects.filter((e) => e.type === 'LossCompensationPaid' || (e.type === 'VoucherExpired' && e.rule === 'LCV-8'));
          for (let i = 1; i < clock.length; i++) {
            const prev = clock[i - 1] as Effect;
            const cur = clock[i] as Effect;
            expect(prev.at <= cur.at).toBe(true);
            if (prev.at === cur.at) expect(!(prev.type === 'VoucherExpired' && cur.type === 'LossCompensationPaid')).toBe(true);
          }
        }
      }),
      RUNS,
    );
  });
});
