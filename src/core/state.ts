/**
 * The account state: plain JSON-able data, decoded from untrusted JSON against the
 * scale of the policy it carries. Its shape is the library's own (D-23); `version` lets a later
 * release migrate stored states.
 */
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { decimal, decodeWith, Id, integer, oneOf, struct, type Decoded } from './codec';
import { canonical, DECIMAL_PATTERN } from './money';
import { PolicyCodec, resolvePolicy, type Policy, type PolicyInput } from './policy';
import { orderFields, POSITION_SIDES } from './events';
import { compensationCodec, lossCoverageStateCodec } from '../lossCoverage/codec';
import { positionVoucherStateCodec, voucherMarginCodec } from '../positionVoucher/codec';
import { DeferredReclaimCodec, futuresBonusStateCodec } from '../futuresBonus/codec';
import { retireAll } from './retire';

/** 2: final vouchers are retired to `retired` (FV-8); a version 1 state is migrated on decoding. */
export const STATE_VERSION = 2;
export const ACCOUNT_TYPES = ['main', 'sub', 'institutional'] as const;
export const POSITION_MODES = ['hedge', 'oneWay'] as const;

function accountFields(scale: number) {
  return {
    accountId: Id,
    accountType: oneOf(ACCOUNT_TYPES),
    positionMode: oneOf(POSITION_MODES),
    ownBalance: decimal(scale),
  };
}

/** FV-8: a retired voucher is `[id, final status]` (D-31): its id stays taken, its end explainable. */
function retiredCodec<S extends string>(statuses: readonly [S, ...S[]], name: string) {
  return t.array(t.tuple([Id, oneOf(statuses)], name));
}

/** FV-8: the retired vouchers of each kind, in the order they were retired. */
const RetiredCodec = t.type(
  {
    lossCoverageVouchers: retiredCodec(['consumed', 'expired', 'revoked'], 'RetiredLossCoverageVoucher'),
    positionVouchers: retiredCodec(['consumed', 'expired', 'revoked'], 'RetiredPositionVoucher'),
    futuresBonuses: retiredCodec(['reclaimed', 'spent'], 'RetiredFuturesBonus'),
  },
  'Retired',
);

function buildStateCodec(scale: number) {
  const positive = decimal(scale, 'positive');
  const nonNegative = decimal(scale, 'nonNegative');
  const side = oneOf(POSITION_SIDES);
  const position = struct(
    'Position',
    { symbol: Id, positionSide: side, qty: positive, entryValue: nonNegative, leverage: positive },
    { voucher: voucherMarginCodec(scale) },
  );
  const order = struct(
    'Order',
    {
      ...orderFields(scale),
      feeVoucher: t.boolean,
      filledQty: nonNegative,
      /** Sum of the realised pnl of its fills (closing orders, LCV-1). */
      realisedPnl: decimal(scale),
      /** Sum of its fills' notionals (LCV-1). */
      closingNotional: nonNegative,
      /** A futures bonus paid part of one of its costs (LCV-2, D-16). */
      bonusPaid: t.boolean,
      /** One of its fills closed a position voucher's position (LCV-2, D-32). */
      voucherPositionClosed: t.boolean,
    },
    {
      lastFillAt: integer(),
      /** The position voucher backing this opening order (PV-3). */
      voucherId: Id,
      /** The margin the voucher order holds until its first fill hands it to the position. */
      heldMargin: voucherMarginCodec(scale),
    },
  );
  const fields = {
      version: t.literal(STATE_VERSION),
      ...accountFields(scale),
      status: oneOf(['active', 'flagged'] as const),
      policy: PolicyCodec,
      lossCoverageVouchers: t.array(lossCoverageStateCodec(scale)),
      positionVouchers: t.array(positionVoucherStateCodec(scale)),
      futuresBonuses: t.array(futuresBonusStateCodec(scale)),
      positions: t.array(position),
      orders: t.array(order),
      marks: t.array(t.type({ symbol: Id, price: positive, fromFeed: t.boolean }, 'Mark')),
      compensations: t.array(compensationCodec(scale)),
      reclaims: t.array(DeferredReclaimCodec),
      clock: integer(),
      lastSeq: integer(0),
      /** M-3: the margin rate after the previous step was at or above the liquidation rate. */
      liquidationReached: t.boolean,
      /** FV-8: the vouchers that reached a final status and that no rule can read again. */
      retired: RetiredCodec,
  };
  const { retired: _retired, ...version1 } = fields;
  return {
    current: t.type(fields, 'AccountState'),
    /** Version 1 (before FV-8): final vouchers stayed in their arrays (FV-2). */
    version1: t.type({ ...version1, version: t.literal(1) }, 'AccountState'),
  };
}

const codecsByScale = new Map<number, ReturnType<typeof buildStateCodec>>();

function codecsFor(scale: number): ReturnType<typeof buildStateCodec> {
  let codecs = codecsByScale.get(scale);
  if (codecs === undefined) {
    codecs = buildStateCodec(scale);
    codecsByScale.set(scale, codecs);
  }
  return codecs;
}

export function stateCodec(scale: number): ReturnType<typeof buildStateCodec>['current'] {
  return codecsFor(scale).current;
}

export type AccountState = t.TypeOf<ReturnType<typeof buildStateCodec>['current']>;
export type Retired = AccountState['retired'];
export type Position = AccountState['positions'][number];
export type Order = AccountState['orders'][number];
export type Mark = AccountState['marks'][number];
export type AccountType = AccountState['accountType'];
export type PositionMode = AccountState['positionMode'];

/** The account part of a scenario file (section 7). */
export function accountCodec(scale: number) {
  return t.type(accountFields(scale), 'Account');
}
export type Account = t.TypeOf<ReturnType<typeof accountCodec>>;

/** A new account: clock and last `seq` at 0 (section 7), the policy resolved and fixed. */
export function createAccount(account: Account, policy: PolicyInput = {}): AccountState {
  return {
    version: STATE_VERSION,
    accountId: account.accountId,
    accountType: account.accountType,
    positionMode: account.positionMode,
    // A-2, G-2: stored canonical, as decodeState would give it back ("1000.00" -> "1000").
    ownBalance: DECIMAL_PATTERN.test(account.ownBalance) ? canonical(account.ownBalance) : account.ownBalance,
    status: 'active',
    policy: resolvePolicy(policy),
    lossCoverageVouchers: [],
    positionVouchers: [],
    futuresBonuses: [],
    positions: [],
    orders: [],
    marks: [],
    compensations: [],
    reclaims: [],
    clock: 0,
    lastSeq: 0,
    liquidationReached: false,
    retired: NONE_RETIRED,
  };
}

const NONE_RETIRED: Retired = { lossCoverageVouchers: [], positionVouchers: [], futuresBonuses: [] };

/**
 * Decodes a stored state: its policy first, then the rest against the policy's scale. A version 1
 * state (before FV-8) is migrated, and any state's final vouchers are retired (FV-8).
 */
export function decodeState(u: unknown): Decoded<AccountState> {
  const policy: Decoded<Policy> =
    typeof u === 'object' && u !== null && !Array.isArray(u)
      ? decodeWith(PolicyCodec, (u as Record<string, unknown>)['policy'], 'policy')
      : either.left([{ path: '(root)', message: 'expected an object' }]);
  if (policy._tag === 'Left') return policy;
  const codecs = codecsFor(policy.right.scale);
  const fields = u as Record<string, unknown>;
  if (fields['version'] !== 1) {
    // FV-8: a hand-built state may still hold final vouchers in its arrays; they are retired here
    // so that every state the engine reads is in the form its own steps leave.
    const decoded = decodeWith(codecs.current, u);
    return decoded._tag === 'Left' ? decoded : either.right(retireAll(decoded.right));
  }
  // A version 1 state has no `retired`: one given with it is a state of neither version.
  if (fields['retired'] !== undefined)
    return either.left([{ path: 'retired', message: 'not part of a version 1 state (FV-8): remove it, or give the state as version 2' }]);
  const old = decodeWith(codecs.version1, u);
  return old._tag === 'Left' ? old : either.right(retireAll({ ...old.right, version: STATE_VERSION, retired: NONE_RETIRED }));
}

/** The JSON form of a state (already plain data: identity, kept for symmetry with decode). */
export function encodeState(state: AccountState): unknown {
  return stateCodec(state.policy.scale).encode(state);
}
