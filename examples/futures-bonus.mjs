// Futures bonuses (RULES.md section 4): a balance that pays a fixed share (its rate) of fees,
// funding and losses. It is reclaimed at expiry or on a transfer out, but never when that would
// push the margin rate to the guard rate (95%): then the reclaim waits for a funds movement.
// Worked example 3 of RULES.md section 8, with an opening fee added.
//
//   npm run build && node examples/futures-bonus.mjs
import { createAccount, decodeEvent, describeEffect, explain, formatExplanation, step, voucherStatuses } from 'futures-vouchers';

const start = Date.UTC(2026, 0, 7, 9); // 2026-01-07 09:00 UTC
const policy = { instruments: { BTCUSDT: { mmr: '0.05' } } };
let state = createAccount({ accountId: 'fay', accountType: 'main', positionMode: 'hedge', ownBalance: '100' }, policy);

function decode(fields, at) {
  const decoded = decodeEvent({ seq: state.lastSeq + 1, at, ...fields }, state.policy.scale);
  if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
  return decoded.right;
}

function apply(fields, at, { explained = false } = {}) {
  const event = decode(fields, at);
  if (explained) process.stdout.write(formatExplanation(explain(state, event)));
  const result = step(state, event);
  for (const effect of result.effects) console.log(`  #${effect.seq} ${effect.rule.padEnd(6)} ${describeEffect(effect)}`);
  state = result.state;
}

console.log('A bonus of 50 at rate 0.5, own funds 100, and a long of 1 BTCUSDT at 2600 with leverage 100.');
apply({ type: 'VoucherGranted', voucher: { kind: 'futuresBonus', id: 'bonus-50', amount: '50', rate: '0.5', expiresAt: start + 86_400_000 } }, start);
apply({ type: 'OrderPlaced', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '1', price: '2600', leverage: '100', marginMode: 'cross', source: 'main' }, start + 1000);
console.log('The opening fee of 1.3 splits at the rate: 0.65 from the bonus, 0.65 from own funds (FB-3).');
apply({ type: 'OrderFilled', orderId: 'o1', qty: '1', price: '2600', fee: '1.3' }, start + 1000);

console.log('\nMaintenance margin 1 x 2600 x 0.05 = 130; equity 99.35 + 49.35 = 148.7. A transfer out of 10 triggers the reclaim:');
apply({ type: 'FundsTransferred', direction: 'out', amount: '10' }, start + 60_000, { explained: true });

console.log('\nA mark price moves no funds, so the waiting reclaim is not retried (FB-11):');
apply({ type: 'MarkPriceUpdated', symbol: 'BTCUSDT', price: '2610' }, start + 120_000, { explained: true });

console.log('\nA transfer in of 100 is a funds movement: the reclaim is retried and now fits under the guard:');
apply({ type: 'FundsTransferred', direction: 'in', amount: '100' }, start + 180_000, { explained: true });

// A reclaimed bonus is retired from the state (FV-8): voucherStatuses lists live and retired ones.
const bonus = voucherStatuses(state).find((v) => v.kind === 'futuresBonus');
console.log(`\nown balance ${state.ownBalance}; bonus ${bonus.id} ${bonus.status}`);
