/**
 * Eligibility rules as lists of checks: one implementation of each condition serves both `step`
 * (does every check pass?) and `explain` (which checks fail, with the numbers behind each).
 */

/** One condition of a rule: `fails` decides; `finding` says why, with the numbers, when it fails. */
export interface Check<A extends readonly unknown[], F> {
  readonly fails: (...args: A) => boolean;
  readonly finding: (...args: A) => F;
}

/** Whether every check passes; stops at the first that fails. */
export function passesAll<A extends readonly unknown[], F>(checks: readonly Check<A, F>[], ...args: A): boolean {
  for (const check of checks) if (check.fails(...args)) return false;
  return true;
}

/** Every check that fails, in the order of the list, each with its finding. */
export function failuresOf<A extends readonly unknown[], F>(checks: readonly Check<A, F>[], ...args: A): F[] {
  const out: F[] = [];
  for (const check of checks) if (check.fails(...args)) out.push(check.finding(...args));
  return out;
}
