/**
 * Reclaim triggers and retries: expiry (FB-8, D-21), transfer out and the flag (FB-9, G-7),
 * retries on funds movements (FB-11, D-5, D-28) and spent bonuses (D-22).
 *
 * Most tests start from the guard set-up of worked example 3 (support.ts): MM 130 and, after a
 * transfer out of 10, own 90 with F (50) awaiting reclaim: E = 140, and the reclaim fits once
 * E - 50 > 130 / 0.95 = 136.84...
 */
import { describe, expect, it } from 'vitest';
import { account, cancel, fill, flag, funding, grantFb, grantLcv, grantPv, mark, place, retiredAs, run, tick, transfer, whereIs } from '../helpers/dsl';
import { costSettled, deferred, GUARD_POLICY, guardEvents, guardState, liquidation, reclaimed } from './support';
import { decodeState } from '../../src/index';

const rejected = (seq: number, at: number, code: string, rule: string) => ({ type: 'EventRejected', seq, at, rule, code, message: expect.any(String) as unknown });

/** Guard set-up, then the transfer out of 10 that defers F's reclaim (seq 4). */
function deferredState() {
  const { state, effects } = run(guardState(), [transfer('out', '10')]);
  expect(effects).toEqual([deferred(4, 0, ['F'], '50', 'transferOut', '1.44444444')]);
  return state;
}

describe('FB-8 Expiry', () => {
  it('at expiresAt (due at or before the event) a bonus with remaining triggers its reclaim; at is the due time', () => {
    const base = run(account(), [grantFb('F', '50', '0.5', { expiresAt: 1000 })]).state;
    expect(run(base, [tick(999)]).effects).toEqual([]);
    const { effects, state } = run(base, [tick(1000)]);
    expect(effects).toEqual([reclaimed(2, 1000, ['F'], '50', 'expiry')]);
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'reclaimed'));
    expect(run(base, [tick(7000)]).effects).toEqual([reclaimed(2, 1000, ['F'], '50', 'expiry')]);
  });

  it('a spent bonus triggers nothing at expiry', () => {
    const { effects } = run(account(), [
      grantFb('F', '5', '0.5', { expiresAt: 1000 }), place('o1', 'open', '1', '100'), fill('o1', '1', '100', '10'), tick(2000),
    ]);
    expect(effects.map((e) => e.type)).toEqual(['VoucherActivated', 'CostSettled']);
  });

  it('a bonus already awaiting reclaim is not triggered again by its expiry', () => {
    const state = run(account({ ownBalance: '100' }, GUARD_POLICY), [...guardEvents('50', { expiresAt: 5000 }), transfer('out', '10')]).state;
    expect(run(state, [tick(6000)]).effects).toEqual([]);
  });

  it('D-21: bonuses expiring together trigger one reclaim each, in grant order, each under the guard', () => {
    // own 120, F1 30, F2 30, MM 130, E 180. F1: E - 30 = 150, 130 < 142.5: reclaimed.
    // F2: E = 150, E - 30 = 120, 130 >= 114: deferred, 130 / 120 = 1.08333333.
    const { effects } = run(account({ ownBalance: '120' }, GUARD_POLICY), [
      grantFb('F1', '30', '0.5', { expiresAt: 5000 }),
      grantFb('F2', '30', '0.5', { expiresAt: 5000 }),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
      tick(6000),
    ]);
    expect(effects.slice(2)).toEqual([reclaimed(5, 5000, ['F1'], '30', 'expiry'), deferred(5, 5000, ['F2'], '30', 'expiry', '1.08333333')]);
  });

  it('G-6: expiries run in order of due time, whatever the grant order', () => {
    const { effects } = run(account({ ownBalance: '120' }, GUARD_POLICY), [
      grantFb('F1', '30', '0.5', { expiresAt: 5000 }),
      grantFb('F2', '30', '0.5', { expiresAt: 4000 }),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
      tick(6000),
    ]);
    expect(effects.slice(2)).toEqual([reclaimed(5, 4000, ['F2'], '30', 'expiry'), deferred(5, 5000, ['F1'], '30', 'expiry', '1.08333333')]);
  });

  it('G-6: on a tie, loss coverage and position voucher expiries go before the bonus reclaim', () => {
    const { effects } = run(account(), [
      grantFb('F', '50', '0.5', { expiresAt: 5000 }),
      grantPv('P', '10', { expiresAt: 5000 }),
      grantLcv('L', '10', { expiresAt: 5000 }),
      tick(5000),
    ]);
    expect(effects.slice(3).map((e) => [e.type, e.rule, e.at])).toEqual([
      ['VoucherExpired', 'LCV-8', 5000], ['VoucherExpired', 'PV-9', 5000], ['BonusReclaimed', 'FB-10', 5000],
    ]);
  });
});

describe('FB-9 Transfer out', () => {
  it('more than the transferable funds is INSUFFICIENT_TRANSFERABLE and reclaims nothing; bonuses are never transferable', () => {
    const base = run(account({ ownBalance: '100' }), [grantFb('F', '50', '0.5')]).state;
    const { effects, state } = run(base, [transfer('out', '100.00000001')]);
    expect(effects).toEqual([rejected(2, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    expect(state.futuresBonuses).toEqual(base.futuresBonuses);
    expect(state.ownBalance).toBe('100');
    // Exactly the transferable funds: accepted; with no position MM = 0, so the reclaim goes ahead.
    const all = run(base, [transfer('out', '100')]);
    expect(all.effects).toEqual([reclaimed(2, 0, ['F'], '50', 'transferOut')]);
    expect(all.state.ownBalance).toBe('0');
  });

  it('the transferable check counts margin in use and a negative upnl (M-4), and comes before the reclaim', () => {
    // mark 2590: upnl -10, transferable = 100 - 2600/100 - 10 = 64.
    const base = run(guardState(), [mark('2590')]).state;
    expect(run(base, [transfer('out', '64.00000001')]).effects).toEqual([rejected(5, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    // Out 64: own 36, MM = 129.5, E = 36 + 50 - 10 = 76, E - B = 26: deferred at 129.5 / 26 = 4.98076923;
    // MR after = 129.5 / 76 = 1.70394737 >= 1 (M-3).
    expect(run(base, [transfer('out', '64')]).effects).toEqual([
      deferred(5, 0, ['F'], '50', 'transferOut', '4.98076923'),
      liquidation(5, 0, '1.70394737'),
    ]);
  });

  it('the active bonuses with remaining trigger one reclaim together; spent ones are left out', () => {
    const { effects } = run(account(), [
      grantFb('F1', '5', '0.5'), grantFb('F2', '20', '0.5'), grantFb('F3', '30', '0.5'),
      place('o1', 'open', '1', '100'), fill('o1', '1', '100', '10'), // F1 pays 5 and is spent
      transfer('out', '1'),
    ]);
    expect(effects.slice(-1)).toEqual([reclaimed(6, 0, ['F2', 'F3'], '50', 'transferOut')]);
  });

  it('a bonus awaiting reclaim is not triggered twice; the transfer triggers only the active ones', () => {
    // G: E = 89 + 50 + 10 = 149, E - 10 = 139, 130 < 132.05: reclaimed. F's retry: E - 50 = 89: no.
    const { effects, state } = run(deferredState(), [grantFb('G', '10', '0.5'), transfer('out', '1')]);
    expect(effects).toEqual([{ type: 'VoucherActivated', seq: 5, at: 0, rule: 'A-5', voucherId: 'G', kind: 'futuresBonus' }, reclaimed(6, 0, ['G'], '10', 'transferOut')]);
    expect(state.reclaims).toEqual([{ bonusIds: ['F'], trigger: 'transferOut' }]);
  });

  it('section 6: the reclaim the transfer triggers comes first, the older waiting reclaims follow (step 3)', () => {
    // mark 2700: MM 135, upnl 100. Out 1: own 89. G: E = 249, E - 10 = 239: reclaimed.
    // F: E = 239, E - 50 = 189, 135 < 179.55: reclaimed.
    const { effects } = run(deferredState(), [mark('2700'), grantFb('G', '10', '0.5'), transfer('out', '1')]);
    expect(effects.slice(-2)).toEqual([reclaimed(7, 0, ['G'], '10', 'transferOut'), reclaimed(7, 0, ['F'], '50', 'transferOut')]);
  });
});

describe('G-7 The flag triggers the reclaim of the active bonuses (FB-9)', () => {
  it('with no position it is carried out at once, after the revocations (section 6 order)', () => {
    const { effects } = run(account(), [grantLcv('L', '10'), grantFb('F', '50', '0.5'), flag()]);
    expect(effects.slice(2).map((e) => e.type)).toEqual(['VoucherRevoked', 'BonusReclaimed']);
    expect(effects[3]).toEqual(reclaimed(3, 0, ['F'], '50', 'flagged'));
  });

  it('near the guard it waits, keeps its trigger "flagged" and is retried by funds movements; a second flag emits nothing', () => {
    // Flag: E - B = 100, 130 >= 95: deferred at 1.3. Transfer in 100: E - B = 200, 130 < 190.
    const { steps, state } = run(guardState(), [flag(), flag(), transfer('in', '100')]);
    expect(steps).toEqual([[deferred(4, 0, ['F'], '50', 'flagged', '1.3')], [], [reclaimed(6, 0, ['F'], '50', 'flagged')]]);
    expect(state.status).toBe('flagged');
  });

  it('a flag is no funds movement: it retries nothing', () => {
    const { effects } = run(deferredState(), [mark('2700'), flag(), transfer('in', '0.00000001')]);
    expect(effects).toEqual([reclaimed(7, 0, ['F'], '50', 'transferOut')]);
  });
});

describe('FB-11 Retry', () => {
  it('never on a mark price, a Tick, a placement, a cancel or a grant; then on the next transfer in, keeping its trigger', () => {
    // After mark 2700 the reclaim would fit (E - B = 190, 135 < 180.5), but only a funds movement retries.
    const { steps, state } = run(deferredState(), [
      mark('2700'), tick(1000), place('c1', 'close', '1', '2700'), cancel('c1'), grantFb('G', '1', '0.5', { expiresAt: 9e12 }), transfer('in', '0.00000001'),
    ]);
    expect(steps.slice(0, 5).map((s) => s.map((e) => e.type))).toEqual([[], [], [], [], ['VoucherActivated']]);
    expect(steps[5]).toEqual([reclaimed(10, 1000, ['F'], '50', 'transferOut')]);
    expect(state.reclaims).toEqual([]);
    expect(state.futuresBonuses.map((b) => [b.id, b.status])).toEqual([['G', 'active']]);
    expect(state.retired.futuresBonuses).toEqual([['F', 'reclaimed']]);
  });

  it('an accepted transfer out retries; a rejected one does not', () => {
    const ready = run(deferredState(), [mark('2700')]).state;
    expect(run(ready, [transfer('out', '1000')]).effects).toEqual([rejected(6, 0, 'INSUFFICIENT_TRANSFERABLE', 'M-4')]);
    // Out 1: own 89, E = 239, E - 50 = 189, 135 < 179.55.
    expect(run(ready, [transfer('out', '1')]).effects).toEqual([reclaimed(6, 0, ['F'], '50', 'transferOut')]);
  });

  it('a closing fill retries, after the fill\'s own costs (the awaiting bonus pays no share of the fee)', () => {
    // Close 0.5 at 2600: pnl 0; fee 1 from own (89). MM = 65, E - B = 89, 65 < 84.55.
    const { effects } = run(deferredState(), [place('c1', 'close', '0.5', '2600'), fill('c1', '0.5', '2600', '1')]);
    expect(effects).toEqual([
      costSettled({ seq: 6, at: 0, cause: 'fee', orderId: 'c1', amount: '1', fromBonus: [], fromOwn: '1', deficit: '0' }),
      reclaimed(6, 0, ['F'], '50', 'transferOut'),
    ]);
  });

  it('D-28: a fill that settles nothing still retries', () => {
    const { effects } = run(deferredState(), [place('c1', 'close', '1', '2600'), fill('c1', '1', '2600')]);
    expect(effects).toEqual([reclaimed(6, 0, ['F'], '50', 'transferOut')]);
  });

  it('an opening fill retries', () => {
    // Mark 2700 (feed): open 0.001 at 2700: MM = 1.001 x 2700 x 0.05 = 135.135, upnl 100, E - B = 190.
    const { effects } = run(deferredState(), [mark('2700'), place('o2', 'open', '0.001', '2700', { leverage: '100' }), fill('o2', '0.001', '2700')]);
    expect(effects).toEqual([reclaimed(7, 0, ['F'], '50', 'transferOut')]);
  });

  it('funding received retries and can make it fit; funding paid retries but a retry that does not fit emits nothing', () => {
    // Funding -50: own 140, E - B = 140, 130 < 133.
    expect(run(deferredState(), [funding('-50')]).effects).toEqual([
      { type: 'Credited', seq: 5, at: 0, rule: 'P-5', cause: 'funding', symbol: 'BTCUSDT', positionSide: 'long', amount: '50' },
      reclaimed(5, 0, ['F'], '50', 'transferOut'),
    ]);
    expect(run(deferredState(), [funding('1')]).effects).toEqual([
      costSettled({ seq: 5, at: 0, cause: 'funding', amount: '1', fromBonus: [], fromOwn: '1', deficit: '0' }),
    ]);
  });

  it('D-10/D-28: funding of 0 moves no funds and retries nothing', () => {
    const { steps } = run(deferredState(), [mark('2700'), funding('0'), funding('-0.00000001')]);
    expect(steps[1]).toEqual([]);
    expect(steps[2]?.map((e) => e.type)).toEqual(['Credited', 'BonusReclaimed']);
  });

  describe('two reclaims waiting, oldest first, each under the guard with the funds left by the one before', () => {
    // Deferred F (own 90); G 20 granted; out 4: own 86, E = 156, G: E - 20 = 136, 130 >= 129.2:
    // deferred at 130 / 136 = 0.95588235.
    function twoWaiting() {
      const { state, effects } = run(deferredState(), [grantFb('G', '20', '0.5'), transfer('out', '4')]);
      expect(effects.slice(1)).toEqual([deferred(6, 0, ['G'], '20', 'transferOut', '0.95588235')]);
      return state;
    }

    it('only the older fits: in 40 -> own 126; F: E - 50 = 146, 130 < 138.7; then G: E - 20 = 126, 130 >= 119.7', () => {
      const { effects, state } = run(twoWaiting(), [transfer('in', '40')]);
      expect(effects).toEqual([reclaimed(7, 0, ['F'], '50', 'transferOut')]);
      expect(state.reclaims).toEqual([{ bonusIds: ['G'], trigger: 'transferOut' }]);
    });

    it('only the newer fits: in 14 -> own 100; F: E - 50 = 120, 130 >= 114; G: E - 20 = 150, 130 < 142.5', () => {
      const { effects, state } = run(twoWaiting(), [transfer('in', '14')]);
      expect(effects).toEqual([reclaimed(7, 0, ['G'], '20', 'transferOut')]);
      expect(state.reclaims).toEqual([{ bonusIds: ['F'], trigger: 'transferOut' }]);
    });

    it('both fit: oldest first', () => {
      const { effects, state } = run(twoWaiting(), [transfer('in', '1000')]);
      expect(effects).toEqual([reclaimed(7, 0, ['F'], '50', 'transferOut'), reclaimed(7, 0, ['G'], '20', 'transferOut')]);
      expect(state.reclaims).toEqual([]);
    });
  });
});

describe('D-5 Which reclaims step 3 retries', () => {
  // own 90 and F expiring at 5000: at expiry E = 140, E - B = 90: deferred at 1.44444444.
  const base = () => run(account({ ownBalance: '90' }, GUARD_POLICY), guardEvents('50', { expiresAt: 5000 })).state;

  it('a reclaim deferred by this step\'s clock work is retried in step 3 of the same event', () => {
    // Transfer in 100 at 6000: own 190, E - B = 190, 130 < 180.5.
    const { effects } = run(base(), [transfer('in', '100', { at: 6000 })]);
    expect(effects).toEqual([deferred(4, 5000, ['F'], '50', 'expiry', '1.44444444'), reclaimed(4, 6000, ['F'], '50', 'expiry')]);
  });

  it('...but not when the event moves no funds (a Tick, a mark price)', () => {
    expect(run(base(), [tick(6000)]).effects).toEqual([deferred(4, 5000, ['F'], '50', 'expiry', '1.44444444')]);
    expect(run(base(), [mark('2700', { at: 6000 })]).effects).toEqual([deferred(4, 5000, ['F'], '50', 'expiry', '1.44444444')]);
  });

  it('...nor when the funds movement is rejected', () => {
    expect(run(base(), [transfer('out', '1000', { at: 6000 })]).effects).toEqual([
      deferred(4, 5000, ['F'], '50', 'expiry', '1.44444444'),
      rejected(4, 6000, 'INSUFFICIENT_TRANSFERABLE', 'M-4'),
    ]);
  });

  it('a reclaim deferred by the event itself is attempted once in that step (one ReclaimDeferred, no retry)', () => {
    const { effects } = run(guardState(), [transfer('out', '10')]);
    expect(effects).toEqual([deferred(4, 0, ['F'], '50', 'transferOut', '1.44444444')]);
  });
});

describe('D-22 Spent bonuses drop out of a waiting reclaim', () => {
  it('a reclaim whose bonuses were all spent is dropped without an effect', () => {
    // Close 1 at 2400: loss 200: own 90, then the awaiting F 50 (spent), deficit 60.
    const { steps, state } = run(deferredState(), [place('c1', 'close', '1', '2400'), fill('c1', '1', '2400'), transfer('in', '1000')]);
    expect(steps[1]).toEqual([
      costSettled({ seq: 6, at: 0, cause: 'loss', orderId: 'c1', amount: '200', fromBonus: [{ bonusId: 'F', amount: '50' }], fromOwn: '90', deficit: '60' }),
    ]);
    expect(steps[2]).toEqual([]);
    expect(state.reclaims).toEqual([]);
    // F paid all its 50 (above): spent, and retired (FV-8).
    expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'spent'));
  });

  it('a retry covers only the bonuses still awaiting, with their remaining then', () => {
    // own 100, F1 20, F2 30: out 10 -> both deferred together (E - B = 90).
    // Funding 110: own 90, F1 20 (spent); E = 30 (MR 4.33333333); retry: E - B = 0: no.
    // In 200: E - B = 200, 130 < 190: F2 alone, 30.
    const { steps } = run(account({ ownBalance: '100' }, GUARD_POLICY), [
      grantFb('F1', '20', '0.5'), grantFb('F2', '30', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100' }), fill('o1', '1', '2600'),
      transfer('out', '10'), funding('110'), transfer('in', '200'),
    ]);
    expect(steps.slice(4)).toEqual([
      [deferred(5, 0, ['F1', 'F2'], '50', 'transferOut', '1.44444444')],
      [costSettled({ seq: 6, at: 0, cause: 'funding', amount: '110', fromBonus: [{ bonusId: 'F1', amount: '20' }], fromOwn: '90', deficit: '0' }), liquidation(6, 0, '4.33333333')],
      [reclaimed(7, 0, ['F2'], '30', 'transferOut')],
    ]);
  });
});

describe('FB-8 Expiry: the letter of the rule', () => {
  it('a stored state with an active bonus at remaining 0 triggers no reclaim at expiry ("a bonus with remaining > 0")', () => {
    const base = run(account(), [grantFb('F', '10', '0.5', { expiresAt: 1000 })]).state;
    const stored = decodeState(JSON.parse(JSON.stringify({ ...base, futuresBonuses: base.futuresBonuses.map((b) => ({ ...b, remaining: '0' })) })));
    if (stored._tag === 'Left') throw new Error('the stored state must decode');
    expect(run(stored.right, [tick(2000)]).effects).toEqual([]);
  });
});
