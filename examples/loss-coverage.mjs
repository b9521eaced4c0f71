// Loss coverage vouchers (RULES.md section 2): a closing order's trading loss is paid back, the
// next UTC day, by the earliest-granted eligible voucher; fees never are.
//
//   npm run build && node examples/loss-coverage.mjs
import { createAccount, decodeEvent, describeEffect, explain, formatExplanation, step } from 'futures-vouchers';

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 5, 9); // 2026-01-05 09:00 UTC

let state = createAccount({ accountId: 'dana', accountType: 'main', positionMode: 'hedge', ownBalance: '500' });
let seq = 0;

/** Decodes one event as the exchange would send it (amounts are strings) and applies it. */
function apply(fields, at) {
  const decoded = decodeEvent({ seq: ++seq, at, ...fields }, state.policy.scale);
  if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
  const result = step(state, decoded.right);
  for (const effect of result.effects) console.log(`  #${effect.seq} ${effect.rule.padEnd(6)} ${describeEffect(effect)}`);
  state = result.state;
  return decoded.right;
}

const order = (orderId, action, qty, price) => ({
  type: 'OrderPlaced', orderId, symbol: 'ETHUSDT', positionSide: 'long', action, qty, price, leverage: '10', marginMode: 'cross', source: 'main',
});

console.log('Two vouchers, then a long of 1 ETH at 3000 closed at 2980: a loss of 20.');
apply({ type: 'VoucherGranted', voucher: { kind: 'lossCoverage', id: 'welcome-5', amount: '5' } }, start);
apply({ type: 'VoucherGranted', voucher: { kind: 'lossCoverage', id: 'weekly-30', amount: '30', minClosingNotional: '1000' } }, start + 1);
apply(order('open-1', 'open', '1', '3000'), start + HOUR);
apply({ type: 'OrderFilled', orderId: 'open-1', qty: '1', price: '3000', fee: '1.5' }, start + HOUR);
apply(order('close-1', 'close', '1', '2980'), start + 2 * HOUR);

// Before applying the closing fill, ask what it would do to each voucher, and why.
const closing = { type: 'OrderFilled', orderId: 'close-1', qty: '1', price: '2980', fee: '1.49' };
const preview = decodeEvent({ seq: seq + 1, at: start + 2 * HOUR, ...closing }, state.policy.scale);
if (preview._tag === 'Left') throw new Error('the preview does not decode');
console.log('\nexplain, before the fill is applied:');
process.stdout.write(formatExplanation(explain(state, preview.right), { times: 'utc' }));

console.log('The fill itself: only welcome-5 pays (one voucher per order), 5 of the 20.');
apply(closing, start + 2 * HOUR);

console.log('\nA second close with a loss of 0.5 is not covered (LCV-2: not more than the minimum 1).');
apply(order('open-2', 'open', '1', '3000'), start + 3 * HOUR);
apply({ type: 'OrderFilled', orderId: 'open-2', qty: '1', price: '3000', fee: '0' }, start + 3 * HOUR);
apply(order('close-2', 'close', '1', '2999.5'), start + 4 * HOUR);
apply({ type: 'OrderFilled', orderId: 'close-2', qty: '1', price: '2999.5', fee: '0' }, start + 4 * HOUR);

console.log('\nAt 00:00 UTC the campaign account pays the spot account (LCV-7): any later event runs the clock.');
apply({ type: 'Tick' }, Date.UTC(2026, 0, 6));

// A consumed voucher whose compensation is paid is retired from the state (FV-8): only its id and status stay.
const live = state.lossCoverageVouchers.map((v) => `${v.id} ${v.status} (${v.remaining} left)`);
const retired = state.retired.lossCoverageVouchers.map(([id, status]) => `${id} ${status} (retired)`);
console.log(`\nown balance ${state.ownBalance}; ${[...live, ...retired].join(', ')}`);
