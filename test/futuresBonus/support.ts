/**
 * Shared set-ups for the futures bonus tests. The guard set-up is worked example 3 of RULES.md
 * section 8: mmr 0.05, own 100, bonus F of 50 at rate 0.5, a long of 1 BTCUSDT at 2600 with
 * leverage 100 and no fee: MM = 130, upnl 0, E = 150, MR = 0.86666667.
 */
import { account, fill, grantFb, place, run, type EventInput } from '../helpers/dsl';
import type { AccountState, PolicyInput } from '../../src/index';

export const GUARD_POLICY: PolicyInput = { instruments: { BTCUSDT: { mmr: '0.05' } } };

export function guardEvents(bonus = '50', extra: Record<string, unknown> = {}): EventInput[] {
  return [grantFb('F', bonus, '0.5', extra), place('o1', 'open', '1', '2600', { leverage: '100' }), fill('o1', '1', '2600')];
}

/** Worked example 3 up to the fill (seq 3), optionally with another own balance or policy. */
export function guardState(own = '100', policy: PolicyInput = {}, bonus = '50', extra: Record<string, unknown> = {}): AccountState {
  return run(account({ ownBalance: own }, { ...GUARD_POLICY, ...policy }), guardEvents(bonus, extra)).state;
}

/** A bare effect without `seq`/`at` for readable expectations. */
export function rejection(code: string, rule: string): Record<string, unknown> {
  return { type: 'EventRejected', rule, code };
}

export type Trigger = 'expiry' | 'transferOut' | 'flagged';

export const reclaimed = (seq: number, at: number, bonusIds: string[], amount: string, trigger: Trigger) => ({
  type: 'BonusReclaimed', seq, at, rule: 'FB-10', bonusIds, amount, trigger,
});

export const deferred = (seq: number, at: number, bonusIds: string[], amount: string, trigger: Trigger, projectedMarginRate: string | null) => ({
  type: 'ReclaimDeferred', seq, at, rule: 'FB-10', bonusIds, amount, trigger, projectedMarginRate,
});

export const liquidation = (seq: number, at: number, marginRate: string | null) => ({
  type: 'LiquidationThresholdReached', seq, at, rule: 'M-3', marginRate,
});

export const costSettled = (over: Record<string, unknown>) => ({
  type: 'CostSettled', rule: 'P-6', symbol: 'BTCUSDT', positionSide: 'long', fromVoucher: '0', fromOwnMargin: '0', ...over,
});
