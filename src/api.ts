import { either } from 'fp-ts';
import type { Decoded } from './core/codec';
import type { AccountState } from './core/state';
import { decodeEvent } from './replay';
import { step, type StepResult } from './step';

/**
 * Decodes an event from untrusted JSON against the account's scale and applies it. A malformed
 * event is a `Left` with every bad field named, and the state is not touched.
 */
export function applyJson(state: AccountState, json: unknown): Decoded<StepResult> {
  const event = decodeEvent(json, state.policy.scale);
  return event._tag === 'Left' ? event : either.right(step(state, event.right));
}
