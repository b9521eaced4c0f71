// A short trading session through all three instruments, replayed and printed as a timeline.
// Run it with `npm run example` (it builds the package first and imports it by its own name).
import { readFileSync } from 'node:fs';
import { replayJson, formatDecodeError } from 'futures-vouchers';

const file = new URL('./session.json', import.meta.url);
const result = replayJson(JSON.parse(readFileSync(file, 'utf8')));
if (result._tag === 'Left') {
  for (const error of result.left) console.error(formatDecodeError(error));
  process.exit(2);
}

const { effects, state } = result.right;
const describe = (e) => {
  switch (e.type) {
    case 'CostSettled': {
      const bonus = e.fromBonus.map((b) => `${b.amount} from bonus ${b.bonusId}`);
      const parts = [
        e.fromVoucher !== '0' && `${e.fromVoucher} from voucher margin`,
        e.fromOwnMargin !== '0' && `${e.fromOwnMargin} from own margin`,
        ...bonus,
        e.fromOwn !== '0' && `${e.fromOwn} from own funds`,
        e.deficit !== '0' && `${e.deficit} deficit`,
      ].filter(Boolean);
      return `${e.cause} of ${e.amount} on ${e.symbol} ${e.positionSide}: ${parts.join(', ') || 'nothing to pay'}`;
    }
    case 'Credited': return `${e.cause} of ${e.amount} credited on ${e.symbol} ${e.positionSide}`;
    case 'LossCoverageApplied': return `voucher ${e.voucherId} covers ${e.covered} of the ${e.loss} loss of ${e.orderId}, payable ${new Date(e.payableAt).toISOString()}`;
    case 'LossCompensationPaid': return `${e.amount} paid from the ${e.from} account to the ${e.to} account (voucher ${e.voucherId})`;
    case 'PositionVoucherApplied': return `voucher ${e.voucherId} backs ${e.orderId} with ${e.voucherMargin} (own margin ${e.ownMargin})`;
    case 'VoucherForfeited': return `voucher ${e.voucherId} forfeits its remaining ${e.amount}`;
    case 'BonusReclaimed': return `bonus ${e.bonusIds.join(', ')} reclaimed: ${e.amount} (${e.trigger})`;
    case 'ReclaimDeferred': return `reclaim of ${e.amount} deferred: the margin rate would be ${e.projectedMarginRate ?? 'unbounded'}`;
    case 'EventRejected': return `rejected ${e.code}: ${e.message}`;
    default: return JSON.stringify(Object.fromEntries(Object.entries(e).filter(([k]) => !['type', 'seq', 'at', 'rule'].includes(k))));
  }
};
for (const e of effects) {
  console.log(`${new Date(e.at).toISOString().slice(0, 19)}Z  #${String(e.seq).padStart(2)}  ${e.rule.padEnd(5)} ${e.type.padEnd(22)} ${describe(e)}`);
}
console.log(`\nown balance ${state.ownBalance}; vouchers: ${[...state.lossCoverageVouchers, ...state.positionVouchers, ...state.futuresBonuses].map((v) => `${v.id} ${v.status}`).join(', ')}`);
