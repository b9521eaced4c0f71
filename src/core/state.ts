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

export const STATE_VERSION = 1;
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
  return t.type(
    {
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
    },
    'AccountState',
  );
}

const stateCodecs = new Map<number, ReturnType<typeof buildStateCodec>>();

export function stateCodec(scale: number): ReturnType<typeof buildStateCodec> {
  let codec = stateCodecs.get(scale);
  if (codec === undefined) {
    codec = buildStateCodec(scale);
    stateCodecs.set(scale, codec);
  }
  return codec;
}

export type AccountState = t.TypeOf<ReturnType<typeof buildStateCodec>>;
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
  };
}

/** Decodes a stored state: its policy first, then the rest against the policy's scale. */
export function decodeState(u: unknown): Decoded<AccountState> {
  const policy: Decoded<Policy> =
    typeof u === 'object' && u !== null && !Array.isArray(u)
      ? decodeWith(PolicyCodec, (u as Record<string, unknown>)['policy'], 'policy')
      : either.left([{ path: '(root)', message: 'expected an object' }]);
  if (policy._tag === 'Left') return policy;
  return decodeWith(stateCodec(policy.right.scale), u);
}

/** The JSON form of a state (already plain data: identity, kept for symmetry with decode). */
export function encodeState(state: AccountState): unknown {
  return stateCodec(state.policy.scale).encode(state);
}
