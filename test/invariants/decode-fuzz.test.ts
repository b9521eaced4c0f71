/**
 * Decoder fuzzing (G-1, G-2, A-4, D-1, D-2, D-25): random JSON and mutated valid JSON (wrong
 * types, missing fields, huge and tiny amounts, more decimals than the scale, negative and
 * NaN-like strings, unknown types, extra fields, deep nesting) never make decodeEvent,
 * decodeScenario, decodeState, decodeEventLog or applyJson throw; a failure is always a list of
 * errors, each naming a path, and a mutated leaf is named by its own path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyJson,
  createAccount,
  decodeEvent,
  decodeEventLog,
  decodeScenario,
  decodeState,
  step,
  type AccountState,
  type DecodeError,
  type Decoded,
} from '../../src/index';
import { arbEventStream, deepEqual } from '../../src/testing/index';
import { assertProperty, runs, timeoutFor } from './support';

const FILE = 'test/invariants/decode-fuzz.test.ts';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Segment = string | number;

function wellFormed<A>(decoded: Decoded<A>): DecodeError[] {
  if (decoded._tag === 'Right') return [];
  expect(decoded.left.length, 'a failure lists at least one error').toBeGreaterThan(0);
  for (const error of decoded.left) {
    expect(typeof error.path).toBe('string');
    expect(error.path.length, JSON.stringify(error)).toBeGreaterThan(0);
    expect(typeof error.message).toBe('string');
    expect(error.message.length).toBeGreaterThan(0);
  }
  return decoded.left;
}

function pathText(path: readonly Segment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out === '' ? '(root)' : out;
}

/** Every leaf (and every object key) of a JSON value, as a path. */
function leaves(value: Json, path: Segment[] = []): Segment[][] {
  if (Array.isArray(value)) {
    const inner = value.flatMap((item, i) => leaves(item, [...path, i]));
    return inner.length > 0 ? inner : [path];
  }
  if (value !== null && typeof value === 'object') {
    const inner = Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    return inner.length > 0 ? inner : [path];
  }
  return [path];
}

function getAt(value: Json, path: readonly Segment[]): Json | undefined {
  let current: Json | undefined = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, Json>)[segment as string];
  }
  return current;
}

function setAt(value: Json, path: readonly Segment[], next: Json | undefined): Json {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  let parent: Json = copy;
  for (const segment of path.slice(0, -1)) parent = (parent as Record<string, Json>)[segment as string] as Json;
  const key = path[path.length - 1];
  if (key === undefined) return next ?? null;
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, Json>)[key as string];
  } else {
    (parent as Record<string, Json>)[key as string] = next;
  }
  return copy;
}

function deep(depth: number): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { nested: value };
  return value;
}

const BAD_DECIMALS = ['NaN', 'Infinity', '-Infinity', '1e3', '+1', '.5', '1.', ' 1', '0x10', '', '-', '1,5', '١', '1_000', '--1', 'null'];
const HUGE = `1${'0'.repeat(400)}`;

/** A value of another JSON type than `original` (so a leaf that had a valid value now has a wrong one). */
const arbWrongType = (original: Json | undefined): fc.Arbitrary<Json> => {
  const options: fc.Arbitrary<Json>[] = [fc.constant(null), fc.constant({ x: 1 }), fc.constant(deep(300))];
  if (!Array.isArray(original)) options.push(fc.constant([]));
  if (typeof original !== 'string') options.push(fc.constantFrom('x', '12', 'NaN'));
  if (typeof original !== 'number') options.push(fc.constantFrom(0, 12.5, -1, 1e308));
  if (typeof original !== 'boolean') options.push(fc.boolean());
  return fc.oneof(...options);
};

type Mutation =
  | { readonly kind: 'delete'; readonly path: Segment[] }
  | { readonly kind: 'wrongType'; readonly path: Segment[]; readonly value: Json }
  | { readonly kind: 'badDecimal'; readonly path: Segment[]; readonly value: string }
  | { readonly kind: 'tooManyDecimals'; readonly path: Segment[]; readonly value: string }
  | { readonly kind: 'extraField'; readonly path: Segment[]; readonly value: Json }
  | { readonly kind: 'unknownType'; readonly path: Segment[]; readonly value: string };

/** Mutations of one leaf of `json`; `scale` is the scale its decimals are decoded against. */
function arbMutation(json: Json, scale: number): fc.Arbitrary<Mutation> {
  const all = leaves(json).filter((p) => p.length > 0);
  const decimals = all.filter((p) => {
    const v = getAt(json, p);
    return typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) && p[p.length - 1] !== 'accountId';
  });
  const tags = all.filter((p) => p[p.length - 1] === 'type' || p[p.length - 1] === 'kind');
  const objects = [[] as Segment[], ...all.map((p) => p.slice(0, -1)).filter((p) => typeof getAt(json, p) === 'object' && !Array.isArray(getAt(json, p)))];
  const options: fc.Arbitrary<Mutation>[] = [
    fc.constantFrom(...all).map((path) => ({ kind: 'delete' as const, path })),
    fc.constantFrom(...all).chain((path) => arbWrongType(getAt(json, path)).map((value) => ({ kind: 'wrongType' as const, path, value }))),
    fc.tuple(fc.constantFrom(...objects), fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.jsonValue(), fc.constant(deep(500))))
      .filter(([path, key]) => getAt(json, [...path, key]) === undefined && key !== '__proto__')
      .map(([path, key, value]) => ({ kind: 'extraField' as const, path: [...path, key], value: value as Json })),
  ];
  if (decimals.length > 0) {
    options.push(fc.tuple(fc.constantFrom(...decimals), fc.constantFrom(...BAD_DECIMALS)).map(([path, value]) => ({ kind: 'badDecimal' as const, path, value })));
    options.push(fc.tuple(fc.constantFrom(...decimals), fc.integer({ min: 1, max: 9 }))
      .map(([path, digit]) => ({ kind: 'tooManyDecimals' as const, path, value: `1.${'0'.repeat(scale)}${digit}` })));
  }
  if (tags.length > 0) {
    options.push(fc.tuple(fc.constantFrom(...tags), fc.constantFrom('Bogus', 'orderplaced', '', 'toString', '__proto__', 'constructor'))
      .map(([path, value]) => ({ kind: 'unknownType' as const, path, value })));
  }
  return fc.oneof(...options);
}

function apply(json: Json, m: Mutation): Json {
  return m.kind === 'delete' ? setAt(json, m.path, undefined) : setAt(json, m.path, m.value);
}

/** Optional fields (D-2, sections 2-5): deleting one may still decode. */
const OPTIONAL = new Set(['feeVoucher', 'voucher', 'expiresAt', 'minClosingNotional', 'maxLeverage', 'symbols', 'allowOwnFunds', 'policy',
  'lastFillAt', 'voucherId', 'heldMargin', 'scale', 'minLoss', 'spillover', 'reclaimGuard', 'reclaimGuardRate', 'liquidationRate', 'defaultMmr', 'instruments']);

/**
 * What a mutation must give: a wrong type, a bad decimal, too many decimals and an unknown tag
 * are errors named by the mutated path (`prefix` before it); an extra field is ignored;
 * a deleted required field is an error naming it.
 */
function judge<A>(decoded: Decoded<A>, m: Mutation, prefix: string, original: Json): void {
  const errors = wellFormed(decoded);
  const at = pathText(m.path);
  const named = prefix === '' ? at : at === '(root)' ? prefix : at.startsWith('[') ? `${prefix}${at}` : `${prefix}.${at}`;
  const last = m.path[m.path.length - 1];
  const inArray = typeof last === 'number';
  const names = (path: string): boolean => errors.some((e) => e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`));
  const context = JSON.stringify({ mutation: m, errors }).slice(0, 1500);
  switch (m.kind) {
    case 'extraField':
      expect(errors, context).toEqual([]);
      break;
    case 'delete':
      if (inArray) break; // removing an array element usually leaves a valid array
      if (typeof last === 'string' && OPTIONAL.has(last)) break;
      expect(names(named), context).toBe(true);
      break;
    case 'wrongType':
      if (typeof last === 'string' && (last === 'reason' || last === 'message') && typeof m.value === 'string') break; // free text
      if (typeof last === 'string' && (last === 'accountId' || last === 'orderId' || last === 'id' || last === 'voucherId' || last === 'bonusId' || last === 'symbol') && typeof m.value === 'string' && m.value !== '') break;
      // FV-8: a retired voucher is `[id, status]`: its first slot is an id, any non-empty string.
      if (m.path[0] === 'retired' && m.path.length === 4 && last === 0 && typeof m.value === 'string' && m.value !== '') break;
      if (inArray && typeof getAt(original, m.path.slice(0, -1)) === 'object' && m.path.some((s) => s === 'symbols') && typeof m.value === 'string') break;
      if (typeof m.value === 'number' && Number.isSafeInteger(m.value) && typeof getAt(original, m.path) === 'number') break;
      expect(names(named), context).toBe(true);
      break;
    case 'badDecimal':
    case 'tooManyDecimals':
      if (typeof last === 'string' && ['reclaimGuardRate', 'liquidationRate', 'defaultMmr', 'minLoss', 'mmr'].includes(last) && m.kind === 'tooManyDecimals') break; // D-1: policy decimals are unlimited
      expect(names(named), context).toBe(true);
      break;
    case 'unknownType':
      expect(names(named), context).toBe(true);
      break;
  }
}

const arbStream = arbEventStream({ length: { min: 1, max: 25 }, bias: 0.3 });

describe('decoders never throw and always name a path', () => {
  const count = runs(150);

  it('random JSON and random values', () => {
    assertProperty(FILE, 'random JSON and random values', fc.property(
      fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.anything({ maxDepth: 4 }), fc.constant(deep(2000))),
      fc.constantFrom(0, 2, 8, 18),
      (u, scale) => {
        for (const decoded of [decodeEvent(u, scale), decodeScenario(u), decodeState(u)]) wellFormed(decoded as Decoded<unknown>);
        wellFormed(decodeScenario({ account: u, events: [u] }));
        wellFormed(decodeScenario({ policy: u, account: { accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '1' }, events: [] }));
        wellFormed(decodeEventLog(`${JSON.stringify(u) ?? 'undefined'}\n\n{not json`, u, u));
        wellFormed(applyJson(createAccount({ accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '1' }), u));
      },
    ), count);
  }, timeoutFor(count));

  it('a mutated valid event', () => {
    const arb = arbStream
      .filter((s) => s.events.length > 0)
      .chain((s) => fc.nat({ max: s.events.length - 1 }).chain((i) => {
        const scale = createAccount(s.account, s.policy).policy.scale;
        const json = JSON.parse(JSON.stringify(s.events[i])) as Json;
        return arbMutation(json, scale).map((m) => ({ json, scale, m, state: createAccount(s.account, s.policy) }));
      }));
    assertProperty(FILE, 'a mutated valid event', fc.property(arb, ({ json, scale, m, state }) => {
      const mutated = apply(json, m);
      const decoded = decodeEvent(mutated, scale);
      judge(decoded, m, '', json);
      if (decoded._tag === 'Right') {
        // Whatever decodes can be applied: no exception for any input (G-1).
        expect(() => step(state, decoded.right)).not.toThrow();
        const again = decodeEvent(JSON.parse(JSON.stringify(decoded.right)), scale);
        expect(again._tag).toBe('Right');
        if (again._tag === 'Right') expect(deepEqual(again.right, decoded.right)).toBe(true);
      }
      const viaApply = applyJson(state, mutated);
      expect(viaApply._tag).toBe(decoded._tag);
    }), count);
  }, timeoutFor(count));

  it('a mutated scenario file', () => {
    const arb = arbStream.chain((s) => {
      const json = JSON.parse(JSON.stringify({ policy: s.policy, account: s.account, events: s.events })) as Json;
      const scale = createAccount(s.account, s.policy).policy.scale;
      return arbMutation(json, scale).map((m) => ({ json, m }));
    });
    assertProperty(FILE, 'a mutated scenario file', fc.property(arb, ({ json, m }) => {
      const decoded = decodeScenario(apply(json, m));
      // A change of the policy's scale changes how every decimal is read: only well-formedness holds then.
      if (m.path[0] === 'policy' && m.path[1] === 'scale') wellFormed(decoded);
      else judge(decoded, m, '', json);
    }), count);
  }, timeoutFor(count));

  it('a mutated state', () => {
    const arb = arbStream.chain((s) => {
      let state: AccountState = createAccount(s.account, s.policy);
      for (const event of s.events) state = step(state, event).state;
      const json = JSON.parse(JSON.stringify(state)) as Json;
      return arbMutation(json, state.policy.scale).map((m) => ({ json, m }));
    });
    assertProperty(FILE, 'a mutated state', fc.property(arb, ({ json, m }) => {
      const decoded = decodeState(apply(json, m));
      if (m.path[0] === 'policy') wellFormed(decoded);
      else judge(decoded, m, '', json);
    }), count);
  }, timeoutFor(count));

  it('huge, tiny, negative and NaN-like amounts', () => {
    const amounts = fc.oneof(fc.constantFrom(HUGE, `0.${'0'.repeat(7)}1`, `0.${'0'.repeat(8)}1`, '-1', '-0', '0', '007', ...BAD_DECIMALS), fc.string());
    assertProperty(FILE, 'huge, tiny, negative and NaN-like amounts', fc.property(amounts, amounts, amounts, (qty, price, fee) => {
      const state = createAccount({ accountId: 'a', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' });
      const placed = applyJson(state, { type: 'OrderPlaced', seq: 1, at: 1, orderId: 'o', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty, price, leverage: '10', marginMode: 'cross', source: 'main' });
      const errors = wellFormed(placed);
      if (placed._tag === 'Left') {
        expect(errors.some((e) => e.path === 'qty' || e.path === 'price'), JSON.stringify(errors)).toBe(true);
        return;
      }
      const filled = applyJson(placed.right.state, { type: 'OrderFilled', seq: 2, at: 2, orderId: 'o', qty, price, fee });
      const fillErrors = wellFormed(filled);
      if (filled._tag === 'Left') expect(fillErrors.map((e) => e.path)).toEqual(['fee']);
    }), count);
  }, timeoutFor(count));
});
