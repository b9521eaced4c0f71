/**
 * PV-10 Clawback of a voucher's profits, with D-20 (what is recorded, when takes happen),
 * D-27 (rounding of what may be taken), D-28 (which events move funds) and D-30 (effects).
 */
import { describe, expect, it } from 'vitest';
import { cancel, fill, flag, funding, grantPv, mark, place, tick, transfer } from '../helpers/dsl';
import { credited, onAccount, openWithVoucher } from './support';

const clawed = (seq: number, voucherId: string, amount: string, outstanding: string) => ({
  type: 'ProfitClawedBack', seq, at: 0, rule: 'PV-10', voucherId, amount, outstanding,
});
const eth = { symbol: 'ETHUSDT' };

/** Own 0; voucher V backs a long of 1 at 1000 closed at 1050: profit 50 credited, own 50 (seq 1-5). */
const profitOf50 = [grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), place('c1', 'close', '1', '1050'), fill('c1', '1', '1050')];

describe('PV-10 Clawback', () => {
  it('the flag claws back the recorded profit from the own balance', () => {
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), place('c1', 'close', '1', '1050'), fill('c1', '1', '1050'), flag()]);
    expect(steps[4]?.[0]).toEqual(credited({ seq: 5, at: 0, cause: 'profit', orderId: 'c1', amount: '50' }));
    expect(steps[5]).toEqual([clawed(6, 'V', '50', '0')]);
    expect(state.ownBalance).toBe('1000');
  });

  it('D-30: the recorded profit is gross: a later loss of the same position does not reduce it', () => {
    // 2 at 500; close 1 at 600: +100; close 1 at 400: loss 100, paid by the voucher. Clawed back: 100.
    const { steps, state } = onAccount([
      grantPv('V', '100'), ...openWithVoucher('V', '2', '500'),
      place('c1', 'close', '1', '600'), fill('c1', '1', '600'), place('c2', 'close', '1', '400'), fill('c2', '1', '400'), flag(),
    ]);
    expect(steps[7]).toEqual([clawed(8, 'V', '100', '0')]);
    expect(state.ownBalance).toBe('1000');
  });

  it('D-20: funding received is credited as usual and not recorded: nothing to claw back', () => {
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), funding('-5'), flag()]);
    expect(steps[3]).toEqual([credited({ seq: 4, at: 0, cause: 'funding', amount: '5' })]);
    expect(steps[4]).toEqual([]);
    expect(state.ownBalance).toBe('1005');
  });

  it('takes only what is transferable (M-4), then the outstanding on later accepted funds movements, one effect per take', () => {
    const { steps, state } = onAccount([
      ...profitOf50,
      // A plain long of 1 ETHUSDT at 400, leverage 10, locks 40 of the 50: transferable 10.
      place('e1', 'open', '1', '400', { ...eth, voucher: 'none' }), fill('e1', '1', '400'),
      flag(), //                                   seq 8: takes 10 of 50
      transfer('in', '5'), //                      seq 9: own 45, takes 5
      transfer('out', '1'), //                     seq 10: refused (transferable 0), no take
      mark('400', eth), //                         seq 11: not a funds movement
      funding('-3', { symbol: 'ETHUSDT' }), //     seq 12: credited 3, takes 3
      funding('0', { symbol: 'ETHUSDT' }), //      seq 13: moves nothing (D-28)
      place('ce', 'close', '1', '400', eth), //    seq 14
      fill('ce', '1', '400'), //                   seq 15: settles nothing, yet moves funds (D-28): 40 released, takes 32
      transfer('in', '10'), //                     seq 16: nothing outstanding
    ], { ownBalance: '0' });
    expect(steps[7]).toEqual([clawed(8, 'V', '10', '40')]);
    expect(steps[8]).toEqual([clawed(9, 'V', '5', '35')]);
    expect(steps[9]).toEqual([expect.objectContaining({ type: 'EventRejected', code: 'INSUFFICIENT_TRANSFERABLE' })]);
    expect(steps[10]).toEqual([]);
    expect(steps[11]).toEqual([credited({ seq: 12, at: 0, symbol: 'ETHUSDT', cause: 'funding', amount: '3' }), clawed(12, 'V', '3', '32')]);
    expect(steps[12]).toEqual([]);
    expect(steps[14]).toEqual([clawed(15, 'V', '32', '0')]);
    expect(steps[15]).toEqual([]);
    expect(state.ownBalance).toBe('18');
  });

  it('D-20: the flag emits the clawback even when it takes 0; a transfer out is checked before any take', () => {
    const { steps, state } = onAccount([
      ...profitOf50,
      place('e1', 'open', '1', '400', { ...eth, voucher: 'none' }), fill('e1', '1', '400'),
      mark('390', eth), //                       seq 8: upnl -10, transferable 50 - 40 - 10 = 0
      flag(), //                                 seq 9: takes 0 of 50
      mark('400', eth), //                       seq 10: transferable 10, but a mark moves no funds
      tick(1000), place('x', 'open', '1', '100', { voucher: 'none' }), cancel('x'), // seq 11-13: nor do these
      transfer('out', '10'), //                  seq 14: fits the 10 transferable; nothing is left to take
      transfer('in', '1'), //                    seq 15: takes 1
    ], { ownBalance: '0' });
    expect(steps[8]).toEqual([clawed(9, 'V', '0', '50')]);
    expect(steps.slice(9, 14)).toEqual([[], [], [], [], []]);
    expect(steps[14]).toEqual([{ ...clawed(15, 'V', '1', '49'), at: 1000 }]);
    expect(state.ownBalance).toBe('40');
  });

  it('D-30: a profit realised after the flag is clawed back instead of credited, with the outstanding unchanged', () => {
    // 2 at 500; close 1 at 600: +100, moved out; flag takes 0; close 1 at 550: +50 withheld.
    const { steps, state } = onAccount([
      grantPv('V', '100'), ...openWithVoucher('V', '2', '500'),
      place('c1', 'close', '1', '600'), fill('c1', '1', '600'), transfer('out', '100'), flag(),
      place('c2', 'close', '1', '550'), fill('c2', '1', '550'),
    ], { ownBalance: '0' });
    expect(steps[6]).toEqual([clawed(7, 'V', '0', '100')]);
    expect(steps[8]).toEqual([
      clawed(9, 'V', '50', '100'),
      { type: 'VoucherForfeited', seq: 9, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c2', amount: '100' },
    ]);
    expect(state.ownBalance).toBe('0');
  });

  it('D-30: on a flagged account with nothing recorded, a later profit is withheld with outstanding 0', () => {
    const { steps, state } = onAccount([grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), flag(), place('c1', 'close', '1', '1080'), fill('c1', '1', '1080')]);
    expect(steps[3]).toEqual([]);
    expect(steps[5]).toEqual([clawed(6, 'V', '80', '0'), { type: 'VoucherForfeited', seq: 6, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' }]);
    expect(state.ownBalance).toBe('1000');
  });

  it('FV-31: funding received by a voucher position on a flagged account is credited, not withheld (it is not profit, D-20); it then feeds the takes', () => {
    // Recorded 100 on the first half, moved out; the flag takes 0; funding received 2 is credited and taken at once.
    const { steps, state } = onAccount([
      grantPv('V', '100'), ...openWithVoucher('V', '2', '500'),
      place('c1', 'close', '1', '600'), fill('c1', '1', '600'), transfer('out', '100'), flag(), funding('-2'),
    ], { ownBalance: '0' });
    expect(steps[6]).toEqual([clawed(7, 'V', '0', '100')]);
    expect(steps[7]).toEqual([credited({ seq: 8, at: 0, cause: 'funding', amount: '2' }), clawed(8, 'V', '2', '98')]);
    expect(state.ownBalance).toBe('0');
  });

  it('several vouchers: the flag claws back each in grant order; later takes go in grant order and only when they take something', () => {
    const { steps, state } = onAccount([
      grantPv('V', '100'), grantPv('W', '100'),
      ...openWithVoucher('V', '1', '1000'), place('c1', 'close', '1', '1030'), fill('c1', '1', '1030'), //       +30
      place('ow', 'open', '1', '1000', { ...eth, voucher: 'W' }), fill('ow', '1', '1000'),
      place('c2', 'close', '1', '1020', eth), fill('c2', '1', '1020'), //                                        +20
      transfer('out', '45'), //  seq 11: own 5
      flag(), //                 seq 12
      transfer('in', '30'), //   seq 13
      transfer('in', '100'), //  seq 14
    ], { ownBalance: '0' });
    expect(steps[11]).toEqual([clawed(12, 'V', '5', '25'), clawed(12, 'W', '0', '20')]);
    expect(steps[12]).toEqual([clawed(13, 'V', '25', '0'), clawed(13, 'W', '5', '15')]);
    expect(steps[13]).toEqual([clawed(14, 'W', '15', '0')]);
    expect(state.ownBalance).toBe('85');
  });

  it('D-27: a take is the transferable funds rounded down to scale (10.0000000066666667 -> 10, never 10.00000001)', () => {
    // Own 100 after a profit of 100; a plain long of 0.33333333 ETHUSDT at 3 (leverage 1) locks 0.99999999;
    // at mark 2.99999999 its upnl is -0.0000000033333333. After a transfer out of 89, own 11:
    // transferable = 11 - 0.99999999 - 0.0000000033333333 = 10.0000000066666667.
    const { steps, state } = onAccount([
      grantPv('V', '100'), ...openWithVoucher('V', '1', '1000'), place('c1', 'close', '1', '1100'), fill('c1', '1', '1100'),
      place('e1', 'open', '0.33333333', '3', { ...eth, leverage: '1', voucher: 'none' }), fill('e1', '0.33333333', '3'),
      mark('2.99999999', eth), transfer('out', '89'), flag(),
    ], { ownBalance: '0' });
    expect(steps[9]).toEqual([clawed(10, 'V', '10', '90')]);
    expect(state.ownBalance).toBe('1');
  });
});
