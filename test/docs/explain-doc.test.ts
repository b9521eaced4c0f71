/**
 * docs/explain.md lists every action and finding `explain` can report. The records below must
 * name every member of the unions (the type checker holds them to it), and the page every record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ActionType, FindingCode } from '../../src/index';

const page = readFileSync(join(__dirname, '..', '..', 'docs', 'explain.md'), 'utf8');

const ACTIONS: Record<ActionType, true> = {
  granted: true, lossCovered: true, compensationPaid: true, compensationCancelled: true, expired: true, revoked: true,
  backsOrder: true, voucherPaidCost: true, forfeited: true, clawedBack: true, bonusPaidCost: true, reclaimed: true, reclaimDeferred: true,
};

const FINDINGS: Record<FindingCode, true> = {
  DUPLICATE_EVENT: true, EVENT_REJECTED: true, FINAL_STATUS: true, NO_CLOSING_ORDER_DONE: true, ORDER_NOT_DONE: true,
  LOSS_NOT_ABOVE_MINIMUM: true, SOURCE_NOT_MAIN: true, ACCOUNT_NOT_MAIN: true, ACCOUNT_FLAGGED: true, FEE_VOUCHER: true,
  VOUCHER_POSITION: true, BONUS_PAID: true, VOUCHER_NOT_AVAILABLE: true, GRANTED_NOT_BEFORE_CLOSE: true,
  CLOSING_NOTIONAL_BELOW_MINIMUM: true, EARLIER_VOUCHER_USED: true, LOSS_ALREADY_COVERED: true, PAYOUT_NOT_DUE: true,
  VOUCHER_UNAVAILABLE: true, NOT_OPENING: true, NOT_HEDGE_MODE: true, NOT_ISOLATED: true, SYMBOL_NOT_ALLOWED: true,
  LEVERAGE_TOO_HIGH: true, SIDE_BUSY: true, SYMBOL_HAS_VOUCHER: true, MARGIN_NOT_COVERED: true, NOT_REQUESTED: true,
  EARLIER_VOUCHER_CHOSEN: true, NO_ORDER_PLACED: true, NO_COST_ON_POSITION: true, VOUCHER_MARGIN_EXHAUSTED: true,
  CLAWBACK_NOT_TAKEN: true, RATE_CONFLICT: true, NO_COST: true, FLAGGED_NO_BONUS: true, NO_WALLET_COST: true,
  EARLIER_BONUS_PAID: true, SHARE_ROUNDS_TO_ZERO: true, FALLBACK_NOT_NEEDED: true, RECLAIM_STILL_DEFERRED: true,
  RECLAIM_NOT_RETRIED: true,
};

describe('docs/explain.md', () => {
  it('has a row for every action type', () => {
    for (const type of Object.keys(ACTIONS)) expect(page, type).toContain(`| \`${type}\` |`);
  });

  it('has a row for every finding code', () => {
    for (const code of Object.keys(FINDINGS)) expect(page, code).toContain(`| \`${code}\` |`);
  });
});
