/**
 * The policy (A-3, D-26): every field optional on input, resolved to a full policy when an
 * account's state is created, and fixed in the state from then on.
 */
import * as t from 'io-ts';
import { decimal, integer, MAX_SCALE } from './codec';
import { canonical, dec, DECIMAL_PATTERN, type Big } from './money';

/** D-1: the scale limit is for the account and the events, not the policy: its decimals are unlimited. */
const UNLIMITED = Number.POSITIVE_INFINITY;
const policyDecimal = decimal(UNLIMITED, 'positive');
const scaleCodec = new t.Type<number, number, unknown>(
  'Scale',
  (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 0 && u <= MAX_SCALE,
  (u, c) => {
    const base = integer(0).validate(u, c);
    if (base._tag === 'Left') return base;
    return base.right <= MAX_SCALE ? t.success(base.right) : t.failure(u, c, `expected an integer from 0 to ${MAX_SCALE}, got number ${base.right}`);
  },
  t.identity,
);

const InstrumentCodec = t.type({ mmr: policyDecimal }, 'Instrument');

const policyFields = {
  scale: scaleCodec,
  minLoss: decimal(UNLIMITED, 'nonNegative'),
  spillover: t.boolean,
  reclaimGuard: t.boolean,
  reclaimGuardRate: policyDecimal,
  liquidationRate: policyDecimal,
  defaultMmr: policyDecimal,
  instruments: t.record(t.string, InstrumentCodec),
};

/** A policy as a caller writes it: every field optional. */
export const PolicyInputCodec = t.partial(policyFields, 'PolicyInput');
/** A resolved policy, as the state holds it. */
export const PolicyCodec = t.type(policyFields, 'Policy');

export type PolicyInput = t.TypeOf<typeof PolicyInputCodec>;
export type Policy = t.TypeOf<typeof PolicyCodec>;

export const DEFAULT_POLICY: Policy = {
  scale: 8,
  minLoss: '1',
  spillover: false,
  reclaimGuard: true,
  reclaimGuardRate: '0.95',
  liquidationRate: '1',
  defaultMmr: '0.005',
  instruments: {},
};

/** A-2, G-2: a policy decimal stored canonical, as decodeState would give it back ("0.950" -> "0.95"). */
function stored(text: string): string {
  return DECIMAL_PATTERN.test(text) ? canonical(text) : text;
}

export function resolvePolicy(input: PolicyInput = {}): Policy {
  const instruments = input.instruments ?? DEFAULT_POLICY.instruments;
  return {
    scale: input.scale ?? DEFAULT_POLICY.scale,
    minLoss: stored(input.minLoss ?? DEFAULT_POLICY.minLoss),
    spillover: input.spillover ?? DEFAULT_POLICY.spillover,
    reclaimGuard: input.reclaimGuard ?? DEFAULT_POLICY.reclaimGuard,
    reclaimGuardRate: stored(input.reclaimGuardRate ?? DEFAULT_POLICY.reclaimGuardRate),
    liquidationRate: stored(input.liquidationRate ?? DEFAULT_POLICY.liquidationRate),
    defaultMmr: stored(input.defaultMmr ?? DEFAULT_POLICY.defaultMmr),
    instruments: Object.values(instruments).every((i) => stored(i.mmr) === i.mmr)
      ? instruments
      : Object.fromEntries(Object.entries(instruments).map(([symbol, i]) => [symbol, { mmr: stored(i.mmr) }])),
  };
}

/** The policy's numbers, parsed once per policy object (a state shares its policy across steps). */
export interface Rules {
  readonly scale: number;
  readonly minLoss: Big;
  readonly spillover: boolean;
  readonly reclaimGuard: boolean;
  readonly reclaimGuardRate: Big;
  readonly liquidationRate: Big;
  mmrOf(symbol: string): Big;
}

const rulesCache = new WeakMap<Policy, Rules>();

export function rulesOf(policy: Policy): Rules {
  let rules = rulesCache.get(policy);
  if (rules === undefined) {
    const defaultMmr = dec(policy.defaultMmr);
    const mmrs = new Map<string, Big>();
    for (const [symbol, instrument] of Object.entries(policy.instruments)) mmrs.set(symbol, dec(instrument.mmr));
    rules = {
      scale: policy.scale,
      minLoss: dec(policy.minLoss),
      spillover: policy.spillover,
      reclaimGuard: policy.reclaimGuard,
      reclaimGuardRate: dec(policy.reclaimGuardRate),
      liquidationRate: dec(policy.liquidationRate),
      mmrOf: (symbol) => mmrs.get(symbol) ?? defaultMmr,
    };
    rulesCache.set(policy, rules);
  }
  return rules;
}
