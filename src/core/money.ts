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

/**
 * The last non-zero amount `str` printed. A step prints the new own balance last and the next
 * step reads it first; a lookup by text in the parse memo would hash the new string and miss the
 * CPU cache in a map of thousands (issue 8: 4.5% of a typical step).
 */
let printedText = '';
let printedValue: Big = ZERO;

/** Parses a decimal string that a codec has already validated. */
export function dec(text: string): Big {
  if (text === printedText) return printedValue;
  let value = young.get(text);
  if (value === undefined) {
    value = old.get(text) ?? Dec(text);
    remember(text, value);
  }
  return value;
}

/** Below 10^15 a coefficient's digits are an exact double, printed by the runtime at once. */
const EXACT_DIGITS = 15;

/** Leading zeros of a fraction, by count (a fraction has fewer than `EXACT_DIGITS` digits here). */
const ZEROS = Array.from({ length: EXACT_DIGITS }, (_, i) => '0'.repeat(i));

/** The digits `c[from..to)` as one integer (exact when fewer than `EXACT_DIGITS`). */
function digitsValue(c: readonly number[], from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (c[i] as number);
  return v;
}

/**
 * G-2: plain decimal, no exponent, no trailing zeros, "0" for zero (never "-0"). What big.js's
 * `toFixed()` prints, written out for speed (issue 8): big.js joins the digit array and pads
 * zeros one at a time. `c` holds the digits without leading or trailing zeros, `e` the exponent
 * of the first one. The integer part and the fraction are printed as two numbers rather than
 * one number sliced: two short conversions and a concatenation cost less than a long one and
 * two slices.
 */
export function str(value: Big): string {
  const c = value.c;
  if (c[0] === 0) return '0';
  const n = c.length;
  const e = value.e;
  let text: string;
  if (n > EXACT_DIGITS) {
    const digits = c.join('');
    text = e < 0 ? `0.${'0'.repeat(-e - 1)}${digits}` : e + 1 >= n ? digits + '0'.repeat(e + 1 - n) : `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  } else if (e < 0) {
    text = `0.${'0'.repeat(-e - 1)}${digitsValue(c, 0, n)}`;
  } else if (e + 1 >= n) {
    text = e + 1 === n ? String(digitsValue(c, 0, n)) : digitsValue(c, 0, n) + '0'.repeat(e + 1 - n);
  } else {
    // The fraction's leading zeros do not survive its conversion to a number.
    let lead = e + 1;
    while (c[lead] === 0) lead++;
    text = `${digitsValue(c, 0, e + 1)}.${ZEROS[lead - e - 1] as string}${digitsValue(c, lead, n)}`;
  }
  const printed = value.s < 0 ? `-${text}` : text;
  printedText = printed;
  printedValue = value;
  return printed;
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
 * `a / b` rounded once, from the exact quotient, to `scale` decimals (D-27). Division is the
 * slowest big.js operation (issue 8): when the scaled dividend and the divisor are integers below
 * 2^52, the quotient is taken in floating point, corrected to the exact integer quotient by its
 * remainder (exact below 2^53), and rounded by that remainder; big.js divides the rest.
 */
export function divide(a: Big, b: Big, scale: number, mode: Rounding): Big {
  if (a.c[0] === 0 && b.c[0] !== 0) return ZERO;
  const shift = a.e - a.c.length - b.e + b.c.length + scale;
  const x = shift >= 0 && shift <= MAX_POWER ? integerOf(a.c) * (POWERS[shift] as number) : integerOf(a.c);
  const y = shift < 0 && shift >= -MAX_POWER ? integerOf(b.c) * (POWERS[-shift] as number) : integerOf(b.c);
  if (shift >= -MAX_POWER && shift <= MAX_POWER && x < EXACT_BELOW && y < EXACT_BELOW && y !== 0) {
    let q = Math.floor(x / y);
    let r = x - q * y;
    if (r < 0) {
      q--;
      r += y;
    } else if (r >= y) {
      q++;
      r -= y;
    }
    if (mode === ROUND_UP ? r > 0 : mode === ROUND_HALF_UP && r + r >= y) q++;
    return fromInteger(a.s === b.s ? 1 : -1, q, -scale);
  }
  return bigDivide(a, b, scale, mode);
}

function bigDivide(a: Big, b: Big, scale: number, mode: Rounding): Big {
  const key = `${scale}:${mode}`;
  let ctor = dividers.get(key);
  if (ctor === undefined) {
    ctor = privateConstructor(scale, mode);
    dividers.set(key, ctor);
  }
  return new ctor(a).div(b);
}

/*
 * Exact arithmetic on big.js's own representation (issue 8): big.js's `plus`, `minus` and `times`
 * copy their argument (a `Big` and its digit array) and their receiver's digits before they start.
 * These read both operands' digits in place, work in one scratch array and allocate only the
 * result: a big.js value (same prototype, fields and constructor as `Dec`'s) that big.js can keep
 * using. Values and their digit arrays are never mutated, by big.js or by the engine, so a result
 * may share an operand's digits or be an operand. A zero result is `ZERO` (big.js may sign it; no
 * output reads the sign of 0).
 */

interface Fields {
  s: number;
  e: number;
  c: number[];
  constructor: BigJs.BigConstructor;
}

const Amount = function (this: Fields, s: number, e: number, c: number[]): void {
  this.s = s;
  this.e = e;
  this.c = c;
  // big.js reads its settings (DP, RM) from a value's own `constructor`.
  this.constructor = Dec;
} as unknown as new (s: number, e: number, c: number[]) => Big;
Amount.prototype = Dec.prototype;

/** Digits in progress; `slice` copies the result out (packed small integers, as big.js keeps them). */
const scratch: number[] = Array.from({ length: 32 }, () => 0);

function clearScratch(n: number): void {
  for (let i = 0; i < n; i++) scratch[i] = 0;
}

/** The value with digits `scratch[from..to)` whose first digit has exponent `e`, trailing zeros dropped. */
function fromScratch(s: number, e: number, from: number, to: number): Big {
  let end = to;
  while (scratch[end - 1] === 0) end--;
  return new Amount(s, e, scratch.slice(from, end));
}

/** Powers of ten that are exact doubles. */
const POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_POWER = POWERS.length - 1;

/** Integers below this, and sums of two of them, are exact doubles. */
const EXACT_BELOW = 2 ** 52;

const HALF_DIGITS = 8;
const HALF = 10 ** HALF_DIGITS;

/** The digits as one integer: exact below 2^53; a larger one comes out at 2^53 or more, which every caller turns down. */
function integerOf(c: readonly number[]): number {
  return digitsValue(c, 0, c.length);
}

/** `s x q x 10^low` for an exact integer `q` >= 0 (below 2^53). */
function fromInteger(s: number, q: number, low: number): Big {
  if (q === 0) return ZERO;
  let n = 0;
  while (n < MAX_POWER && q >= (POWERS[n + 1] as number)) n++;
  // The digits come from two halves below 10^8, small integers whose `% 10` is cheap (a double's
  // is a library call) and keeps the scratch array, and so every result's digits, small integers.
  let high = Math.floor(q / HALF);
  let rest = q - high * HALF;
  if (rest < 0) {
    high--;
    rest += HALF;
  }
  let lowHalf = rest | 0;
  let highHalf = high | 0;
  let i = n;
  for (let k = 0; k < HALF_DIGITS && i >= 0; k++, i--) {
    scratch[i] = lowHalf % 10;
    lowHalf = (lowHalf / 10) | 0;
  }
  for (; i >= 0; i--) {
    scratch[i] = highHalf % 10;
    highHalf = (highHalf / 10) | 0;
  }
  return fromScratch(s, low + n, 0, n + 1);
}

/** |x| against |y| (-1, 0, 1), both non-zero. */
function compareMagnitudes(x: Big, y: Big): number {
  if (x.e !== y.e) return x.e > y.e ? 1 : -1;
  const xc = x.c;
  const yc = y.c;
  const common = xc.length < yc.length ? xc.length : yc.length;
  for (let i = 0; i < common; i++) {
    const a = xc[i] as number;
    const b = yc[i] as number;
    if (a !== b) return a > b ? 1 : -1;
  }
  return xc.length === yc.length ? 0 : xc.length > yc.length ? 1 : -1;
}

/** Makes the scratch array at least `n` long, appending (so it stays packed). */
function reserve(n: number): void {
  while (scratch.length < n) scratch.push(0);
}

/**
 * `s x (|x| + |y|)`, both non-zero, in one pass from the last digit. Scratch index 0 holds the
 * carry, index j the digit of exponent `top + 1 - j`.
 */
function addMagnitudes(s: number, x: Big, y: Big): Big {
  const xc = x.c;
  const yc = y.c;
  const xl = xc.length;
  const yl = yc.length;
  const top = x.e > y.e ? x.e : y.e;
  const xo = top - x.e + 1;
  const yo = top - y.e + 1;
  const n = xo + xl > yo + yl ? xo + xl : yo + yl;
  reserve(n);
  let carry = 0;
  // One past the last non-zero digit.
  let end = 0;
  for (let j = n - 1; j > 0; j--) {
    const i = j - xo;
    const k = j - yo;
    let d = carry + (i >= 0 && i < xl ? (xc[i] as number) : 0) + (k >= 0 && k < yl ? (yc[k] as number) : 0);
    if (d >= 10) {
      d -= 10;
      carry = 1;
    } else {
      carry = 0;
    }
    scratch[j] = d;
    if (end === 0 && d !== 0) end = j + 1;
  }
  if (carry === 0) return new Amount(s, top, scratch.slice(1, end));
  scratch[0] = 1;
  return new Amount(s, top + 1, scratch.slice(0, end === 0 ? 1 : end));
}

/** `s x (|x| - |y|)` for |x| > |y| > 0, in one pass from the last digit. Scratch index j holds the digit of exponent `x.e - j`. */
function subtractMagnitudes(s: number, x: Big, y: Big): Big {
  const xc = x.c;
  const yc = y.c;
  const xl = xc.length;
  const yl = yc.length;
  const yo = x.e - y.e;
  const n = xl > yo + yl ? xl : yo + yl;
  reserve(n);
  let borrow = 0;
  let end = 0;
  for (let j = n - 1; j >= 0; j--) {
    const k = j - yo;
    let d = (j < xl ? (xc[j] as number) : 0) - (k >= 0 && k < yl ? (yc[k] as number) : 0) - borrow;
    if (d < 0) {
      d += 10;
      borrow = 1;
    } else {
      borrow = 0;
    }
    scratch[j] = d;
    if (end === 0 && d !== 0) end = j + 1;
  }
  let first = 0;
  while (scratch[first] === 0) first++;
  return new Amount(s, x.e - first, scratch.slice(first, end));
}

/** `x + y` for same-signed or opposite-signed non-zero operands. */
function signedSum(x: Big, y: Big, ys: number): Big {
  if (x.s === ys) return addMagnitudes(ys, x, y);
  const order = compareMagnitudes(x, y);
  return order === 0 ? ZERO : order > 0 ? subtractMagnitudes(x.s, x, y) : subtractMagnitudes(ys, y, x);
}

/** `a + b`, exact (no operation when either is 0: the value is the same; hot paths add 0 often). */
export function add(a: Big, b: Big): Big {
  return b.c[0] === 0 ? a : a.c[0] === 0 ? b : signedSum(a, b, b.s);
}

/** `-a`, sharing `a`'s digits. */
export function negate(a: Big): Big {
  return a.c[0] === 0 ? a : new Amount(-a.s, a.e, a.c);
}

/** `a - b`, exact. */
export function sub(a: Big, b: Big): Big {
  if (b.c[0] === 0) return a;
  return a.c[0] === 0 ? negate(b) : signedSum(a, b, -b.s);
}

/** `a x b`, exact: in floating point when the digits' product is an exact integer, else long multiplication. */
export function mul(a: Big, b: Big): Big {
  const ac = a.c;
  const bc = b.c;
  if (ac[0] === 0 || bc[0] === 0) return ZERO;
  const s = a.s === b.s ? 1 : -1;
  // Exponent of the last digit of each.
  const low = a.e - ac.length + 1 + b.e - bc.length + 1;
  if (ac.length <= EXACT_DIGITS && bc.length <= EXACT_DIGITS) {
    const product = integerOf(ac) * integerOf(bc);
    if (product < EXACT_BELOW) return fromInteger(s, product, low);
  }
  const n = ac.length + bc.length;
  clearScratch(n);
  for (let i = ac.length - 1; i >= 0; i--) {
    const digit = ac[i] as number;
    let carry = 0;
    for (let j = bc.length - 1; j >= 0; j--) {
      const t = (scratch[i + j + 1] as number) + digit * (bc[j] as number) + carry;
      carry = (t / 10) | 0;
      scratch[i + j + 1] = t - carry * 10;
    }
    scratch[i] = carry;
  }
  return scratch[0] === 0 ? fromScratch(s, low + n - 2, 1, n) : fromScratch(s, low + n - 1, 0, n);
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
