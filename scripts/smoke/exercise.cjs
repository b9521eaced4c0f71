// Used by scripts/smoke-pack.sh from inside the scratch project where the packed tarball is installed.
// Loads every subpath of the installed package's `exports` through the loader it is given (import() from
// import.mjs, require() from require.cjs), then drives the engine through the root entry. The same code runs
// for both formats, so the two reports must come out identical.
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

// An opening order and its fill: the fill must settle its 0.3 fee from own funds (P-6).
const EVENTS = [
  { seq: 1, at: 1767607200000, type: 'OrderPlaced', orderId: 'o1', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '0.01', price: '60000', leverage: '10', marginMode: 'cross', source: 'main' },
  { seq: 2, at: 1767607201000, type: 'OrderFilled', orderId: 'o1', qty: '0.01', price: '60000', fee: '0.3' },
];

function drive({ createAccount, decodeEvent, step }) {
  let state = createAccount({ accountId: 'smoke', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' });
  const effects = [];
  for (const json of EVENTS) {
    const event = decodeEvent(json, state.policy.scale);
    if (event._tag !== 'Right') throw new Error(`decodeEvent rejected ${JSON.stringify(json)}: ${JSON.stringify(event.left)}`);
    const result = step(state, event.right);
    state = result.state;
    effects.push(...result.effects);
  }
  const fee = effects.find((e) => e.type === 'CostSettled' && e.cause === 'fee');
  if (fee === undefined || fee.amount !== '0.3' || state.ownBalance !== '999.7') {
    throw new Error(`the fill did not settle its fee: ${JSON.stringify({ effects, ownBalance: state.ownBalance })}`);
  }
  const malformed = decodeEvent({ ...EVENTS[1], qty: 0.01 }, state.policy.scale);
  if (malformed._tag !== 'Left') throw new Error('decodeEvent accepted a number where a decimal string is required');
  return { effects, ownBalance: state.ownBalance, decodeError: malformed.left };
}

module.exports = async function exercise(name, load) {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, 'node_modules', name, 'package.json'), 'utf8'));
  const report = { exports: {} };
  for (const key of Object.keys(manifest.exports ?? { '.': null })) {
    if (key === './package.json') continue;
    if (key.includes('*')) throw new Error(`exports["${key}"] is a pattern: teach scripts/smoke/exercise.cjs its subpaths`);
    const specifier = key === '.' ? name : `${name}${key.slice(1)}`;
    const mod = await load(specifier);
    const names = Object.keys(mod).filter((n) => n !== 'default' && n !== '__esModule').sort();
    if (names.length === 0) throw new Error(`${specifier} has no named exports`);
    const missing = names.filter((n) => mod[n] === undefined);
    if (missing.length > 0) throw new Error(`${specifier} exports undefined values: ${missing.join(', ')}`);
    report.exports[key] = names;
  }
  report.engine = drive(await load(name));
  return report;
};
