import { describe, expect, it } from 'vitest';
import { account, fill, grantFb, grantLcv, ofType, place, run, transfer } from './helpers/dsl';
import { decodeEvent } from '../src/index';

describe('RULES.md section 8: worked examples', () => {
  it('1. loss coverage FIFO', () => {
    const { effects } = run(account({ ownBalance: '10000' }), [
      grantLcv('A', '10', {}, 1000),
      grantLcv('B', '20', {}, 2000),
      place('o1', 'open', '1', '100', { at: 2500 }),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '85'),
      fill('c1', '1', '85', '0', { at: 3000 }),
      place('o2', 'open', '1', '100'),
      fill('o2', '1', '100'),
      place('c2', 'close', '1', '99.2'),
      fill('c2', '1', '99.2'),
      place('o3', 'open', '1', '100'),
      fill('o3', '1', '100'),
      place('c3', 'close', '1', '75'),
      fill('c3', '1', '75'),
    ]);
    const applied = ofType(effects, 'LossCoverageApplied');
    expect(applied).toEqual([
      expect.objectContaining({ voucherId: 'A', orderId: 'c1', loss: '15', covered: '10', remaining: '0', rule: 'LCV-6' }),
      expect.objectContaining({ voucherId: 'B', orderId: 'c3', loss: '25', covered: '20', remaining: '0' }),
    ]);
  });

  it('2. futures bonus split: a fee of 10 at rate 0.5 -> 5 and 5', () => {
    const { effects } = run(account({ ownBalance: '1000' }), [
      grantFb('F', '100', '0.5'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100', '10'),
    ]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({
      cause: 'fee', amount: '10', fromBonus: [{ bonusId: 'F', amount: '5' }], fromOwn: '5', deficit: '0', fromVoucher: '0', fromOwnMargin: '0',
    });
  });

  it('2. short own funds: bonus 5, own 3, bonus 2 more', () => {
    const { effects, state } = run(account({ ownBalance: '3' }), [
      grantFb('F', '100', '0.5'),
      place('o1', 'open', '1', '100'),
      fill('o1', '1', '100'),
      place('c1', 'close', '1', '90'),
      fill('c1', '1', '90'),
    ]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ cause: 'loss', amount: '10', fromBonus: [{ bonusId: 'F', amount: '7' }], fromOwn: '3', deficit: '0' });
    expect(state.futuresBonuses[0]?.remaining).toBe('93');
    expect(state.ownBalance).toBe('0');
  });

  it('2. rounding: a fee of 0.00000003 at rate 0.5', () => {
    const { effects } = run(account(), [grantFb('F', '100', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100', '0.00000003')]);
    expect(ofType(effects, 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '0.00000001' }], fromOwn: '0.00000002' });
  });

  it('2. a fee with 9 decimals is a decode error', () => {
    const decoded = decodeEvent({ type: 'OrderFilled', seq: 1, at: 0, orderId: 'o', qty: '1', price: '1', fee: '0.000000001' });
    expect(decoded._tag).toBe('Left');
    if (decoded._tag === 'Left') expect(decoded.left[0]).toMatchObject({ path: 'fee' });
  });

  it('3. the guard', () => {
    const { steps, state } = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
      grantFb('F', '50', '0.5'),
      place('o1', 'open', '1', '2600', { leverage: '100' }),
      fill('o1', '1', '2600'),
      transfer('out', '10'),
      transfer('in', '100'),
    ]);
    expect(steps[3]).toEqual([
      { type: 'ReclaimDeferred', seq: 4, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut', projectedMarginRate: '1.44444444' },
    ]);
    expect(steps[4]).toEqual([{ type: 'BonusReclaimed', seq: 5, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
    expect(state.ownBalance).toBe('190');
  });
});
