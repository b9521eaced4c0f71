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
  decimalCodecs.set(key, codec);
  return codec;
}

/** An integer-valued JSON number (D-2), at least `min` when given. */
export function integer(min?: number): t.Type<number, number, unknown> {
  const expected = min === undefined ? 'an integer' : `an integer of ${min} or more`;
  return new t.Type<number, number, unknown>(
    'Integer',
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && (min === undefined || u >= min),
    (u, c) =>
      typeof u === 'number' && Number.isSafeInteger(u) && (min === undefined || u >= min)
        ? t.success(u)
        : t.failure(u, c, `expected ${expected}, got ${describe(u)}`),
    t.identity,
  );
}

/** One of a fixed set of strings, reported by name. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V): t.Type<V[number], V[number], unknown> {
  const allowed = new Set<string>(values);
  const expected = values.map((v) => JSON.stringify(v)).join(' | ');
  return new t.Type<V[number], V[number], unknown>(
    'OneOf',
    (u): u is V[number] => typeof u === 'string' && allowed.has(u),
    (u, c) =>
      typeof u === 'string' && allowed.has(u)
        ? t.success(u as V[number])
        : t.failure(u, c, `expected one of ${expected}, got ${describe(u)}`),
    t.identity,
  );
}

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
  return new t.Type<t.TypeOf<M[keyof M]>, t.OutputOf<M[keyof M]>, unknown>(
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
    // Intersections and unions repeat the same key; arrays show their index in brackets.
    const parentTag = (parent.type as { _tag?: string })._tag;
    if (parentTag === 'IntersectionType' || parentTag === 'UnionType') continue;
    if (parentTag === 'ArrayType' || parentTag === 'ReadonlyArrayType') path += `[${entry.key}]`;
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

/** Decodes `u` with `codec`, turning io-ts errors into path-named `DecodeError`s. */
export function decodeWith<A, O>(codec: t.Type<A, O, unknown>, u: unknown, prefix = ''): Decoded<A> {
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

/** Fields every granted voucher's state carries, whatever its kind. */
export const grantTracking = {
  grantedAt: integer(),
  grantSeq: integer(1),
};
