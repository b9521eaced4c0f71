/**
 * Properties of the futures bonus rules over generated sequences near the guard: positions whose
 * maintenance margin is of the order of the equity, marks moving a few percent, bonuses of
 * conflicting and equal rates expiring, transfers, funding, fees, losses and the flag.
 *
 * Each sequence runs through the engine and through an independent reference model of RULES.md
 * (model.ts, bigint arithmetic); their effects must agree effect by effect.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createAccount, decodeEvent, step, type AccountState, type Effect, type PolicyInput } from '../../src/index';
import { statusOf } from '../helpers/dsl';
import { marginRateBelow, Model, parse, roundTo, show, SYMBOL, type ModelEffect, type ModelEvent, type ModelPolicy, type Side } from './model';

type Op =
  | { k: 'grant'; amount: string; rate: string; ttl: number }
  | { k: 'open'; side: Side; qty: string; move: number; lev: string; fee: string }
  | { k: 'close'; side: Side; frac: number; move: number; fee: string }
  | { k: 'mark'; move: number }
  | { k: 'funding'; side: Side; amount: string }
  | { k: 'in'; amount: string }
  | { k: 'out'; frac: number }
  | { k: 'tick' }
  | { k: 'flag' };

interface Setup { own: string; policy: ModelPolicy; ops: { dt: number; op: Op }[] }

/** n / 10^d as a canonical decimal string. */
const scaled = (min: number, max: number, d: number) => fc.integer({ min, max }).map((n) => show(parse(String(n)) / 10n ** BigInt(d)));

const side = fc.constantFrom<Side>('long', 'short');
const fee = fc.oneof(fc.constant('0'), scaled(1, 300_000_000, 8));
const move = fc.integer({ min: -60, max: 60 });
const qty = fc.oneof(scaled(1, 8000, 3), scaled(1, 500_000_000, 8));

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constant('grant' as const), amount: scaled(100, 15_000, 2), rate: fc.constantFrom('0.5', '0.50', '0.3', '1', '0.33333333'), ttl: fc.integer({ min: 0, max: 1500 }) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('open' as const), side, qty, move, lev: fc.constantFrom('5', '10', '20', '50', '100'), fee }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('close' as const), side, frac: fc.integer({ min: 1, max: 100 }), move, fee }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('mark' as const), move }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('funding' as const), side, amount: fc.oneof(scaled(-500_000_000, 500_000_000, 8), scaled(1, 15_000, 2)) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('in' as const), amount: fc.oneof(scaled(1, 20_000, 2), fc.constant('0.00000001')) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('out' as const), frac: fc.integer({ min: 1, max: 110 }) }) },
  { weight: 2, arbitrary: fc.constant({ k: 'tick' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'flag' as const }) },
);

const opening = fc.tuple(
  fc.record({ k: fc.constant('grant' as const), amount: scaled(1000, 15_000, 2), rate: fc.constantFrom('0.5', '1', '0.33333333'), ttl: fc.integer({ min: 0, max: 1500 }) }),
  fc.record({ k: fc.constant('open' as const), side, qty: scaled(1000, 9000, 3), move: fc.constant(0), lev: fc.constantFrom('20', '50', '100'), fee: fc.constant('0') }),
);

const setup: fc.Arbitrary<Setup> = fc.record({
  own: scaled(0, 20_000, 2),
  policy: fc.record({
    mmr: fc.constantFrom('0.01', '0.05', '0.1', '0.2'),
    reclaimGuardRate: fc.constantFrom('0.95', '0.95', '0.8'),
    liquidationRate: fc.constantFrom('1', '1', '0.97'),
    reclaimGuard: fc.oneof({ weight: 5, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  }),
  start: opening,
  rest: fc.array(fc.record({ dt: fc.constantFrom(0, 0, 1, 7, 50, 400), op }), { minLength: 1, maxLength: 40, size: 'max' }),
}).map(({ own, policy, start, rest }) => ({ own, policy, ops: [{ dt: 0, op: start[0] as Op }, { dt: 0, op: start[1] as Op }, ...rest] }));

function policyInput(p: ModelPolicy): PolicyInput {
  return { instruments: { [SYMBOL]: { mmr: p.mmr } }, reclaimGuardRate: p.reclaimGuardRate, liquidationRate: p.liquidationRate, reclaimGuard: p.reclaimGuard };
}

/** A price `move` per mille away from the current mark (100 before any), 2 decimals. */
function priceAt(model: Model, permille: number): string {
  const base = model.mark?.price ?? parse('100');
  const p = roundTo((base * BigInt(1000 + permille)) / 1000n, 2, 'halfUp');
  return show(p > 0n ? p : parse('0.01'));
}

/** Turns a generated operation into concrete events, given the model's state (close/funding need a position). */
function eventsFor(model: Model, o: Op, n: number): ModelEvent[] {
  switch (o.k) {
    case 'grant':
      return [{ type: 'VoucherGranted', voucher: { id: `F${n}`, amount: o.amount, rate: o.rate, expiresAt: model.clock + o.ttl } }];
    case 'open': {
      const price = priceAt(model, o.move);
      return [
        { type: 'OrderPlaced', orderId: `o${n}`, positionSide: o.side, action: 'open', qty: o.qty, leverage: o.lev },
        { type: 'OrderFilled', orderId: `o${n}`, qty: o.qty, price, fee: o.fee },
      ];
    }
    case 'close': {
      const held = model.positions.get(o.side) ?? model.positions.get(o.side === 'long' ? 'short' : 'long');
      const heldSide: Side = model.positions.has(o.side) ? o.side : o.side === 'long' ? 'short' : 'long';
      if (held === undefined) return [{ type: 'Tick' }];
      const part = roundTo((held.qty * BigInt(o.frac)) / 100n, 8, 'down');
      const q = show(part > 0n ? part : held.qty);
      const price = priceAt(model, o.move);
      return [
        { type: 'OrderPlaced', orderId: `c${n}`, positionSide: heldSide, action: 'close', qty: q, leverage: '10' },
        { type: 'OrderFilled', orderId: `c${n}`, qty: q, price, fee: o.fee },
      ];
    }
    case 'mark':
      return [{ type: 'MarkPriceUpdated', price: priceAt(model, o.move) }];
    case 'funding': {
      const s: Side | undefined = model.positions.has(o.side) ? o.side : model.positions.has(o.side === 'long' ? 'short' : 'long') ? (o.side === 'long' ? 'short' : 'long') : undefined;
      return s === undefined ? [{ type: 'Tick' }] : [{ type: 'FundingSettled', positionSide: s, amount: o.amount }];
    }
    case 'in':
      return [{ type: 'FundsTransferred', direction: 'in', amount: o.amount }];
    case 'out': {
      const amount = roundTo((model.transferable() * BigInt(o.frac)) / 100n, 8, 'down');
      return [{ type: 'FundsTransferred', direction: 'out', amount: amount > 0n ? show(amount) : '0.00000001' }];
    }
    case 'tick':
      return [{ type: 'Tick' }];
    case 'flag':
      return [{ type: 'AccountFlagged' }];
  }
}

/** The engine's wire form of a model event. */
function wire(e: ModelEvent, seq: number, at: number): Record<string, unknown> {
  const head = { seq, at };
  switch (e.type) {
    case 'VoucherGranted':
      return { ...head, type: e.type, voucher: { kind: 'futuresBonus', ...e.voucher } };
    case 'OrderPlaced':
      return { ...head, ...e, symbol: SYMBOL, price: '1', marginMode: 'cross', source: 'main', voucher: 'none' };
    case 'MarkPriceUpdated':
      return { ...head, ...e, symbol: SYMBOL };
    case 'FundingSettled':
      return { ...head, ...e, symbol: SYMBOL };
    case 'AccountFlagged':
      return { ...head, ...e, reason: 'farming' };
    default:
      return { ...head, ...e };
  }
}

function engineStep(state: AccountState, json: Record<string, unknown>): { state: AccountState; effects: readonly Effect[] } {
  const decoded = decodeEvent(json, state.policy.scale);
  if (decoded._tag === 'Left') throw new Error(`generated event does not decode: ${JSON.stringify(decoded.left)} ${JSON.stringify(json)}`);
  return step(state, decoded.right);
}

const normalise = (effects: readonly Effect[]): ModelEffect[] =>
  effects.map((e) => (e.type === 'EventRejected' ? { ...e, message: '' } : { ...e }));

interface Trace {
  steps: { event: Record<string, unknown>; effects: readonly Effect[]; clockWork: readonly Effect[]; before: AccountState; after: AccountState; probe: AccountState }[];
  model: Model;
  final: AccountState;
}

/** Runs a generated sequence through the engine and the model, checking agreement at every step. */
function runBoth(s: Setup, finalTransferIn?: string): Trace {
  const model = new Model(s.own, s.policy);
  let state = createAccount({ accountId: 'acc', accountType: 'main', positionMode: 'hedge', ownBalance: s.own }, policyInput(s.policy));
  let seq = 0;
  let n = 0;
  const steps: Trace['steps'] = [];
  const ops = [...s.ops];
  if (finalTransferIn !== undefined) ops.push({ dt: 1, op: { k: 'in', amount: finalTransferIn } });
  for (const { dt, op: o } of ops) {
    const at = model.clock + dt;
    for (const event of eventsFor(model, o, ++n)) {
      seq += 1;
      const json = wire(event, seq, at);
      const probe = engineStep(state, { type: 'Tick', seq, at });
      const result = engineStep(state, json);
      const expected = model.step(seq, at, event);
      expect(normalise(result.effects), `seq ${seq}: ${JSON.stringify(json)}`).toEqual(expected);
      // The state agrees too: own funds, every live bonus and the retired ones (FV-8).
      expect(parse(result.state.ownBalance)).toBe(model.own);
      expect(result.state.futuresBonuses.map((b) => [b.id, parse(b.remaining), b.status])).toEqual(model.bonuses.map((b) => [b.id, b.remaining, b.status]));
      expect(result.state.retired).toEqual({ lossCoverageVouchers: [], positionVouchers: [], futuresBonuses: model.retired });
      const clockWork = probe.effects.filter((e) => e.type !== 'LiquidationThresholdReached');
      steps.push({ event: json, effects: result.effects, clockWork, before: state, after: result.state, probe: probe.state });
      state = result.state;
    }
  }
  return { steps, model, final: state };
}

const RUNS = { numRuns: 200 };
/** A limit for a busy machine, not a timing assertion. */
const LIMIT = 120_000;

describe('FB properties against the reference model', () => {
  it('the engine agrees with an independent model of RULES.md, effect by effect, state by state', () => {
    fc.assert(fc.property(setup, (s) => { runBoth(s); }), RUNS);
  }, LIMIT);
});

describe('P-6 / FB-3..FB-5 Every cost splits exactly into its parts', () => {
  it('fromVoucher + fromOwnMargin + sum(fromBonus) + fromOwn + deficit = amount; parts >= 0; fromBonus > 0 each, grant order', () => {
    fc.assert(
      fc.property(setup, (s) => {
        for (const { effects, before } of runBoth(s).steps) {
          for (const e of effects) {
            if (e.type !== 'CostSettled') continue;
            const parts = [e.fromVoucher, e.fromOwnMargin, e.fromOwn, e.deficit, ...e.fromBonus.map((b) => b.amount)].map(parse);
            expect(parts.reduce((a, b) => a + b, 0n)).toBe(parse(e.amount));
            expect(parts.every((p) => p >= 0n)).toBe(true);
            expect(e.fromBonus.every((b) => parse(b.amount) > 0n)).toBe(true);
            const order = before.futuresBonuses.map((b) => b.id);
            const idx = e.fromBonus.map((b) => order.indexOf(b.bonusId));
            expect(idx).toEqual([...idx].sort((a, b) => a - b));
            expect(new Set(idx).size).toBe(idx.length);
          }
        }
      }),
      RUNS,
    );
  }, LIMIT);
});

describe('FB-6 No bonus remaining ever goes below zero', () => {
  it('remaining >= 0, and 0 exactly when spent or reclaimed', () => {
    fc.assert(
      fc.property(setup, (s) => {
        for (const { effects, before, after } of runBoth(s).steps) {
          for (const b of after.futuresBonuses) {
            expect(parse(b.remaining) >= 0n).toBe(true);
            expect(parse(b.remaining) === 0n).toBe(b.status === 'spent' || b.status === 'reclaimed');
          }
          // FV-8: a bonus that ended in this step is retired with it; it ended at 0: what it paid in
          // the step (fromBonus), plus what a BonusReclaimed took of it, is all it held before.
          const held = new Map(before.futuresBonuses.map((b) => [b.id, parse(b.remaining)]));
          const paid = new Map<string, bigint>();
          for (const e of effects) if (e.type === 'CostSettled') for (const f of e.fromBonus) paid.set(f.bonusId, (paid.get(f.bonusId) ?? 0n) + parse(f.amount));
          const left = (id: string): bigint => (held.get(id) ?? 0n) - (paid.get(id) ?? 0n);
          const ended = after.retired.futuresBonuses.slice(before.retired.futuresBonuses.length);
          expect(after.retired.futuresBonuses.slice(0, before.retired.futuresBonuses.length)).toEqual(before.retired.futuresBonuses);
          for (const [id, status] of ended) {
            expect(held.has(id), `${id} was live before the step that ended it`).toBe(true);
            expect(left(id) >= 0n).toBe(true);
            if (status === 'spent') expect(left(id)).toBe(0n);
          }
          for (const e of effects) {
            if (e.type !== 'BonusReclaimed') continue;
            expect(parse(e.amount)).toBe(e.bonusIds.reduce((sum, id) => sum + left(id), 0n));
            for (const id of e.bonusIds) expect(ended).toContainEqual([id, 'reclaimed']);
          }
        }
      }),
      RUNS,
    );
  }, LIMIT);
});

describe('FB-10 A bonus is reclaimed at most once', () => {
  it('no bonus id appears in two BonusReclaimed, nor in two reclaims triggered', () => {
    fc.assert(
      fc.property(setup, (s) => {
        const reclaimedIds: string[] = [];
        const triggered: string[] = [];
        for (const { effects } of runBoth(s).steps) {
          for (const e of effects) {
            if (e.type === 'BonusReclaimed') reclaimedIds.push(...e.bonusIds);
            if (e.type === 'ReclaimDeferred') triggered.push(...e.bonusIds);
            if (e.type === 'BonusReclaimed' && !e.bonusIds.some((id) => triggered.includes(id))) triggered.push(...e.bonusIds);
          }
        }
        expect(new Set(reclaimedIds).size).toBe(reclaimedIds.length);
        expect(new Set(triggered).size).toBe(triggered.length);
      }),
      RUNS,
    );
  }, LIMIT);
});

describe('FB-10 A carried-out reclaim never leaves the margin rate at or above the guard rate', () => {
  it('recomputed exactly from the state right after the clock work, and right after the event', () => {
    fc.assert(
      fc.property(setup.filter((s) => s.policy.reclaimGuard), (s) => {
        for (const { effects, clockWork, probe, after } of runBoth(s).steps) {
          // The clock work's reclaims: the state after a Tick at the same time is the state right after them.
          if (clockWork.some((e) => e.type === 'BonusReclaimed')) expect(marginRateBelow(probe, s.policy.reclaimGuardRate)).toBe(true);
          // Steps 2 and 3: nothing after a reclaim moves funds here (no position vouchers, so no clawback),
          // and each later reclaim only lowers equity, so the state after the step is the test.
          if (effects.slice(clockWork.length).some((e) => e.type === 'BonusReclaimed')) expect(marginRateBelow(after, s.policy.reclaimGuardRate)).toBe(true);
        }
      }),
      RUNS,
    );
  }, LIMIT);
});

describe('FB-11 Every deferred reclaim is eventually carried out once funds allow', () => {
  it('after a transfer in of 1 000 000 000 nothing is awaiting reclaim and no reclaim waits; every deferred bonus ends reclaimed or spent', () => {
    fc.assert(
      fc.property(setup.filter((s) => s.policy.reclaimGuard), (s) => {
        const trace = runBoth(s, '1000000000');
        expect(trace.final.reclaims).toEqual([]);
        expect(trace.final.futuresBonuses.filter((b) => b.status === 'awaitingReclaim')).toEqual([]);
        const deferredIds = trace.steps.flatMap(({ effects }) => effects.flatMap((e) => (e.type === 'ReclaimDeferred' ? e.bonusIds : [])));
        for (const id of deferredIds) expect(['reclaimed', 'spent']).toContain(statusOf(trace.final, id));
      }),
      RUNS,
    );
  }, LIMIT);
});

describe('the generators reach the guard (the properties above are not vacuous)', () => {
  it('deferrals, retries carried out, D-22 drops, liquidation signals and rate conflicts all occur', () => {
    const seen = { deferred: 0, retried: 0, nullRate: 0, spentWhileWaiting: 0, liquidation: 0, conflict: 0, fallback: 0, deficit: 0 };
    for (const s of fc.sample(setup, { numRuns: 300, seed: 42 })) {
      const trace = runBoth(s);
      const deferredIds = new Set<string>();
      for (const { effects } of trace.steps) {
        for (const e of effects) {
          if (e.type === 'ReclaimDeferred') { seen.deferred++; e.bonusIds.forEach((id) => deferredIds.add(id)); if (e.projectedMarginRate === null) seen.nullRate++; }
          if (e.type === 'BonusReclaimed' && e.bonusIds.some((id) => deferredIds.has(id))) seen.retried++;
          if (e.type === 'LiquidationThresholdReached') seen.liquidation++;
          if (e.type === 'EventRejected' && e.code === 'BONUS_RATE_CONFLICT') seen.conflict++;
          if (e.type === 'CostSettled' && parse(e.fromOwn) > 0n && e.fromBonus.length > 0 && parse(e.deficit) === 0n) seen.fallback++;
          if (e.type === 'CostSettled' && parse(e.deficit) > 0n) seen.deficit++;
        }
      }
      seen.spentWhileWaiting += trace.final.retired.futuresBonuses.filter(([id, status]) => status === 'spent' && deferredIds.has(id)).length;
    }
    const atLeast: Record<keyof typeof seen, number> = { deferred: 50, retried: 20, nullRate: 5, spentWhileWaiting: 5, liquidation: 50, conflict: 50, fallback: 50, deficit: 20 };
    for (const [name, count] of Object.entries(seen)) expect(count, name).toBeGreaterThanOrEqual(atLeast[name as keyof typeof seen]);
  }, LIMIT);
});
