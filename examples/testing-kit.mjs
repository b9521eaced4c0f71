// The testing kit as a user would run it against their own integration: draw valid event
// streams, step them through the engine, check every step, and follow the money through the
// double-entry postings. Run it with `npm run example:testing` (it builds the package first and
// imports it by its own name). Exits 1 if any invariant is broken.
import fc from 'fast-check';
import { createAccount, step, postingsOf, netOf } from 'futures-vouchers';
import { arbEventStream, checkStep, INVARIANTS } from 'futures-vouchers/testing';

const runs = Number(process.env.RUNS ?? 100);
const seed = Number(process.env.SEED ?? 20240101);
const streams = fc.sample(arbEventStream({ length: { min: 10, max: 50 }, bias: true }), { numRuns: runs, seed });

let steps = 0;
const violations = [];
const flows = new Map(); // account -> net flow over all streams, as a Number for the summary only
const effects = new Map();

for (const stream of streams) {
  let state = createAccount(stream.account, stream.policy);
  for (const event of stream.events) {
    const result = step(state, event);
    steps++;
    for (const v of checkStep(state, event, result)) violations.push({ ...v, account: stream.account, policy: stream.policy });
    for (const [account, amount] of Object.entries(netOf(postingsOf(state, event, result)))) {
      flows.set(account, (flows.get(account) ?? 0) + Number(amount));
    }
    for (const e of result.effects) effects.set(e.type, (effects.get(e.type) ?? 0) + 1);
    state = result.state;
  }
}

console.log(`checked ${streams.length} streams, ${steps} steps (seed ${seed}) against ${INVARIANTS.length} invariants`);
console.log(`effects: ${[...effects].sort((a, b) => b[1] - a[1]).map(([t, n]) => `${t} ${n}`).join(', ')}`);
console.log('net flows by ledger account (approximate, summed over all streams):');
for (const [account, amount] of [...flows].sort()) {
  if (account.includes(':') && !['voucher', 'payable', 'voucherMargin', 'ownMargin', 'bonus'].includes(account.split(':')[0])) {
    console.log(`  ${account.padEnd(18)} ${amount.toFixed(2)}`);
  }
}
if (violations.length > 0) {
  console.error(`\n${violations.length} violation(s); the first:`);
  for (const v of violations.slice(0, 3)) console.error(`  [${v.invariant}] seq ${v.seq}: ${v.message}`);
  process.exit(1);
}
console.log('no violations');
