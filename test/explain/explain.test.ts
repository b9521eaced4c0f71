/**
 * `explain(state, event)`: for every voucher and bonus, what the event would do (read from the
 * effects of `step`) and why a rule did not apply (from the engine's own rule functions, with the
 * numbers). Each case states the expected numbers from RULES.md, not from the engine's output.
 */
import { describe, expect, it } from 'vitest';
import {
  explain,
  formatExplanation,
  type AccountState,
  type Event,
  type Explanation,
  type ItemExplanation,
} from '../../src/index';
import { decodeEvent } from '../../src/index';
import { account, fill, flag, grantFb, grantLcv, grantPv, mark, place, run, tick, transfer, type EventInput } from '../helpers/dsl';

/** The next event for `state`, decoded as `step` would get it (seq next, `at` the clock unless given). */
function next(state: AccountState, input: EventInput): Event {
  const decoded = decodeEvent({ seq: state.lastSeq + 1, at: state.clock, ...input }, state.policy.scale);
  if (decoded._tag === 'Left') throw new Error(`test event does not decode: ${JSON.stringify(decoded.left)}`);
  return decoded.right;
}

function explainNext(state: AccountState, input: EventInput): Explanation {
  return explain(state, next(state, input));
}

function item(explanation: Explanation, id: string): ItemExplanation {
  const found = explanation.items.find((i) => i.id === id);
  if (found === undefined) throw new Error(`no item ${id} in ${JSON.stringify(explanation.items)}`);
  return found;
}

function codes(i: ItemExplanation): string[] {
  return i.findings.map((f) => f.code);
}

function lines(explanation: Explanation): string[] {
  return formatExplanation(explanation).split('\n').map((l) => l.trim());
}

describe('explain: loss coverage vouchers (worked example 1)', () => {
  // Vouchers A (10, t=1000) and B (20, t=2000); a long of 1 at 100, closed at t=3000 at 85: loss 15.
  const opened = run(account({ ownBalance: '10000' }), [
    grantLcv('A', '10', {}, 1000),
    grantLcv('B', '20', {}, 2000),
    place('o1', 'open', '1', '100', { at: 2500 }),
    fill('o1', '1', '100'),
    place('c1', 'close', '1', '85'),
  ]).state;

  it('LCV-4, LCV-5, LCV-6: A covers 10 of the loss of 15; B is not touched, one voucher per order', () => {
    const explanation = explainNext(opened, fill('c1', '1', '85', '0', { at: 3000 }));
    expect(explanation.result).toEqual({ kind: 'applied' });
    const a = item(explanation, 'A');
    expect(a).toMatchObject({ kind: 'lossCoverage', outcome: 'applied', statusBefore: 'available', statusAfter: 'consumed', findings: [] });
    expect(a.actions).toEqual([
      { type: 'lossCovered', rule: 'LCV-6', orderId: 'c1', loss: '15', covered: '10', remaining: '0', payableAt: 86_400_000 },
    ]);
    const b = item(explanation, 'B');
    expect(b).toMatchObject({ outcome: 'notApplied', statusBefore: 'available', statusAfter: 'available', actions: [] });
    expect(b.findings).toEqual([{ rule: 'LCV-4', code: 'EARLIER_VOUCHER_USED', orderId: 'c1', voucherId: 'A' }]);
    expect(lines(explanation)).toContain('LCV-4: voucher A, granted earlier, covers order c1; one voucher per order (spillover is off).');
  });

  it('LCV-2: the next losing close of 0.8 touches nothing, and says so with the numbers', () => {
    const state = run(opened, [
      fill('c1', '1', '85', '0', { at: 3000 }),
      place('o2', 'open', '1', '100'),
      fill('o2', '1', '100'),
      place('c2', 'close', '1', '99.2'),
    ]).state;
    const explanation = explainNext(state, fill('c2', '1', '99.2'));
    const b = item(explanation, 'B');
    expect(b.outcome).toBe('notApplied');
    expect(b.findings).toEqual([{ rule: 'LCV-2', code: 'LOSS_NOT_ABOVE_MINIMUM', loss: '0.8', minLoss: '1' }]);
    const a = item(explanation, 'A');
    expect(codes(a)).toEqual(['LOSS_NOT_ABOVE_MINIMUM', 'VOUCHER_NOT_AVAILABLE', 'PAYOUT_NOT_DUE']);
    expect(lines(explanation)).toEqual(expect.arrayContaining([
      'LCV-2: loss 0.8 is not more than the minimum 1.',
      'LCV-3: the voucher is consumed, not available.',
      'LCV-7: 10 for order c1 is paid at 86400000, not yet.',
    ]));
  });

  it('LCV-3: a voucher granted at the close itself is not granted strictly before it', () => {
    const state = run(opened, [grantLcv('C', '5', {}, 3000)]).state;
    const explanation = explainNext(state, fill('c1', '1', '85', '0', { at: 3000 }));
    expect(item(explanation, 'C').findings).toEqual([{ rule: 'LCV-3', code: 'GRANTED_NOT_BEFORE_CLOSE', grantedAt: 3000, closedAt: 3000 }]);
    expect(lines(explanation)).toContain('LCV-3: granted at 3000, not before the close at 3000.');
  });

  it('LCV-3: a closing notional under the voucher minimum; LCV-2: every failed order condition is listed', () => {
    const state = run(account({ ownBalance: '10000', accountType: 'sub' }), [
      grantLcv('M', '10', { minClosingNotional: '100' }, 1000),
      place('o1', 'open', '1', '100', { at: 2000 }),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '85', { source: 'bot', feeVoucher: true }),
    ]).state;
    const explanation = explainNext(state, fill('c1', '1', '85', '0', { at: 3000 }));
    expect(item(explanation, 'M').findings).toEqual([
      { rule: 'LCV-2', code: 'SOURCE_NOT_MAIN', source: 'bot' },
      { rule: 'LCV-2', code: 'ACCOUNT_NOT_MAIN', accountType: 'sub' },
      { rule: 'LCV-2', code: 'FEE_VOUCHER' },
      { rule: 'LCV-3', code: 'CLOSING_NOTIONAL_BELOW_MINIMUM', closingNotional: '85', minClosingNotional: '100' },
    ]);
  });

  it('LCV-1: a partial fill of a closing order is not evaluated yet', () => {
    const state = run(account({ ownBalance: '10000' }), [
      grantLcv('A', '10', {}, 1000),
      place('o1', 'open', '2', '100', { at: 2000 }),
      fill('o1', '2', '100'),
      place('c1', 'close', '2', '85'),
    ]).state;
    const explanation = explainNext(state, fill('c1', '1', '85', '0', { at: 3000 }));
    expect(item(explanation, 'A').findings).toEqual([{ rule: 'LCV-1', code: 'ORDER_NOT_DONE', orderId: 'c1', filledQty: '1', qty: '2' }]);
  });

  it('LCV-7: the payout at the next UTC midnight is an action of the voucher that owes it', () => {
    const state = run(opened, [fill('c1', '1', '85', '0', { at: 3000 })]).state;
    const explanation = explainNext(state, tick(86_400_000));
    expect(item(explanation, 'A').actions).toEqual([{ type: 'compensationPaid', rule: 'LCV-7', orderId: 'c1', amount: '10', at: 86_400_000 }]);
    expect(item(explanation, 'B').findings).toEqual([{ rule: 'LCV-1', code: 'NO_CLOSING_ORDER_DONE', eventType: 'Tick' }]);
  });
});

describe('explain: position vouchers', () => {
  it('PV-1 LEVERAGE_TOO_HIGH: a named voucher refused, with the numbers; the reasons are those of the rejection', () => {
    const state = run(account(), [grantPv('V', '100', { maxLeverage: '20' })]).state;
    const explanation = explainNext(state, place('o1', 'open', '1', '100', { leverage: '50', voucher: 'V' }));
    expect(explanation.result).toMatchObject({ kind: 'rejected', code: 'VOUCHER_NOT_ELIGIBLE', rule: 'PV-2', reasons: ['LEVERAGE_TOO_HIGH'] });
    const v = item(explanation, 'V');
    expect(v.findings).toEqual([{ rule: 'PV-1', code: 'LEVERAGE_TOO_HIGH', leverage: '50', maxLeverage: '20' }]);
    expect(lines(explanation)).toContain("PV-1 LEVERAGE_TOO_HIGH: leverage 50 is above the voucher's maximum 20.");
  });

  it('PV-2: every failed condition in the order of the rules, margin numbers included (D-11: rounded up)', () => {
    const state = run(account({ positionMode: 'oneWay' }), [grantPv('V', '10', { symbols: ['ETHUSDT'] })]).state;
    const explanation = explainNext(state, place('o1', 'open', '1', '100', { leverage: '3', marginMode: 'cross', source: 'copyTrading', voucher: 'V' }));
    if (explanation.result.kind !== 'rejected') throw new Error('expected a rejection');
    const v = item(explanation, 'V');
    expect(codes(v)).toEqual(explanation.result.reasons);
    expect(v.findings).toEqual([
      { rule: 'PV-1', code: 'NOT_HEDGE_MODE', positionMode: 'oneWay' },
      { rule: 'PV-1', code: 'NOT_ISOLATED', marginMode: 'cross' },
      { rule: 'PV-1', code: 'SOURCE_NOT_MAIN', source: 'copyTrading' },
      { rule: 'PV-1', code: 'SYMBOL_NOT_ALLOWED', symbol: 'BTCUSDT', symbols: ['ETHUSDT'] },
      { rule: 'PV-1', code: 'MARGIN_NOT_COVERED', required: '33.33333334', amount: '10', allowOwnFunds: false, transferable: '1000' },
    ]);
  });

  it('PV-2: "auto" takes the earliest-granted eligible voucher; a later one says which was chosen', () => {
    const state = run(account(), [grantPv('V1', '100'), grantPv('V2', '100')]).state;
    const explanation = explainNext(state, place('o1', 'open', '1', '500', { leverage: '10' }));
    expect(item(explanation, 'V1').actions).toEqual([{
      type: 'backsOrder', rule: 'PV-3', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long',
      required: '50', voucherMargin: '100', ownMargin: '0', chosen: 'auto',
    }]);
    expect(item(explanation, 'V2').findings).toEqual([{ rule: 'PV-2', code: 'EARLIER_VOUCHER_CHOSEN', orderId: 'o1', voucherId: 'V1' }]);
  });

  it('PV-2: a voucher the order does not name, and an unknown named voucher', () => {
    const state = run(account(), [grantPv('V1', '100')]).state;
    expect(item(explainNext(state, place('o1', 'open', '1', '100', { voucher: 'none' })), 'V1').findings).toEqual([
      { rule: 'PV-2', code: 'NOT_REQUESTED', orderId: 'o1', requested: 'none' },
    ]);
    const unknown = explainNext(state, place('o1', 'open', '1', '100', { voucher: 'V9' }));
    expect(item(unknown, 'V1').findings).toEqual([{ rule: 'PV-2', code: 'NOT_REQUESTED', orderId: 'o1', requested: 'V9' }]);
  });

  it('PV-6, PV-8: the voucher margin pays the fee first; the close forfeits what is left', () => {
    const state = run(account(), [grantPv('V', '100'), place('o1', 'open', '1', '500', { voucher: 'V' })]).state;
    const filled = explainNext(state, fill('o1', '1', '500', '2'));
    expect(item(filled, 'V').actions).toEqual([{
      type: 'voucherPaidCost', rule: 'PV-6', cause: 'fee', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', cost: '2', fromVoucher: '2', fromOwnMargin: '0',
    }]);
    const open = run(state, [fill('o1', '1', '500', '2'), place('c1', 'close', '1', '490')]).state;
    const closed = explainNext(open, fill('c1', '1', '490', '1'));
    expect(item(closed, 'V').actions.map((a) => [a.type, a.rule])).toEqual([
      ['voucherPaidCost', 'PV-6'], ['voucherPaidCost', 'PV-6'], ['forfeited', 'PV-8'],
    ]);
    expect(item(closed, 'V').actions[2]).toMatchObject({ amount: '87' });
    expect(item(closed, 'V')).toMatchObject({ statusBefore: 'inUse', statusAfter: 'consumed' });
  });
});

describe('explain: futures bonuses (worked examples 2 and 3)', () => {
  it('FB-3: a fee of 10 at rate 0.5: the bonus pays its share 5', () => {
    const state = run(account({ ownBalance: '1000' }), [grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100')]).state;
    const explanation = explainNext(state, fill('o1', '1', '100', '10'));
    expect(item(explanation, 'F').actions).toEqual([{
      type: 'bonusPaidCost', rule: 'FB-3', stage: 'share', cause: 'fee', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', cost: '10',
      walletCost: '10', rate: '0.5', share: '5', poolPaid: '5', fromOwn: '5', paid: '5', remaining: '95',
    }]);
  });

  it('FB-5: own funds of 3 run out, so the bonus pays on past its share', () => {
    const state = run(account({ ownBalance: '3' }), [grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100'), place('c1', 'close', '1', '90')]).state;
    const explanation = explainNext(state, fill('c1', '1', '90'));
    expect(item(explanation, 'F').actions).toEqual([expect.objectContaining({
      type: 'bonusPaidCost', rule: 'FB-5', stage: 'beyondShare', cause: 'loss', share: '5', fromOwn: '3', paid: '7', remaining: '93',
    })]);
  });

  it('FB-3: the share of a fee of 0.00000003 rounds down to 0.00000001', () => {
    const state = run(account(), [grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100')]).state;
    const explanation = explainNext(state, fill('o1', '1', '100', '0.00000003'));
    expect(item(explanation, 'F').actions).toEqual([expect.objectContaining({ rule: 'FB-3', share: '0.00000001', paid: '0.00000001', fromOwn: '0.00000002' })]);
  });

  it('FB-6: the pool pays in grant order; FB-3: a share that rounds to 0 is paid by own funds', () => {
    const state = run(account(), [grantFb('F1', '100', '0.5'), grantFb('F2', '100', '0.5'), place('o1', 'open', '1', '100')]).state;
    const explanation = explainNext(state, fill('o1', '1', '100', '10'));
    expect(item(explanation, 'F2').findings).toEqual([{ rule: 'FB-6', code: 'EARLIER_BONUS_PAID', cause: 'fee', cost: '10', share: '5', paidBy: ['F1'] }]);
    const tiny = explainNext(state, fill('o1', '1', '100', '0.00000001'));
    expect(item(tiny, 'F1').findings).toEqual([{ rule: 'FB-3', code: 'SHARE_ROUNDS_TO_ZERO', cause: 'fee', walletCost: '0.00000001', rate: '0.5' }]);
  });

  describe('the guard (worked example 3)', () => {
    const opened = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('F', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
    ]).state;

    it('FB-10: the transfer out of 10 defers the reclaim: 1.44444444 would be at or above 0.95', () => {
      const explanation = explainNext(opened, transfer('out', '10'));
      const f = item(explanation, 'F');
      expect(f).toMatchObject({ statusBefore: 'active', statusAfter: 'awaitingReclaim', outcome: 'applied' });
      expect(f.actions).toEqual([{
        type: 'reclaimDeferred', rule: 'FB-10', bonusIds: ['F'], amount: '50', part: '50', trigger: 'transferOut', projectedMarginRate: '1.44444444', guardRate: '0.95',
      }]);
      expect(formatExplanation(explanation)).toContain('margin rate after the reclaim 1.44444444 would be at or above 0.95');
    });

    const deferred = run(opened, [transfer('out', '10')]).state;

    it('FB-11: the transfer in of 100 retries it, and MR after it is 0.68421053', () => {
      const f = item(explainNext(deferred, transfer('in', '100')), 'F');
      expect(f.actions).toEqual([{
        type: 'reclaimed', rule: 'FB-10', bonusIds: ['F'], amount: '50', part: '50', trigger: 'transferOut', retry: true,
        guard: { marginRateAfter: '0.68421053', guardRate: '0.95' },
      }]);
    });

    it('FB-11: a mark price moves no funds, so the reclaim is not retried', () => {
      const f = item(explainNext(deferred, mark('2600')), 'F');
      expect(f.findings).toEqual([{ rule: 'FB-11', code: 'RECLAIM_NOT_RETRIED', trigger: 'transferOut', eventType: 'MarkPriceUpdated' }]);
    });

    it('FB-10: a retry that still does not fit emits nothing, and explain says why', () => {
      const f = item(explainNext(deferred, transfer('in', '1')), 'F');
      expect(f.outcome).toBe('notApplied');
      expect(f.findings).toEqual([{
        rule: 'FB-10', code: 'RECLAIM_STILL_DEFERRED', amount: '50', trigger: 'transferOut', projectedMarginRate: '1.42857143', guardRate: '0.95',
      }]);
    });
  });

  describe('D-5: a reclaim deferred by the clock work of the same step', () => {
    const expiring = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('F', '50', '0.5', { expiresAt: 5000 }),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
    ]).state;

    it('waits, and a mark price does not retry it', () => {
      const f = item(explainNext(expiring, mark('2600', { at: 6000 })), 'F');
      expect(f.actions).toEqual([expect.objectContaining({ type: 'reclaimDeferred', trigger: 'expiry', projectedMarginRate: '1.3' })]);
      expect(f.findings).toEqual([{ rule: 'FB-11', code: 'RECLAIM_NOT_RETRIED', trigger: 'expiry', eventType: 'MarkPriceUpdated' }]);
    });

    it('is retried after a transfer in of the same step', () => {
      const f = item(explainNext(expiring, transfer('in', '100', { at: 6000 })), 'F');
      expect(f.actions.map((a) => a.type)).toEqual(['reclaimDeferred', 'reclaimed']);
      expect(f.actions[1]).toMatchObject({ trigger: 'expiry', retry: true, guard: { marginRateAfter: '0.65', guardRate: '0.95' } });
      expect(f.findings).toEqual([]);
    });
  });

  it('FB-2: a grant at another rate is refused, with both rates', () => {
    const state = run(account(), [grantFb('F', '100', '0.5')]).state;
    const explanation = explainNext(state, grantFb('G', '10', '0.3'));
    expect(explanation.result).toMatchObject({ kind: 'rejected', code: 'BONUS_RATE_CONFLICT' });
    expect(item(explanation, 'G')).toMatchObject({ statusBefore: null, statusAfter: null, outcome: 'notApplied' });
    expect(item(explanation, 'G').findings).toEqual([{ rule: 'FB-2', code: 'RATE_CONFLICT', rate: '0.3', bonusId: 'F', bonusRate: '0.5' }]);
    expect(item(explanation, 'F').findings).toEqual([{ rule: 'FB-2', code: 'EVENT_REJECTED', rejection: 'BONUS_RATE_CONFLICT' }]);
  });

  it('G-7, FB-9: the flag triggers the reclaim of the active bonuses', () => {
    const state = run(account(), [grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100')]).state;
    const flagged = explainNext(state, flag());
    expect(item(flagged, 'F').actions).toEqual([expect.objectContaining({ type: 'reclaimed', trigger: 'flagged', retry: false })]);
  });
});

describe('explain: the event itself', () => {
  const state = run(account(), [grantLcv('A', '10')]).state;

  it('G-5: a duplicate is ignored and touches nothing', () => {
    const explanation = explain(state, next(state, { type: 'Tick', seq: 1 }));
    expect(explanation.result).toEqual({ kind: 'ignored', rule: 'G-5', lastSeq: 1 });
    expect(item(explanation, 'A').findings).toEqual([{ rule: 'G-5', code: 'DUPLICATE_EVENT', lastSeq: 1 }]);
  });

  it('a rejected event names its rule and code on every item', () => {
    const explanation = explainNext(state, fill('nope', '1', '1'));
    expect(explanation.result).toMatchObject({ kind: 'rejected', rule: 'P-3', code: 'UNKNOWN_ORDER' });
    expect(item(explanation, 'A').findings).toEqual([{ rule: 'P-3', code: 'EVENT_REJECTED', rejection: 'UNKNOWN_ORDER' }]);
  });

  it('G-2: amounts taken from the state or the event are written canonically', () => {
    const granted = explainNext(state, grantPv('V', '0100.50', { maxLeverage: '20.0' }));
    expect(item(granted, 'V').actions).toEqual([{ type: 'granted', rule: 'A-5', kind: 'positionVoucher', amount: '100.5' }]);
    const placed = run(state, [grantPv('V', '0100.50', { maxLeverage: '20.0' })]).state;
    expect(item(explainNext(placed, place('o1', 'open', '1', '100', { leverage: '050.0', voucher: 'V' })), 'V').findings).toEqual([
      { rule: 'PV-1', code: 'LEVERAGE_TOO_HIGH', leverage: '50', maxLeverage: '20' },
    ]);
  });

  it('a grant is an action of the new voucher', () => {
    const explanation = explainNext(state, grantPv('V', '100'));
    expect(item(explanation, 'V')).toMatchObject({ statusBefore: null, statusAfter: 'available', actions: [{ type: 'granted', rule: 'A-5', kind: 'positionVoucher', amount: '100' }] });
  });

  it('the formatted text starts with the event and its result', () => {
    const text = formatExplanation(explainNext(state, tick(60_000)));
    expect(text.split('\n').slice(0, 3)).toEqual([
      'Event 2 (Tick) at 60000 (1970-01-01 00:01:00 UTC), account acc-1: clock tick.',
      'The event is applied.',
      'Loss coverage voucher A (available): not applied.',
    ]);
    expect(formatExplanation(explainNext(state, tick(60_000)), { times: 'utc' })).toContain('at 60000 (1970-01-01 00:01:00 UTC)');
  });
});
