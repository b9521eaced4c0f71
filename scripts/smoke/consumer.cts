// A TypeScript CommonJS consumer (module nodenext): resolves the `require` condition and index.d.cts.
import fv = require('futures-vouchers');

let state: fv.AccountState = fv.createAccount({ accountId: 'alice', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' });
const decoded = fv.decodeEvent({ seq: 1, at: 0, type: 'Tick' }, state.policy.scale);
if (decoded._tag === 'Right') state = fv.step(state, decoded.right).state;
export = state.lastSeq;
