/**
 * Money: the one module that owns decimal parsing, canonical printing (G-2) and rounding (G-3).
 *
 * It uses private big.js constructors so that whatever the host application did to the global
 * `Big` (its DP, RM, NE, PE) cannot change a decision. Every rounding names its mode at the call.
 * `Big` never leaves the engine: the wire and the public types carry decimal strings.
 */
import BigJs from 'big.js';
import type { Big } from 'big.js';

export type { Big };

function privateConstructor(dp: number, rm: BigJs.RoundingMode): BigJs.BigConstructor {
  const ctor = BigJs();
  ctor.DP = dp;
  ctor.RM = rm;
  // Never exponent notation, and never silently accept a JS number.
  ctor.NE = -1e6;
  ctor.PE = 1e6;
  ctor.strict = true;
  return ctor;
}

const Dec = privateConstructor(20, 1);

export const ROUND_DOWN = 0;
export const ROUND_HALF_UP = 1;
export const ROUND_UP = 3;
export type Rounding = typeof ROUND_DOWN | typeof ROUND_HALF_UP | typeof ROUND_UP;

/** D-1: `-?digits(.digits)?`, nothing else. */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

export const ZERO: Big = Dec('0');
export const ONE: Big = Dec('1');

/**
 * Parsed amounts, memoised by their text: a state carries amounts as strings and most of them
 * are unchanged from one step to the next, so the same strings are parsed again and again.
 * big.js values are never mutated by this engine, so sharing them is safe.
 *
 * Two generations (issue 8): lookups go to the young map, then the old one (a hit there moves
 * to the young one); when the young map is full it becomes the old one and the old one is
 * dropped. Amounts in use survive a turnover, so there is no re-parse storm and no heap swing
 * of a whole clear. Hit rate on a 100,000-event typical session read from JSON lines: 99.2%.
 * (Recording what `str` prints as well costs a string hash and a map insert per printed amount,
 * more than the parses it saves.)
 */
let young = new Map<string, Big>();
let old = new Map<string, Big>();
const GENERATION_LIMIT = 25_000;

function remember(text: string, value: Big): void {
  if (young.size >= GENERATION_LIMIT) {
    old = young;
    young = new Map();
  }
  young.set(text, value);
}

/** Parses a decimal string that a codec has already validated. */
export function dec(text: string): Big {
  let value = young.get(text);
  if (value === undefined) {
    value = old.get(text) ?? Dec(text);
    remember(text, value);
  }
  return value;
}

/** Below 10^15 a coefficient's digits are an exact double, printed by the runtime at once. */
const EXACT_DIGITS = 15;

/**
 * G-2: plain decimal, no exponent, no trailing zeros, "0" for zero (never "-0"). What big.js's
 * `toFixed()` prints, written out for speed (issue 8): big.js joins the digit array and pads
 * zeros one at a time. `c` holds the digits without leading or trailing zeros, `e` the exponent
 * of the first one.
 */
export function str(value: Big): string {
  const c = value.c;
  if (c[0] === 0) return '0';
  const n = c.length;
  let digits: string;
  if (n <= EXACT_DIGITS) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 10 + (c[i] as number);
    digits = String(v);
  } else {
    digits = c.join('');
  }
  const e = value.e;
  const text = e < 0 ? `0.${'0'.repeat(-e - 1)}${digits}` : e + 1 >= n ? digits + '0'.repeat(e + 1 - n) : `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  return value.s < 0 ? `-${text}` : text;
}

/** Number of decimals of a D-1 decimal string, trailing zeros not counted. */
export function decimalsOf(text: string): number {
  const point = text.indexOf('.');
  if (point < 0) return 0;
  let end = text.length;
  while (end > point + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - point - 1;
}

export function round(value: Big, scale: number, mode: Rounding): Big {
  return value.round(scale, mode);
}

const dividers = new Map<string, BigJs.BigConstructor>();

/**
 * `a / b` rounded once, from the exact quotient, to `scale` decimals (D-27).
 * Division is the slowest big.js operation: callers keep it off the per-event path.
 */
export function divide(a: Big, b: Big, scale: number, mode: Rounding): Big {
  const key = `${scale}:${mode}`;
  let ctor = dividers.get(key);
  if (ctor === undefined) {
    ctor = privateConstructor(scale, mode);
    dividers.set(key, ctor);
  }
  return new ctor(a).div(b);
}

/** `a + b`, without an operation when either is 0 (the value is the same; hot paths add 0 often). */
export function add(a: Big, b: Big): Big {
  return b.c[0] === 0 ? a : a.c[0] === 0 ? b : a.plus(b);
}

/** `a - b`, without an operation when `b` is 0. */
export function sub(a: Big, b: Big): Big {
  return b.c[0] === 0 ? a : a.minus(b);
}

/**
 * `x.cmp(y)` (-1, 0, 1), without big.js's copy of `y` (every big.js comparison allocates one): the
 * same comparison of sign, exponent and digits, on values big.js normalised.
 */
export function compare(x: Big, y: Big): number {
  const xc = x.c;
  const yc = y.c;
  const xs = x.s;
  const ys = y.s;
  // Either zero?
  if (xc[0] === 0 || yc[0] === 0) return xc[0] === 0 ? (yc[0] === 0 ? 0 : -ys) : xs;
  if (xs !== ys) return xs;
  const negative = xs < 0;
  if (x.e !== y.e) return x.e > y.e !== negative ? 1 : -1;
  const xl = xc.length;
  const yl = yc.length;
  const common = xl < yl ? xl : yl;
  for (let i = 0; i < common; i++) {
    const a = xc[i] as number;
    const b = yc[i] as number;
    if (a !== b) return a > b !== negative ? 1 : -1;
  }
  return xl === yl ? 0 : xl > yl !== negative ? 1 : -1;
}

export function min(a: Big, b: Big): Big {
  return compare(a, b) <= 0 ? a : b;
}

export function max(a: Big, b: Big): Big {
  return compare(a, b) >= 0 ? a : b;
}

export function isZero(value: Big): boolean {
  return value.c[0] === 0;
}

export function isPositive(value: Big): boolean {
  return value.s > 0 && value.c[0] !== 0;
}

export function isNegative(value: Big): boolean {
  return value.s < 0 && value.c[0] !== 0;
}

/** Margin rates are shown half-up to 8 decimals (G-3), whatever the account's scale. */
export function showRate(mm: Big, equity: Big): string {
  return str(divide(mm, equity, 8, ROUND_HALF_UP));
}

/** Whether the digits of a D-1 decimal from index `from` on are all zero (the point skipped). */
export function zeroDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 48 && c !== 46) return false;
  }
  return true;
}

/** Whether a D-1 decimal is already in G-2's output form: no leading or trailing zeros, no "-0". */
function isCanonical(text: string): boolean {
  const digits = text.charCodeAt(0) === 45 ? 1 : 0;
  if (text.length > digits + 1 && text.charCodeAt(digits) === 48 && text.charCodeAt(digits + 1) !== 46) return false;
  if (text.indexOf('.') >= 0 && text.charCodeAt(text.length - 1) === 48) return false;
  return digits === 0 || !zeroDigits(text, 1);
}

/**
 * A D-1 decimal in G-2's output form, worked out on the text (what `str(dec(text))` prints,
 * without parsing): leading zeros of the integer part and trailing zeros of the fraction go,
 * a point with nothing after it goes, and zero is "0" whatever its sign.
 */
export function canonical(text: string): string {
  if (isCanonical(text)) return text;
  const negative = text.charCodeAt(0) === 45;
  let start = negative ? 1 : 0;
  const point = text.indexOf('.');
  const intEnd = point < 0 ? text.length : point;
  while (start < intEnd - 1 && text.charCodeAt(start) === 48) start++;
  let end = text.length;
  if (point >= 0) {
    while (end > point + 1 && text.charCodeAt(end - 1) === 48) end--;
    if (end === point + 1) end = point;
  }
  const body = text.slice(start, end);
  return body === '0' ? '0' : negative ? `-${body}` : body;
}
