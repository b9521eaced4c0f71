// Micro-measure behind proposal 3 of docs/performance.md: big.js against BigInt (amounts as
// integers of 1e-8) for the operations the engine repeats, and the parse memo's lookup.
// Usage: node test/bench/micro.mjs
import Big from 'big.js';

const N = 2_000_000;
const a = new Big('12345.67891234');
const b = new Big('0.00012345');
const ai = 1234567891234n;
const bi = 12345n;
function time(name, f) {
  f();
  const t0 = performance.now();
  const r = f();
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(32)} ${((ms * 1e6) / N).toFixed(1).padStart(8)} ns/op  (${String(r).slice(0, 14)})`);
}
time('big.js plus', () => { let x = a; for (let i = 0; i < N; i++) x = x.plus(b); return x; });
time('BigInt add (1e-8 units)', () => { let x = ai; for (let i = 0; i < N; i++) x = x + bi; return x; });
time('big.js times', () => { let x; for (let i = 0; i < N; i++) x = a.times(b); return x; });
time('BigInt multiply', () => { let x; for (let i = 0; i < N; i++) x = ai * bi; return x; });
time('big.js cmp', () => { let x = 0; for (let i = 0; i < N; i++) x += a.cmp(b); return x; });
time('BigInt compare', () => { let x = 0; for (let i = 0; i < N; i++) x += ai > bi ? 1 : 0; return x; });
const memo = new Map();
const keys = Array.from({ length: 1000 }, (_, i) => String(1000 + i * 0.37));
for (const k of keys) memo.set(k, new Big(k));
time('memo hit (Map.get, 1,000 keys)', () => { let x; for (let i = 0; i < N; i++) x = memo.get(keys[i % 1000]); return x; });
time('new Big(string)', () => { let x; for (let i = 0; i < N; i++) x = new Big(keys[i % 1000]); return x; });

// Issue 8 phase 2: what the engine's own money helpers cost now, and what scaled BigInt amounts
// (the rewrite docs/performance.md describes) would cost for the same work.
const { bundle } = await import('./bundle.mjs');
const money = await import(await bundle('src/core/money.ts', 'micro-money'));
const c = money.dec('12345.67891234');
const d = money.dec('0.00012345');
time('money.compare (no copy)', () => { let x = 0; for (let i = 0; i < N; i++) x += money.compare(c, d); return x; });
time('big.js cmp (copies its argument)', () => { let x = 0; for (let i = 0; i < N; i++) x += c.cmp(d); return x; });
time('money.str', () => { let x = 0; for (let i = 0; i < N; i++) x += money.str(c).length; return x; });
time('big.js toFixed', () => { let x = 0; for (let i = 0; i < N; i++) x += c.toFixed().length; return x; });
const e = money.dec('21605.25');
const q = money.dec('0.5');
const h = money.dec('1.5');
time('money.add (no copies)', () => { let x = c; for (let i = 0; i < N; i++) x = money.add(x, d); return x; });
time('money.sub (no copies)', () => { let x; for (let i = 0; i < N; i++) x = money.sub(c, d); return x; });
time('money.mul (exact double product)', () => { let x; for (let i = 0; i < N; i++) x = money.mul(e, q); return x; });
time('big.js times (same operands)', () => { let x; for (let i = 0; i < N; i++) x = e.times(q); return x; });
time('money.mul (long multiplication)', () => { let x; for (let i = 0; i < N; i++) x = money.mul(c, c); return x; });
time('money.divide (double quotient)', () => { let x; for (let i = 0; i < N; i++) x = money.divide(e, h, 8, money.ROUND_HALF_UP); return x; });
time('big.js div to 8 places', () => { let x; const B = Big(); B.DP = 8; B.RM = 1; for (let i = 0; i < N; i++) x = new B(e).div(h); return x; });
time('money.dec (memo hit)', () => { let x; for (let i = 0; i < N; i++) x = money.dec(keys[i % 1000]); return x; });
time('big.js minus', () => { let x; for (let i = 0; i < N; i++) x = c.minus(d); return x; });
const SCALE = 10n ** 8n;
const parseUnits = (text) => {
  const point = text.indexOf('.');
  if (point < 0) return BigInt(text) * SCALE;
  const frac = text.slice(point + 1);
  return BigInt(text.slice(0, point) + frac) * 10n ** BigInt(8 - frac.length);
};
const printUnits = (units) => {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(9, '0');
  let text = `${digits.slice(0, -8)}.${digits.slice(-8)}`.replace(/\.?0+$/, '');
  return negative ? `-${text}` : text;
};
const amounts = Array.from({ length: 1000 }, (_, i) => `${1000 + i}.${String(i * 7919 % 100000000).padStart(8, '0')}`);
time('BigInt parse (text -> units)', () => { let x; for (let i = 0; i < N; i++) x = parseUnits(amounts[i % 1000]); return x; });
time('BigInt print (units -> text)', () => { let x = 0; for (let i = 0; i < N; i++) x += printUnits(ai + BigInt(i & 7)).length; return x; });
time('BigInt qty x price, half-up to 1e-8', () => { let x; for (let i = 0; i < N; i++) { const p = ai * bi; x = (p + SCALE / 2n) / SCALE; } return x; });
