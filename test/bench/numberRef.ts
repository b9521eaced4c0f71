/**
 * The physical-limit reference (issue 8): a hand-written, mutable loop on plain JavaScript
 * numbers that takes the same decisions as the engine on the bench streams: positions and
 * orders, the cost pipeline (position voucher margin, the futures bonus split at its rate with
 * the fallback, own funds, deficit), loss coverage FIFO eligibility (LCV-1..LCV-6), position
 * voucher choice, reclaims under the 95% guard with retries (FB-8..FB-11), the clock, and the
 * margin rate after every event (M-3).
 *
 * It is NOT a second implementation of the product: floats instead of exact decimals, no
 * effects, no immutability, no input validation, no flag handling. It only counts decisions,
 * which the streams test compares with the engine's effects so the comparison stays honest.
 * It lives in test/bench only.
 */
import type { Account, Event, PolicyInput } from '../../src/index';

type Side = 'long' | 'short';

const LCV_AVAILABLE = 0;
const LCV_CONSUMED = 1;
const LCV_EXPIRED = 2;
const FB_ACTIVE = 0;
const FB_AWAITING = 1;
const FB_RECLAIMED = 2;
const FB_SPENT = 3;

interface Lcv {
  readonly id: string;
  remaining: number;
  readonly grantedAt: number;
  readonly expiresAt: number;
  /** -1: no threshold. */
  readonly minNotional: number;
  status: number;
}

interface Pv {
  readonly id: string;
  readonly amount: number;
  readonly expiresAt: number;
  readonly maxLeverage: number;
  readonly symbols: readonly string[] | undefined;
  readonly allowOwnFunds: boolean;
  status: 'available' | 'inUse' | 'consumed' | 'expired';
}

interface Fb {
  readonly id: string;
  remaining: number;
  readonly rate: number;
  readonly expiresAt: number;
  status: number;
}

interface Mark {
  price: number;
  fromFeed: boolean;
}

interface Pos {
  readonly key: string;
  readonly symbol: string;
  readonly long: boolean;
  qty: number;
  entryValue: number;
  readonly leverage: number;
  readonly mmr: number;
  readonly mark: Mark;
  voucher: Pv | undefined;
  vm: number;
  om: number;
}

interface Order {
  readonly id: string;
  readonly key: string;
  readonly symbol: string;
  readonly side: Side;
  readonly open: boolean;
  readonly qty: number;
  readonly price: number;
  readonly leverage: number;
  readonly mainSource: boolean;
  readonly feeVoucher: boolean;
  filled: number;
  pnl: number;
  notional: number;
  bonusPaid: boolean;
  voucherClosed: boolean;
  lastFillAt: number;
  voucher: Pv | undefined;
  held: boolean;
  heldOm: number;
}

interface Compensation {
  readonly payableAt: number;
}

interface Reclaim {
  readonly bonuses: readonly Fb[];
}

/** What the reference decided, summed over a stream: compared with the engine's effects. */
export interface DecisionCounts {
  ignored: number;
  rejected: number;
  costs: number;
  credits: number;
  coverages: number;
  covered: number;
  compensationsPaid: number;
  expired: number;
  positionVouchersApplied: number;
  forfeited: number;
  reclaimed: number;
  deferred: number;
  liquidations: number;
}

/** One decision's inputs, as json-rules-engine receives them (see jreRef.ts). */
export type DecisionFacts =
  | { readonly check: 'order'; readonly expected: boolean; readonly action: string; readonly filledQty: number; readonly loss: number; readonly minLoss: number; readonly source: string; readonly accountType: string; readonly status: string; readonly feeVoucher: boolean; readonly voucherPositionClosed: boolean; readonly bonusPaid: boolean }
  | { readonly check: 'voucher'; readonly expected: boolean; readonly status: string; readonly grantedAt: number; readonly closedAt: number; readonly hasMinNotional: boolean; readonly closingNotional: number; readonly minClosingNotional: number }
  | { readonly check: 'guard'; readonly expected: boolean; readonly guardEnabled: boolean; readonly mm: number; readonly equityAfter: number; readonly guardLimit: number };

const DAY_MS = 86_400_000;
const EPS = 1e-9;
const r8 = (x: number): number => Math.round(x * 1e8) / 1e8;
const down8 = (x: number): number => Math.floor(x * 1e8 + 1e-6) / 1e8;
const up8 = (x: number): number => Math.ceil(x * 1e8 - 1e-6) / 1e8;

export class NumberBook {
  own: number;
  private readonly main: boolean;
  private readonly hedge: boolean;
  private readonly minLoss: number;
  private readonly spillover: boolean;
  private readonly guard: boolean;
  private readonly guardRate: number;
  private readonly liquidationRate: number;
  private readonly defaultMmr: number;
  private readonly mmrs: Map<string, number>;
  private readonly ids = new Set<string>();
  private readonly lcvs: Lcv[] = [];
  private readonly pvs: Pv[] = [];
  private readonly fbs: Fb[] = [];
  private readonly positions = new Map<string, Pos>();
  private readonly orders = new Map<string, Order>();
  private readonly marks = new Map<string, Mark>();
  private compensations: Compensation[] = [];
  private reclaims: Reclaim[] = [];
  private clock = 0;
  private lastSeq = 0;
  private liquidationReached = false;
  /** Earliest time anything may fall due: the clock work is skipped before it. */
  private nextDue = Infinity;
  readonly counts: DecisionCounts = {
    ignored: 0, rejected: 0, costs: 0, credits: 0, coverages: 0, covered: 0, compensationsPaid: 0, expired: 0,
    positionVouchersApplied: 0, forfeited: 0, reclaimed: 0, deferred: 0, liquidations: 0,
  };

  /** When given, every eligibility and guard decision is also pushed here (for json-rules-engine). */
  constructor(account: Account, policy: PolicyInput = {}, private readonly recorder?: DecisionFacts[]) {
    this.own = Number(account.ownBalance);
    this.main = account.accountType === 'main';
    this.hedge = account.positionMode === 'hedge';
    this.minLoss = Number(policy.minLoss ?? '1');
    this.spillover = policy.spillover ?? false;
    this.guard = policy.reclaimGuard ?? true;
    this.guardRate = Number(policy.reclaimGuardRate ?? '0.95');
    this.liquidationRate = Number(policy.liquidationRate ?? '1');
    this.defaultMmr = Number(policy.defaultMmr ?? '0.005');
    this.mmrs = new Map(Object.entries(policy.instruments ?? {}).map(([symbol, i]) => [symbol, Number(i.mmr)]));
  }

  /** A deep copy (the bench starts every iteration from the same book, as the engine does from one state). */
  clone(recorder: DecisionFacts[] | undefined = this.recorder): NumberBook {
    const copy = new NumberBook({ accountId: '', accountType: this.main ? 'main' : 'sub', positionMode: this.hedge ? 'hedge' : 'oneWay', ownBalance: '0' }, {}, recorder);
    const self = copy as unknown as Record<string, unknown>;
    const pvs = new Map(this.pvs.map((v) => [v, { ...v }]));
    const fbs = new Map(this.fbs.map((b) => [b, { ...b }]));
    const marks = new Map([...this.marks.values()].map((m) => [m, { ...m }]));
    const positions = new Map<string, Pos>();
    for (const [key, p] of this.positions) positions.set(key, { ...p, mark: marks.get(p.mark) as Mark, voucher: p.voucher === undefined ? undefined : pvs.get(p.voucher) });
    const orders = new Map<string, Order>();
    for (const [id, o] of this.orders) orders.set(id, { ...o, voucher: o.voucher === undefined ? undefined : pvs.get(o.voucher) });
    Object.assign(self, {
      own: this.own, minLoss: this.minLoss, spillover: this.spillover, guard: this.guard, guardRate: this.guardRate,
      liquidationRate: this.liquidationRate, defaultMmr: this.defaultMmr, mmrs: this.mmrs, ids: new Set(this.ids),
      lcvs: this.lcvs.map((v) => ({ ...v })), pvs: [...pvs.values()], fbs: [...fbs.values()], positions, orders,
      marks: new Map([...this.marks].map(([symbol, m]) => [symbol, marks.get(m) as Mark])),
      compensations: this.compensations.slice(), reclaims: this.reclaims.map((r) => ({ bonuses: r.bonuses.map((b) => fbs.get(b) as Fb) })),
      clock: this.clock, lastSeq: this.lastSeq, liquidationReached: this.liquidationReached, nextDue: this.nextDue, counts: { ...this.counts },
    });
    return copy;
  }

  step(e: Event): void {
    if (e.seq <= this.lastSeq) {
      this.counts.ignored++;
      return;
    }
    this.lastSeq = e.seq;
    if (e.at < this.clock) {
      this.counts.rejected++;
      return;
    }
    if (e.at >= this.nextDue) this.advanceClock(e.at);
    this.clock = e.at;
    const waiting = this.reclaims.length > 0 ? this.reclaims.slice() : undefined;
    if (this.apply(e) && waiting !== undefined) this.retry(waiting);
    this.checkLiquidation();
  }

  private apply(e: Event): boolean {
    switch (e.type) {
      case 'VoucherGranted':
        this.grant(e.voucher, e.at);
        return false;
      case 'OrderPlaced':
        this.place(e);
        return false;
      case 'OrderFilled':
        return this.fill(e.orderId, Number(e.qty), Number(e.price), e.price, Number(e.fee), e.at);
      case 'OrderCancelled':
        this.cancel(e.orderId);
        return false;
      case 'MarkPriceUpdated': {
        const mark = this.marks.get(e.symbol);
        if (mark === undefined) this.marks.set(e.symbol, { price: Number(e.price), fromFeed: true });
        else {
          mark.price = Number(e.price);
          mark.fromFeed = true;
        }
        return false;
      }
      case 'FundingSettled': {
        const position = this.positions.get(e.symbol + '|' + e.positionSide);
        if (position === undefined) {
          this.counts.rejected++;
          return false;
        }
        const amount = Number(e.amount);
        if (amount === 0) return false;
        if (amount > 0) this.settleCost(position, amount);
        else this.credit(-amount);
        return true;
      }
      case 'FundsTransferred': {
        const amount = Number(e.amount);
        if (e.direction === 'in') {
          this.own += amount;
          return true;
        }
        if (amount > this.transferable() + EPS) {
          this.counts.rejected++;
          return false;
        }
        this.own -= amount;
        const active: Fb[] = [];
        for (const b of this.fbs) if (b.status === FB_ACTIVE && b.remaining > 0) active.push(b);
        this.trigger(active);
        return true;
      }
      case 'AccountFlagged':
      case 'Tick':
        return false;
    }
  }

  private grant(v: Extract<Event, { type: 'VoucherGranted' }>['voucher'], at: number): void {
    if (this.ids.has(v.id)) {
      this.counts.rejected++;
      return;
    }
    if (v.kind === 'futuresBonus') {
      const rate = Number(v.rate);
      for (const b of this.fbs) {
        if (b.status === FB_ACTIVE && b.rate !== rate) {
          this.counts.rejected++;
          return;
        }
      }
      this.fbs.push({ id: v.id, remaining: Number(v.amount), rate, expiresAt: v.expiresAt, status: FB_ACTIVE });
      if (v.expiresAt < this.nextDue) this.nextDue = v.expiresAt;
    } else if (v.kind === 'lossCoverage') {
      const expiresAt = v.expiresAt ?? Infinity;
      this.lcvs.push({ id: v.id, remaining: Number(v.amount), grantedAt: at, expiresAt, minNotional: v.minClosingNotional === undefined ? -1 : Number(v.minClosingNotional), status: LCV_AVAILABLE });
      if (expiresAt < this.nextDue) this.nextDue = expiresAt;
    } else {
      this.pvs.push({
        id: v.id, amount: Number(v.amount), expiresAt: v.expiresAt, maxLeverage: v.maxLeverage === undefined ? Infinity : Number(v.maxLeverage),
        symbols: v.symbols, allowOwnFunds: v.allowOwnFunds === true, status: 'available',
      });
      if (v.expiresAt < this.nextDue) this.nextDue = v.expiresAt;
    }
    this.ids.add(v.id);
  }

  private place(e: Extract<Event, { type: 'OrderPlaced' }>): void {
    if (this.orders.has(e.orderId)) {
      this.counts.rejected++;
      return;
    }
    const key = e.symbol + '|' + e.positionSide;
    const open = e.action === 'open';
    const position = this.positions.get(key);
    if (!open && position === undefined) {
      this.counts.rejected++;
      return;
    }
    if (open && !this.hedge && this.positions.has(e.symbol + '|' + (e.positionSide === 'long' ? 'short' : 'long'))) {
      this.counts.rejected++;
      return;
    }
    if (open && (position?.voucher !== undefined || this.voucherOrderOn(key))) {
      this.counts.rejected++;
      return;
    }
    const qty = Number(e.qty);
    const price = Number(e.price);
    const leverage = Number(e.leverage);
    let voucher: Pv | undefined;
    const wanted = e.voucher ?? 'auto';
    if (wanted !== 'none') {
      // Voucher-independent conditions first: most orders (cross margin) never look at a voucher.
      const possible = open && this.main && this.hedge && e.marginMode === 'isolated' && e.source === 'main';
      if (wanted === 'auto') {
        if (possible) for (const pv of this.pvs) if (pv.status === 'available' && this.voucherFits(pv, e.symbol, key, qty, price, leverage)) { voucher = pv; break; }
      } else {
        for (const pv of this.pvs) if (pv.id === wanted && pv.status === 'available') voucher = pv;
        if (voucher === undefined || !possible || !this.voucherFits(voucher, e.symbol, key, qty, price, leverage)) {
          this.counts.rejected++;
          return;
        }
      }
    }
    const order: Order = {
      id: e.orderId, key, symbol: e.symbol, side: e.positionSide, open, qty, price, leverage, mainSource: e.source === 'main',
      feeVoucher: e.feeVoucher === true, filled: 0, pnl: 0, notional: 0, bonusPaid: false, voucherClosed: false, lastFillAt: -1,
      voucher, held: false, heldOm: 0,
    };
    if (voucher !== undefined) {
      const ownMargin = Math.max(0, up8((qty * price) / leverage) - voucher.amount);
      this.own -= ownMargin;
      voucher.status = 'inUse';
      order.held = true;
      order.heldOm = ownMargin;
      this.counts.positionVouchersApplied++;
    }
    this.orders.set(order.id, order);
  }

  private voucherOrderOn(key: string): boolean {
    for (const o of this.orders.values()) if (o.key === key && o.voucher !== undefined) return true;
    return false;
  }

  /** PV-1's voucher-dependent conditions. */
  private voucherFits(pv: Pv, symbol: string, key: string, qty: number, price: number, leverage: number): boolean {
    if (pv.symbols !== undefined && !pv.symbols.includes(symbol)) return false;
    if (leverage > pv.maxLeverage) return false;
    if (this.positions.has(key)) return false;
    for (const o of this.orders.values()) {
      if (o.key === key && o.open) return false;
      if (o.symbol === symbol && o.voucher !== undefined && o.voucher !== pv) return false;
    }
    for (const p of this.positions.values()) if (p.symbol === symbol && p.voucher !== undefined && p.voucher !== pv) return false;
    const gap = up8((qty * price) / leverage) - pv.amount;
    return gap <= 0 || (pv.allowOwnFunds && this.transferable() >= gap);
  }

  private fill(orderId: string, qty: number, price: number, priceText: string, fee: number, at: number): boolean {
    const order = this.orders.get(orderId);
    if (order === undefined || qty > order.qty - order.filled + EPS) {
      this.counts.rejected++;
      return false;
    }
    let position = this.positions.get(order.key);
    if (!order.open) {
      if (position === undefined || qty > position.qty + EPS) {
        this.counts.rejected++;
        return false;
      }
    } else if (!this.hedge && this.positions.has(order.symbol + '|' + (order.side === 'long' ? 'short' : 'long'))) {
      this.counts.rejected++;
      return false;
    }
    const notional = r8(qty * price);
    let mark = this.marks.get(order.symbol);
    if (mark === undefined) {
      mark = { price, fromFeed: false };
      this.marks.set(order.symbol, mark);
    } else if (!mark.fromFeed) mark.price = price;
    void priceText;
    let pnl = 0;
    if (order.open) {
      if (position === undefined) {
        position = {
          key: order.key, symbol: order.symbol, long: order.side === 'long', qty, entryValue: notional, leverage: order.leverage,
          mmr: this.mmrs.get(order.symbol) ?? this.defaultMmr, mark, voucher: undefined, vm: 0, om: 0,
        };
        if (order.held && order.voucher !== undefined) {
          position.voucher = order.voucher;
          position.vm = order.voucher.amount;
          position.om = order.heldOm;
        }
        this.positions.set(order.key, position);
      } else {
        position.qty += qty;
        position.entryValue += notional;
      }
    } else {
      const p = position as Pos;
      const basis = Math.abs(qty - p.qty) < EPS ? p.entryValue : r8((p.entryValue * qty) / p.qty);
      p.qty -= qty;
      p.entryValue -= basis;
      pnl = r8(p.long ? notional - basis : basis - notional);
    }
    order.held = false;
    const p = position as Pos;
    const voucherPosition = p.voucher !== undefined;
    let bonusPaid = order.bonusPaid;
    if (pnl < 0) bonusPaid = this.settleCost(p, -pnl) || bonusPaid;
    else if (pnl > 0) this.credit(pnl);
    if (fee > 0) bonusPaid = this.settleCost(p, fee) || bonusPaid;
    if (p.qty < EPS) {
      this.positions.delete(p.key);
      if (p.voucher !== undefined) {
        this.own += p.om;
        p.voucher.status = 'consumed';
        for (const o of this.orders.values()) if (o.voucher === p.voucher) o.voucher = undefined;
        this.counts.forfeited++;
      }
    }
    order.filled += qty;
    if (pnl !== 0) order.pnl += pnl;
    order.notional += notional;
    order.bonusPaid = bonusPaid;
    order.voucherClosed = order.voucherClosed || (voucherPosition && !order.open);
    order.lastFillAt = at;
    if (Math.abs(order.filled - order.qty) < EPS) {
      this.orders.delete(order.id);
      if (!order.open) this.cover(order);
    }
    return true;
  }

  private cancel(orderId: string): void {
    const order = this.orders.get(orderId);
    if (order === undefined) {
      this.counts.rejected++;
      return;
    }
    this.orders.delete(orderId);
    const pv = order.voucher;
    if (pv !== undefined) {
      if (order.held) {
        this.own += order.heldOm;
        pv.status = 'consumed';
        this.counts.forfeited++;
      } else {
        for (const p of this.positions.values()) {
          if (p.voucher !== pv) continue;
          const target = Math.max(0, up8((order.filled * order.price) / order.leverage) - pv.amount);
          if (p.om > target) {
            this.own += p.om - target;
            p.om = target;
          }
        }
      }
    }
    if (!order.open && order.lastFillAt >= 0) this.cover(order);
  }

  /** P-6, PV-6, FB-3..FB-7: returns whether a futures bonus paid part of the cost. */
  private settleCost(position: Pos, amount: number): boolean {
    this.counts.costs++;
    let cost = amount;
    if (position.voucher !== undefined) {
      const fromVoucher = Math.min(position.vm, cost);
      position.vm = r8(position.vm - fromVoucher);
      cost = r8(cost - fromVoucher);
      const fromOwnMargin = Math.min(position.om, cost);
      position.om = r8(position.om - fromOwnMargin);
      cost = r8(cost - fromOwnMargin);
      if (cost <= 0) return false;
    }
    const fbs = this.fbs;
    let first: Fb | undefined;
    for (const b of fbs) if (b.status === FB_ACTIVE) { first = b; break; }
    let left = cost;
    let bonusPaid = false;
    if (first !== undefined) {
      const paid = this.drain(FB_ACTIVE, down8(cost * first.rate));
      if (paid > 0) bonusPaid = true;
      left = r8(left - paid);
    }
    const fromOwn = Math.min(left, Math.max(0, this.own));
    left = r8(left - fromOwn);
    if (fbs.length > 0 && left > 0) {
      const more = this.drain(FB_ACTIVE, left) ;
      left = r8(left - more);
      const last = this.drain(FB_AWAITING, left);
      left = r8(left - last);
      if (more > 0 || last > 0) bonusPaid = true;
    }
    this.own = r8(this.own - fromOwn - left);
    return bonusPaid;
  }

  private drain(status: number, want: number): number {
    let need = want;
    for (const b of this.fbs) {
      if (need <= 0) break;
      if (b.status !== status || b.remaining <= 0) continue;
      const take = Math.min(b.remaining, need);
      b.remaining = r8(b.remaining - take);
      need = r8(need - take);
      if (b.remaining <= 0) b.status = FB_SPENT;
    }
    return r8(want - need);
  }

  private credit(amount: number): void {
    this.counts.credits++;
    this.own += amount;
  }

  /** LCV-1..LCV-6. */
  private cover(order: Order): void {
    const loss = -order.pnl;
    const eligible =
      order.filled > 0 && loss > this.minLoss + EPS && order.mainSource && this.main && !order.feeVoucher && !order.voucherClosed && !order.bonusPaid;
    if (this.recorder !== undefined) {
      this.recorder.push({
        check: 'order', expected: eligible, action: 'close', filledQty: order.filled, loss, minLoss: this.minLoss, source: order.mainSource ? 'main' : 'other',
        accountType: this.main ? 'main' : 'other', status: 'active', feeVoucher: order.feeVoucher, voucherPositionClosed: order.voucherClosed, bonusPaid: order.bonusPaid,
      });
    }
    if (!eligible) return;
    let uncovered = loss;
    for (const v of this.lcvs) {
      if (v.status !== LCV_AVAILABLE) continue;
      const fits = v.grantedAt < order.lastFillAt && (v.minNotional < 0 || order.notional >= v.minNotional - EPS);
      if (this.recorder !== undefined) {
        this.recorder.push({
          check: 'voucher', expected: fits, status: 'available', grantedAt: v.grantedAt, closedAt: order.lastFillAt,
          hasMinNotional: v.minNotional >= 0, closingNotional: order.notional, minClosingNotional: v.minNotional,
        });
      }
      if (!fits) continue;
      const covered = Math.min(uncovered, v.remaining);
      v.remaining = r8(v.remaining - covered);
      uncovered -= covered;
      if (v.remaining <= 0) v.status = LCV_CONSUMED;
      const payableAt = (Math.floor(order.lastFillAt / DAY_MS) + 1) * DAY_MS;
      this.compensations.push({ payableAt });
      if (payableAt < this.nextDue) this.nextDue = payableAt;
      this.counts.coverages++;
      this.counts.covered += covered;
      if (!this.spillover || uncovered <= 0) break;
    }
  }

  /** G-6 step 1: payouts, then expiries, each at or before `until` (only run when something is due). */
  private advanceClock(until: number): void {
    if (this.compensations.length > 0) {
      const kept: Compensation[] = [];
      for (const c of this.compensations) {
        if (c.payableAt <= until) this.counts.compensationsPaid++;
        else kept.push(c);
      }
      this.compensations = kept;
    }
    for (const v of this.lcvs) {
      if (v.status === LCV_AVAILABLE && v.expiresAt <= until) {
        v.status = LCV_EXPIRED;
        this.counts.expired++;
      }
    }
    for (const v of this.pvs) {
      if (v.status === 'available' && v.expiresAt <= until) {
        v.status = 'expired';
        this.counts.expired++;
      }
    }
    let due: Fb[] | undefined;
    for (const b of this.fbs) if (b.status === FB_ACTIVE && b.expiresAt <= until) (due ??= []).push(b);
    if (due !== undefined) {
      due.sort((a, b) => a.expiresAt - b.expiresAt);
      for (const b of due) if (b.remaining > 0) this.trigger([b]);
    }
    let next = Infinity;
    for (const c of this.compensations) if (c.payableAt < next) next = c.payableAt;
    for (const v of this.lcvs) if (v.status === LCV_AVAILABLE && v.expiresAt < next) next = v.expiresAt;
    for (const v of this.pvs) if (v.status === 'available' && v.expiresAt < next) next = v.expiresAt;
    for (const b of this.fbs) if (b.status === FB_ACTIVE && b.expiresAt < next) next = b.expiresAt;
    this.nextDue = next;
  }

  /** FB-8..FB-10: one attempt; deferred when the guard refuses. */
  private trigger(bonuses: Fb[]): void {
    if (bonuses.length === 0) return;
    let amount = 0;
    for (const b of bonuses) amount += b.remaining;
    if (this.guardAllows(amount)) {
      for (const b of bonuses) {
        b.status = FB_RECLAIMED;
        b.remaining = 0;
      }
      this.counts.reclaimed++;
    } else {
      for (const b of bonuses) b.status = FB_AWAITING;
      this.reclaims.push({ bonuses });
      this.counts.deferred++;
    }
  }

  /** FB-11, D-22. */
  private retry(waiting: readonly Reclaim[]): void {
    for (const reclaim of waiting) {
      const at = this.reclaims.indexOf(reclaim);
      if (at < 0) continue;
      let amount = 0;
      let left = 0;
      for (const b of reclaim.bonuses) {
        if (b.status !== FB_AWAITING) continue;
        left++;
        amount += b.remaining;
      }
      if (left === 0) {
        this.reclaims.splice(at, 1);
        continue;
      }
      if (!this.guardAllows(amount)) continue;
      this.reclaims.splice(at, 1);
      for (const b of reclaim.bonuses) {
        if (b.status !== FB_AWAITING) continue;
        b.status = FB_RECLAIMED;
        b.remaining = 0;
      }
      this.counts.reclaimed++;
    }
  }

  /** FB-10: the margin rate after the reclaim stays below the guard rate. */
  private guardAllows(amount: number): boolean {
    let mm = 0;
    let equity = this.own;
    for (const b of this.fbs) if (b.status === FB_ACTIVE || b.status === FB_AWAITING) equity += b.remaining;
    for (const p of this.positions.values()) {
      if (p.voucher !== undefined) continue;
      const value = p.qty * p.mark.price;
      mm += value * p.mmr;
      equity += p.long ? value - p.entryValue : p.entryValue - value;
    }
    const after = equity - amount;
    const allowed = !this.guard || mm === 0 || (after > 0 && mm < this.guardRate * after);
    if (this.recorder !== undefined) {
      this.recorder.push({ check: 'guard', expected: allowed, guardEnabled: this.guard, mm, equityAfter: after, guardLimit: this.guardRate * after });
    }
    return allowed;
  }

  /** M-4. */
  private transferable(): number {
    let locked = 0;
    let upnl = 0;
    for (const p of this.positions.values()) {
      if (p.voucher !== undefined) continue;
      locked += up8(p.entryValue / p.leverage);
      const value = p.qty * p.mark.price;
      upnl += p.long ? value - p.entryValue : p.entryValue - value;
    }
    return this.own - locked + Math.min(0, upnl);
  }

  /** M-3 after every step. */
  private checkLiquidation(): void {
    let mm = 0;
    let equity = this.own;
    for (const b of this.fbs) if (b.status === FB_ACTIVE || b.status === FB_AWAITING) equity += b.remaining;
    for (const p of this.positions.values()) {
      if (p.voucher !== undefined) continue;
      const value = p.qty * p.mark.price;
      mm += value * p.mmr;
      equity += p.long ? value - p.entryValue : p.entryValue - value;
    }
    const reached = mm > 0 && (equity <= 0 || mm >= this.liquidationRate * equity);
    if (reached && !this.liquidationReached) this.counts.liquidations++;
    this.liquidationReached = reached;
  }
}

/** Replays `events` on a new number book and returns its decision counts. */
export function replayNumbers(account: Account, policy: PolicyInput, events: readonly Event[]): DecisionCounts {
  const book = new NumberBook(account, policy);
  for (const e of events) book.step(e);
  return book.counts;
}
