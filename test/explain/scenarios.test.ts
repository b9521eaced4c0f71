/**
 * explain against every event of every scenario file of the project (test/scenarios/ and the
 * example session): it changes nothing, reports exactly the effects of `step`, attributes every
 * effect that names a voucher or bonus to that item, and explains every item it does not apply to.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAccount, decodeScenario, explain, formatExplanation, step, type Effect, type Explanation } from '../../src/index';

const root = join(__dirname, '..', '..');
const dir = join(root, 'test', 'scenarios');
const files = [
  ...readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json')).map((f) => join(dir, f)),
  join(root, 'examples', 'session.json'),
];

/** The voucher and bonus ids an effect names. */
function named(effect: Effect): string[] {
  switch (effect.type) {
    case 'VoucherActivated':
    case 'LossCoverageApplied':
    case 'LossCompensationPaid':
    case 'CompensationCancelled':
    case 'VoucherExpired':
    case 'VoucherRevoked':
    case 'PositionVoucherApplied':
    case 'VoucherForfeited':
    case 'ProfitClawedBack':
      return [effect.voucherId];
    case 'BonusReclaimed':
    case 'ReclaimDeferred':
      return effect.bonusIds;
    case 'CostSettled':
      return effect.fromBonus.map((b) => b.bonusId);
    default:
      return [];
  }
}

function actionCount(explanation: Explanation, id: string): number {
  return explanation.items.filter((i) => i.id === id).reduce((n, i) => n + i.actions.length, 0);
}

describe('explain over every scenario file', () => {
  it('has scenario files', () => expect(files.length).toBeGreaterThan(10));

  for (const file of files) {
    it(file.slice(root.length + 1), () => {
      const decoded = decodeScenario(JSON.parse(readFileSync(file, 'utf8')));
      if (decoded._tag === 'Left') throw new Error(`${file} does not decode`);
      let state = createAccount(decoded.right.account, decoded.right.policy);
      for (const event of decoded.right.events) {
        const frozen = JSON.stringify(state);
        const explanation = explain(state, event);
        const result = step(state, event);
        expect(JSON.stringify(state)).toBe(frozen);
        expect(explanation.effects).toEqual(result.effects);

        const ids = new Set([...state.lossCoverageVouchers, ...state.positionVouchers, ...state.futuresBonuses, ...result.state.lossCoverageVouchers, ...result.state.positionVouchers, ...result.state.futuresBonuses].map((v) => v.id));
        for (const id of ids) expect(explanation.items.filter((i) => i.id === id)).toHaveLength(1);

        const mentions = new Map<string, number>();
        for (const effect of result.effects) for (const id of named(effect)) mentions.set(id, (mentions.get(id) ?? 0) + 1);
        for (const [id, count] of mentions) expect(actionCount(explanation, id), `${id} at seq ${event.seq}`).toBeGreaterThanOrEqual(count);

        for (const item of explanation.items) {
          expect(item.outcome).toBe(item.actions.length > 0 ? 'applied' : 'notApplied');
          if (item.outcome === 'notApplied') expect(item.findings.length, `${item.id} at seq ${event.seq}`).toBeGreaterThan(0);
        }
        const text = formatExplanation(explanation);
        for (const item of explanation.items) expect(text).toContain(` ${item.id} (`);
        state = result.state;
      }
    });
  }
});
