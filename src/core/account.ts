/**
 * Account-wide events: grants of all three kinds, transfers (M-4, FB-9) and the risk-control
 * flag (G-7).
 */
import type { Ctx } from './context';
import type { EventOf } from './events';
import { reject } from './reject';
import { transferable } from './margin';
import { add, dec, str, sub } from './money';
import { grantLossCoverage, cancelCompensations, revokeLossCoverage } from '../lossCoverage/rules';
import { clawBackOnFlag, grantPositionVoucher, revokePositionVoucher } from '../positionVoucher/rules';
import { activeBonusIndexes, conflictingRate, grantFuturesBonus, triggerReclaim } from '../futuresBonus/rules';

function isRetired(retired: ReadonlyArray<readonly [string, string]>, id: string): boolean {
  for (const r of retired) if (r[0] === id) return true;
  return false;
}

/** live vouchers and retired ones (FV-8) alike. */
function voucherIdTaken(ctx: Ctx, id: string): boolean {
  return (
    ctx.lossCoverageVouchers.some((v) => v.id === id) ||
    ctx.positionVouchers.some((v) => v.id === id) ||
    ctx.futuresBonuses.some((v) => v.id === id) ||
    isRetired(ctx.input.retired.lossCoverageVouchers, id) ||
    isRetired(ctx.input.retired.positionVouchers, id) ||
    isRetired(ctx.input.retired.futuresBonuses, id)
  );
}

/** A-5, D-7, D-31: a grant adds a voucher of any kind; ids stay taken for ever. */
export function grantVoucher(ctx: Ctx, e: EventOf<'VoucherGranted'>): void {
  const grant = e.voucher;
  if (ctx.status === 'flagged') {
    return reject(ctx, 'ACCOUNT_FLAGGED', `The account is under a risk-control flag and cannot receive voucher ${grant.id}.`);
  }
  if (voucherIdTaken(ctx, grant.id)) {
    return reject(ctx, 'DUPLICATE_VOUCHER', `Voucher ${grant.id} was already granted to this account.`);
  }
  switch (grant.kind) {
    case 'lossCoverage':
      grantLossCoverage(ctx, grant);
      break;
    case 'positionVoucher':
      grantPositionVoucher(ctx, grant);
      break;
    case 'futuresBonus': {
      const conflict = conflictingRate(ctx, grant);
      if (conflict !== undefined) {
        return reject(ctx, 'BONUS_RATE_CONFLICT', `Futures bonus ${grant.id} pays at rate ${grant.rate}, but bonus ${conflict.id} at rate ${conflict.rate} is still active; bonuses of different rates cannot be held together.`);
      }
      grantFuturesBonus(ctx, grant);
      break;
    }
  }
  ctx.effects.push({ type: 'VoucherActivated', seq: ctx.seq, at: ctx.at, rule: 'A-5', voucherId: grant.id, kind: grant.kind });
}

/** M-4, FB-9: a transfer in always lands; a transfer out needs transferable funds and triggers the reclaim. */
export function transferFunds(ctx: Ctx, e: EventOf<'FundsTransferred'>): boolean {
  const amount = dec(e.amount);
  if (e.direction === 'in') {
    ctx.own = add(ctx.own, amount);
    return true;
  }
  const available = transferable(ctx);
  if (amount.gt(available)) {
    reject(ctx, 'INSUFFICIENT_TRANSFERABLE', `A transfer out of ${e.amount} is more than the ${str(available)} that can be transferred now (bonuses and margin in use stay in the futures account).`);
    return false;
  }
  ctx.own = sub(ctx.own, amount);
  triggerReclaim(ctx, activeBonusIndexes(ctx), 'transferOut');
  return true;
}

/**
 * G-7, D-6: a flag revokes available vouchers (grant order, across kinds), cancels unpaid
 * compensations, triggers the reclaim of active bonuses and claws back voucher profits.
 * A second flag changes nothing.
 */
export function flagAccount(ctx: Ctx): void {
  if (ctx.status === 'flagged') return;
  ctx.status = 'flagged';
  const revocations: { grantSeq: number; revoke: () => void }[] = [];
  ctx.lossCoverageVouchers.forEach((v, i) => {
    if (v.status === 'available') revocations.push({ grantSeq: v.grantSeq, revoke: () => revokeLossCoverage(ctx, i) });
  });
  ctx.positionVouchers.forEach((v, i) => {
    if (v.status === 'available') revocations.push({ grantSeq: v.grantSeq, revoke: () => revokePositionVoucher(ctx, i) });
  });
  revocations.sort((a, b) => a.grantSeq - b.grantSeq).forEach((r) => r.revoke());
  cancelCompensations(ctx);
  triggerReclaim(ctx, activeBonusIndexes(ctx), 'flagged');
  clawBackOnFlag(ctx);
}
