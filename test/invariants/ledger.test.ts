/**
 * Double-entry postings (`postingsOf`, `balancesOf`): hand-checked postings for each kind of
 * movement, and for each of those steps the kit's checkers find nothing.
 */
import { describe, expect, it } from 'vitest';
import { balancesOf, netOf, postingsOf, type Posting } from '../../src/index';
import { checkStep } from '../../src/testing/index';
import { account, cancel, fill, flag, funding, grantFb, grantLcv, grantPv, mark, place, tick, transfer } from '../helpers/dsl';
import { last, stepAll, type Stepped } from './support';

const DAY = 86_400_000;

function moves(s: Stepped): Array<[string, string, string]> {
  return postingsOf(s.before, s.event, s.result).map((p: Posting) => [p.from, p.to, p.amount]);
}

function clean(steps: readonly Stepped[]): void {
  for (const s of steps) expect(checkStep(s.before, s.event, s.result), `step ${s.event.seq} ${s.event.type}`).toEqual([]);
}

describe('postingsOf: the chart of accounts at work', () => {
  it('FB-3: a fee split between a bonus and own funds (worked example 2)', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantFb('b1', '100', '0.5'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100', '10'),
    ]);
    expect(moves(steps[0] as Stepped)).toEqual([['platform:campaign', 'bonus:b1', '100']]);
    expect(moves(last(steps))).toEqual([
      ['bonus:b1', 'platform:fees', '5'],
      ['user:futures', 'platform:fees', '5'],
    ]);
    expect(balancesOf(last(steps).result.state)).toEqual({ 'user:futures': '995', 'bonus:b1': '95' });
    clean(steps);
  });

  it('FB-5: a loss beyond the own balance, the bonus paying past its rate', () => {
    const steps = stepAll(account({ ownBalance: '3' }), [
      grantFb('b1', '100', '0.5'),
      place('o1', 'open', '1', '100', { source: 'bot' }),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '90', { source: 'bot' }),
      fill('c1', '1', '90'),
    ]);
    expect(moves(last(steps))).toEqual([
      ['bonus:b1', 'market:pnl', '7'],
      ['user:futures', 'market:pnl', '3'],
    ]);
    clean(steps);
  });

  it('FB-10, FB-11: transfers cross external:wallet; the deferred reclaim posts only when carried out (worked example 3)', () => {
    const steps = stepAll(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('b1', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100', marginMode: 'cross' }),
      fill('o1', '1', '2600'),
      transfer('out', '10'),
      transfer('in', '100'),
    ]);
    expect(moves(steps[3] as Stepped)).toEqual([['user:futures', 'external:wallet', '10']]);
    expect((steps[3] as Stepped).result.effects.map((e) => e.type)).toContain('ReclaimDeferred');
    expect(moves(last(steps))).toEqual([
      ['external:wallet', 'user:futures', '100'],
      ['bonus:b1', 'platform:campaign', '50'],
    ]);
    clean(steps);
  });

  it('PV-3, PV-6, PV-8: a position voucher with own funds, its costs, and its close', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantPv('pv1', '10', { allowOwnFunds: true }),
      place('o1', 'open', '1', '150', { leverage: '10', voucher: 'pv1' }), // needs 15: 10 voucher + 5 own
      fill('o1', '1', '150', '3'),
      place('c1', 'close', '1', '141'),
      fill('c1', '1', '141', '1'), // loss 9: 7 voucher + 2 own margin; fee 1 from own margin; close
    ]);
    expect(moves(steps[1] as Stepped)).toEqual([
      ['voucher:pv1', 'voucherMargin:pv1', '10'],
      ['user:futures', 'ownMargin:pv1', '5'],
    ]);
    expect(moves(steps[2] as Stepped)).toEqual([['voucherMargin:pv1', 'platform:fees', '3']]);
    expect(moves(last(steps))).toEqual([
      ['voucherMargin:pv1', 'market:pnl', '7'],
      ['ownMargin:pv1', 'market:pnl', '2'],
      ['ownMargin:pv1', 'platform:fees', '1'],
      ['ownMargin:pv1', 'user:futures', '2'],
    ]);
    expect(balancesOf(last(steps).result.state)).toEqual({ 'user:futures': '997' });
    clean(steps);
  });

  it('PV-4: no fill forfeits the principal to the campaign and returns the own margin', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantPv('pv1', '10', { allowOwnFunds: true }),
      place('o1', 'open', '1', '150', { leverage: '10', voucher: 'pv1' }),
      cancel('o1'),
    ]);
    expect(moves(last(steps))).toEqual([
      ['voucherMargin:pv1', 'platform:campaign', '10'],
      ['ownMargin:pv1', 'user:futures', '5'],
    ]);
    clean(steps);
  });

  it('PV-4, D-18: a cancel after a partial fill shrinks the own margin, with no effect of its own', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantPv('pv1', '10', { allowOwnFunds: true }),
      place('o1', 'open', '2', '150', { leverage: '10', voucher: 'pv1' }), // needs 30: 10 + 20 own
      fill('o1', '1', '150'), // 1 filled needs 15: own margin 5 is enough
      cancel('o1'),
    ]);
    expect(last(steps).result.effects).toEqual([]);
    expect(moves(last(steps))).toEqual([['ownMargin:pv1', 'user:futures', '15']]);
    clean(steps);
  });

  it('LCV-6, LCV-7: coverage moves into payable:<id>, the payout to user:spot', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantLcv('a', '10', {}, 1000),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '85'),
      fill('c1', '1', '85', '0', { at: 2000 }),
      tick(DAY),
    ]);
    expect(moves(steps[4] as Stepped)).toEqual([
      ['user:futures', 'market:pnl', '15'],
      ['voucher:a', 'payable:a', '10'],
    ]);
    expect(moves(last(steps))).toEqual([['payable:a', 'user:spot', '10']]);
    clean(steps);
  });

  it('G-7: a flag revokes to the campaign, cancels payables, reclaims bonuses', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantLcv('a', '10', {}, 1000),
      grantLcv('b', '20'),
      place('o1', 'open', '1', '100', { source: 'main' }),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '85'),
      fill('c1', '1', '85', '0', { at: 2000 }),
      grantFb('fb', '30', '1'),
      flag(),
    ]);
    const flagged = last(steps);
    expect(moves(flagged)).toEqual([
      ['voucher:b', 'platform:campaign', '20'],
      ['payable:a', 'platform:campaign', '10'],
      ['bonus:fb', 'platform:campaign', '30'],
    ]);
    clean(steps);
  });

  it('PV-10, D-30: clawbacks are taken from user:futures; a flagged voucher profit goes from market:pnl to the campaign', () => {
    const steps = stepAll(account({ ownBalance: '1000' }), [
      grantPv('pv1', '10'),
      place('o1', 'open', '1', '100', { voucher: 'pv1' }),
      fill('o1', '1', '100'),
      place('c1', 'close', '0.5', '110'),
      fill('c1', '0.5', '110'), // profit 5, credited and recorded
      flag(), // takes the 5 back
      place('c2', 'close', '0.5', '120'),
      fill('c2', '0.5', '120'), // profit 10 on a flagged account: never credited
    ]);
    expect(moves(steps[5] as Stepped)).toEqual([['user:futures', 'platform:campaign', '5']]);
    expect(moves(last(steps))).toEqual([
      ['market:pnl', 'platform:campaign', '10'],
      ['voucherMargin:pv1', 'platform:campaign', '10'],
    ]);
    clean(steps);
  });

  it('P-5: funding paid and received, and a deficit', () => {
    const steps = stepAll(account({ ownBalance: '2' }), [
      place('o1', 'open', '1', '100', { source: 'bot' }),
      fill('o1', '1', '100'),
      funding('5'),
      funding('-1'),
      mark('101'),
    ]);
    expect(moves(steps[2] as Stepped)).toEqual([['user:futures', 'market:funding', '5']]);
    expect(moves(steps[3] as Stepped)).toEqual([['market:funding', 'user:futures', '1']]);
    expect(moves(last(steps))).toEqual([]);
    expect(balancesOf(steps[2]?.result.state ?? account())['user:futures']).toBe('-3');
    clean(steps);
  });

  it('a rejected event and an ignored duplicate post nothing', () => {
    const steps = stepAll(account({ ownBalance: '10' }), [transfer('out', '11'), { type: 'Tick', seq: 1 }]);
    expect(steps[0]?.result.effects[0]?.type).toBe('EventRejected');
    expect(moves(steps[0] as Stepped)).toEqual([]);
    expect(moves(last(steps))).toEqual([]);
    clean(steps);
  });

  it('netOf: every set of postings balances', () => {
    const nets = netOf([
      { from: 'a', to: 'b', amount: '1.5', cause: 'x' },
      { from: 'b', to: 'c', amount: '0.5', cause: 'x' },
    ]);
    expect(nets).toEqual({ a: '-1.5', b: '1', c: '0.5' });
  });
});
