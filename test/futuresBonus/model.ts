/**
 * An independent reference model of the futures bonus rules, written from RULES.md alone: plain
 * bigint fixed-point arithmetic (24 decimals), no code shared with the engine. It covers what the
 * property tests generate: one symbol (BTCUSDT), both sides in hedge mode, futures bonuses only,
 * orders placed and then filled whole, marks, funding, transfers, ticks and the flag.
 *
 * It emits the effects RULES.md fixes (sections 4, 6, 9) so that the engine's output can be compared
 * with it effect by effect; `EventRejected.message` is free text (D-23) and left as ''.
 */
import type { AccountState } from '../../src/index';

const DP = 24;
const UNIT = 10n ** BigInt(DP);

/** A decimal string as an exact multiple of 10^-24. */
export function parse(text: string): bigint {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [whole = '0', frac = ''] = body.split('.');
  if (frac.length > DP) throw new Error(`too many decimals: ${text}`);
  const value = BigInt(whole) * UNIT + BigInt(frac.padEnd(DP, '0'));
  return negative ? -value : value;
}

/** G-2 printing: plain, no trailing zeros, "0" for zero. */
export function show(value: bigint): string {
  if (value === 0n) return '0';
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / UNIT;
  const frac = (abs % UNIT).toString().padStart(DP, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/** Exact product; throws if it needs more than 24 decimals (the model never should). */
export function mul(a: bigint, b: bigint): bigint {
  const p = a * b;
  if (p % UNIT !== 0n) throw new Error('inexact product');
  return p / UNIT;
}

export type Mode = 'down' | 'halfUp' | 'up';

/** `a / b` (b > 0) rounded once to `dp` decimals; down and up toward/away from zero, half-up away from zero. */
export function divRound(a: bigint, b: bigint, dp: number, mode: Mode): bigint {
  if (b <= 0n) throw new Error('divisor must be positive');
  const negative = a < 0n;
  const n = (negative ? -a : a) * 10n ** BigInt(dp);
  let q = n / b;
  const r = n % b;
  if (mode === 'up' && r !== 0n) q += 1n;
  if (mode === 'halfUp' && 2n * r >= b) q += 1n;
  const out = q * 10n ** BigInt(DP - dp);
  return negative ? -out : out;
}

export function roundTo(value: bigint, dp: number, mode: Mode): bigint {
  return divRound(value, UNIT, dp, mode);
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export type Side = 'long' | 'short';
export type Trigger = 'expiry' | 'transferOut' | 'flagged';
type Status = 'active' | 'awaitingReclaim' | 'reclaimed' | 'spent';
export type ModelEffect = Record<string, unknown> & { type: string };

export interface ModelPolicy {
  readonly mmr: string;
  readonly reclaimGuardRate: string;
  readonly liquidationRate: string;
  readonly reclaimGuard: boolean;
}

interface Bonus { id: string; rate: bigint; remaining: bigint; status: Status; expiresAt: number }
interface Position { qty: bigint; entry: bigint; leverage: bigint }
interface Order { id: string; side: Side; action: 'open' | 'close'; qty: bigint; leverage: bigint }
interface Reclaim { ids: string[]; trigger: Trigger }

export type ModelEvent =
  | { type: 'VoucherGranted'; voucher: { id: string; amount: string; rate: string; expiresAt: number } }
  | { type: 'OrderPlaced'; orderId: string; positionSide: Side; action: 'open' | 'close'; qty: string; leverage: string }
  | { type: 'OrderFilled'; orderId: string; qty: string; price: string; fee: string }
  | { type: 'MarkPriceUpdated'; price: string }
  | { type: 'FundingSettled'; positionSide: Side; amount: string }
  | { type: 'FundsTransferred'; direction: 'in' | 'out'; amount: string }
  | { type: 'AccountFlagged' }
  | { type: 'Tick' };

export const SYMBOL = 'BTCUSDT';
const SCALE = 8;

export class Model {
  own: bigint;
  /** The live bonuses, in grant order. */
  bonuses: Bonus[] = [];
  /** FV-8: the bonuses that ended (spent or reclaimed), as [id, status]: step by step, each step's in grant order. */
  retired: Array<[string, 'reclaimed' | 'spent']> = [];
  positions = new Map<Side, Position>();
  mark: { price: bigint; feed: boolean } | undefined;
  orders: Order[] = [];
  reclaims: Reclaim[] = [];
  flagged = false;
  clock = 0;
  liquidationReached = false;
  private effects: ModelEffect[] = [];
  private seq = 0;
  private at = 0;
  private readonly mmr: bigint;
  private readonly guardRate: bigint;
  private readonly liquidationRate: bigint;

  constructor(own: string, private readonly policy: ModelPolicy) {
    this.own = parse(own);
    this.mmr = parse(policy.mmr);
    this.guardRate = parse(policy.reclaimGuardRate);
    this.liquidationRate = parse(policy.liquidationRate);
  }

  // ---- margin (M-1, M-2, M-4) ----
  markPrice(): bigint {
    return this.mark?.price ?? 0n;
  }
  mm(): bigint {
    let total = 0n;
    for (const p of this.positions.values()) total += mul(mul(p.qty, this.markPrice()), this.mmr);
    return total;
  }
  upnl(): bigint {
    let total = 0n;
    for (const [side, p] of this.positions) {
      const value = mul(p.qty, this.markPrice());
      total += side === 'long' ? value - p.entry : p.entry - value;
    }
    return total;
  }
  equity(): bigint {
    let bonus = 0n;
    for (const b of this.bonuses) if (b.status === 'active' || b.status === 'awaitingReclaim') bonus += b.remaining;
    return this.own + bonus + this.upnl();
  }
  transferable(): bigint {
    let locked = 0n;
    for (const p of this.positions.values()) locked += divRound(p.entry, p.leverage, SCALE, 'up');
    return this.own - locked + min(0n, this.upnl());
  }
  /** Half-up to 8 decimals, or null when unbounded. */
  static shown(mm: bigint, equity: bigint): string | null {
    if (mm === 0n) return '0';
    return equity > 0n ? show(divRound(mm, equity, 8, 'halfUp')) : null;
  }

  private emit(effect: ModelEffect): void {
    this.effects.push({ seq: this.seq, at: this.at, ...effect });
  }

  // ---- FB-10 ----
  private fits(amount: bigint): boolean {
    if (!this.policy.reclaimGuard) return true;
    const mm = this.mm();
    if (mm === 0n) return true;
    const after = this.equity() - amount;
    return after > 0n && mm < mul(this.guardRate, after);
  }

  private attempt(bonuses: Bonus[], trigger: Trigger): void {
    if (bonuses.length === 0) return;
    const amount = bonuses.reduce((s, b) => s + b.remaining, 0n);
    const bonusIds = bonuses.map((b) => b.id);
    if (this.fits(amount)) {
      for (const b of bonuses) { b.status = 'reclaimed'; b.remaining = 0n; }
      this.emit({ type: 'BonusReclaimed', rule: 'FB-10', bonusIds, amount: show(amount), trigger });
      return;
    }
    const projectedMarginRate = Model.shown(this.mm(), this.equity() - amount);
    for (const b of bonuses) b.status = 'awaitingReclaim';
    this.reclaims.push({ ids: bonusIds, trigger });
    this.emit({ type: 'ReclaimDeferred', rule: 'FB-10', bonusIds, amount: show(amount), trigger, projectedMarginRate });
  }

  private activeWithRemaining(): Bonus[] {
    return this.bonuses.filter((b) => b.status === 'active' && b.remaining > 0n);
  }

  // ---- P-6 wallet part: FB-3..FB-7, D-6, D-12 ----
  private cost(cause: 'loss' | 'fee' | 'funding', orderId: string | undefined, side: Side, amount: bigint): void {
    const paying = !this.flagged;
    const paid = new Map<Bonus, bigint>();
    const drain = (status: Status, want: bigint): bigint => {
      let need = want;
      for (const b of this.bonuses) {
        if (need <= 0n) break;
        if (b.status !== status || b.remaining <= 0n) continue;
        const take = min(b.remaining, need);
        b.remaining -= take;
        paid.set(b, (paid.get(b) ?? 0n) + take);
        need -= take;
      }
      return want - need;
    };
    let left = amount;
    const pool = paying ? this.bonuses.find((b) => b.status === 'active') : undefined;
    if (pool !== undefined) left -= drain('active', roundTo(mul(amount, pool.rate), SCALE, 'down'));
    const fromOwn = min(left, max(0n, this.own));
    left -= fromOwn;
    if (paying) {
      left -= drain('active', left);
      left -= drain('awaitingReclaim', left);
    }
    this.own -= fromOwn + left;
    const fromBonus: { bonusId: string; amount: string }[] = [];
    for (const b of this.bonuses) {
      const p = paid.get(b);
      if (p === undefined || p === 0n) continue;
      fromBonus.push({ bonusId: b.id, amount: show(p) });
      if (b.remaining === 0n) b.status = 'spent';
    }
    const effect: ModelEffect = {
      type: 'CostSettled', rule: 'P-6', cause, symbol: SYMBOL, positionSide: side, amount: show(amount),
      fromVoucher: '0', fromOwnMargin: '0', fromBonus, fromOwn: show(fromOwn), deficit: show(left),
    };
    if (orderId !== undefined) effect['orderId'] = orderId;
    this.emit(effect);
  }

  private credit(cause: 'profit' | 'funding', orderId: string | undefined, side: Side, amount: bigint): void {
    this.own += amount;
    const effect: ModelEffect = { type: 'Credited', rule: 'P-5', cause, symbol: SYMBOL, positionSide: side, amount: show(amount) };
    if (orderId !== undefined) effect['orderId'] = orderId;
    this.emit(effect);
  }

  private reject(code: string, rule: string): void {
    this.emit({ type: 'EventRejected', rule, code, message: '' });
  }

  /** Returns true when the event moved funds (FB-11, D-28). */
  private apply(e: ModelEvent): boolean {
    switch (e.type) {
      case 'VoucherGranted': {
        const v = e.voucher;
        if (this.flagged) this.reject('ACCOUNT_FLAGGED', 'G-7');
        else if (this.bonuses.some((b) => b.id === v.id) || this.retired.some(([id]) => id === v.id)) this.reject('DUPLICATE_VOUCHER', 'A-5');
        else if (this.activeWithRemaining().some((b) => b.rate !== parse(v.rate))) this.reject('BONUS_RATE_CONFLICT', 'FB-2');
        else {
          this.bonuses.push({ id: v.id, rate: parse(v.rate), remaining: parse(v.amount), status: 'active', expiresAt: v.expiresAt });
          this.emit({ type: 'VoucherActivated', rule: 'A-5', voucherId: v.id, kind: 'futuresBonus' });
        }
        return false;
      }
      case 'OrderPlaced':
        this.orders.push({ id: e.orderId, side: e.positionSide, action: e.action, qty: parse(e.qty), leverage: parse(e.leverage) });
        return false;
      case 'OrderFilled': {
        const i = this.orders.findIndex((o) => o.id === e.orderId);
        const order = this.orders[i];
        if (order === undefined || parse(e.qty) !== order.qty) throw new Error('the model fills whole orders only');
        this.orders.splice(i, 1);
        const qty = parse(e.qty);
        const price = parse(e.price);
        const notional = roundTo(mul(qty, price), SCALE, 'halfUp');
        if (this.mark === undefined || !this.mark.feed) this.mark = { price, feed: false };
        let pnl = 0n;
        const held = this.positions.get(order.side);
        if (order.action === 'open') {
          if (held === undefined) this.positions.set(order.side, { qty, entry: notional, leverage: order.leverage });
          else { held.qty += qty; held.entry += notional; }
        } else {
          if (held === undefined || qty > held.qty) throw new Error('the model closes held quantities only');
          const basis = qty === held.qty ? held.entry : divRound(mul(held.entry, qty), held.qty, SCALE, 'halfUp');
          held.qty -= qty;
          held.entry -= basis;
          pnl = order.side === 'long' ? notional - basis : basis - notional;
        }
        if (pnl < 0n) this.cost('loss', order.id, order.side, -pnl);
        else if (pnl > 0n) this.credit('profit', order.id, order.side, pnl);
        const fee = parse(e.fee);
        if (fee > 0n) this.cost('fee', order.id, order.side, fee);
        if (held !== undefined && held.qty === 0n) this.positions.delete(order.side);
        return true;
      }
      case 'MarkPriceUpdated':
        this.mark = { price: parse(e.price), feed: true };
        return false;
      case 'FundingSettled': {
        const amount = parse(e.amount);
        if (!this.positions.has(e.positionSide)) throw new Error('the model funds held positions only');
        if (amount === 0n) return false;
        if (amount > 0n) this.cost('funding', undefined, e.positionSide, amount);
        else this.credit('funding', undefined, e.positionSide, -amount);
        return true;
      }
      case 'FundsTransferred': {
        const amount = parse(e.amount);
        if (e.direction === 'in') {
          this.own += amount;
          return true;
        }
        if (amount > this.transferable()) {
          this.reject('INSUFFICIENT_TRANSFERABLE', 'M-4');
          return false;
        }
        this.own -= amount;
        this.attempt(this.activeWithRemaining(), 'transferOut');
        return true;
      }
      case 'AccountFlagged':
        if (!this.flagged) {
          this.flagged = true;
          this.attempt(this.activeWithRemaining(), 'flagged');
        }
        return false;
      case 'Tick':
        return false;
    }
  }

  /** G-6: clock work, the event, retries after a funds movement, the liquidation check. */
  step(seq: number, at: number, event: ModelEvent): ModelEffect[] {
    this.effects = [];
    this.seq = seq;
    const due = this.bonuses
      .map((b, i) => ({ b, i }))
      .filter(({ b }) => b.status === 'active' && b.expiresAt <= at)
      .sort((x, y) => x.b.expiresAt - y.b.expiresAt || x.i - y.i);
    for (const { b } of due) {
      this.at = b.expiresAt;
      if (b.remaining > 0n) this.attempt([b], 'expiry');
    }
    this.at = at;
    this.clock = at;
    const waiting = [...this.reclaims];
    if (this.apply(event)) {
      for (const reclaim of waiting) {
        const index = this.reclaims.indexOf(reclaim);
        if (index < 0) continue;
        const left = this.bonuses.filter((b) => reclaim.ids.includes(b.id) && b.status === 'awaitingReclaim');
        if (left.length === 0) { this.reclaims.splice(index, 1); continue; }
        const amount = left.reduce((s, b) => s + b.remaining, 0n);
        if (!this.fits(amount)) continue;
        this.reclaims.splice(index, 1);
        for (const b of left) { b.status = 'reclaimed'; b.remaining = 0n; }
        this.emit({ type: 'BonusReclaimed', rule: 'FB-10', bonusIds: left.map((b) => b.id), amount: show(amount), trigger: reclaim.trigger });
      }
    }
    const mm = this.mm();
    const equity = this.equity();
    const reached = mm > 0n && (equity <= 0n || mm >= mul(this.liquidationRate, equity));
    if (reached && !this.liquidationReached) this.emit({ type: 'LiquidationThresholdReached', rule: 'M-3', marginRate: Model.shown(mm, equity) });
    this.liquidationReached = reached;
    // FV-8: a bonus that ended in this step leaves the live list when the step ends (nothing reads
    // it again: a waiting reclaim covers only bonuses still awaiting, D-22), in grant order.
    const live: Bonus[] = [];
    for (const b of this.bonuses) {
      if (b.status === 'spent' || b.status === 'reclaimed') this.retired.push([b.id, b.status]);
      else live.push(b);
    }
    this.bonuses = live;
    return this.effects;
  }
}

/**
 * M-1, M-2 recomputed from an engine state (exact): the margin rate compared with `rate`,
 * `MM < rate x E` being "below". Positions with a position voucher are left out.
 */
export function marginRateBelow(state: AccountState, rate: string): boolean {
  let mm = 0n;
  let equity = parse(state.ownBalance);
  for (const b of state.futuresBonuses) if (b.status === 'active' || b.status === 'awaitingReclaim') equity += parse(b.remaining);
  for (const p of state.positions) {
    if (p.voucher !== undefined) continue;
    const markText = state.marks.find((m) => m.symbol === p.symbol)?.price;
    if (markText === undefined) throw new Error('a position without a mark');
    const mmr = state.policy.instruments[p.symbol]?.mmr ?? state.policy.defaultMmr;
    const value = mul(parse(p.qty), parse(markText));
    mm += mul(value, parse(mmr));
    equity += p.positionSide === 'long' ? value - parse(p.entryValue) : parse(p.entryValue) - value;
  }
  if (mm === 0n) return true;
  return equity > 0n && mm < mul(parse(rate), equity);
}
