/**
 * Codec building blocks shared by every instrument: decimals that know the account's scale
 * (G-2, D-1), integers (D-2), tagged unions that pick their member by the tag instead of trying
 * them all (clearer errors, faster decoding), and the error report that names each bad field.
 */
import * as t from 'io-ts';
import { either } from 'fp-ts';
import { DECIMAL_PATTERN, canonical, dec, decimalsOf, isPositive, ONE, zeroDigits } from './money';

/** Largest `scale` a policy may set (D-26); also the bound used for output-only decimals. */
export const MAX_SCALE = 18;

/** What a compiled codec (the fast path of `decodeWith`) returns for an invalid input. */
const INVALID: unique symbol = Symbol('invalid');
type Fast = (u: unknown) => unknown;

/** The leaf codecs' own checks for the fast path: the value `validate` succeeds with, or `INVALID` (no `Either`, no context). */
const leafChecks = new WeakMap<t.Mixed, Fast>();

export type DecimalSign = 'any' | 'positive' | 'nonNegative' | 'rate';

const SIGN_WORDS: Record<DecimalSign, string> = {
  any: 'a decimal string',
  positive: 'a decimal string greater than 0',
  nonNegative: 'a decimal string of 0 or more',
  rate: 'a decimal string in (0, 1]',
};

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'undefined') return 'nothing';
  return `${typeof value} ${String(value)}`;
}

/** The sign rule, decided on the text of a D-1 decimal where it shows (a leading "-", digits all zero). */
function signHolds(text: string, sign: DecimalSign): boolean {
  switch (sign) {
    case 'any':
      return true;
    case 'positive':
      return text.charCodeAt(0) !== 45 && !zeroDigits(text, 0);
    case 'nonNegative':
      return text.charCodeAt(0) !== 45 || zeroDigits(text, 1);
    case 'rate': {
      const value = dec(text);
      return isPositive(value) && value.lte(ONE);
    }
  }
}

const decimalCodecs = new Map<string, t.Type<string, string, unknown>>();

/** A decimal string with at most `scale` decimals (trailing zeros not counted) and a sign rule. */
export function decimal(scale: number, sign: DecimalSign = 'any'): t.Type<string, string, unknown> {
  const key = `${scale}:${sign}`;
  const cached = decimalCodecs.get(key);
  if (cached !== undefined) return cached;
  const expected = SIGN_WORDS[sign];
  const codec = new t.Type<string, string, unknown>(
    'Decimal',
    (u): u is string => typeof u === 'string' && DECIMAL_PATTERN.test(u),
    (u, c) => {
      if (typeof u !== 'string' || !DECIMAL_PATTERN.test(u)) {
        return t.failure(u, c, `expected ${expected}, got ${describe(u)}`);
      }
      if (decimalsOf(u) > scale) {
        return t.failure(u, c, `expected at most ${scale} decimals, got ${describe(u)}`);
      }
      // G-2: decoded amounts are canonical ("007.50" -> "7.5", "-0" -> "0"), so whatever the engine
      // stores or echoes from its input is already in output form.
      return signHolds(u, sign) ? t.success(canonical(u)) : t.failure(u, c, `expected ${expected}, got ${describe(u)}`);
    },
    t.identity,
  );
  leafChecks.set(codec, (u) => decimalValue(u, scale, sign) ?? INVALID);
  decimalCodecs.set(key, codec);
  return codec;
}

/**
 * What `decimal(scale, sign)` decodes `u` to, or `undefined` where it fails: the pattern, the
 * decimals, the sign and whether the text is already canonical, read in one pass over the text
 * (the fast path's check, issue 8; the codec's `validate` states the rule, a test holds them equal).
 */
export function decimalValue(u: unknown, scale: number, sign: DecimalSign): string | undefined {
  if (typeof u !== 'string') return undefined;
  const n = u.length;
  const negative = u.charCodeAt(0) === 45;
  const intStart = negative ? 1 : 0;
  let nonZero = false;
  let i = intStart;
  let c = 0;
  for (; i < n; i++) {
    c = u.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (c !== 48) nonZero = true;
  }
  if (i === intStart) return undefined;
  let tidy = i === intStart + 1 || u.charCodeAt(intStart) !== 48;
  let decimals = 0;
  if (i < n) {
    const point = i;
    if (c !== 46 || n === point + 1) return undefined;
    for (i++; i < n; i++) {
      c = u.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      if (c !== 48) {
        nonZero = true;
        decimals = i - point;
      }
    }
    if (decimals > scale) return undefined;
    if (decimals !== n - point - 1) tidy = false;
  }
  if (negative && !(sign === 'any' || (sign === 'nonNegative' && !nonZero))) return undefined;
  if (sign === 'positive' && !nonZero) return undefined;
  const text = tidy && !(negative && !nonZero) ? u : canonical(u);
  // A rate is in (0, 1]: canonical and positive, that is "1" or "0." and digits.
  return sign !== 'rate' || (nonZero && (text === '1' || text.charCodeAt(0) === 48)) ? text : undefined;
}

/** An integer-valued JSON number (D-2), at least `min` when given. */
export function integer(min?: number): t.Type<number, number, unknown> {
  const expected = min === undefined ? 'an integer' : `an integer of ${min} or more`;
  const codec = new t.Type<number, number, unknown>(
    'Integer',
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && (min === undefined || u >= min),
    (u, c) =>
      typeof u === 'number' && Number.isSafeInteger(u) && (min === undefined || u >= min)
        ? t.success(u)
        : t.failure(u, c, `expected ${expected}, got ${describe(u)}`),
    t.identity,
  );
  leafChecks.set(codec, (u) => (typeof u === 'number' && Number.isSafeInteger(u) && (min === undefined || u >= min) ? u : INVALID));
  return codec;
}

/** One of a fixed set of strings, reported by name. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V): t.Type<V[number], V[number], unknown> {
  const allowed = new Set<string>(values);
  const expected = values.map((v) => JSON.stringify(v)).join(' | ');
  const codec = new t.Type<V[number], V[number], unknown>(
    'OneOf',
    (u): u is V[number] => typeof u === 'string' && allowed.has(u),
    (u, c) =>
      typeof u === 'string' && allowed.has(u)
        ? t.success(u as V[number])
        : t.failure(u, c, `expected one of ${expected}, got ${describe(u)}`),
    t.identity,
  );
  leafChecks.set(codec, (u) => (typeof u === 'string' && allowed.has(u) ? u : INVALID));
  return codec;
}

/** The tag and members of each `taggedUnion` codec, for the fast path of `decodeWith`. */
const taggedUnions = new WeakMap<t.Mixed, { readonly tag: string; readonly members: Record<string, t.Mixed> }>();

/**
 * A union discriminated by `tag`: the member is chosen by the tag's value, so an unknown tag is
 * one clear error and a known one reports only its own member's errors.
 */
export function taggedUnion<M extends Record<string, t.Mixed>>(
  name: string,
  tag: string,
  members: M,
): t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown> {
  const tags = Object.keys(members);
  const expected = tags.map((v) => JSON.stringify(v)).join(' | ');
  const memberOf = (u: unknown): t.Mixed | undefined => {
    if (typeof u !== 'object' || u === null) return undefined;
    const value: unknown = (u as Record<string, unknown>)[tag];
    return typeof value === 'string' && Object.prototype.hasOwnProperty.call(members, value) ? members[value] : undefined;
  };
  const codec = new t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown>(
    name,
    (u): u is t.TypeOf<M[keyof M]> => memberOf(u)?.is(u) === true,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) {
        return t.failure(u, c, `expected an object, got ${describe(u)}`);
      }
      const member = memberOf(u);
      if (member === undefined) {
        const value: unknown = (u as Record<string, unknown>)[tag];
        return t.failure(value, [...c, { key: tag, type: t.string, actual: value }], `expected one of ${expected}, got ${describe(value)}`);
      }
      // A context entry for the member, so that a struct member's own parts stay out of the path.
      return member.validate(u, t.appendContext(c, '', member, u));
    },
    (a) => (memberOf(a) as t.Mixed).encode(a),
  );
  taggedUnions.set(codec, { tag, members });
  return codec;
}

/** A decode failure: which field, and what was wrong with it. */
export interface DecodeError {
  readonly path: string;
  readonly message: string;
}

function pathOf(context: t.Context): string {
  let path = '';
  for (let i = 1; i < context.length; i++) {
    const entry = context[i];
    const parent = context[i - 1];
    if (entry === undefined || parent === undefined || entry.key === '') continue;
    // Intersections and unions repeat the same key; arrays and tuples show their index in brackets.
    const parentTag = (parent.type as { _tag?: string })._tag;
    if (parentTag === 'IntersectionType' || parentTag === 'UnionType') continue;
    if (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType' || parentTag === 'TupleType') path += `[${entry.key}]`;
    else path += path === '' ? entry.key : `.${entry.key}`;
  }
  return path;
}

export function reportErrors(errors: t.Errors, prefix = ''): DecodeError[] {
  const seen = new Set<string>();
  const out: DecodeError[] = [];
  for (const error of errors) {
    const inner = pathOf(error.context);
    const path = prefix === '' ? inner : inner === '' ? prefix : inner.startsWith('[') ? `${prefix}${inner}` : `${prefix}.${inner}`;
    const message =
      error.message ??
      `expected ${error.context[error.context.length - 1]?.type.name ?? 'a value'}, got ${describe(error.value)}`;
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: path === '' ? '(root)' : path, message });
  }
  return out;
}

export function formatDecodeError(error: DecodeError): string {
  return `${error.path}: ${error.message}`;
}

export type Decoded<A> = either.Either<DecodeError[], A>;

/*
 * The fast path of decoding (issue 8). io-ts builds a context entry for every field it visits and
 * wraps every intermediate result, which is most of the cost of decoding an event. A codec is
 * compiled once into a plain function that validates the same way, with the same leaf codecs
 * (decimals, integers, ids, ...), and builds the same value io-ts would: the input itself when no
 * field changes, else a copy with the changed fields (the same copies, merged the same way). It
 * only says whether the input is valid: on the first failure it gives up, and io-ts decodes the
 * input again to report every error with its path.
 */

const compiledCodecs = new WeakMap<t.Mixed, Fast>();
/** Leaf codecs do not read the context when they succeed; it is only passed along. */
const NO_CONTEXT: t.Context = [];
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function fastOf(codec: t.Mixed): Fast {
  let fast = compiledCodecs.get(codec);
  if (fast === undefined) {
    fast = compile(codec);
    compiledCodecs.set(codec, fast);
  }
  return fast;
}

function compile(codec: t.Mixed): Fast {
  const leaf = leafChecks.get(codec);
  if (leaf !== undefined) return leaf;
  if (codec instanceof t.LiteralType) {
    const value: unknown = codec.value;
    return (u) => (u === value ? u : INVALID);
  }
  if (codec instanceof t.BooleanType) return (u) => (typeof u === 'boolean' ? u : INVALID);
  if (codec instanceof t.StringType) return (u) => (typeof u === 'string' ? u : INVALID);
  const union = taggedUnions.get(codec);
  if (union !== undefined) {
    const { tag, members } = union;
    const byTag = new Map(Object.entries(members).map(([value, member]) => [value, fastOf(member)]));
    return (u) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return INVALID;
      const value: unknown = (u as Record<string, unknown>)[tag];
      const member = typeof value === 'string' ? byTag.get(value) : undefined;
      return member === undefined ? INVALID : member(u);
    };
  }
  if (codec instanceof t.InterfaceType) return compileProps(codec.props as t.Props, false);
  if (codec instanceof t.PartialType) return compileProps(codec.props as t.Props, true);
  if (codec instanceof t.IntersectionType) {
    const parts = (codec.types as readonly t.Mixed[]).map(fastOf);
    return (u) => {
      const results: unknown[] = [];
      for (const part of parts) {
        const result = part(u);
        if (result === INVALID) return INVALID;
        results.push(result);
      }
      return mergeAll(u, results);
    };
  }
  if (codec instanceof t.ArrayType) {
    const item = fastOf(codec.type as t.Mixed);
    return (u) => {
      if (!Array.isArray(u)) return INVALID;
      let out: unknown[] = u;
      for (let i = 0; i < u.length; i++) {
        const ui: unknown = u[i];
        const ai = item(ui);
        if (ai === INVALID) return INVALID;
        if (ai !== ui) {
          if (out === u) out = u.slice();
          out[i] = ai;
        }
      }
      return out;
    };
  }
  return (u) => {
    const result = codec.validate(u, NO_CONTEXT);
    return result._tag === 'Right' ? result.right : INVALID;
  };
}

/** io-ts's merge of an intersection's results (not in its typings): `base` when no part changed it, else the parts' fields over a copy. */
function mergeAll(base: unknown, us: readonly unknown[]): unknown {
  let equal = true;
  let primitive = true;
  const baseIsNotADictionary = !t.UnknownRecord.is(base);
  for (const u of us) {
    if (u !== base) equal = false;
    if (t.UnknownRecord.is(u)) primitive = false;
  }
  if (equal) return base;
  if (primitive) return us[us.length - 1];
  const r: Record<string, unknown> = {};
  for (const u of us) {
    const record = u as Record<string, unknown>;
    for (const k in record) {
      if (!hasOwn(r, k) || baseIsNotADictionary || record[k] !== (base as Record<string, unknown>)[k]) r[k] = record[k];
    }
  }
  return r;
}

/** `t.type` (every field required) or `t.partial` (a missing field is skipped), as io-ts validates them. */
function compileProps(props: t.Props, partial: boolean): Fast {
  const keys = Object.keys(props);
  const fields = keys.map((key) => fastOf(props[key] as t.Mixed));
  return (u) => {
    if (!t.UnknownRecord.is(u)) return INVALID;
    let a = u as Record<string, unknown>;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const ak = a[key];
      const vak = (fields[i] as Fast)(ak);
      if (vak === INVALID) {
        if (partial && ak === undefined) continue;
        return INVALID;
      }
      if (vak !== ak || (!partial && vak === undefined && !hasOwn(a, key))) {
        if (a === u) a = Object.assign({}, a);
        a[key] = vak;
      }
    }
    return a;
  };
}

/**
 * Puts a check written out by hand for `codec` (its value for `u`, or `undefined` where it does
 * not decide) before the compiled one, wherever `codec` is decoded.
 */
export function handWritten<A, O>(codec: t.Type<A, O, unknown>, check: (u: unknown) => A | undefined): void {
  const compiled = fastOf(codec);
  compiledCodecs.set(codec, (u) => check(u) ?? compiled(u));
}

/** Decodes `u` with `codec`, turning io-ts errors into path-named `DecodeError`s. */
export function decodeWith<A, O>(codec: t.Type<A, O, unknown>, u: unknown, prefix = ''): Decoded<A> {
  const fast = fastOf(codec)(u);
  if (fast !== INVALID) return either.right(fast as A);
  const result = codec.decode(u);
  return result._tag === 'Right' ? result : either.left(reportErrors(result.left, prefix));
}

/** `t.type` with optional members, without writing the two halves apart at every use. */
export function struct<R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
): t.IntersectionC<[t.TypeC<R>, t.PartialC<O>]> {
  return t.intersection([t.type(required), t.partial(optional)], name);
}

/** An identifier: a non-empty string. */
export const Id = new t.Type<string, string, unknown>(
  'Id',
  (u): u is string => typeof u === 'string' && u.length > 0,
  (u, c) => (typeof u === 'string' && u.length > 0 ? t.success(u) : t.failure(u, c, `expected a non-empty string, got ${describe(u)}`)),
  t.identity,
);
leafChecks.set(Id, (u) => (typeof u === 'string' && u.length > 0 ? u : INVALID));

/** Fields every granted voucher's state carries, whatever its kind. */
export const grantTracking = {
  grantedAt: integer(),
  grantSeq: integer(1),
};
