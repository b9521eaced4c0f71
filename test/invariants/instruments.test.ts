/**
 * The invariants of test/invariants/streams.test.ts over streams that grant one instrument only,
 * so each instrument's own paths (coverage and payouts, voucher margins and clawbacks, bonus
 * splits and reclaims) come up often.
 */
import { describe } from 'vitest';
import { arbAccount } from '../../src/testing/index';
import { reportDeepRun, streamsHold } from './support';

const FILE = 'test/invariants/instruments.test.ts';
reportDeepRun(FILE);

describe('no money is created or lost, one instrument at a time', () => {
  streamsHold(FILE, 'loss coverage vouchers only', { length: { min: 10, max: 60 }, bias: 0.3, kinds: ['lossCoverage'] }, 40);
  streamsHold(FILE, 'position vouchers only, on main hedge accounts', {
    length: { min: 10, max: 60 }, bias: 0.3, kinds: ['positionVoucher'],
    account: (scale) => arbAccount({ scale, accountTypes: ['main'], positionModes: ['hedge'] }),
  }, 40);
  streamsHold(FILE, 'futures bonuses only', { length: { min: 10, max: 60 }, bias: 0.3, kinds: ['futuresBonus'] }, 40);
});
