// A short trading session through all three instruments, replayed and printed as a timeline.
// Run it with `npm run example` (it builds the package first and imports it by its own name).
import { readFileSync } from 'node:fs';
import { replayJson, formatDecodeError, describeEffect, voucherStatuses } from 'futures-vouchers';

const file = new URL('./session.json', import.meta.url);
const result = replayJson(JSON.parse(readFileSync(file, 'utf8')));
if (result._tag === 'Left') {
  for (const error of result.left) console.error(formatDecodeError(error));
  process.exit(2);
}

const { effects, state } = result.right;
for (const e of effects) {
  console.log(`${new Date(e.at).toISOString().slice(0, 19)}Z  #${String(e.seq).padStart(2)}  ${e.rule.padEnd(5)} ${e.type.padEnd(22)} ${describeEffect(e)}`);
}
console.log(`\nown balance ${state.ownBalance}; vouchers: ${voucherStatuses(state).map((v) => `${v.id} ${v.status}`).join(', ')}`);
