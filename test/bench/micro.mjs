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
