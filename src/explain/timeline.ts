/**
 * A replay as a timeline for people: each event with its time in UTC, the effects it produced and
 * the balances after it. Used by `futures-vouchers replay --format table`.
 */
import type { Effect } from '../core/effects';
import type { Event } from '../core/events';
import { openContext } from '../core/context';
import { bonusEquity } from '../core/margin';
import { str } from '../core/money';
import type { AccountState } from '../core/state';
import { replayEvents, type Scenario } from '../replay';
import { sum } from './explain';
import { describeEffect, describeEvent, utcTime } from './format';

export interface TimelineRow {
  readonly event: Event;
  readonly effects: readonly Effect[];
  /** The state after the event. */
  readonly state: AccountState;
}

/** Replays a scenario event by event, keeping each event's effects and the state after it. */
export function timeline(scenario: Scenario): TimelineRow[] {
  const rows: TimelineRow[] = [];
  replayEvents(scenario.account, scenario.policy, scenario.events, (event, result) => {
    rows.push({ event, effects: result.effects, state: result.state });
  });
  return rows;
}

/** Own balance, futures bonuses still counted in equity (M-2), position voucher margin in use. */
export function balanceLine(state: AccountState): string {
  const bonus = bonusEquity(openContext(state, state.lastSeq, state.clock));
  const voucherMargin = sum([
    ...state.positions.flatMap((p) => (p.voucher === undefined ? [] : [p.voucher.voucherMargin])),
    ...state.orders.flatMap((o) => (o.heldMargin === undefined ? [] : [o.heldMargin.voucherMargin])),
  ]);
  return `own ${state.ownBalance}, bonus ${str(bonus)}, voucher margin ${str(voucherMargin)}`;
}

type Paint = (code: string, text: string) => string;

const plain: Paint = (_code, text) => text;
const ansi: Paint = (code, text) => `\u001b[${code}m${text}\u001b[0m`;

const DIM = '2';
const BOLD = '1';
const RED = '31';
const GREEN = '32';
const YELLOW = '33';

function effectColour(effect: Effect): string | undefined {
  switch (effect.type) {
    case 'EventRejected':
      return RED;
    case 'LossCoverageApplied':
    case 'LossCompensationPaid':
    case 'Credited':
    case 'VoucherActivated':
    case 'PositionVoucherApplied':
      return GREEN;
    case 'ReclaimDeferred':
    case 'LiquidationThresholdReached':
    case 'VoucherForfeited':
    case 'VoucherExpired':
    case 'VoucherRevoked':
    case 'ProfitClawedBack':
    case 'CompensationCancelled':
      return YELLOW;
    default:
      return undefined;
  }
}

/** The timeline as text; ANSI colours only when `colour` is set. */
export function formatTimeline(rows: readonly TimelineRow[], options: { readonly colour: boolean }): string {
  const paint = options.colour ? ansi : plain;
  const typeWidth = Math.max(0, ...rows.flatMap((r) => r.effects.map((e) => e.type.length)));
  const lines: string[] = [];
  for (const { event, effects, state } of rows) {
    lines.push(`${paint(DIM, utcTime(event.at))}  #${event.seq}  ${paint(BOLD, event.type)}  ${describeEvent(event)}`);
    for (const effect of effects) {
      const due = effect.at === event.at ? '' : paint(DIM, ` (due ${utcTime(effect.at)})`);
      const colour = effectColour(effect);
      const type = effect.type.padEnd(typeWidth);
      lines.push(`    ${effect.rule.padEnd(6)} ${colour === undefined ? type : paint(colour, type)}  ${describeEffect(effect)}${due}`);
    }
    lines.push(paint(DIM, `    after: ${balanceLine(state)}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Colours only on a terminal, and not when NO_COLOR is set to anything but "" (no-color.org). */
export function colourWanted(isTTY: boolean, noColor: string | undefined): boolean {
  return isTTY && (noColor === undefined || noColor === '');
}
