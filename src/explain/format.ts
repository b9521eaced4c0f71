/**
 * Plain English for events, effects and explanations: short sentences a support agent can read
 * out to a customer. Every sentence about a rule starts with its id.
 */
import type { Effect } from '../core/effects';
import type { Event } from '../core/events';
import type { Action, EventResult, Explanation, Finding, ItemExplanation } from './types';

export interface FormatOptions {
  /**
   * How times inside sentences are written: `epoch` (default) as on the wire, milliseconds since
   * the Unix epoch; `utc` as a UTC date and time. The heading always shows both.
   */
  readonly times?: 'epoch' | 'utc';
}

/** A time in UTC, `2026-01-05 09:00:00 UTC` (milliseconds shown only when not zero). */
export function utcTime(at: number): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return `${at} ms`;
  const iso = date.toISOString();
  const ms = iso.slice(19, 23);
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms === '.000' ? '' : ms} UTC`;
}

const KIND_NAMES = { lossCoverage: 'loss coverage voucher', positionVoucher: 'position voucher', futuresBonus: 'futures bonus' } as const;

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function side(positionSide: string, symbol: string): string {
  return `${positionSide} ${symbol}`;
}

/** One event in a few words: `fill of order c1: 1 at 85, fee 0`. */
export function describeEvent(event: Event): string {
  switch (event.type) {
    case 'VoucherGranted': {
      const v = event.voucher;
      const rate = v.kind === 'futuresBonus' ? ` at rate ${v.rate}` : '';
      return `grant of ${KIND_NAMES[v.kind]} ${v.id} (${v.amount}${rate})`;
    }
    case 'OrderPlaced': {
      const voucher = event.voucher === undefined ? '' : `, voucher ${event.voucher}`;
      const flags = event.feeVoucher === true ? ', fee voucher' : '';
      return `order ${event.orderId} placed: ${event.action} ${event.qty} ${side(event.positionSide, event.symbol)} at ${event.price}, leverage ${event.leverage}, ${event.marginMode}, source ${event.source}${voucher}${flags}`;
    }
    case 'OrderFilled':
      return `fill of order ${event.orderId}: ${event.qty} at ${event.price}, fee ${event.fee}`;
    case 'OrderCancelled':
      return `order ${event.orderId} ended: ${event.reason}`;
    case 'MarkPriceUpdated':
      return `mark price of ${event.symbol}: ${event.price}`;
    case 'FundingSettled':
      return `funding on ${side(event.positionSide, event.symbol)}: ${event.amount}`;
    case 'FundsTransferred':
      return `transfer ${event.direction} of ${event.amount}`;
    case 'AccountFlagged':
      return `account flagged by risk control (${event.reason})`;
    case 'Tick':
      return 'clock tick';
  }
}

function costParts(e: Extract<Effect, { type: 'CostSettled' }>): string {
  const parts: string[] = [];
  if (e.fromVoucher !== '0') parts.push(`${e.fromVoucher} from voucher margin`);
  if (e.fromOwnMargin !== '0') parts.push(`${e.fromOwnMargin} from own margin`);
  for (const b of e.fromBonus) parts.push(`${b.amount} from bonus ${b.bonusId}`);
  if (e.fromOwn !== '0') parts.push(`${e.fromOwn} from own funds`);
  if (e.deficit !== '0') parts.push(`${e.deficit} left as a deficit`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}

/** One effect in a few words (its rule not included): `fee of 0.3 on long BTCUSDT: 0.3 from own funds`. */
export function describeEffect(effect: Effect): string {
  switch (effect.type) {
    case 'EventIgnored':
      return 'duplicate: already applied, nothing changes';
    case 'EventRejected':
      return `${effect.code}${effect.reasons === undefined ? '' : ` [${effect.reasons.join(', ')}]`}: ${effect.message}`;
    case 'VoucherActivated':
      return `${KIND_NAMES[effect.kind]} ${effect.voucherId} is active`;
    case 'PositionVoucherApplied':
      return `voucher ${effect.voucherId} backs order ${effect.orderId} (${side(effect.positionSide, effect.symbol)}) with ${effect.voucherMargin}; own margin ${effect.ownMargin}`;
    case 'CostSettled':
      return `${effect.cause} of ${effect.amount} on ${side(effect.positionSide, effect.symbol)}: ${costParts(effect)}`;
    case 'Credited':
      return `${effect.cause} of ${effect.amount} on ${side(effect.positionSide, effect.symbol)} credited to own funds`;
    case 'LossCoverageApplied':
      return `voucher ${effect.voucherId} covers ${effect.covered} of the loss of ${effect.loss} of order ${effect.orderId}, ${effect.remaining} left, paid ${utcTime(effect.payableAt)}`;
    case 'LossCompensationPaid':
      return `${effect.amount} paid from the ${effect.from} account to the ${effect.to} account (voucher ${effect.voucherId}, order ${effect.orderId})`;
    case 'CompensationCancelled':
      return `unpaid ${effect.amount} of voucher ${effect.voucherId} for order ${effect.orderId} cancelled`;
    case 'VoucherExpired':
      return `${KIND_NAMES[effect.kind]} ${effect.voucherId} expired, ${effect.unused} unused`;
    case 'VoucherForfeited':
      return `voucher ${effect.voucherId} forfeits ${effect.amount} (order ${effect.orderId})`;
    case 'VoucherRevoked':
      return `${KIND_NAMES[effect.kind]} ${effect.voucherId} revoked, ${effect.unused} unused`;
    case 'BonusReclaimed':
      return `${effect.amount} of bonus ${effect.bonusIds.join(', ')} reclaimed (${effect.trigger})`;
    case 'ReclaimDeferred':
      return `reclaim of ${effect.amount} of bonus ${effect.bonusIds.join(', ')} deferred (${effect.trigger}): margin rate after it ${rate(effect.projectedMarginRate)}`;
    case 'ProfitClawedBack':
      return `${effect.amount} of voucher ${effect.voucherId}'s profit clawed back, ${effect.outstanding} outstanding`;
    case 'LiquidationThresholdReached':
      return `margin rate ${rate(effect.marginRate)} reached the liquidation rate`;
  }
}

function rate(value: string | null): string {
  return value === null ? 'unbounded' : value;
}

function statusText(item: ItemExplanation): string {
  if (item.statusBefore === null) return item.statusAfter === null ? 'not granted' : `new, ${item.statusAfter}`;
  if (item.statusAfter === null || item.statusAfter === item.statusBefore) return item.statusBefore;
  return `${item.statusBefore} -> ${item.statusAfter}`;
}

function resultText(explanation: Explanation, result: EventResult): string {
  switch (result.kind) {
    case 'applied':
      return 'The event is applied.';
    case 'ignored':
      return `G-5: the event is ignored: event ${explanation.event.seq} is not after the last applied event ${result.lastSeq}, so it is a redelivery and changes nothing.`;
    case 'rejected':
      return `${result.rule}: the event is rejected (${result.code}): ${result.message}`;
  }
}

type Time = (at: number) => string;

function bonusPaidText(action: Extract<Action, { type: 'bonusPaidCost' }>): string {
  const of = `${action.paid} of the ${action.cause} of ${action.cost} on ${side(action.positionSide, action.symbol)}`;
  const wallet = action.walletCost === action.cost ? action.walletCost : `the wallet's ${action.walletCost}`;
  const left = action.remaining === '0' ? 'it is spent' : `${action.remaining} remains`;
  switch (action.stage) {
    case 'awaitingReclaim':
      return `FB-5: awaiting reclaim, it pays ${of} because own funds and the active bonuses ran out; ${left}.`;
    case 'beyondShare':
      return `FB-5: pays ${of}: the pool's share of ${wallet} at rate ${action.rate} is ${action.share}, ${action.fromOwn === '0' ? 'own funds had nothing to pay with' : `own funds paid ${action.fromOwn} and ran out`}, so the pool paid on; ${left}.`;
    case 'share':
      return action.rule === 'FB-4'
        ? `FB-4: pays ${of}: the pool held less than its share ${action.share} of ${wallet} at rate ${action.rate}, and own funds paid the gap; ${left}.`
        : `FB-3: pays ${of}: the pool's share of ${wallet} at rate ${action.rate} is ${action.share} (rounded down); ${left}.`;
  }
}

function actionText(action: Action, time: Time): string {
  switch (action.type) {
    case 'granted':
      return `A-5: granted with ${action.amount}.`;
    case 'lossCovered':
      return `LCV-6: covers ${action.covered} of the loss of ${action.loss} of order ${action.orderId}; ${action.remaining} remains; paid to the spot account at ${time(action.payableAt)} (LCV-7).`;
    case 'compensationPaid':
      return `LCV-7: ${action.amount} for order ${action.orderId} is paid from the campaign account to the spot account at ${time(action.at)}.`;
    case 'compensationCancelled':
      return `G-7: the unpaid ${action.amount} for order ${action.orderId} is cancelled by the risk-control flag.`;
    case 'expired':
      return `${action.rule}: expired at ${time(action.at)} with ${action.unused} unused.`;
    case 'revoked':
      return `G-7: revoked by the risk-control flag with ${action.unused} unused.`;
    case 'backsOrder': {
      const how = action.chosen === 'auto' ? ', chosen by "auto" as the earliest-granted eligible voucher (PV-2)' : '';
      const own = action.ownMargin === '0' ? 'no own funds are needed' : `${action.ownMargin} of own funds is set aside as own margin`;
      return `PV-3: backs order ${action.orderId} (${side(action.positionSide, action.symbol)}) with ${action.voucherMargin}${how}; the order needs margin ${action.required}, so ${own}.`;
    }
    case 'voucherPaidCost': {
      const own = action.fromOwnMargin === '0' ? '' : ` and ${action.fromOwnMargin} from the position's own margin`;
      return `PV-6: pays ${action.fromVoucher} of the ${action.cause} of ${action.cost} on ${side(action.positionSide, action.symbol)}${own}.`;
    }
    case 'forfeited':
      return action.rule === 'PV-4'
        ? `PV-4: order ${action.orderId} ended without a fill; the principal ${action.amount} is forfeited, never refunded.`
        : `PV-8: order ${action.orderId} closed the position; the voucher margin left, ${action.amount}, is forfeited.`;
    case 'clawedBack':
      return `PV-10: ${action.amount} of the profit of its position is clawed back; ${action.outstanding} is still outstanding.`;
    case 'bonusPaidCost':
      return bonusPaidText(action);
    case 'reclaimed': {
      const part = action.bonusIds.length > 1 ? `${action.part} (of a reclaim of ${action.amount} with ${action.bonusIds.join(', ')})` : action.part;
      const retry = action.retry ? '; retried after this funds movement, FB-11' : '';
      const guard = action.guard === null
        ? 'the guard is off (reclaimGuard: false)'
        : `margin rate after the reclaim ${rate(action.guard.marginRateAfter)} is below ${action.guard.guardRate}`;
      return `FB-10: ${part} is reclaimed (${action.trigger}${retry}): ${guard}.`;
    }
    case 'reclaimDeferred': {
      const whole = action.bonusIds.length > 1 ? ` with ${action.bonusIds.join(', ')}` : '';
      return `FB-10: the reclaim of ${action.amount}${whole} (${action.trigger}) waits: margin rate after the reclaim ${rate(action.projectedMarginRate)} would be at or above ${action.guardRate}; it is retried after each funds movement (FB-11).`;
    }
  }
}

function lossText(loss: string, minLoss: string): string {
  if (loss.startsWith('-')) return `LCV-2: the order made a profit of ${loss.slice(1)}, not a loss of more than the minimum ${minLoss}.`;
  return `LCV-2: loss ${loss} is not more than the minimum ${minLoss}.`;
}

function findingText(f: Finding, noun: string, time: Time): string {
  switch (f.code) {
    case 'DUPLICATE_EVENT':
      return `G-5: the event was already applied (the last applied event is ${f.lastSeq}).`;
    case 'EVENT_REJECTED':
      return `${f.rule}: the event is rejected (${f.rejection}), so it does nothing to this ${noun}.`;
    case 'FINAL_STATUS':
      return `D-31: the ${noun} is ${f.status}; nothing changes it any more.`;
    case 'NO_CLOSING_ORDER_DONE':
      return `LCV-1: a loss is evaluated only when a closing order with fills is done; this ${f.eventType} finishes none.`;
    case 'ORDER_NOT_DONE':
      return `LCV-1: closing order ${f.orderId} is not done yet (${f.filledQty} of ${f.qty} filled); its loss is evaluated when it is done.`;
    case 'LOSS_NOT_ABOVE_MINIMUM':
      return lossText(f.loss, f.minLoss);
    case 'SOURCE_NOT_MAIN':
      return f.rule === 'LCV-2'
        ? `LCV-2: the order came from ${f.source}, not from main trading.`
        : `PV-1 SOURCE_NOT_MAIN: the order came from ${f.source}, not from main trading.`;
    case 'ACCOUNT_NOT_MAIN':
      return `${f.rule === 'LCV-2' ? 'LCV-2' : 'PV-1 ACCOUNT_NOT_MAIN'}: the account is a ${f.accountType} account, not a main account.`;
    case 'ACCOUNT_FLAGGED':
      return `${f.rule === 'LCV-2' ? 'LCV-2' : 'PV-1 ACCOUNT_FLAGGED'}: the account is flagged by risk control.`;
    case 'FEE_VOUCHER':
      return 'LCV-2: a fee voucher was applied to the order.';
    case 'VOUCHER_POSITION':
      return 'LCV-2: the order closed a position opened with a position voucher.';
    case 'BONUS_PAID':
      return "LCV-2: a futures bonus paid part of the order's loss or fees.";
    case 'VOUCHER_NOT_AVAILABLE':
      return `LCV-3: the voucher is ${f.status}, not available.`;
    case 'GRANTED_NOT_BEFORE_CLOSE':
      return `LCV-3: granted at ${time(f.grantedAt)}, not before the close at ${time(f.closedAt)}.`;
    case 'CLOSING_NOTIONAL_BELOW_MINIMUM':
      return `LCV-3: the closing notional ${f.closingNotional} is below the voucher's minimum ${f.minClosingNotional}.`;
    case 'EARLIER_VOUCHER_USED':
      return `LCV-4: voucher ${f.voucherId}, granted earlier, covers order ${f.orderId}; one voucher per order (spillover is off).`;
    case 'LOSS_ALREADY_COVERED':
      return `LCV-4: earlier vouchers already cover the whole loss of ${f.loss} of order ${f.orderId}.`;
    case 'PAYOUT_NOT_DUE':
      return `LCV-7: ${f.amount} for order ${f.orderId} is paid at ${time(f.payableAt)}, not yet.`;
    case 'VOUCHER_UNAVAILABLE':
      return f.status === null
        ? 'PV-2 VOUCHER_UNAVAILABLE: no position voucher of the account has this id.'
        : `PV-2 VOUCHER_UNAVAILABLE: the voucher is ${f.status}, not available.`;
    case 'NOT_OPENING':
      return 'PV-1 NOT_OPENING: the order closes a position; a voucher backs only an opening order.';
    case 'NOT_HEDGE_MODE':
      return `PV-1 NOT_HEDGE_MODE: the account is in ${f.positionMode} mode, not hedge mode.`;
    case 'NOT_ISOLATED':
      return `PV-1 NOT_ISOLATED: the order uses ${f.marginMode} margin, not isolated margin.`;
    case 'SYMBOL_NOT_ALLOWED':
      return `PV-1 SYMBOL_NOT_ALLOWED: ${f.symbol} is not among the voucher's symbols (${f.symbols.length === 0 ? 'none' : f.symbols.join(', ')}).`;
    case 'LEVERAGE_TOO_HIGH':
      return `PV-1 LEVERAGE_TOO_HIGH: leverage ${f.leverage} is above the voucher's maximum ${f.maxLeverage}.`;
    case 'SIDE_BUSY':
      return f.orderId === undefined
        ? `PV-1 SIDE_BUSY: there is already a ${side(f.positionSide, f.symbol)} position.`
        : `PV-1 SIDE_BUSY: opening order ${f.orderId} is already open on ${side(f.positionSide, f.symbol)}.`;
    case 'SYMBOL_HAS_VOUCHER':
      return `PV-1 SYMBOL_HAS_VOUCHER: voucher ${f.voucherId} is already in use on ${f.symbol}.`;
    case 'MARGIN_NOT_COVERED':
      return f.allowOwnFunds
        ? `PV-1 MARGIN_NOT_COVERED: the order needs margin ${f.required}, more than the voucher's ${f.amount}, and own transferable funds ${f.transferable} do not cover the rest.`
        : `PV-1 MARGIN_NOT_COVERED: the order needs margin ${f.required}, more than the voucher's ${f.amount}, and the voucher does not allow own funds to make up the rest.`;
    case 'NOT_REQUESTED':
      return f.requested === 'none'
        ? `PV-2: order ${f.orderId} asks for no voucher ("none").`
        : `PV-2: order ${f.orderId} names voucher ${f.requested}, not this one.`;
    case 'EARLIER_VOUCHER_CHOSEN':
      return `PV-2: "auto" takes the earliest-granted eligible voucher, ${f.voucherId}; one voucher per order.`;
    case 'NO_ORDER_PLACED':
      return `PV-1: a voucher is committed only when an opening order is placed; this ${f.eventType} places none.`;
    case 'NO_COST_ON_POSITION':
      return f.orderId === undefined
        ? `PV-6: it backs the ${side(f.positionSide, f.symbol)} position; this event settles no cost of it.`
        : `PV-6: it backs order ${f.orderId} (${side(f.positionSide, f.symbol)}), not filled yet; this event settles no cost of it.`;
    case 'VOUCHER_MARGIN_EXHAUSTED':
      return `PV-6: its margin is used up, so the ${f.cause} of ${f.cost} went on to the wallet.`;
    case 'CLAWBACK_NOT_TAKEN':
      return f.movedFunds
        ? `PV-10: ${f.outstanding} is still to be clawed back; transferable funds (${f.takeable}) allow nothing more now.`
        : `PV-10: ${f.outstanding} is still to be clawed back; it is taken only after an accepted funds movement, and this event moves no funds.`;
    case 'RATE_CONFLICT':
      return `FB-2: its rate ${f.rate} differs from the rate ${f.bonusRate} of active bonus ${f.bonusId}.`;
    case 'NO_COST':
      return `FB-7: a futures bonus pays fees, funding and realised losses; this ${f.eventType} settles none.`;
    case 'FLAGGED_NO_BONUS':
      return `D-6: the account is flagged, so no futures bonus pays the ${f.cause} of ${f.cost}.`;
    case 'NO_WALLET_COST':
      return `P-6: the position voucher's margins paid all of the ${f.cause} of ${f.cost}; nothing reached the wallet.`;
    case 'EARLIER_BONUS_PAID':
      return `FB-6: the pool pays in grant order, and ${f.paidBy.join(', ')} paid its share ${f.share} of the ${f.cause} of ${f.cost}.`;
    case 'SHARE_ROUNDS_TO_ZERO':
      return `FB-3: the share of the ${f.cause} of ${f.walletCost} at rate ${f.rate} rounds down to 0; own funds paid it.`;
    case 'FALLBACK_NOT_NEEDED':
      return `FB-5: awaiting reclaim, it pays only once own funds and the active bonuses run out; they paid the ${f.cause} of ${f.cost}.`;
    case 'RECLAIM_STILL_DEFERRED':
      return `FB-10: the reclaim of ${f.amount} (${f.trigger}) was retried and still waits: margin rate after the reclaim ${rate(f.projectedMarginRate)} would be at or above ${f.guardRate}.`;
    case 'RECLAIM_NOT_RETRIED':
      return `FB-11: the reclaim (${f.trigger}) waits for a funds movement; this ${f.eventType} moves no funds.`;
  }
}

function itemText(item: ItemExplanation, time: Time): string[] {
  const noun = KIND_NAMES[item.kind];
  const lines = [`${capitalised(noun)} ${item.id} (${statusText(item)}): ${item.outcome === 'applied' ? 'applied' : 'not applied'}.`];
  for (const action of item.actions) lines.push(`  ${actionText(action, time)}`);
  for (const finding of item.findings) lines.push(`  ${findingText(finding, noun, time)}`);
  return lines;
}

/**
 * Renders an explanation as short English sentences: a heading naming the event, the event's
 * result, then for each voucher and bonus one line with its status and whether the event applies
 * to it, followed by one sentence per action and per rule that did not apply.
 */
export function formatExplanation(explanation: Explanation, options: FormatOptions = {}): string {
  const time: Time = options.times === 'utc' ? utcTime : (at) => String(at);
  const event = explanation.event;
  const lines = [
    `Event ${event.seq} (${event.type}) at ${event.at} (${utcTime(event.at)}), account ${explanation.accountId}: ${describeEvent(event)}.`,
    resultText(explanation, explanation.result),
  ];
  if (explanation.items.length === 0) lines.push('The account holds no vouchers or bonuses.');
  for (const item of explanation.items) lines.push(...itemText(item, time));
  for (const effect of explanation.effects) {
    if (effect.type === 'LiquidationThresholdReached') lines.push(`M-3: the margin rate ${rate(effect.marginRate)} is at or above the liquidation rate.`);
  }
  return `${lines.join('\n')}\n`;
}
