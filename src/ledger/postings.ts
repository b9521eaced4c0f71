/**
 * Double-entry postings: every movement of value in one step, as transfers between named ledger
 * accounts. A pure function of `(stateBefore, event, result)`; it never changes a decision of the
 * engine, it only writes down where the money of each effect (and of the few movements that have
 * no effect of their own) came from and went to.
 *
 * ## Chart of accounts
 *
 * Accounts held in the state (their balance can be read off an `AccountState`, see `balancesOf`):
 *
 * | account | balance in the state |
 * |---|---|
 * | `user:futures` | the own balance (`ownBalance`); below zero by a deficit (P-6) |
 * | `voucher:<id>` | an `available` loss coverage voucher's `remaining`, or an `available` position voucher's `amount` (0 in any other status) |
 * | `payable:<id>` | the loss compensations loss coverage voucher `<id>` owes and has not paid yet (LCV-6, LCV-7) |
 * | `voucherMargin:<id>` | the voucher margin position voucher `<id>` backs its order or position with (PV-3, PV-6) |
 * | `ownMargin:<id>` | the user's own margin reserved next to position voucher `<id>` (PV-3, PV-4, PV-8) |
 * | `bonus:<id>` | a futures bonus's `remaining` while `active` or `awaitingReclaim` (0 once `spent` or `reclaimed`) |
 *
 * Accounts outside the state (the engine keeps no balance for them; only postings move them):
 *
 * | account | what it stands for |
 * |---|---|
 * | `platform:campaign` | the platform's incentive budget: funds every grant; receives what is unused, expired, revoked, forfeited, reclaimed or clawed back, and what a cancelled compensation no longer owes |
 * | `platform:fees` | trading fees (P-5) |
 * | `market:pnl` | the trading counterparty: pays realised profits, receives realised losses (P-4, P-5) |
 * | `market:funding` | the funding counterparty: receives funding paid, pays funding received (P-5) |
 * | `user:spot` | the user's spot account, where loss compensations are paid (LCV-7) |
 * | `external:wallet` | the far side of `FundsTransferred`: whatever wallet the user moves funds in from and out to. The engine cannot tell which, and keeps no balance for it; it is the only account through which value enters or leaves the system as a whole |
 *
 * Ids follow the prefix (`voucher:lcv-1`), so an account name is never ambiguous whatever the id holds.
 *
 * ## Postings per movement
 *
 * - grant (`VoucherActivated`): `platform:campaign -> voucher:<id>` (loss coverage, position
 *   voucher) or `-> bonus:<id>` (futures bonus), the granted amount.
 * - `PositionVoucherApplied`: `voucher:<id> -> voucherMargin:<id>` (voucherMargin) and
 *   `user:futures -> ownMargin:<id>` (ownMargin).
 * - `CostSettled`: each part to the cost's counterparty (`market:pnl` for a loss, `platform:fees`
 *   for a fee, `market:funding` for funding): `fromVoucher` from `voucherMargin:<id>`,
 *   `fromOwnMargin` from `ownMargin:<id>`, each `fromBonus` from its `bonus:<id>`, `fromOwn` and
 *   `deficit` from `user:futures`.
 * - `Credited`: `market:pnl` (profit) or `market:funding` (funding) `-> user:futures`.
 * - `LossCoverageApplied`: `voucher:<id> -> payable:<id>` (covered); `LossCompensationPaid`:
 *   `payable:<id> -> user:spot`; `CompensationCancelled`: `payable:<id> -> platform:campaign`.
 * - `VoucherExpired`, `VoucherRevoked`: `voucher:<id> -> platform:campaign` (unused).
 * - `VoucherForfeited`: `voucherMargin:<id> -> platform:campaign` (amount) and what is left in
 *   `ownMargin:<id>` back to `user:futures` (PV-4, PV-8).
 * - `BonusReclaimed`: each `bonus:<id> -> platform:campaign`, its remaining at that moment.
 * - `ProfitClawedBack`: a take `user:futures -> platform:campaign`; a flagged account's voucher
 *   profit that is never credited (D-30) goes `market:pnl -> platform:campaign`.
 * - Movements without an effect of their own: `FundsTransferred` in (`external:wallet ->
 *   user:futures`) and out (`user:futures -> external:wallet`) when accepted; the shrink of a
 *   position voucher's own margin when its order is cancelled after a partial fill (PV-4, D-18):
 *   `ownMargin:<id> -> user:futures`.
 * - Nothing moves for `VoucherActivated` beyond the grant, `ReclaimDeferred`,
 *   `LiquidationThresholdReached`, `EventRejected`, `EventIgnored`.
 *
 * Every posting has a positive amount; a zero part posts nothing. For every account held in the
 * state, the postings of a step add up exactly to the change of its balance between the state
 * before and the state after, and the balances of all accounts together change only by what
 * `external:wallet` gives or takes.
 */
import type { Event } from '../core/events';
import type { Effect } from '../core/effects';
import type { AccountState } from '../core/state';
import { dec, divide, isPositive, max, ROUND_UP, str, ZERO, type Big } from '../core/money';

/** The accounts outside the state. */
export const OUTSIDE_ACCOUNTS = [
  'platform:campaign',
  'platform:fees',
  'market:pnl',
  'market:funding',
  'user:spot',
  'external:wallet',
] as const;
export type OutsideAccount = (typeof OUTSIDE_ACCOUNTS)[number];

/** The prefixes of the per-voucher accounts held in the state. */
export const BUCKET_PREFIXES = ['voucher:', 'payable:', 'voucherMargin:', 'ownMargin:', 'bonus:'] as const;

/** A ledger account name: `user:futures`, an outside account, or a prefixed per-voucher bucket. */
export type LedgerAccount = string;

/** One movement of value: `amount` (a positive decimal string) leaves `from` and enters `to`. */
export interface Posting {
  readonly from: LedgerAccount;
  readonly to: LedgerAccount;
  readonly amount: string;
  /** What moved it: the effect's type, or the event's type for a movement with no effect of its own. */
  readonly cause: string;
  /** Index in `result.effects` of the effect that moved it; absent for a movement with no effect. */
  readonly effect?: number;
  /** The rule the effect names, when there is an effect. */
  readonly rule?: string;
}

/** The result of `step`, as far as postings need it. */
export interface StepOutcome {
  readonly state: AccountState;
  readonly effects: readonly Effect[];
}

function addTo(map: Map<string, Big>, account: string, amount: Big): void {
  map.set(account, (map.get(account) ?? ZERO).plus(amount));
}

function bucketMap(state: AccountState): Map<string, Big> {
  const out = new Map<string, Big>();
  out.set('user:futures', dec(state.ownBalance));
  for (const v of state.lossCoverageVouchers) if (v.status === 'available') addTo(out, `voucher:${v.id}`, dec(v.remaining));
  for (const v of state.positionVouchers) if (v.status === 'available') addTo(out, `voucher:${v.id}`, dec(v.amount));
  for (const c of state.compensations) addTo(out, `payable:${c.voucherId}`, dec(c.amount));
  for (const o of state.orders) {
    if (o.heldMargin === undefined) continue;
    addTo(out, `voucherMargin:${o.heldMargin.voucherId}`, dec(o.heldMargin.voucherMargin));
    addTo(out, `ownMargin:${o.heldMargin.voucherId}`, dec(o.heldMargin.ownMargin));
  }
  for (const p of state.positions) {
    if (p.voucher === undefined) continue;
    addTo(out, `voucherMargin:${p.voucher.voucherId}`, dec(p.voucher.voucherMargin));
    addTo(out, `ownMargin:${p.voucher.voucherId}`, dec(p.voucher.ownMargin));
  }
  for (const b of state.futuresBonuses) {
    if (b.status === 'active' || b.status === 'awaitingReclaim') addTo(out, `bonus:${b.id}`, dec(b.remaining));
  }
  return out;
}

/**
 * The balances of the ledger accounts held in the state: `user:futures` always, every other
 * bucket when it is not zero. Decimal strings.
 */
export function balancesOf(state: AccountState): Record<LedgerAccount, string> {
  const out: Record<string, string> = {};
  for (const [account, amount] of bucketMap(state)) {
    if (account === 'user:futures' || !amount.eq(ZERO)) out[account] = str(amount);
  }
  return out;
}

/** Net change per account of a set of postings (in minus out), decimal strings, zero nets left out. */
export function netOf(postings: readonly Posting[]): Record<LedgerAccount, string> {
  const nets = new Map<string, Big>();
  for (const p of postings) {
    addTo(nets, p.from, dec(p.amount).neg());
    addTo(nets, p.to, dec(p.amount));
  }
  const out: Record<string, string> = {};
  for (const [account, amount] of nets) if (!amount.eq(ZERO)) out[account] = str(amount);
  return out;
}

const CLOCK_WORK = new Set<Effect['type']>(['LossCompensationPaid', 'VoucherExpired']);

/**
 * How many of `effects` come from the clock work of G-6 step 1 (they always come first): payouts,
 * expiries, and the first reclaim attempt of a bonus that expires (a retry of a reclaim in step 3
 * names bonuses that were awaiting reclaim before, or that this step's clock work deferred).
 */
export function clockWorkEnd(before: AccountState, effects: readonly Effect[]): number {
  const activeBefore = new Set(before.futuresBonuses.filter((b) => b.status === 'active').map((b) => b.id));
  const attempted = new Set<string>();
  for (let i = 0; i < effects.length; i++) {
    const e = effects[i] as Effect;
    if (CLOCK_WORK.has(e.type)) continue;
    if ((e.type === 'BonusReclaimed' || e.type === 'ReclaimDeferred') && e.trigger === 'expiry'
      && e.bonusIds.every((id) => activeBefore.has(id) && !attempted.has(id))) {
      for (const id of e.bonusIds) attempted.add(id);
      continue;
    }
    return i;
  }
  return effects.length;
}

/** A step's postings, with the index of the first effect of the event itself (after the clock work). */
export interface LedgerTrace {
  readonly postings: readonly Posting[];
  /** Index in `result.effects` where the clock work ends and the event's own work begins. */
  readonly clockWorkEnd: number;
}

/** `postingsOf` with the phase boundary: what the invariant checkers of `futures-vouchers/testing` use. */
export function traceLedger(before: AccountState, event: Event, result: StepOutcome): LedgerTrace {
  const postings: Posting[] = [];
  if (event.seq <= before.lastSeq) return { postings, clockWorkEnd: 0 };
  const effects = result.effects;
  const accepted = !effects.some((e) => e.type === 'EventRejected');
  const running = bucketMap(before);
  const outstanding = new Map<string, Big>(before.positionVouchers.map((v) => [v.id, dec(v.outstanding)]));
  const flagging = event.type === 'AccountFlagged' && before.status === 'active';

  const post = (from: string, to: string, amount: Big, cause: string, index?: number, rule?: string): void => {
    if (!isPositive(amount)) return;
    const posting: { from: string; to: string; amount: string; cause: string; effect?: number; rule?: string } = {
      from, to, amount: str(amount), cause,
    };
    if (index !== undefined) posting.effect = index;
    if (rule !== undefined) posting.rule = rule;
    postings.push(posting);
    addTo(running, from, amount.neg());
    addTo(running, to, amount);
  };
  const balance = (account: string): Big => running.get(account) ?? ZERO;

  // Which position voucher backs the position a cost or credit names.
  const voucherOf = (symbol: string, side: string): string | undefined => {
    for (const p of before.positions) if (p.symbol === symbol && p.positionSide === side && p.voucher !== undefined) return p.voucher.voucherId;
    if (event.type === 'OrderFilled') {
      const order = before.orders.find((o) => o.orderId === event.orderId);
      if (order?.heldMargin !== undefined && order.symbol === symbol && order.positionSide === side) return order.heldMargin.voucherId;
    }
    return undefined;
  };

  const eventWork = (): void => {
    if (!accepted) return;
    if (event.type === 'FundsTransferred') {
      if (event.direction === 'in') post('external:wallet', 'user:futures', dec(event.amount), event.type);
      else post('user:futures', 'external:wallet', dec(event.amount), event.type);
    } else if (event.type === 'OrderCancelled') {
      // PV-4, D-18: a voucher order cancelled after a partial fill shrinks its own margin, with no effect.
      const order = before.orders.find((o) => o.orderId === event.orderId);
      if (order?.voucherId === undefined || order.heldMargin !== undefined) return;
      const position = before.positions.find((p) => p.voucher?.voucherId === order.voucherId);
      const voucher = before.positionVouchers.find((v) => v.id === order.voucherId);
      if (position?.voucher === undefined || voucher === undefined) return;
      const required = divide(dec(order.filledQty).times(dec(order.price)), dec(order.leverage), before.policy.scale, ROUND_UP);
      const target = max(ZERO, required.minus(dec(voucher.amount)));
      const own = dec(position.voucher.ownMargin);
      if (own.gt(target)) post(`ownMargin:${order.voucherId}`, 'user:futures', own.minus(target), event.type);
    }
  };

  const boundary = clockWorkEnd(before, effects);
  for (let i = 0; i <= effects.length; i++) {
    if (i === boundary) eventWork();
    const e = effects[i];
    if (e === undefined) break;
    switch (e.type) {
      case 'VoucherActivated': {
        if (event.type !== 'VoucherGranted') break;
        const account = event.voucher.kind === 'futuresBonus' ? `bonus:${e.voucherId}` : `voucher:${e.voucherId}`;
        post('platform:campaign', account, dec(event.voucher.amount), e.type, i, e.rule);
        break;
      }
      case 'PositionVoucherApplied':
        post(`voucher:${e.voucherId}`, `voucherMargin:${e.voucherId}`, dec(e.voucherMargin), e.type, i, e.rule);
        post('user:futures', `ownMargin:${e.voucherId}`, dec(e.ownMargin), e.type, i, e.rule);
        break;
      case 'CostSettled': {
        const to = e.cause === 'loss' ? 'market:pnl' : e.cause === 'fee' ? 'platform:fees' : 'market:funding';
        const fromVoucher = dec(e.fromVoucher);
        const fromOwnMargin = dec(e.fromOwnMargin);
        if (isPositive(fromVoucher) || isPositive(fromOwnMargin)) {
          const id = voucherOf(e.symbol, e.positionSide) ?? `?${e.symbol}/${e.positionSide}`;
          post(`voucherMargin:${id}`, to, fromVoucher, e.type, i, e.rule);
          post(`ownMargin:${id}`, to, fromOwnMargin, e.type, i, e.rule);
        }
        for (const part of e.fromBonus) post(`bonus:${part.bonusId}`, to, dec(part.amount), e.type, i, e.rule);
        post('user:futures', to, dec(e.fromOwn).plus(dec(e.deficit)), e.type, i, e.rule);
        break;
      }
      case 'Credited':
        post(e.cause === 'profit' ? 'market:pnl' : 'market:funding', 'user:futures', dec(e.amount), e.type, i, e.rule);
        break;
      case 'LossCoverageApplied':
        post(`voucher:${e.voucherId}`, `payable:${e.voucherId}`, dec(e.covered), e.type, i, e.rule);
        break;
      case 'LossCompensationPaid':
        post(`payable:${e.voucherId}`, 'user:spot', dec(e.amount), e.type, i, e.rule);
        break;
      case 'CompensationCancelled':
        post(`payable:${e.voucherId}`, 'platform:campaign', dec(e.amount), e.type, i, e.rule);
        break;
      case 'VoucherExpired':
      case 'VoucherRevoked':
        post(`voucher:${e.voucherId}`, 'platform:campaign', dec(e.unused), e.type, i, e.rule);
        break;
      case 'VoucherForfeited':
        post(`voucherMargin:${e.voucherId}`, 'platform:campaign', dec(e.amount), e.type, i, e.rule);
        post(`ownMargin:${e.voucherId}`, 'user:futures', balance(`ownMargin:${e.voucherId}`), e.type, i, e.rule);
        break;
      case 'BonusReclaimed':
        for (const id of e.bonusIds) post(`bonus:${id}`, 'platform:campaign', balance(`bonus:${id}`), e.type, i, e.rule);
        break;
      case 'ProfitClawedBack': {
        const before = outstanding.get(e.voucherId) ?? ZERO;
        // D-30: a flagged account's voucher profit is never credited: it goes to the platform
        // instead, and leaves the outstanding clawback as it was. Any other effect is a take.
        if (!flagging && dec(e.outstanding).eq(before)) {
          post('market:pnl', 'platform:campaign', dec(e.amount), e.type, i, e.rule);
        } else {
          post('user:futures', 'platform:campaign', dec(e.amount), e.type, i, e.rule);
          outstanding.set(e.voucherId, dec(e.outstanding));
        }
        break;
      }
      case 'ReclaimDeferred':
      case 'LiquidationThresholdReached':
      case 'EventRejected':
      case 'EventIgnored':
        break;
    }
  }
  return { postings, clockWorkEnd: boundary };
}

/**
 * The double-entry postings of one step: `postingsOf(stateBefore, event, step(stateBefore, event))`.
 * See the chart of accounts above. An ignored duplicate posts nothing; a rejected event posts
 * only what its clock work moved.
 */
export function postingsOf(before: AccountState, event: Event, result: StepOutcome): Posting[] {
  return traceLedger(before, event, result).postings.slice();
}
