/**
 * `explain(state, event)`: what one event would do to every voucher and bonus of an account, and
 * why, without changing anything.
 *
 * What happens is read from the effects of `step` itself (run with a trace: the same code path).
 * Why a rule did not apply comes from the engine's own rule functions (`orderIneligibility`,
 * `voucherIneligibility`, `voucherFailures`, `guardReclaim`, `poolShare`, ...), called by the
 * trace at the moment the engine decides, on the engine's working copy of that moment.
 */
import type { Ctx } from '../core/context';
import type { Effect, EffectOf } from '../core/effects';
import type { Event, EventOf } from '../core/events';
import { shownRate, takeable } from '../core/margin';
import { canonical, dec, isPositive, isZero, str, ZERO, type Big } from '../core/money';
import type { AccountState, Order } from '../core/state';
import type { ReclaimAttempt, Trace } from '../core/trace';
import { orderIneligibility, voucherIneligibility, type OrderIneligibility, type VoucherIneligibility } from '../lossCoverage/rules';
import { requiredMargin, voucherFailures, type VoucherFailure } from '../positionVoucher/rules';
import { conflictingRate, poolShare, type GuardDecision, type PoolShare } from '../futuresBonus/rules';
import type { DeferredReclaim, FuturesBonus } from '../futuresBonus/codec';
import { tracedStep } from '../step';
import type { Action, EventResult, Explanation, Finding, ItemExplanation, PositionVoucherStatus, VoucherStatus } from './types';

// ---------------------------------------------------------------------------------------------
// The trace: what the engine saw at each decision.

interface ClosingNote {
  readonly order: Order;
  readonly orderFailures: readonly OrderIneligibility[];
  readonly voucherFailures: ReadonlyMap<string, readonly VoucherIneligibility[]>;
}

interface PlacementNote {
  readonly required: string;
  /** The position vouchers available when the order was placed, with the conditions each fails. */
  readonly available: ReadonlyMap<string, readonly VoucherFailure[]>;
  /** The conditions a named voucher that is not available fails (PV-2, D-34). */
  readonly unavailable: readonly VoucherFailure[];
  readonly status: ReadonlyMap<string, PositionVoucherStatus>;
}

interface CostNote {
  readonly voucherId: string | undefined;
  readonly flagged: boolean;
  /** The bonuses as the split found them. */
  readonly bonuses: readonly FuturesBonus[];
  readonly walletCost: Big;
  /** The active pool's rate and share (FB-3); undefined when no bonus pays a share. */
  readonly pool: PoolShare | undefined;
}

interface ReclaimNote {
  readonly attempt: ReclaimAttempt;
  readonly parts: ReadonlyMap<string, string>;
}

class Recorder implements Trace {
  movedFunds = false;
  /** What a clawback could take once the event is applied (D-27), when one is outstanding. */
  takeable: string | undefined;
  /** The reclaims waiting when the event itself begins (D-5). */
  waiting: readonly DeferredReclaim[] = [];
  closing: ClosingNote | undefined;
  placement: PlacementNote | undefined;
  rateConflict: FuturesBonus | undefined;
  /** Keyed by the index of the effect that follows the note. */
  readonly costs = new Map<number, CostNote>();
  readonly reclaims = new Map<number, ReclaimNote>();
  readonly failedRetries: ReclaimNote[] = [];

  constructor(private readonly event: Event) {}

  eventBegins(ctx: Ctx): void {
    this.waiting = ctx.reclaims;
    const event = this.event;
    // Placement checks read nothing that the checks before them (DUPLICATE_ORDER, UNKNOWN_POSITION,
    // POSITION_MODE_CONFLICT, VOUCHER_POSITION_LOCKED) could change: this is the state they see.
    if (event.type === 'OrderPlaced') this.placement = placementNote(ctx, event);
    if (event.type === 'VoucherGranted' && event.voucher.kind === 'futuresBonus') this.rateConflict = conflictingRate(ctx, event.voucher);
  }

  eventApplied(ctx: Ctx, movedFunds: boolean): void {
    this.movedFunds = movedFunds;
    if (ctx.positionVouchers.some((v) => isPositive(dec(v.outstanding)))) this.takeable = str(takeable(ctx));
  }

  closingOrderDone(ctx: Ctx, order: Order): void {
    const failures = new Map<string, readonly VoucherIneligibility[]>();
    for (const voucher of ctx.lossCoverageVouchers) failures.set(voucher.id, voucherIneligibility(voucher, order));
    this.closing = { order, orderFailures: orderIneligibility(ctx, order), voucherFailures: failures };
  }

  costDue(ctx: Ctx, positionIndex: number, walletCost: Big): void {
    this.costs.set(ctx.effects.length, {
      voucherId: ctx.positions[positionIndex]?.voucher?.voucherId,
      flagged: ctx.status === 'flagged',
      bonuses: ctx.futuresBonuses,
      walletCost,
      pool: poolShare(ctx, walletCost),
    });
  }

  reclaimAttempted(ctx: Ctx, attempt: ReclaimAttempt): void {
    const parts = new Map<string, string>();
    for (const i of attempt.indexes) {
      const bonus = ctx.futuresBonuses[i];
      if (bonus !== undefined) parts.set(bonus.id, canonical(bonus.remaining));
    }
    const note = { attempt, parts };
    if (attempt.decision.allowed || !attempt.retry) this.reclaims.set(ctx.effects.length, note);
    else this.failedRetries.push(note);
  }
}

function placementNote(ctx: Ctx, order: EventOf<'OrderPlaced'>): PlacementNote {
  const available = new Map<string, readonly VoucherFailure[]>();
  const status = new Map<string, PositionVoucherStatus>();
  for (const voucher of ctx.positionVouchers) {
    status.set(voucher.id, voucher.status);
    if (voucher.status === 'available') available.set(voucher.id, voucherFailures(ctx, order, voucher));
  }
  for (const [id, final] of ctx.input.retired.positionVouchers) status.set(id, final);
  return {
    required: str(requiredMargin(ctx, order.qty, order.price, order.leverage)),
    available,
    unavailable: voucherFailures(ctx, order, undefined),
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// The items of the account.

interface Subject {
  readonly kind: ItemExplanation['kind'];
  readonly id: string;
  readonly grantSeq: number;
  readonly status: VoucherStatus;
}

function subjectsOf(state: AccountState): Map<string, Subject> {
  const out = new Map<string, Subject>();
  for (const v of state.lossCoverageVouchers) out.set(v.id, { kind: v.kind, id: v.id, grantSeq: v.grantSeq, status: v.status });
  for (const v of state.positionVouchers) out.set(v.id, { kind: v.kind, id: v.id, grantSeq: v.grantSeq, status: v.status });
  for (const v of state.futuresBonuses) out.set(v.id, { kind: v.kind, id: v.id, grantSeq: v.grantSeq, status: v.status });
  return out;
}

/**
 * FV-8: the vouchers this step retired keep their subject with the final status; a position
 * voucher retired earlier is a subject again when the event names it (why it could not be used).
 */
function retiredSubjects(before: AccountState, after: AccountState, live: ReadonlyMap<string, Subject>, event: Event): Map<string, Subject> {
  const out = new Map<string, Subject>();
  const kinds = ['lossCoverageVouchers', 'positionVouchers', 'futuresBonuses'] as const;
  for (const kind of kinds) {
    for (const [id, status] of after.retired[kind].slice(before.retired[kind].length)) {
      const subject = live.get(id);
      if (subject !== undefined) out.set(id, { ...subject, status });
    }
  }
  const named = event.type === 'OrderPlaced' && event.voucher !== 'auto' && event.voucher !== 'none' ? event.voucher : undefined;
  const earlier = named === undefined ? undefined : before.retired.positionVouchers.find((r) => r[0] === named);
  if (earlier !== undefined) out.set(earlier[0], { kind: 'positionVoucher', id: earlier[0], grantSeq: Number.MAX_SAFE_INTEGER, status: earlier[1] });
  return out;
}

function resultOf(effects: readonly Effect[], state: AccountState, event: Event): EventResult {
  if (event.seq <= state.lastSeq) return { kind: 'ignored', rule: 'G-5', lastSeq: state.lastSeq };
  const rejected = effects.find((e): e is EffectOf<'EventRejected'> => e.type === 'EventRejected');
  if (rejected === undefined) return { kind: 'applied' };
  const result: EventResult = { kind: 'rejected', rule: rejected.rule, code: rejected.code, message: rejected.message };
  return rejected.reasons === undefined ? result : { ...result, reasons: rejected.reasons };
}

// ---------------------------------------------------------------------------------------------
// Actions: the effects of the step, attributed to the vouchers and bonuses they touch.

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function costRef(effect: EffectOf<'CostSettled'>) {
  const ref = { cause: effect.cause, symbol: effect.symbol, positionSide: effect.positionSide, cost: effect.amount };
  return effect.orderId === undefined ? ref : { ...ref, orderId: effect.orderId };
}

/** The sum of decimal strings. */
export function sum(values: readonly string[]): Big {
  let total = ZERO;
  for (const value of values) total = total.plus(dec(value));
  return total;
}

function bonusActions(effect: EffectOf<'CostSettled'>, note: CostNote, actions: Map<string, Action[]>): void {
  if (effect.fromBonus.length === 0) return;
  const pool = note.pool;
  const share = pool?.share ?? ZERO;
  const statusOf = new Map(note.bonuses.map((b) => [b.id, b]));
  const poolPaid = sum(effect.fromBonus.filter((p) => statusOf.get(p.bonusId)?.status === 'active').map((p) => p.amount));
  for (const payment of effect.fromBonus) {
    const bonus = statusOf.get(payment.bonusId);
    if (bonus === undefined) continue;
    const awaiting = bonus.status === 'awaitingReclaim';
    const stage = awaiting ? 'awaitingReclaim' : poolPaid.gt(share) ? 'beyondShare' : 'share';
    const rule = stage === 'share' ? (poolPaid.lt(share) ? 'FB-4' : 'FB-3') : 'FB-5';
    push(actions, payment.bonusId, {
      type: 'bonusPaidCost', rule, stage, ...costRef(effect),
      walletCost: str(note.walletCost), rate: canonical(pool?.rate ?? bonus.rate), share: str(share), poolPaid: str(poolPaid),
      fromOwn: effect.fromOwn, paid: payment.amount, remaining: str(dec(bonus.remaining).minus(dec(payment.amount))),
    });
  }
}

function guardRateOf(state: AccountState): string {
  return canonical(state.policy.reclaimGuardRate);
}

function reclaimGuard(decision: GuardDecision, guardRate: string): { readonly marginRateAfter: string | null; readonly guardRate: string } | null {
  return decision.after === undefined ? null : { marginRateAfter: shownRate(decision.after), guardRate };
}

function actionsOf(state: AccountState, event: Event, effects: readonly Effect[], recorder: Recorder): Map<string, Action[]> {
  const actions = new Map<string, Action[]>();
  const guardRate = guardRateOf(state);
  effects.forEach((effect, index) => {
    switch (effect.type) {
      case 'VoucherActivated':
        if (event.type === 'VoucherGranted') push(actions, effect.voucherId, { type: 'granted', rule: 'A-5', kind: effect.kind, amount: canonical(event.voucher.amount) });
        return;
      case 'LossCoverageApplied':
        push(actions, effect.voucherId, {
          type: 'lossCovered', rule: 'LCV-6', orderId: effect.orderId, loss: effect.loss, covered: effect.covered,
          remaining: effect.remaining, payableAt: effect.payableAt,
        });
        return;
      case 'LossCompensationPaid':
        push(actions, effect.voucherId, { type: 'compensationPaid', rule: 'LCV-7', orderId: effect.orderId, amount: effect.amount, at: effect.at });
        return;
      case 'CompensationCancelled':
        push(actions, effect.voucherId, { type: 'compensationCancelled', rule: 'G-7', orderId: effect.orderId, amount: effect.amount });
        return;
      case 'VoucherExpired':
        push(actions, effect.voucherId, { type: 'expired', rule: effect.rule, unused: effect.unused, at: effect.at });
        return;
      case 'VoucherRevoked':
        push(actions, effect.voucherId, { type: 'revoked', rule: 'G-7', unused: effect.unused });
        return;
      case 'PositionVoucherApplied':
        push(actions, effect.voucherId, {
          type: 'backsOrder', rule: 'PV-3', orderId: effect.orderId, symbol: effect.symbol, positionSide: effect.positionSide,
          required: recorder.placement?.required ?? effect.voucherMargin, voucherMargin: effect.voucherMargin, ownMargin: effect.ownMargin,
          chosen: event.type === 'OrderPlaced' && event.voucher === effect.voucherId ? 'named' : 'auto',
        });
        return;
      case 'VoucherForfeited':
        push(actions, effect.voucherId, { type: 'forfeited', rule: effect.rule, orderId: effect.orderId, amount: effect.amount });
        return;
      case 'ProfitClawedBack':
        push(actions, effect.voucherId, { type: 'clawedBack', rule: 'PV-10', amount: effect.amount, outstanding: effect.outstanding });
        return;
      case 'CostSettled': {
        const note = recorder.costs.get(index);
        if (note === undefined) return;
        const fromMargins = isPositive(dec(effect.fromVoucher)) || isPositive(dec(effect.fromOwnMargin));
        if (note.voucherId !== undefined && fromMargins) {
          push(actions, note.voucherId, { type: 'voucherPaidCost', rule: 'PV-6', ...costRef(effect), fromVoucher: effect.fromVoucher, fromOwnMargin: effect.fromOwnMargin });
        }
        bonusActions(effect, note, actions);
        return;
      }
      case 'BonusReclaimed':
      case 'ReclaimDeferred': {
        const note = recorder.reclaims.get(index);
        for (const id of effect.bonusIds) {
          const part = note?.parts.get(id) ?? '0';
          if (effect.type === 'BonusReclaimed') {
            const guard = note === undefined ? null : reclaimGuard(note.attempt.decision, guardRate);
            push(actions, id, {
              type: 'reclaimed', rule: 'FB-10', bonusIds: effect.bonusIds, amount: effect.amount, part, trigger: effect.trigger,
              retry: note?.attempt.retry ?? false, guard,
            });
          } else {
            push(actions, id, {
              type: 'reclaimDeferred', rule: 'FB-10', bonusIds: effect.bonusIds, amount: effect.amount, part, trigger: effect.trigger,
              projectedMarginRate: effect.projectedMarginRate, guardRate,
            });
          }
        }
        return;
      }
      default:
        return;
    }
  });
  return actions;
}

// ---------------------------------------------------------------------------------------------
// Findings: why each rule did not apply.

interface Context {
  readonly before: AccountState;
  readonly after: AccountState;
  readonly event: Event;
  readonly effects: readonly Effect[];
  readonly result: EventResult;
  readonly recorder: Recorder;
}

function isFinal(status: VoucherStatus): boolean {
  return status === 'consumed' || status === 'expired' || status === 'revoked' || status === 'reclaimed' || status === 'spent';
}

function lossCoverageFindings(c: Context, id: string, status: VoucherStatus | null, actions: readonly Action[]): Finding[] {
  const findings: Finding[] = [];
  const closing = c.recorder.closing;
  const coveredOrders = new Set(actions.flatMap((a) => (a.type === 'lossCovered' ? [a.orderId] : [])));
  if (closing !== undefined && !coveredOrders.has(closing.order.orderId)) {
    const own = closing.voucherFailures.get(id) ?? [];
    findings.push(...closing.orderFailures, ...own);
    if (closing.orderFailures.length === 0 && own.length === 0) {
      const used = c.effects.filter((e): e is EffectOf<'LossCoverageApplied'> => e.type === 'LossCoverageApplied' && e.orderId === closing.order.orderId);
      const first = used[0];
      if (first !== undefined && !c.before.policy.spillover) {
        findings.push({ rule: 'LCV-4', code: 'EARLIER_VOUCHER_USED', orderId: first.orderId, voucherId: first.voucherId });
      } else if (first !== undefined) {
        findings.push({ rule: 'LCV-4', code: 'LOSS_ALREADY_COVERED', orderId: first.orderId, loss: first.loss });
      }
    }
  } else if (closing === undefined && actions.length === 0) {
    const e = c.event;
    const open = e.type === 'OrderFilled' ? c.after.orders.find((o) => o.orderId === e.orderId && o.action === 'close') : undefined;
    if (open !== undefined) findings.push({ rule: 'LCV-1', code: 'ORDER_NOT_DONE', orderId: open.orderId, filledQty: canonical(open.filledQty), qty: canonical(open.qty) });
    else if (status === 'available') findings.push({ rule: 'LCV-1', code: 'NO_CLOSING_ORDER_DONE', eventType: e.type });
    else if (status !== null && isFinal(status)) findings.push({ rule: 'D-31', code: 'FINAL_STATUS', status });
  }
  for (const compensation of c.after.compensations) {
    if (compensation.voucherId === id && !coveredOrders.has(compensation.orderId)) {
      findings.push({ rule: 'LCV-7', code: 'PAYOUT_NOT_DUE', orderId: compensation.orderId, amount: canonical(compensation.amount), payableAt: compensation.payableAt });
    }
  }
  return findings;
}

/** Position voucher failures as findings; an unavailable voucher also says its status (null: no such voucher). */
function asFindings(failures: readonly VoucherFailure[], status: PositionVoucherStatus | null): Finding[] {
  return failures.map((f): Finding => (f.code === 'VOUCHER_UNAVAILABLE' ? { rule: 'PV-2', code: 'VOUCHER_UNAVAILABLE', status } : f));
}

/** PV-1, PV-2: why a position voucher does not back the order being placed. */
function placementFindings(c: Context, id: string, order: EventOf<'OrderPlaced'>, note: PlacementNote): Finding[] {
  const wanted = order.voucher ?? 'auto';
  const status = note.status.get(id) ?? null;
  const failures = note.available.get(id);
  if (wanted === 'none') return [{ rule: 'PV-2', code: 'NOT_REQUESTED', orderId: order.orderId, requested: 'none' }];
  if (wanted === id) return asFindings(failures ?? note.unavailable, status);
  if (wanted !== 'auto') return [{ rule: 'PV-2', code: 'NOT_REQUESTED', orderId: order.orderId, requested: wanted }];
  if (failures === undefined) return asFindings([{ rule: 'PV-2', code: 'VOUCHER_UNAVAILABLE' }], status);
  if (failures.length > 0) return asFindings(failures, status);
  const chosen = c.effects.find((e): e is EffectOf<'PositionVoucherApplied'> => e.type === 'PositionVoucherApplied');
  return chosen === undefined ? [] : [{ rule: 'PV-2', code: 'EARLIER_VOUCHER_CHOSEN', orderId: order.orderId, voucherId: chosen.voucherId }];
}

function positionVoucherFindings(c: Context, id: string, status: VoucherStatus | null, actions: readonly Action[]): Finding[] {
  const findings: Finding[] = [];
  const event = c.event;
  const placement = c.recorder.placement;
  if (event.type === 'OrderPlaced' && placement !== undefined && !actions.some((a) => a.type === 'backsOrder')) {
    findings.push(...placementFindings(c, id, event, placement));
  }
  c.recorder.costs.forEach((note, index) => {
    const effect = c.effects[index];
    if (note.voucherId !== id || effect?.type !== 'CostSettled') return;
    if (isZero(dec(effect.fromVoucher)) && isZero(dec(effect.fromOwnMargin))) {
      findings.push({ rule: 'PV-6', code: 'VOUCHER_MARGIN_EXHAUSTED', cause: effect.cause, cost: effect.amount });
    }
  });
  const voucher = c.after.positionVouchers.find((v) => v.id === id);
  if (voucher !== undefined && isPositive(dec(voucher.outstanding)) && !actions.some((a) => a.type === 'clawedBack')) {
    findings.push({ rule: 'PV-10', code: 'CLAWBACK_NOT_TAKEN', outstanding: canonical(voucher.outstanding), movedFunds: c.recorder.movedFunds, takeable: c.recorder.takeable ?? '0' });
  }
  if (actions.length > 0 || findings.length > 0 || status === null) return findings;
  if (status === 'available') return [{ rule: 'PV-1', code: 'NO_ORDER_PLACED', eventType: event.type }];
  if (status === 'inUse') {
    const position = c.after.positions.find((p) => p.voucher?.voucherId === id);
    if (position !== undefined) return [{ rule: 'PV-6', code: 'NO_COST_ON_POSITION', symbol: position.symbol, positionSide: position.positionSide }];
    const order = c.after.orders.find((o) => o.voucherId === id);
    if (order !== undefined) return [{ rule: 'PV-6', code: 'NO_COST_ON_POSITION', symbol: order.symbol, positionSide: order.positionSide, orderId: order.orderId }];
    return [];
  }
  return [{ rule: 'D-31', code: 'FINAL_STATUS', status }];
}

/** Why a bonus paid nothing of a cost it could have paid (FB-3..FB-7, D-6). */
function costFinding(note: CostNote, effect: EffectOf<'CostSettled'>, bonus: FuturesBonus): Finding | undefined {
  const walletCost = note.walletCost;
  if (note.flagged) return { rule: 'D-6', code: 'FLAGGED_NO_BONUS', cause: effect.cause, cost: effect.amount };
  if (isZero(walletCost)) return { rule: 'P-6', code: 'NO_WALLET_COST', cause: effect.cause, cost: effect.amount };
  if (bonus.status === 'awaitingReclaim') return { rule: 'FB-5', code: 'FALLBACK_NOT_NEEDED', cause: effect.cause, cost: effect.amount };
  const pool = note.pool;
  const active = new Set(note.bonuses.filter((b) => b.status === 'active').map((b) => b.id));
  const paidBy = effect.fromBonus.filter((p) => active.has(p.bonusId)).map((p) => p.bonusId);
  if (paidBy.length > 0) {
    return { rule: 'FB-6', code: 'EARLIER_BONUS_PAID', cause: effect.cause, cost: effect.amount, share: str(pool?.share ?? ZERO), paidBy };
  }
  if (pool !== undefined && isZero(pool.share)) {
    return { rule: 'FB-3', code: 'SHARE_ROUNDS_TO_ZERO', cause: effect.cause, walletCost: str(walletCost), rate: canonical(pool.rate) };
  }
  return undefined;
}

function bonusFindings(c: Context, id: string, status: VoucherStatus | null, actions: readonly Action[]): Finding[] {
  const findings: Finding[] = [];
  c.recorder.costs.forEach((note, index) => {
    const effect = c.effects[index];
    const bonus = note.bonuses.find((b) => b.id === id);
    if (effect?.type !== 'CostSettled' || bonus === undefined || effect.fromBonus.some((p) => p.bonusId === id)) return;
    if ((bonus.status !== 'active' && bonus.status !== 'awaitingReclaim') || !isPositive(dec(bonus.remaining))) return;
    const finding = costFinding(note, effect, bonus);
    if (finding !== undefined) findings.push(finding);
  });
  const guardRate = guardRateOf(c.before);
  for (const { attempt, parts } of c.recorder.failedRetries) {
    if (!parts.has(id) || attempt.decision.allowed) continue;
    findings.push({
      rule: 'FB-10', code: 'RECLAIM_STILL_DEFERRED', amount: str(attempt.amount), trigger: attempt.trigger,
      projectedMarginRate: attempt.decision.projectedMarginRate, guardRate,
    });
  }
  const waiting = c.recorder.waiting.find((r) => r.bonusIds.includes(id));
  if (waiting !== undefined && !c.recorder.movedFunds) {
    findings.push({ rule: 'FB-11', code: 'RECLAIM_NOT_RETRIED', trigger: waiting.trigger, eventType: c.event.type });
  }
  if (actions.length > 0 || findings.length > 0 || status === null) return findings;
  if (status === 'active') return [{ rule: 'FB-7', code: 'NO_COST', eventType: c.event.type }];
  return isFinal(status) ? [{ rule: 'D-31', code: 'FINAL_STATUS', status }] : [];
}

function findingsOf(c: Context, kind: ItemExplanation['kind'], id: string, status: VoucherStatus | null, actions: readonly Action[]): Finding[] {
  const result = c.result;
  if (result.kind === 'ignored') return [{ rule: 'G-5', code: 'DUPLICATE_EVENT', lastSeq: result.lastSeq }];
  if (result.kind === 'rejected') {
    const event = c.event;
    if (result.code === 'VOUCHER_NOT_ELIGIBLE' && kind === 'positionVoucher' && event.type === 'OrderPlaced' && c.recorder.placement !== undefined) {
      return placementFindings(c, id, event, c.recorder.placement);
    }
    const conflict = c.recorder.rateConflict;
    const grant = event.type === 'VoucherGranted' ? event.voucher : undefined;
    if (result.code === 'BONUS_RATE_CONFLICT' && conflict !== undefined && grant?.kind === 'futuresBonus' && grant.id === id) {
      return [{ rule: 'FB-2', code: 'RATE_CONFLICT', rate: canonical(grant.rate), bonusId: conflict.id, bonusRate: canonical(conflict.rate) }];
    }
    return [{ rule: result.rule, code: 'EVENT_REJECTED', rejection: result.code }];
  }
  switch (kind) {
    case 'lossCoverage':
      return lossCoverageFindings(c, id, status, actions);
    case 'positionVoucher':
      return positionVoucherFindings(c, id, status, actions);
    case 'futuresBonus':
      return bonusFindings(c, id, status, actions);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Explains what `event` would do to every voucher and bonus of the account in `state`, and why,
 * without changing anything: the state is only read, and nothing is stored.
 *
 * Each item is `applied` when the event does anything to it (its `actions`, read from the effects
 * of `step`), and lists in `findings` every rule that did not apply to it, with the numbers
 * behind each. `formatExplanation` renders the result as short English sentences.
 */
export function explain(state: AccountState, event: Event): Explanation {
  const recorder = new Recorder(event);
  const { state: after, effects } = tracedStep(state, event, recorder);
  const result = resultOf(effects, state, event);
  const c: Context = { before: state, after, event, effects, result, recorder };
  const actions = result.kind === 'ignored' ? new Map<string, Action[]>() : actionsOf(state, event, effects, recorder);
  const live = subjectsOf(state);
  const retired = retiredSubjects(state, after, live, event);
  const before = new Map([...live, ...[...retired].filter(([id]) => !live.has(id))]);
  const now = new Map([...subjectsOf(after), ...retired]);
  const subjects = [...new Map([...before, ...now]).values()].sort((a, b) => a.grantSeq - b.grantSeq);
  const items: ItemExplanation[] = subjects.map((subject) =>
    itemOf(c, subject.kind, subject.id, before.get(subject.id)?.status ?? null, now.get(subject.id)?.status ?? null, actions.get(subject.id) ?? []),
  );
  // A grant that was refused: the voucher never reaches the account, but the refusal concerns it.
  if (event.type === 'VoucherGranted' && !now.has(event.voucher.id)) {
    items.push(itemOf(c, event.voucher.kind, event.voucher.id, null, null, []));
  }
  return { accountId: state.accountId, event, result, items, effects };
}

function itemOf(
  c: Context,
  kind: ItemExplanation['kind'],
  id: string,
  statusBefore: VoucherStatus | null,
  statusAfter: VoucherStatus | null,
  actions: readonly Action[],
): ItemExplanation {
  const findings = findingsOf(c, kind, id, statusAfter, actions);
  // The statuses come from the voucher lists of `kind`, so they are that kind's statuses.
  return { kind, id, statusBefore, statusAfter, outcome: actions.length > 0 ? 'applied' : 'notApplied', actions, findings } as ItemExplanation;
}
