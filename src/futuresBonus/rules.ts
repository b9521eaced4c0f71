/**
 * Futures Bonus (RULES.md section 4): the wallet part of the cost pipeline (FB-3..FB-7), the
 * rate conflict (FB-2), and reclaims under the 95% guard (FB-8..FB-11).
 */
import type { Ctx } from '../core/context';
import { append, removeAt } from '../core/context';
import type { BonusPayment } from '../core/effects';
import { marginOf, shownRate, type Margin } from '../core/margin';
import { add, canonical, compare, dec, isPositive, isZero, max, min, mul, round, ROUND_DOWN, str, sub, ZERO, type Big } from '../core/money';
import type { DeferredReclaim, FuturesBonus, FuturesBonusGrant, ReclaimTrigger } from './codec';

/**
 * FB-2: a bonus whose rate differs (numerically: "0.5" = "0.50") from an active bonus with
 * remaining > 0 cannot be granted. Steps never leave an active bonus at 0 (it is `spent`), but a
 * stored state may hold one, so the remaining is checked as the rule says.
 */
export function conflictingRate(ctx: Ctx, grant: FuturesBonusGrant): FuturesBonus | undefined {
  const rate = dec(grant.rate);
  for (const bonus of ctx.futuresBonuses) {
    if (bonus.status === 'active' && isPositive(dec(bonus.remaining)) && compare(dec(bonus.rate), rate) !== 0) return bonus;
  }
  return undefined;
}

export function grantFuturesBonus(ctx: Ctx, grant: FuturesBonusGrant): void {
  ctx.futuresBonuses = append(ctx.futuresBonuses, {
    kind: grant.kind,
    id: grant.id,
    amount: canonical(grant.amount),
    rate: canonical(grant.rate),
    expiresAt: grant.expiresAt,
    grantedAt: ctx.at,
    grantSeq: ctx.seq,
    remaining: canonical(grant.amount),
    status: 'active',
  });
}

/** The active pool's rate and its share of a wallet cost (FB-3). */
export interface PoolShare {
  readonly rate: string;
  readonly share: Big;
}

/**
 * FB-3, D-6: the active pool's share of a wallet cost, `cost x rate` rounded down to `scale`, at
 * the rate of the active bonuses with something left (FB-2 keeps them at one rate). Undefined
 * when no bonus pays a share: none active with remaining > 0, or the account is flagged.
 */
export function poolShare(ctx: Ctx, cost: Big): PoolShare | undefined {
  if (ctx.status !== 'active') return undefined;
  for (const bonus of ctx.futuresBonuses) {
    if (bonus.status === 'active' && isPositive(dec(bonus.remaining))) return { rate: bonus.rate, share: round(mul(cost, dec(bonus.rate)), ctx.scale, ROUND_DOWN) };
  }
  return undefined;
}

export interface WalletPayment {
  readonly fromBonus: BonusPayment[];
  readonly fromOwn: Big;
  readonly deficit: Big;
}

/**
 * FB-3..FB-7: pays a wallet cost. (a) the active pool up to the bonus share (the cost x rate,
 * rounded down), (b) own funds down to a balance of 0, (c) the active pool again, (d) bonuses
 * awaiting reclaim, (e) the deficit, which leaves the own balance below zero. On a flagged
 * account no bonus pays anything (D-6).
 */
export function splitCost(ctx: Ctx, cost: Big): WalletPayment {
  const bonuses = ctx.futuresBonuses;
  const paying = ctx.status === 'active' && bonuses.length > 0;
  const pool = paying ? poolShare(ctx, cost) : undefined;

  let left = cost;
  // What each bonus has paid and has left, by index, for the bonuses that paid (the others are not even parsed).
  let paid: (Big | undefined)[] | undefined;
  let remaining: (Big | undefined)[] | undefined;
  const drain = (status: FuturesBonus['status'], want: Big): Big => {
    if (!isPositive(want)) return ZERO;
    let need = want;
    for (let i = 0; i < bonuses.length && isPositive(need); i++) {
      const bonus = bonuses[i] as FuturesBonus;
      if (bonus.status !== status) continue;
      const have = remaining?.[i] ?? dec(bonus.remaining);
      if (!isPositive(have)) continue;
      const take = min(have, need);
      remaining ??= [];
      paid ??= [];
      remaining[i] = sub(have, take);
      paid[i] = add(paid[i] ?? ZERO, take);
      need = sub(need, take);
    }
    return sub(want, need);
  };

  // `sub` and `add` skip the operations with 0, which most costs meet here (no bonus left, no deficit).
  if (pool !== undefined) left = sub(left, drain('active', pool.share));
  const fromOwn = min(left, max(ZERO, ctx.own));
  left = sub(left, fromOwn);
  if (paying) {
    left = sub(left, drain('active', left));
    left = sub(left, drain('awaitingReclaim', left));
  }
  ctx.own = sub(sub(ctx.own, fromOwn), left);

  const fromBonus: BonusPayment[] = [];
  if (paid !== undefined && remaining !== undefined) {
    const next = bonuses.slice();
    for (let i = 0; i < bonuses.length; i++) {
      const amount = paid[i];
      if (amount === undefined || isZero(amount)) continue;
      const bonus = bonuses[i] as FuturesBonus;
      const rest = remaining[i] as Big;
      fromBonus.push({ bonusId: bonus.id, amount: str(amount) });
      next[i] = withRemaining(bonus, rest, isZero(rest) ? 'spent' : bonus.status);
    }
    ctx.futuresBonuses = next;
  }
  return { fromBonus, fromOwn, deficit: left };
}

function withRemaining(bonus: FuturesBonus, remaining: Big, status: FuturesBonus['status']): FuturesBonus {
  return {
    kind: bonus.kind,
    id: bonus.id,
    amount: bonus.amount,
    rate: bonus.rate,
    expiresAt: bonus.expiresAt,
    grantedAt: bonus.grantedAt,
    grantSeq: bonus.grantSeq,
    remaining: str(remaining),
    status,
  };
}

/**
 * The guard's decision on a reclaim (FB-10). `after` is the margin once the reclaim is out
 * (`MM`, `E - B`); it is absent only when the policy turns the guard off.
 */
export type GuardDecision =
  | { readonly allowed: true; readonly after: Margin | undefined }
  | { readonly allowed: false; readonly after: Margin; readonly projectedMarginRate: string | null };

const GUARD_OFF: GuardDecision = { allowed: true, after: undefined };

/**
 * FB-10: a reclaim of `amount` may go ahead only if the margin rate after it stays below the
 * guard rate, decided exactly: `MM = 0`, or `E - B > 0` and `MM < guardRate x (E - B)`.
 */
export function guardReclaim(ctx: Ctx, amount: Big): GuardDecision {
  if (!ctx.rules.reclaimGuard) return GUARD_OFF;
  const margin = marginOf(ctx);
  const after: Margin = { mm: margin.mm, equity: sub(margin.equity, amount) };
  if (isZero(margin.mm)) return { allowed: true, after };
  if (isPositive(after.equity) && compare(margin.mm, mul(ctx.rules.reclaimGuardRate, after.equity)) < 0) return { allowed: true, after };
  // The rate is a division to 8 places: computed only when read (a `ReclaimDeferred`, or explain),
  // never for the retries that still do not fit and emit nothing (FB-11).
  return {
    allowed: false,
    after,
    get projectedMarginRate(): string | null {
      return shownRate(after);
    },
  };
}

function bonusIndexes(ctx: Ctx, ids: readonly string[], status: FuturesBonus['status']): number[] {
  const out: number[] = [];
  ctx.futuresBonuses.forEach((bonus, i) => {
    if (bonus.status === status && ids.includes(bonus.id)) out.push(i);
  });
  return out;
}

function sumRemaining(ctx: Ctx, indexes: readonly number[]): Big {
  let total = ZERO;
  for (const i of indexes) total = add(total, dec((ctx.futuresBonuses[i] as FuturesBonus).remaining));
  return total;
}

function setStatus(ctx: Ctx, indexes: readonly number[], status: FuturesBonus['status']): void {
  const next = ctx.futuresBonuses.slice();
  for (const i of indexes) {
    const bonus = next[i] as FuturesBonus;
    next[i] = withRemaining(bonus, status === 'reclaimed' ? ZERO : dec(bonus.remaining), status);
  }
  ctx.futuresBonuses = next;
}

function carryOut(ctx: Ctx, indexes: readonly number[], amount: Big, trigger: ReclaimTrigger): void {
  const bonusIds = indexes.map((i) => (ctx.futuresBonuses[i] as FuturesBonus).id);
  setStatus(ctx, indexes, 'reclaimed');
  ctx.effects.push({ type: 'BonusReclaimed', seq: ctx.seq, at: ctx.at, rule: 'FB-10', bonusIds, amount: str(amount), trigger });
}

/** FB-8, FB-9, FB-10: the one attempt a trigger makes; a reclaim that does not fit waits. */
export function triggerReclaim(ctx: Ctx, indexes: readonly number[], trigger: ReclaimTrigger): void {
  if (indexes.length === 0) return;
  const amount = sumRemaining(ctx, indexes);
  const decision = guardReclaim(ctx, amount);
  ctx.trace?.reclaimAttempted(ctx, { indexes, amount, trigger, retry: false, decision });
  if (decision.allowed) {
    carryOut(ctx, indexes, amount, trigger);
    return;
  }
  const bonusIds = indexes.map((i) => (ctx.futuresBonuses[i] as FuturesBonus).id);
  setStatus(ctx, indexes, 'awaitingReclaim');
  ctx.reclaims = append(ctx.reclaims, { bonusIds, trigger });
  ctx.effects.push({
    type: 'ReclaimDeferred', seq: ctx.seq, at: ctx.at, rule: 'FB-10',
    bonusIds, amount: str(amount), trigger, projectedMarginRate: decision.projectedMarginRate,
  });
}

/** The active bonuses with something left: what a transfer out or a flag reclaims (FB-9). */
export function activeBonusIndexes(ctx: Ctx): number[] {
  const out: number[] = [];
  ctx.futuresBonuses.forEach((bonus, i) => {
    if (bonus.status === 'active' && isPositive(dec(bonus.remaining))) out.push(i);
  });
  return out;
}

/**
 * FB-11, D-22: retries, oldest first, each reclaim that was waiting when the event began, with
 * its bonuses still awaiting and their remaining now. A retry that does not fit emits nothing;
 * a reclaim whose bonuses were all spent is dropped.
 */
export function retryReclaims(ctx: Ctx, waiting: readonly DeferredReclaim[]): void {
  for (const reclaim of waiting) {
    const position = ctx.reclaims.indexOf(reclaim);
    if (position < 0) continue;
    const indexes = bonusIndexes(ctx, reclaim.bonusIds, 'awaitingReclaim');
    if (indexes.length === 0) {
      ctx.reclaims = removeAt(ctx.reclaims, position);
      continue;
    }
    const amount = sumRemaining(ctx, indexes);
    const decision = guardReclaim(ctx, amount);
    ctx.trace?.reclaimAttempted(ctx, { indexes, amount, trigger: reclaim.trigger, retry: true, decision });
    if (!decision.allowed) continue;
    ctx.reclaims = removeAt(ctx.reclaims, position);
    carryOut(ctx, indexes, amount, reclaim.trigger);
  }
}

/**
 * FB-8: an active bonus with remaining > 0 at its expiry triggers its own reclaim (D-21: one
 * each, grant order). One at 0 (only a stored state can hold it) triggers nothing.
 */
export function expireFuturesBonus(ctx: Ctx, index: number): void {
  const bonus = ctx.futuresBonuses[index];
  if (bonus === undefined || bonus.status !== 'active' || !isPositive(dec(bonus.remaining))) return;
  triggerReclaim(ctx, [index], 'expiry');
}
