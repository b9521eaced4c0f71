/**
 * `futures-vouchers/testing`: a kit to test an integration of the engine the way the engine
 * tests itself. Needs `fast-check` 4 (an optional peer dependency).
 *
 * - Arbitraries: `arbPolicy()`, `arbAccount({ scale })`, `arbAccountState()` and
 *   `arbEventStream({ length, bias, noise })`, which draws `{ account, policy, events }`: a fresh
 *   account and a valid stream of events for it (increasing `seq`, `at` never going back, fills
 *   of open orders within their unfilled quantity, closes of held positions, grants of all three
 *   kinds, moving mark prices, transfers, funding, flags, ticks), steered towards edge cases by
 *   `bias`.
 * - Checkers: `checkStep(before, event, result)` runs every invariant on one step and returns
 *   the violations as data (`{ invariant, seq, message, details }`), never throwing;
 *   `checkStream({ account, policy, events })` steps a whole stream and checks every step, plus
 *   each voucher's and bonus's payouts over its lifetime. Each invariant can also be run on its own.
 *
 * ```ts
 * import fc from 'fast-check';
 * import { arbEventStream, checkStream } from 'futures-vouchers/testing';
 *
 * fc.assert(fc.property(arbEventStream({ length: 50, bias: true }), (stream) => {
 *   const report = checkStream(stream);
 *   return report.ok || (console.error(report.violations), false);
 * }));
 * ```
 *
 * The double-entry postings the value checks rest on come from `postingsOf` in the main entry.
 */
export {
  arbPolicy,
  arbAccount,
  arbAccountState,
  arbEventStream,
  type GeneratedStream,
  type StreamOptions,
  type AccountOptions,
  type PolicyOptions,
} from './arbitraries';
export {
  INVARIANTS,
  checkStep,
  checkStream,
  checkInvariant,
  checkPostingsBalance,
  checkValueConservation,
  checkMarketFlows,
  checkNoNegativeRemaining,
  checkVoucherBounds,
  checkReclaimGuard,
  checkReclaimRetry,
  checkCostPipeline,
  checkLossCoverage,
  checkTransferable,
  checkLiquidationSignal,
  checkRuleIds,
  checkEffectShape,
  checkJsonRoundTrip,
  checkDeterminism,
  checkIdempotency,
  deepEqual,
  type InvariantName,
  type Violation,
  type CheckOptions,
  type StreamInput,
  type StreamCheckOptions,
  type StreamReport,
} from './checks';
