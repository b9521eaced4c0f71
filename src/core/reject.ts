import type { Ctx } from './context';
import { REJECTION_RULES, type EffectOf, type RejectionCode, type VoucherReason } from './effects';

/** A domain failure is an effect, never an exception (G-1); `message` is for a support agent to read out. */
export function reject(ctx: Ctx, code: RejectionCode, message: string, reasons?: VoucherReason[]): void {
  const effect: EffectOf<'EventRejected'> = { type: 'EventRejected', seq: ctx.seq, at: ctx.at, rule: REJECTION_RULES[code], code, message };
  if (reasons !== undefined) effect.reasons = reasons;
  ctx.effects.push(effect);
}
