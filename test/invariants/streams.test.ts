/**
 * Issue 6: over every step of every generated stream, no money is created or lost, and the
 * engine keeps its general promises. The kit's own arbitraries draw the streams and its
 * `checkStream` runs every invariant after every step: postings balance; value conservation
 * (every bucket moves exactly by its postings, the whole only by transfers in or out); fees,
 * funding and realised pnl as the events say; no negative remaining; coverage, spend and forfeit
 * within each voucher's amount, over each step and over its lifetime; the reclaim guard and its
 * retries; the cost pipeline, loss coverage, transfer limits and clawbacks against a model of the
 * rules; the liquidation signal; rule ids; effect shape; JSON round trip; determinism; idempotency.
 *
 * `npm test` runs ~100 streams per property; `npm run test:deep` runs thousands (FV_RUNS sets the
 * number). A failure prints its seed and path: FV_SEED=... FV_PATH=... replays exactly that case.
 * test/invariants/instruments.test.ts holds the same property over streams of one instrument each.
 */
import { describe } from 'vitest';
import { arbPolicy } from '../../src/testing/index';
import { reportDeepRun, streamsHold } from './support';

const FILE = 'test/invariants/streams.test.ts';
reportDeepRun(FILE);

describe('no money is created or lost, on every step of every stream', () => {
  streamsHold(FILE, 'mixed instruments', { length: { min: 1, max: 60 } }, 100);
  streamsHold(FILE, 'steered to edge cases, with some events that must be rejected', { length: { min: 10, max: 60 }, bias: true, noise: 0.05 }, 60);
  streamsHold(FILE, 'scales 0 and 2', { length: { min: 10, max: 50 }, bias: 0.3, policy: arbPolicy({ scales: [0, 2] }) }, 40);
});
