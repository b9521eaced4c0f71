/**
 * Scenario files and event logs (RULES.md section 7, D-25): decoded whole before anything is
 * applied, then replayed through `step` from a new account.
 */
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { decodeWith, struct, type DecodeError, type Decoded } from './core/codec';
import { decodedEvent, eventCodec, type Event } from './core/events';
import type { Effect } from './core/effects';
import { DEFAULT_POLICY, PolicyInputCodec, type PolicyInput } from './core/policy';
import { accountCodec, createAccount, type Account, type AccountState } from './core/state';
import { step, type StepResult } from './step';

function buildScenarioCodec(scale: number) {
  return struct('Scenario', { account: accountCodec(scale), events: t.array(eventCodec(scale)) }, { policy: PolicyInputCodec });
}

export type Scenario = t.TypeOf<ReturnType<typeof buildScenarioCodec>>;

export interface ReplayResult {
  readonly effects: Effect[];
  readonly state: AccountState;
}

/**
 * The scale the account and the events are decoded against (D-25): the policy's own `scale` when
 * that field is valid, even if another policy field is not, so that every error is reported.
 */
function scaleOf(policy: unknown): number {
  const scale: unknown = typeof policy === 'object' && policy !== null ? (policy as Record<string, unknown>)['scale'] : undefined;
  if (scale === undefined) return DEFAULT_POLICY.scale;
  const decoded = PolicyInputCodec.props.scale.decode(scale);
  return decoded._tag === 'Right' ? decoded.right : DEFAULT_POLICY.scale;
}

/**
 * Decodes an event from untrusted JSON against an account's scale (D-25). The event codec tries
 * `decodedEvent` first wherever it decodes (logs, scenarios); this, the hot path, calls it
 * directly, without looking the codec and its compiled check up.
 */
export function decodeEvent(u: unknown, scale: number = DEFAULT_POLICY.scale): Decoded<Event> {
  const fast = decodedEvent(u, scale);
  return fast === undefined ? decodeWith(eventCodec(scale), u) : either.right(fast);
}

/** Decodes a scenario file: the policy's scale governs the account and the events (D-25). */
export function decodeScenario(u: unknown): Decoded<Scenario> {
  const policy = typeof u === 'object' && u !== null ? (u as Record<string, unknown>)['policy'] : undefined;
  return decodeWith(buildScenarioCodec(scaleOf(policy)), u);
}

/**
 * Decodes an NDJSON event log (one event a line, blank lines skipped) with the account and the
 * policy given apart. Errors name the line: `line 4.amount: ...`, `line 5: expected a JSON event ...`.
 */
export function decodeEventLog(text: string, account: unknown, policy?: unknown): Decoded<Scenario> {
  const errors: DecodeError[] = [];
  const policyResult = decodeWith(PolicyInputCodec, policy ?? {}, 'policy');
  if (policyResult._tag === 'Left') errors.push(...policyResult.left);
  const scale = scaleOf(policy);
  const accountResult = decodeWith(accountCodec(scale), account, 'account');
  if (accountResult._tag === 'Left') errors.push(...accountResult.left);
  const events: Event[] = [];
  const codec = eventCodec(scale);
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      errors.push({ path: `line ${i + 1}`, message: 'expected a JSON event, got text that is not JSON' });
      return;
    }
    const decoded = decodeWith(codec, json, `line ${i + 1}`);
    if (decoded._tag === 'Left') errors.push(...decoded.left);
    else events.push(decoded.right);
  });
  if (errors.length > 0 || accountResult._tag === 'Left' || policyResult._tag === 'Left') return either.left(errors);
  const scenario: Scenario = { account: accountResult.right, events };
  if (policy !== undefined) scenario.policy = policyResult.right;
  return either.right(scenario);
}

/**
 * Replays already decoded events on a new account (section 7); `onStep`, when given, sees each
 * event with its step's result (the one replay loop: the timeline reads the steps through it).
 */
export function replayEvents(
  account: Account,
  policy: PolicyInput | undefined,
  events: readonly Event[],
  onStep?: (event: Event, result: StepResult) => void,
): ReplayResult {
  let state = createAccount(account, policy);
  const effects: Effect[] = [];
  for (const event of events) {
    const result = step(state, event);
    state = result.state;
    for (const effect of result.effects) effects.push(effect);
    onStep?.(event, result);
  }
  return { effects, state };
}

/** Replays a decoded scenario: `{ effects, state }`, as the command line prints it. */
export function replay(scenario: Scenario): ReplayResult {
  return replayEvents(scenario.account, scenario.policy, scenario.events);
}

/** Decodes untrusted JSON and replays it; a file that does not decode applies nothing. */
export function replayJson(u: unknown): Decoded<ReplayResult> {
  const decoded = decodeScenario(u);
  return decoded._tag === 'Left' ? decoded : either.right(replay(decoded.right));
}
