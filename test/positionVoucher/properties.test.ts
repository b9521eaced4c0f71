/**
 * Properties of position vouchers over generated event sequences (see ./model.ts): grants,
 * voucher and plain orders on two symbols and both sides, partial fills, closes, cancels,
 * funding both ways, marks, transfers, the flag and the clock.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Big from 'big.js';
import { everyVoucher, statusOf } from '../helpers/dsl';
import { accepted, heldOwnMargin, heldVoucherMargin, intents, ownBalance, ownFlow, simulate, takes, voucherOf, withheldProfits, type Step } from './model';

const RUNS = { numRuns: 400 };
/** Generous: under a loaded full-suite run a property may take several seconds (this bounds a hang, it times nothing). */
const TIMEOUT = 120_000;
const own = (s: Step, which: 'before' | 'after') => new Big(s[which].ownBalance).plus(heldOwnMargin(s[which]));

describe('PV-4, PV-8 The principal is never returned to the user', () => {
  it('every change of the own funds (own balance + own margin held) is a transfer, a credit, an own-funds part of a cost or a clawback take', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          expect(own(s, 'after').minus(own(s, 'before')).eq(ownFlow(s))).toBe(true);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);

  it('voucher margin only ever pays costs or is forfeited: its change is what was committed less fromVoucher less VoucherForfeited', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          let flow = new Big(0);
          for (const e of s.effects) {
            if (e.type === 'PositionVoucherApplied') flow = flow.plus(e.voucherMargin);
            if (e.type === 'CostSettled') flow = flow.minus(e.fromVoucher);
            if (e.type === 'VoucherForfeited') flow = flow.minus(e.amount);
          }
          expect(heldVoucherMargin(s.after).minus(heldVoucherMargin(s.before)).eq(flow)).toBe(true);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);

  it('each voucher commits its whole amount once and is forfeited at most once, only after it was committed', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        const steps = simulate(start, plan);
        const applied = new Map<string, number>();
        const forfeited = new Map<string, number>();
        for (const s of steps) {
          for (const e of s.effects) {
            if (e.type === 'PositionVoucherApplied') {
              expect(applied.has(e.voucherId)).toBe(false);
              const voucher = s.before.positionVouchers.find((v) => v.id === e.voucherId);
              expect(voucher?.status).toBe('available');
              expect(e.voucherMargin).toBe(voucher?.amount);
              applied.set(e.voucherId, 1);
            }
            if (e.type === 'VoucherForfeited') {
              expect(applied.has(e.voucherId)).toBe(true);
              expect(forfeited.has(e.voucherId)).toBe(false);
              forfeited.set(e.voucherId, 1);
              expect(statusOf(s.after, e.voucherId)).toBe('consumed');
            }
          }
        }
        const last = steps[steps.length - 1];
        // Every voucher ever granted, live or retired (FV-8).
        for (const [id, status] of last === undefined ? [] : everyVoucher(last.after, 'positionVouchers')) {
          expect(status === 'inUse' || status === 'consumed').toBe(applied.has(id));
          expect(status === 'consumed').toBe(forfeited.has(id));
        }
      }),
      RUNS,
    );
  }, TIMEOUT);
});

describe('PV-7 The user never ends with more than their own funds plus realised profits', () => {
  it('own balance + own margin held <= start + transfers in - transfers out + credited profits and funding', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        const steps = simulate(start, plan);
        let bound = new Big(start);
        for (const s of steps) {
          const e = s.event;
          if (e.type === 'FundsTransferred' && accepted(s)) bound = e.direction === 'in' ? bound.plus(e.amount) : bound.minus(e.amount);
          for (const effect of s.effects) if (effect.type === 'Credited') bound = bound.plus(effect.amount);
        }
        const last = steps[steps.length - 1];
        if (last !== undefined) expect(own(last, 'after').lte(bound)).toBe(true);
      }),
      RUNS,
    );
  }, TIMEOUT);
});

describe('PV-6 The money a voucher position loses is exactly voucher margin spent plus own funds spent', () => {
  it('per voucher: costs = (principal - forfeited - still held) + own margin, own balance, bonus and deficit parts; and on a closed position net pnl = exit - entry', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        const steps = simulate(start, plan);
        const costs = new Map<string, Big>();
        const ownSpent = new Map<string, Big>();
        const voucherSpent = new Map<string, Big>();
        const principal = new Map<string, Big>();
        const forfeited = new Map<string, Big>();
        const pnl = new Map<string, Big>();
        const flow = new Map<string, Big>();
        const closed = new Set<string>();
        const add = (m: Map<string, Big>, k: string, v: Big.BigSource) => m.set(k, (m.get(k) ?? new Big(0)).plus(v));
        for (const s of steps) {
          const e = s.event;
          // Entry and exit notionals of voucher positions, from the fills themselves (P-4).
          if (e.type === 'OrderFilled' && accepted(s)) {
            const order = s.before.orders.find((o) => o.orderId === e.orderId);
            if (order !== undefined) {
              const id = voucherOf(s, order.symbol, order.positionSide);
              if (id !== undefined) {
                const notional = new Big(e.qty).times(e.price).round(8, 1);
                const sign = (order.action === 'open') === (order.positionSide === 'long') ? -1 : 1;
                add(flow, id, notional.times(sign));
              }
            }
          }
          for (const effect of s.effects) {
            if (effect.type === 'PositionVoucherApplied') principal.set(effect.voucherId, new Big(effect.voucherMargin));
            if (effect.type === 'VoucherForfeited') {
              forfeited.set(effect.voucherId, new Big(effect.amount));
              if (effect.rule === 'PV-8') closed.add(effect.voucherId);
            }
            if (effect.type === 'CostSettled') {
              const id = voucherOf(s, effect.symbol, effect.positionSide);
              if (id === undefined) {
                // D-29: only a voucher position has voucher margin or own margin to pay from.
                expect([effect.fromVoucher, effect.fromOwnMargin]).toEqual(['0', '0']);
                continue;
              }
              add(costs, id, effect.amount);
              add(voucherSpent, id, effect.fromVoucher);
              add(ownSpent, id, new Big(effect.fromOwnMargin).plus(effect.fromOwn).plus(effect.deficit));
              for (const b of effect.fromBonus) add(ownSpent, id, b.amount);
              if (effect.cause === 'loss') add(pnl, id, new Big(effect.amount).neg());
            }
            if (effect.type === 'Credited' && effect.cause === 'profit') {
              const id = voucherOf(s, effect.symbol, effect.positionSide);
              if (id !== undefined) add(pnl, id, effect.amount);
            }
          }
          // Profits withheld on a flagged account (D-30) are realised pnl too.
          const withheld = withheldProfits(s);
          if (withheld.gt(0)) {
            const e2 = s.event;
            if (e2.type === 'OrderFilled') {
              const order = s.before.orders.find((o) => o.orderId === e2.orderId);
              const id = order === undefined ? undefined : voucherOf(s, order.symbol, order.positionSide);
              expect(id).toBeDefined();
              if (id !== undefined) add(pnl, id, withheld);
            }
          }
        }
        const last = steps[steps.length - 1];
        const stillHeld = (id: string): Big => {
          if (last === undefined) return new Big(0);
          const p = last.after.positions.find((x) => x.voucher?.voucherId === id);
          const o = last.after.orders.find((x) => x.voucherId === id && x.heldMargin !== undefined);
          return new Big(p?.voucher?.voucherMargin ?? o?.heldMargin?.voucherMargin ?? '0');
        };
        for (const [id, amount] of principal) {
          const spent = amount.minus(forfeited.get(id) ?? 0).minus(stillHeld(id));
          expect(spent.eq(voucherSpent.get(id) ?? 0)).toBe(true);
          expect((costs.get(id) ?? new Big(0)).eq(spent.plus(ownSpent.get(id) ?? 0))).toBe(true);
          if (closed.has(id)) expect((pnl.get(id) ?? new Big(0)).eq(flow.get(id) ?? 0)).toBe(true);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);
});

describe('PV-1 One voucher per contract: two vouchers never back the same symbol at once', () => {
  it('after every step each symbol has at most one voucher behind its positions and orders, and each voucher in use backs exactly one symbol and side', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          const bySymbol = new Map<string, Set<string>>();
          const sides = new Map<string, Set<string>>();
          const note = (symbol: string, side: string, id: string | undefined) => {
            if (id === undefined) return;
            bySymbol.set(symbol, (bySymbol.get(symbol) ?? new Set()).add(id));
            sides.set(id, (sides.get(id) ?? new Set()).add(`${symbol}/${side}`));
          };
          for (const p of s.after.positions) note(p.symbol, p.positionSide, p.voucher?.voucherId);
          for (const o of s.after.orders) note(o.symbol, o.positionSide, o.voucherId);
          for (const ids of bySymbol.values()) expect(ids.size).toBeLessThanOrEqual(1);
          for (const where of sides.values()) expect(where.size).toBe(1);
          const inUse = s.after.positionVouchers.filter((v) => v.status === 'inUse').map((v) => v.id).sort();
          expect([...sides.keys()].sort()).toEqual(inUse);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);

  it('PV-5: no opening order is ever accepted on a side a voucher holds, unless it is that voucher\'s own order', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          const e = s.event;
          if (e.type !== 'OrderPlaced' || e.action !== 'open') continue;
          const locked =
            s.before.positions.some((p) => p.symbol === e.symbol && p.positionSide === e.positionSide && p.voucher !== undefined) ||
            s.before.orders.some((o) => o.symbol === e.symbol && o.positionSide === e.positionSide && o.voucherId !== undefined);
          if (locked) expect(s.effects.filter((x) => x.type === 'EventRejected').map((x) => (x.type === 'EventRejected' ? x.code : ''))).toEqual([expect.stringMatching(/^(DUPLICATE_ORDER|VOUCHER_POSITION_LOCKED)$/)]);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);
});

describe('PV-9 Expiry', () => {
  it('only available vouchers expire, at their expiresAt; a voucher in use never does', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          for (const e of s.effects) {
            if (e.type !== 'VoucherExpired') continue;
            const v = s.before.positionVouchers.find((x) => x.id === e.voucherId);
            expect(v?.status).toBe('available');
            expect(e.at).toBe(v?.expiresAt);
            expect(e.unused).toBe(v?.amount);
          }
          // Clock work runs first, so no voucher stays available past its time: except one granted
          // overdue by this very event, which falls due at the next step's clock work (D-4).
          for (const v of s.after.positionVouchers) {
            const grantedNow = !s.before.positionVouchers.some((x) => x.id === v.id);
            if (v.status === 'available' && !grantedNow) expect(v.expiresAt).toBeGreaterThan(s.after.clock);
          }
        }
      }),
      RUNS,
    );
  }, TIMEOUT);
});

describe('PV-10 Clawback', () => {
  /** M-4 read independently from the state: own - sum(entryValue / leverage, up) + min(0, sum upnl), plain positions only. */
  const transferable = (state: Step['after']): Big => {
    let locked = new Big(0);
    let upnl = new Big(0);
    for (const p of state.positions) {
      if (p.voucher !== undefined) continue;
      locked = locked.plus(new Big(p.entryValue).div(p.leverage).round(8, 3));
      const mark = new Big(state.marks.find((m) => m.symbol === p.symbol)?.price ?? '0');
      const value = new Big(p.qty).times(mark);
      upnl = upnl.plus(p.positionSide === 'long' ? value.minus(p.entryValue) : new Big(p.entryValue).minus(value));
    }
    return new Big(state.ownBalance).minus(locked).plus(upnl.lt(0) ? upnl : 0);
  };
  const movesFunds = (s: Step): boolean => {
    const e = s.event;
    if (!accepted(s)) return false;
    if (e.type === 'AccountFlagged') return s.before.status === 'active';
    return e.type === 'FundsTransferred' || e.type === 'OrderFilled' || (e.type === 'FundingSettled' && !new Big(e.amount).eq(0));
  };

  it('takes happen only on a flagged account, on the flag or an accepted funds movement, never below 0 transferable, and leave something outstanding only when nothing more was takeable (D-27)', () => {
    fc.assert(
      fc.property(ownBalance, intents, (start, plan) => {
        for (const s of simulate(start, plan)) {
          const taken = takes(s);
          const outstanding = s.after.positionVouchers.some((v) => new Big(v.outstanding).gt(0));
          if (taken.gt(0)) {
            expect(s.after.status).toBe('flagged');
            expect(movesFunds(s)).toBe(true);
            expect(transferable(s.after).gte(0)).toBe(true);
          }
          if (s.after.status === 'flagged' && movesFunds(s) && outstanding) expect(transferable(s.after).lt('0.00000001')).toBe(true);
          // Outstanding amounts only ever fall, and only by what was taken.
          const before = s.before.positionVouchers.reduce((t, v) => t.plus(v.outstanding), new Big(0));
          const after = s.after.positionVouchers.reduce((t, v) => t.plus(v.outstanding), new Big(0));
          const recorded = s.event.type === 'AccountFlagged' && s.before.status === 'active'
            ? s.before.positionVouchers.reduce((t, v) => t.plus(v.profit), new Big(0))
            : new Big(0);
          expect(after.eq(before.plus(recorded).minus(taken))).toBe(true);
        }
      }),
      RUNS,
    );
  }, TIMEOUT);
});
