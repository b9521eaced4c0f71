// Position vouchers (RULES.md section 3): trial funds lent as isolated margin for one new
// position. Costs come out of the voucher first, profits are the user's, and the principal is
// never refunded: what is left when the position closes is forfeited.
//
//   npm run build && node examples/position-voucher.mjs
import { createAccount, decodeEvent, describeEffect, explain, formatExplanation, step } from 'futures-vouchers';

const MINUTE = 60_000;
const start = Date.UTC(2026, 0, 6, 9); // 2026-01-06 09:00 UTC

let state = createAccount({ accountId: 'eli', accountType: 'main', positionMode: 'hedge', ownBalance: '200' });
let seq = 0;

function decode(fields, at) {
  const decoded = decodeEvent({ seq: seq + 1, at, ...fields }, state.policy.scale);
  if (decoded._tag === 'Left') throw new Error(JSON.stringify(decoded.left));
  return decoded.right;
}

function apply(fields, at) {
  const event = decode(fields, at);
  const result = step(state, event);
  for (const effect of result.effects) console.log(`  #${effect.seq} ${effect.rule.padEnd(6)} ${describeEffect(effect)}`);
  state = result.state;
  seq = state.lastSeq;
}

const open = (orderId, leverage, voucher) => ({
  type: 'OrderPlaced', orderId, symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '0.02', price: '60000',
  leverage, marginMode: 'isolated', source: 'main', ...(voucher === undefined ? {} : { voucher }),
});

console.log('A voucher of 100 for BTCUSDT, at most 20x, valid for a week.');
apply({ type: 'VoucherGranted', voucher: { kind: 'positionVoucher', id: 'trial-100', amount: '100', expiresAt: start + 7 * 24 * 60 * MINUTE, maxLeverage: '20', symbols: ['BTCUSDT'] } }, start);

console.log('\nAn order at 50x naming the voucher: explain says why it is refused, then step refuses it.');
process.stdout.write(formatExplanation(explain(state, decode(open('try-50x', '50', 'trial-100'), start + MINUTE))));
apply(open('try-50x', '50', 'trial-100'), start + MINUTE);

console.log('\nAt 15x "auto" (the default) takes it: the order needs 0.02 x 60000 / 15 = 80 of margin, and the voucher commits all its 100.');
apply(open('btc-15x', '15'), start + 2 * MINUTE);
apply({ type: 'OrderFilled', orderId: 'btc-15x', qty: '0.02', price: '60000', fee: '0.48' }, start + 2 * MINUTE);

console.log('\nFunding and the closing fee come out of the voucher margin; the profit of 30 is credited to own funds.');
apply({ type: 'FundingSettled', symbol: 'BTCUSDT', positionSide: 'long', amount: '0.12' }, start + 60 * MINUTE);
apply({ type: 'OrderPlaced', orderId: 'btc-close', symbol: 'BTCUSDT', positionSide: 'long', action: 'close', qty: '0.02', price: '61500', leverage: '15', marginMode: 'isolated', source: 'main' }, start + 90 * MINUTE);
const close = { type: 'OrderFilled', orderId: 'btc-close', qty: '0.02', price: '61500', fee: '0.492' };
process.stdout.write(formatExplanation(explain(state, decode(close, start + 90 * MINUTE))));
apply(close, start + 90 * MINUTE);

const voucher = state.positionVouchers[0];
console.log(`\nown balance ${state.ownBalance} (200 + 30 of profit); voucher ${voucher.id} ${voucher.status}`);
