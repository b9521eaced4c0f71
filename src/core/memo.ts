/**
 * Per-account memos (issue 8): the last values a module computed for an account, so that the next
 * step, whose input shares most objects with the last output (copy-on-write), recomputes only what
 * changed. A memo is only a hint: every use first checks, by identity, that the objects it was
 * computed from are the very objects at hand, so two accounts with the same id, a state from
 * elsewhere or an evicted entry only cost a recomputation, never a different result.
 *
 * Keyed by the account id rather than by the state's own objects: a `WeakMap` entry for every new
 * array a step makes costs the garbage collector more (ephemerons) than the memo saves.
 */

/** Accounts per generation: the memo keeps between `limit` and `2 x limit` accounts. */
const DEFAULT_LIMIT = 256;

/**
 * A memo store: `slotOf(accountId)` gives the account's mutable slot, created by `create`. Bounded
 * by two generations: when the young one is full it becomes the old one, and the previous old one
 * is dropped; a slot found in the old generation moves to the young one.
 */
export function accountMemo<T>(create: () => T, limit: number = DEFAULT_LIMIT): (accountId: string) => T {
  let young = new Map<string, T>();
  let old = new Map<string, T>();
  return (accountId) => {
    let slot = young.get(accountId);
    if (slot === undefined) {
      slot = old.get(accountId) ?? create();
      if (young.size >= limit) {
        old = young;
        young = new Map();
      }
      young.set(accountId, slot);
    }
    return slot;
  };
}

/** Where two arrays differ: `before[start, endBefore)` became `after[start, endAfter)`; the rest is shared. */
export interface Span {
  readonly start: number;
  readonly endBefore: number;
  readonly endAfter: number;
}

/**
 * The span where a new array differs from the one a memo was computed for, by identity from both
 * ends: copy-on-write replaces, adds or removes one item at a time, so the rest is shared.
 */
export function changedSpan<T>(before: readonly T[], after: readonly T[]): Span {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  return { start, endBefore, endAfter };
}
