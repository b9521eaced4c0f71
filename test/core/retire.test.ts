/**
 * FV-8 Final vouchers are retired: a voucher that reached a final status (D-31) leaves its array
 * when the step that made it final ends, once no rule can read it again, and its kind's list in
 * `retired` gets `[id, status]`. Its id stays taken; a version 1 state is migrated on decoding.
 *
 * The retirement conditions are written here from the rule text, not taken from the engine.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import {
  account, cancel, fill, flag, grantFb, grantLcv, grantPv, ofType, place, retiredAs, run, tick, transfer, VOUCHER_ARRAYS, whereIs,
  type VoucherArray,
} from '../helpers/dsl';
import { applied, compensationCancelled, DAY, expired, paid, roundTrip, T0 } from '../lossCoverage/support';
import { createAccount, decodeState, encodeState, step, type AccountState, type Effect } from '../../src/index';
import { arbAccountState, arbEventStream } from '../../src/testing/index';
import { assertProperty, runs, timeoutFor } from '../invariants/support';

const FILE = 'test/core/retire.test.ts';

const duplicate = { type: 'EventRejected', rule: 'A-5', code: 'DUPLICATE_VOUCHER' };
const clawed = (seq: number, voucherId: string, amount: string, outstanding: string) => ({
  type: 'ProfitClawedBack', seq, at: 0, rule: 'PV-10', voucherId, amount, outstanding,
});

/** The live ids of a kind, in array order. */
const liveIds = (state: AccountState, kind: VoucherArray): string[] => state[kind].map((v) => v.id);

/**
 * FV-8 read from the rule text: the final vouchers of a state that nothing can read again. Loss
 * coverage: no unpaid compensation names it (LCV-7). Position voucher: no recorded profit, or the
 * account is flagged and nothing of it is outstanding (PV-10). Futures bonus: always.
 */
function retirableIds(state: AccountState): Record<VoucherArray, string[]> {
  const flagged = state.status === 'flagged';
  return {
    lossCoverageVouchers: state.lossCoverageVouchers
      .filter((v) => v.status !== 'available' && !state.compensations.some((c) => c.voucherId === v.id))
      .map((v) => v.id),
    positionVouchers: state.positionVouchers
      .filter((v) => v.status !== 'available' && v.status !== 'inUse' && (new Big(v.profit).eq(0) || (flagged && new Big(v.outstanding).eq(0))))
      .map((v) => v.id),
    futuresBonuses: state.futuresBonuses.filter((b) => b.status === 'spent' || b.status === 'reclaimed').map((b) => b.id),
  };
}

describe('FV-8 Final vouchers are retired', () => {
  describe('a loss coverage voucher stays while a compensation it owes is unpaid', () => {
    // A of 10 covers a loss of 15 (remaining 0, consumed); the compensation is payable at T0 + DAY.
    const covered = run(account(), [grantLcv('A', '10', {}, T0), ...roundTrip('c', '985', T0 + 1)]);

    it('consumed, it stays in lossCoverageVouchers while its compensation waits', () => {
      expect(ofType(covered.effects, 'LossCoverageApplied')).toEqual([applied(5, T0 + 1, 'A', 'c', '15', '10', '0', T0 + DAY)]);
      expect(covered.state.lossCoverageVouchers.map((v) => [v.id, v.remaining, v.status])).toEqual([['A', '0', 'consumed']]);
      expect(covered.state.retired.lossCoverageVouchers).toEqual([]);
      const waiting = run(covered.state, [tick(T0 + DAY - 1)]);
      expect(waiting.effects).toEqual([]);
      expect(whereIs(waiting.state, 'A')).toEqual({ retired: false, kind: 'lossCoverageVouchers', status: 'consumed' });
    });

    it('worked example: once its compensation is paid at the next UTC midnight it is retired as consumed', () => {
      const { steps, state } = run(covered.state, [tick(T0 + DAY)]);
      expect(steps[0]).toEqual([paid(6, T0 + DAY, 'A', 'c', '10')]);
      expect(state.compensations).toEqual([]);
      expect(state.lossCoverageVouchers).toEqual([]);
      expect(state.retired.lossCoverageVouchers).toEqual([['A', 'consumed']]);
    });

    it('when the flag cancels its compensation (G-7) it is retired in the flag\'s step', () => {
      const { steps, state } = run(covered.state, [flag({ at: T0 + 2 })]);
      expect(steps[0]).toEqual([compensationCancelled(6, T0 + 2, 'A', 'c', '10')]);
      expect(state.lossCoverageVouchers).toEqual([]);
      expect(state.retired.lossCoverageVouchers).toEqual([['A', 'consumed']]);
    });

    it('expired while it still owes a compensation, it stays until the payout, then retires as expired', () => {
      // A of 50 covers 10 (remaining 40), expires at T0 + 100 with 40 unused; the 10 is paid at T0 + DAY.
      const { states, steps } = session(account(), [
        grantLcv('A', '50', { expiresAt: T0 + 100 }, T0), ...roundTrip('c', '990', T0 + 1), tick(T0 + 200), tick(T0 + DAY),
      ]);
      expect(steps[5]).toEqual([expired(6, T0 + 100, 'A', '40')]);
      expect(whereIs(states[6] as AccountState, 'A')).toEqual({ retired: false, kind: 'lossCoverageVouchers', status: 'expired' });
      expect(steps[6]).toEqual([paid(7, T0 + DAY, 'A', 'c', '10')]);
      expect(whereIs(states[7] as AccountState, 'A')).toEqual(retiredAs('lossCoverageVouchers', 'expired'));
    });

    it('owing nothing, an expired or revoked voucher retires in the step that ended it', () => {
      const { steps, state } = run(account(), [grantLcv('A', '10', { expiresAt: T0 + 100 }, T0), grantLcv('B', '20', {}, T0), tick(T0 + 100), flag({ at: T0 + 101 })]);
      expect(steps[2]).toEqual([expired(3, T0 + 100, 'A', '10')]);
      expect(steps[3]).toEqual([{ type: 'VoucherRevoked', seq: 4, at: T0 + 101, rule: 'G-7', voucherId: 'B', kind: 'lossCoverage', unused: '20' }]);
      expect(state.retired.lossCoverageVouchers).toEqual([['A', 'expired'], ['B', 'revoked']]);
      expect(state.lossCoverageVouchers).toEqual([]);
    });
  });

  describe('a position voucher with a recorded profit stays until a flag claws it back and nothing is outstanding', () => {
    /** Own 0; V backs a long of 1 at 1000 closed at 1050: profit 50 credited (seq 1-5). */
    const profitOf50 = [grantPv('V', '100'), place('open-V', 'open', '1', '1000', { voucher: 'V' }), fill('open-V', '1', '1000'), place('c1', 'close', '1', '1050'), fill('c1', '1', '1050')];
    const eth = { symbol: 'ETHUSDT' };

    it('consumed with a profit recorded, it stays on an active account, however long', () => {
      const { steps, state } = run(account({ ownBalance: '0' }), [...profitOf50, tick(9e12)]);
      expect(steps[4]).toEqual([
        expect.objectContaining({ type: 'Credited', cause: 'profit', amount: '50' }),
        { type: 'VoucherForfeited', seq: 5, at: 0, rule: 'PV-8', voucherId: 'V', orderId: 'c1', amount: '100' },
      ]);
      expect(state.positionVouchers.map((v) => [v.id, v.status, v.profit, v.outstanding])).toEqual([['V', 'consumed', '50', '0']]);
      expect(state.retired.positionVouchers).toEqual([]);
    });

    it('the flag takes part of it (outstanding 40): it stays; the take that leaves nothing outstanding retires it', () => {
      const { states, steps } = session(account({ ownBalance: '0' }), [
        ...profitOf50,
        // A plain long of 1 ETHUSDT at 400 (leverage 10) locks 40 of the 50: transferable 10.
        place('e1', 'open', '1', '400', { ...eth, voucher: 'none' }), fill('e1', '1', '400'),
        flag(), transfer('in', '15'), transfer('in', '25'),
      ]);
      expect(steps[7]).toEqual([clawed(8, 'V', '10', '40')]);
      expect(steps[8]).toEqual([clawed(9, 'V', '15', '25')]);
      expect(steps[9]).toEqual([clawed(10, 'V', '25', '0')]);
      expect((states[8] as AccountState).positionVouchers.map((v) => [v.id, v.status, v.outstanding])).toEqual([['V', 'consumed', '40']]);
      expect((states[9] as AccountState).positionVouchers.map((v) => [v.id, v.status, v.outstanding])).toEqual([['V', 'consumed', '25']]);
      const state = states[10] as AccountState;
      expect(state.positionVouchers).toEqual([]);
      expect(state.retired.positionVouchers).toEqual([['V', 'consumed']]);
    });

    it('a flag that takes it all at once retires it in the flag\'s step', () => {
      const { steps, state } = run(account({ ownBalance: '1000' }), [...profitOf50, flag()]);
      expect(steps[5]).toEqual([clawed(6, 'V', '50', '0')]);
      expect(state.positionVouchers).toEqual([]);
      expect(state.retired.positionVouchers).toEqual([['V', 'consumed']]);
    });

    it('with no profit recorded it retires as soon as it is final: forfeited, closed at a loss, expired, revoked', () => {
      const { steps, state } = run(account(), [
        grantPv('F', '100'), place('o1', 'open', '1', '1000', { voucher: 'F' }), cancel('o1'), // F forfeited on the cancel (PV-4)
        grantPv('L', '100'), place('o2', 'open', '1', '1000', { voucher: 'L' }), fill('o2', '1', '1000'),
        place('c2', 'close', '1', '950'), fill('c2', '1', '950'), // L closed at a loss of 50 (paid by its voucher margin)
        grantPv('E', '30', { expiresAt: 10 }), tick(10), // E expires unused
        grantPv('R', '40'), flag(), // R revoked
      ]);
      expect(steps[2]).toEqual([{ type: 'VoucherForfeited', seq: 3, at: 0, rule: 'PV-4', voucherId: 'F', orderId: 'o1', amount: '100' }]);
      expect(ofType(steps[7] ?? [], 'VoucherForfeited')).toEqual([{ type: 'VoucherForfeited', seq: 8, at: 0, rule: 'PV-8', voucherId: 'L', orderId: 'c2', amount: '50' }]);
      expect(steps[9]).toEqual([{ type: 'VoucherExpired', seq: 10, at: 10, rule: 'PV-9', voucherId: 'E', kind: 'positionVoucher', unused: '30' }]);
      expect(steps[11]).toEqual([{ type: 'VoucherRevoked', seq: 12, at: 10, rule: 'G-7', voucherId: 'R', kind: 'positionVoucher', unused: '40' }]);
      expect(state.positionVouchers).toEqual([]);
      expect(state.retired.positionVouchers).toEqual([['F', 'consumed'], ['L', 'consumed'], ['E', 'expired'], ['R', 'revoked']]);
    });

    it('one in use is not final: it stays, on a flagged account too (D-6)', () => {
      const { state } = run(account(), [grantPv('V', '100'), place('o1', 'open', '1', '1000', { voucher: 'V' }), fill('o1', '1', '1000'), flag()]);
      expect(whereIs(state, 'V')).toEqual({ retired: false, kind: 'positionVouchers', status: 'inUse' });
    });
  });

  describe('a futures bonus retires in the step that spends or reclaims it', () => {
    it('spent paying a cost (FB-4): retired at once', () => {
      const { steps, state } = run(account(), [grantFb('F', '3', '0.5'), place('o1', 'open', '1', '100'), fill('o1', '1', '100', '10')]);
      expect(ofType(steps[2] ?? [], 'CostSettled')[0]).toMatchObject({ fromBonus: [{ bonusId: 'F', amount: '3' }] });
      expect(state.futuresBonuses).toEqual([]);
      expect(state.retired.futuresBonuses).toEqual([['F', 'spent']]);
    });

    it('reclaimed at its expiry (FB-8): retired at once', () => {
      const { steps, state } = run(account(), [grantFb('F', '50', '0.5', { expiresAt: 1000 }), tick(1000)]);
      expect(steps[1]).toEqual([{ type: 'BonusReclaimed', seq: 2, at: 1000, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'expiry' }]);
      expect(state.futuresBonuses).toEqual([]);
      expect(state.retired.futuresBonuses).toEqual([['F', 'reclaimed']]);
    });

    it('awaiting a deferred reclaim it stays; it retires when the reclaim is carried out', () => {
      // Worked example 3: mmr 0.05, own 100, F 50, a long of 1 at 2600 (leverage 100): out 10 defers, in 100 carries out.
      const start = run(account({ ownBalance: '100' }, { instruments: { BTCUSDT: { mmr: '0.05' } } }), [
        grantFb('F', '50', '0.5'), place('o1', 'open', '1', '2600', { leverage: '100' }), fill('o1', '1', '2600'), transfer('out', '10'),
      ]).state;
      expect(whereIs(start, 'F')).toEqual({ retired: false, kind: 'futuresBonuses', status: 'awaitingReclaim' });
      const { effects, state } = run(start, [transfer('in', '100')]);
      expect(effects).toEqual([{ type: 'BonusReclaimed', seq: 5, at: 0, rule: 'FB-10', bonusIds: ['F'], amount: '50', trigger: 'transferOut' }]);
      expect(whereIs(state, 'F')).toEqual(retiredAs('futuresBonuses', 'reclaimed'));
    });
  });

  it('A-5: a retired id stays taken: a grant of it, of any kind, is DUPLICATE_VOUCHER', () => {
    const retiredAll = run(account(), [
      grantLcv('A', '10', { expiresAt: 10 }), grantPv('P', '10', { expiresAt: 10 }), grantFb('F', '10', '0.5', { expiresAt: 10 }), tick(10),
    ]).state;
    expect(retiredAll.retired).toEqual({ lossCoverageVouchers: [['A', 'expired']], positionVouchers: [['P', 'expired']], futuresBonuses: [['F', 'reclaimed']] });
    for (const id of ['A', 'P', 'F']) {
      for (const grant of [grantLcv(id, '5'), grantPv(id, '5'), grantFb(id, '5', '0.5')]) {
        const { effects, state } = run(retiredAll, [grant]);
        expect(effects).toEqual([expect.objectContaining(duplicate)]);
        expect(state.retired).toEqual(retiredAll.retired);
        expect(VOUCHER_ARRAYS.flatMap((kind) => liveIds(state, kind))).toEqual([]);
      }
    }
  });

  it('each list is in retirement order, and in grant order within a step', () => {
    const { state } = run(account(), [
      grantPv('P1', '1', { expiresAt: 2000 }), grantPv('P2', '2', { expiresAt: 2000 }), grantPv('P3', '3', { expiresAt: 1000 }),
      grantLcv('L1', '1', { expiresAt: 2000 }), grantLcv('L2', '2', { expiresAt: 1000 }),
      // F2 falls due first, but both are reclaimed in one step: grant order.
      grantFb('F1', '10', '0.5', { expiresAt: 1500 }), grantFb('F2', '10', '0.5', { expiresAt: 1200 }),
      tick(1000), tick(3000),
    ]);
    expect(state.retired).toEqual({
      lossCoverageVouchers: [['L2', 'expired'], ['L1', 'expired']],
      positionVouchers: [['P3', 'expired'], ['P1', 'expired'], ['P2', 'expired']],
      futuresBonuses: [['F1', 'reclaimed'], ['F2', 'reclaimed']],
    });
  });

  describe('a version 1 state is migrated on decoding', () => {
    it('a version 2 state written as version 1 (final vouchers back in their arrays, no `retired`) decodes to the same state', () => {
      const { states, effects } = session(account({ ownBalance: '1000' }), [
        grantLcv('A', '10', {}, T0), grantLcv('B', '20', { expiresAt: T0 + 50 }, T0), grantLcv('C', '30', {}, T0),
        grantPv('P', '100', { expiresAt: T0 + 50 }, T0), grantPv('Q', '100', {}, T0), grantFb('F', '5', '0.5', {}, T0),
        // B and P expire (retired); the opening fee of 10 spends F (share 5, retired).
        place('o', 'open', '1', '1000', { at: T0 + 100, voucher: 'none' }), fill('o', '1', '1000', '10', { at: T0 + 100 }),
        // A loss of 15 on the close: A covers 10, consumed and owing 10 until T0 + DAY: it stays.
        place('c', 'close', '1', '985', { at: T0 + 101 }), fill('c', '1', '985', '0', { at: T0 + 101 }),
        // Q backs a long closed at a profit of 20: consumed with a recorded profit, it stays.
        ...roundTrip('d', '1020', T0 + 200, { open: { voucher: 'Q' } }),
        grantFb('G', '500', '0.5', {}, T0 + 300),
      ]);
      const v2 = states[states.length - 1] as AccountState;
      expect(v2.retired).toEqual({ lossCoverageVouchers: [['B', 'expired']], positionVouchers: [['P', 'expired']], futuresBonuses: [['F', 'spent']] });
      expect(VOUCHER_ARRAYS.map((kind) => liveIds(v2, kind))).toEqual([['A', 'C'], ['Q'], ['G']]);
      const v1 = asVersion1(states, effects);
      expect(v1['version']).toBe(1);
      expect('retired' in v1).toBe(false);
      expect((v1['lossCoverageVouchers'] as { id: string; status: string }[]).map((v) => [v.id, v.status])).toEqual([['A', 'consumed'], ['B', 'expired'], ['C', 'available']]);
      expect(decodeState(v1)).toEqual({ _tag: 'Right', right: v2 });
      expect(decodeState(JSON.parse(JSON.stringify(encodeState(v2))))).toEqual({ _tag: 'Right', right: v2 });
    });

    it('a fresh version 1 state decodes as the fresh version 2 state', () => {
      fc.assert(fc.property(arbAccountState(), (state) => {
        const { retired: _retired, ...rest } = JSON.parse(JSON.stringify(state)) as Record<string, unknown>;
        expect(decodeState({ ...rest, version: 1 })).toEqual({ _tag: 'Right', right: state });
      }), { numRuns: 50 });
    });

    const count = runs(60);
    it('over generated streams: the migrated state is the version 2 state, its retired lists in grant order (version 1 kept no retirement order)', () => {
      assertProperty(FILE, 'migration over generated streams', fc.property(arbEventStream({ length: { min: 1, max: 40 }, bias: true }), (stream) => {
        const states = [createAccount(stream.account, stream.policy)];
        const effects: Effect[] = [];
        for (const event of stream.events) {
          const result = step(states[states.length - 1] as AccountState, event);
          states.push(result.state);
          effects.push(...result.effects);
        }
        const v2 = states[states.length - 1] as AccountState;
        const order = grantOrder(effects);
        const byGrant = (list: readonly (readonly [string, string])[]) => [...list].sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0));
        const expected = {
          ...v2,
          retired: {
            lossCoverageVouchers: byGrant(v2.retired.lossCoverageVouchers),
            positionVouchers: byGrant(v2.retired.positionVouchers),
            futuresBonuses: byGrant(v2.retired.futuresBonuses),
          },
        };
        expect(decodeState(asVersion1(states, effects))).toEqual({ _tag: 'Right', right: expected });
      }), count);
    }, timeoutFor(count));
  });

  describe('decodeState gives every state in the form steps leave', () => {
    const built = () => session(account({ ownBalance: '1000' }), [
      grantLcv('A', '10', { expiresAt: T0 + 50 }, T0), grantLcv('B', '20', {}, T0), grantFb('F', '5', '0.5', { expiresAt: T0 + 50 }, T0),
      tick(T0 + 100),
    ]).states.at(-1) as AccountState;

    it('a version 1 state that carries `retired` is refused, naming the field, whatever the list holds', () => {
      const { version: _version, ...rest } = JSON.parse(JSON.stringify(built())) as Record<string, unknown>;
      expect(decodeState({ ...rest, version: 1 })).toEqual({
        _tag: 'Left', left: [{ path: 'retired', message: 'not part of a version 1 state (FV-8): remove it, or give the state as version 2' }],
      });
    });

    it('a hand-built version 2 state still holding final vouchers in its arrays has them retired, in array order', () => {
      const state = built();
      expect(state.retired).toEqual({ lossCoverageVouchers: [['A', 'expired']], positionVouchers: [], futuresBonuses: [['F', 'reclaimed']] });
      const live = state.lossCoverageVouchers[0];
      const handBuilt = {
        ...state,
        lossCoverageVouchers: [{ ...live, id: 'X', status: 'revoked' }, ...state.lossCoverageVouchers, { ...live, id: 'Y', status: 'consumed', remaining: '0' }],
      };
      const decoded = decodeState(JSON.parse(JSON.stringify(handBuilt)));
      expect(decoded).toEqual({
        _tag: 'Right',
        right: { ...state, retired: { ...state.retired, lossCoverageVouchers: [['A', 'expired'], ['X', 'revoked'], ['Y', 'consumed']] } },
      });
    });

    it('a state the engine produced decodes to an equal state (nothing retired twice)', () => {
      const state = built();
      expect(decodeState(JSON.parse(JSON.stringify(state)))).toEqual({ _tag: 'Right', right: state });
    });

    it('an error inside a retired entry names its index in brackets', () => {
      const state = JSON.parse(JSON.stringify(built())) as Record<string, unknown>;
      const decoded = decodeState({ ...state, retired: { ...(state['retired'] as object), futuresBonuses: [['F', 'gone']] } });
      expect(decoded._tag).toBe('Left');
      const paths = decoded._tag === 'Left' ? decoded.left.map((e) => e.path) : [];
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).toMatch(/^retired\.futuresBonuses\[0\]\[1\]/);
    });
  });

  describe('over generated streams (property)', () => {
    const count = runs(150);
    it('after every step no array holds a retirable voucher; each list only grows, prefix-preserving; no id is both live and retired, or retired twice', () => {
      assertProperty(FILE, 'retirement invariants', fc.property(arbEventStream({ length: { min: 1, max: 60 }, bias: true }), (stream) => {
        let before = createAccount(stream.account, stream.policy);
        for (const event of stream.events) {
          const { state: after } = step(before, event);
          const seen = new Set<string>();
          const retirable = retirableIds(after);
          for (const kind of VOUCHER_ARRAYS) {
            expect(retirable[kind], `retirable ${kind} after seq ${event.seq}`).toEqual([]);
            // Only grows: the old list is a prefix of the new one.
            const old = before.retired[kind];
            expect(after.retired[kind].slice(0, old.length)).toEqual(old);
            // What is new left the array in this step (in grant order, the array's order); nothing else left it.
            const added = after.retired[kind].slice(old.length).map(([id]) => id);
            const left = before[kind].filter((v) => !after[kind].some((w) => w.id === v.id)).map((v) => v.id);
            expect(added).toEqual(left);
            for (const id of [...liveIds(after, kind), ...after.retired[kind].map(([rid]) => rid)]) {
              expect(seen.has(id), `${id} appears twice after seq ${event.seq}`).toBe(false);
              seen.add(id);
            }
          }
          before = after;
        }
      }), count);
    }, timeoutFor(count));

    it('the streams exercise it: every kind retires, and vouchers stay for an unpaid compensation and for a recorded profit', () => {
      const seen = { lossCoverage: 0, positionVoucher: 0, futuresBonus: 0, owing: 0, profit: 0 };
      for (const stream of fc.sample(arbEventStream({ length: 60, bias: true }), { numRuns: 200, seed: 8 })) {
        let state = createAccount(stream.account, stream.policy);
        for (const event of stream.events) {
          state = step(state, event).state;
          if (state.lossCoverageVouchers.some((v) => v.status !== 'available')) seen.owing++;
          if (state.positionVouchers.some((v) => v.status === 'consumed' && new Big(v.profit).gt(0))) seen.profit++;
        }
        seen.lossCoverage += state.retired.lossCoverageVouchers.length;
        seen.positionVoucher += state.retired.positionVouchers.length;
        seen.futuresBonus += state.retired.futuresBonuses.length;
      }
      for (const [name, n] of Object.entries(seen)) expect(n, name).toBeGreaterThan(5);
    }, 60_000);
  });
});

/** Every state of a DSL session (the start included) and all its effects. */
function session(start: AccountState, events: Parameters<typeof run>[1]): { states: AccountState[]; effects: Effect[]; steps: Effect[][] } {
  const states = [start];
  const effects: Effect[] = [];
  const steps: Effect[][] = [];
  for (const event of events) {
    const result = run(states[states.length - 1] as AccountState, [event]);
    states.push(result.state);
    effects.push(...result.effects);
    steps.push(result.effects);
  }
  return { states, effects, steps };
}

/** The grant order of every voucher granted: the order of the `VoucherActivated` effects. */
function grantOrder(effects: readonly Effect[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const e of effects) if (e.type === 'VoucherActivated') order.set(e.voucherId, order.size);
  return order;
}

/**
 * The last state of a session as a version 1 state (0.1.0) would have held it: `version` 1, no
 * `retired`, every retired voucher back in its array, in grant order, in its final form: its last
 * live form with the final status, and what it holds at its end (a consumed loss coverage voucher
 * and a bonus hold 0; a retired position voucher has nothing outstanding).
 */
function asVersion1(states: readonly AccountState[], effects: readonly Effect[]): Record<string, unknown> {
  const last = states[states.length - 1] as AccountState;
  const order = grantOrder(effects);
  const lastLive = <K extends VoucherArray>(kind: K, id: string): AccountState[K][number] => {
    for (let i = states.length - 1; i >= 0; i--) {
      const found = (states[i] as AccountState)[kind].find((v) => v.id === id);
      if (found !== undefined) return found as AccountState[K][number];
    }
    throw new Error(`${id} was never live`);
  };
  const byGrant = <T extends { readonly id: string }>(items: T[]): T[] => items.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const json = JSON.parse(JSON.stringify(encodeState(last))) as Record<string, unknown>;
  delete json['retired'];
  return JSON.parse(JSON.stringify({
    ...json,
    version: 1,
    lossCoverageVouchers: byGrant([
      ...last.lossCoverageVouchers,
      ...last.retired.lossCoverageVouchers.map(([id, status]) => {
        const v = lastLive('lossCoverageVouchers', id);
        return { ...v, status, remaining: status === 'consumed' ? '0' : v.remaining };
      }),
    ]),
    positionVouchers: byGrant([
      ...last.positionVouchers,
      ...last.retired.positionVouchers.map(([id, status]) => ({ ...lastLive('positionVouchers', id), status, outstanding: '0' })),
    ]),
    futuresBonuses: byGrant([
      ...last.futuresBonuses,
      ...last.retired.futuresBonuses.map(([id, status]) => ({ ...lastLive('futuresBonuses', id), status, remaining: '0' })),
    ]),
  })) as Record<string, unknown>;
}
