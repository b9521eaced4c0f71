/**
 * The json-rules-engine reference (issue 8): what a team might build instead of this library —
 * plain bookkeeping code (here the number reference's) with the eligibility rules written as
 * json-rules-engine rules and run on every event: LCV-2 (is a done closing order eligible),
 * LCV-3 (is this voucher eligible for it, FIFO) and the FB-10 guard (may this reclaim go ahead).
 *
 * Every event runs the engine at least once (with `check: "none"` when the event asks for no
 * decision, as a per-event rules hook would); an event that needs decisions runs it once per
 * decision. json-rules-engine decides; the number reference's own decision is compared with it
 * and a disagreement is counted (the streams test requires none).
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import type { Account, Event, PolicyInput } from '../../src/index';
import { NumberBook, type DecisionFacts } from './numberRef';

// The `check` condition runs first (higher priority), so a rule that does not apply stops there.
const gate = (check: string) => ({ fact: 'check', operator: 'equal', value: check, priority: 10 });

export const ELIGIBILITY_RULES: RuleProperties[] = [
  {
    name: 'LCV-2 eligible closing order',
    conditions: {
      all: [
        gate('order'),
        { fact: 'action', operator: 'equal', value: 'close' },
        { fact: 'filledQty', operator: 'greaterThan', value: 0 },
        { fact: 'loss', operator: 'greaterThan', value: { fact: 'minLoss' } },
        { fact: 'source', operator: 'equal', value: 'main' },
        { fact: 'accountType', operator: 'equal', value: 'main' },
        { fact: 'status', operator: 'equal', value: 'active' },
        { fact: 'feeVoucher', operator: 'equal', value: false },
        { fact: 'voucherPositionClosed', operator: 'equal', value: false },
        { fact: 'bonusPaid', operator: 'equal', value: false },
      ],
    },
    event: { type: 'orderEligible' },
  },
  {
    name: 'LCV-3 eligible voucher',
    conditions: {
      all: [
        gate('voucher'),
        { fact: 'status', operator: 'equal', value: 'available' },
        { fact: 'grantedAt', operator: 'lessThan', value: { fact: 'closedAt' } },
        {
          any: [
            { fact: 'hasMinNotional', operator: 'equal', value: false },
            { fact: 'closingNotional', operator: 'greaterThanInclusive', value: { fact: 'minClosingNotional' } },
          ],
        },
      ],
    },
    event: { type: 'voucherEligible' },
  },
  {
    name: 'FB-10 reclaim guard',
    conditions: {
      all: [
        gate('guard'),
        {
          any: [
            { fact: 'guardEnabled', operator: 'equal', value: false },
            { fact: 'mm', operator: 'equal', value: 0 },
            {
              all: [
                { fact: 'equityAfter', operator: 'greaterThan', value: 0 },
                { fact: 'mm', operator: 'lessThan', value: { fact: 'guardLimit' } },
              ],
            },
          ],
        },
      ],
    },
    event: { type: 'reclaimAllowed' },
  },
];

export function rulesEngine(): Engine {
  return new Engine(ELIGIBILITY_RULES, { allowUndefinedFacts: true });
}

export class JreBook {
  private readonly pending: DecisionFacts[] = [];
  readonly book: NumberBook;
  runs = 0;
  disagreements = 0;

  /** `from`: a book to start from (copied, with this reference's decision recorder); else a new account. */
  constructor(account: Account, policy: PolicyInput, private readonly engine: Engine = rulesEngine(), from?: NumberBook) {
    this.book = from === undefined ? new NumberBook(account, policy, this.pending) : from.clone(this.pending);
  }

  async step(e: Event): Promise<void> {
    this.book.step(e);
    if (this.pending.length === 0) {
      this.runs++;
      await this.engine.run({ check: 'none', eventType: e.type });
      return;
    }
    for (const facts of this.pending) {
      this.runs++;
      const result = await this.engine.run(facts);
      if (result.events.length > 0 !== facts.expected) this.disagreements++;
    }
    this.pending.length = 0;
  }
}

/** Replays `events` through the json-rules-engine reference. */
export async function replayRules(account: Account, policy: PolicyInput, events: readonly Event[], engine?: Engine): Promise<JreBook> {
  const book = new JreBook(account, policy, engine);
  for (const e of events) await book.step(e);
  return book;
}
