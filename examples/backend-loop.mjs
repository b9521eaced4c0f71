// How an exchange backend runs the engine: one state per account, kept as JSON between events;
// events fed in order per account; every effect routed to the system that acts on it.
//
//   npm run build && node examples/backend-loop.mjs
//
// The event log (backend-events.ndjson) holds the events of several accounts, interleaved, each
// line `{ "accountId", "event" }`, as a stream processor would deliver them. It includes a
// redelivered fill (ignored: G-5) and a malformed event (a JSON number as an amount: a decode
// error, sent to a dead-letter queue; its corrected redelivery then applies).
import { readFileSync } from 'node:fs';
import { createAccount, decodeEvent, decodeState, describeEffect, encodeState, formatDecodeError, step, voucherStatuses } from 'futures-vouchers';

const accounts = JSON.parse(readFileSync(new URL('./backend-accounts.json', import.meta.url), 'utf8'));
const lines = readFileSync(new URL('./backend-events.ndjson', import.meta.url), 'utf8').split('\n').filter((line) => line.trim() !== '');

// Scaling out: the stream is partitioned by account id, so each account's events stay in order
// on one partition, and partitions are processed independently (by different consumers, on
// different machines). A stable hash of the account id picks the partition.
const PARTITIONS = 2;
function partitionOf(accountId) {
  let hash = 2166136261; // FNV-1a
  for (const char of accountId) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash % PARTITIONS;
}
const partitions = Array.from({ length: PARTITIONS }, () => []);
for (const line of lines) {
  const record = JSON.parse(line);
  partitions[partitionOf(record.accountId)].push(record);
}

// The state store: one row per account holding the state as JSON (a database table, a key-value
// store, the stream processor's own state store). The state carries the account's policy, its
// clock and the last seq applied, so nothing else is needed to apply the next event.
const store = new Map();
function load(accountId) {
  const row = store.get(accountId);
  if (row === undefined) {
    const { account, policy } = accounts[accountId];
    return createAccount(account, policy);
  }
  const decoded = decodeState(JSON.parse(row));
  if (decoded._tag === 'Left') throw new Error(`corrupt state for ${accountId}: ${decoded.left.map(formatDecodeError).join('; ')}`);
  return decoded.right;
}

// Where each effect goes. In production the new state and these messages are written in one
// transaction (an outbox table), so a crash never applies an event without its effects or
// sends effects twice; a redelivered event is then ignored by the engine itself (G-5).
const outbox = [];
const deadLetters = [];
function route(accountId, effect) {
  const to = (queue, what) => outbox.push({ queue, accountId, seq: effect.seq, rule: effect.rule, what });
  switch (effect.type) {
    case 'CostSettled':
    case 'Credited':
    case 'PositionVoucherApplied':
    case 'VoucherForfeited':
    case 'BonusReclaimed':
    case 'ProfitClawedBack':
      return to('ledger', describeEffect(effect)); // moves inside the futures wallet: book the postings
    case 'LossCompensationPaid':
      return to('payments', describeEffect(effect)); // campaign account -> the user's spot wallet
    case 'VoucherActivated':
    case 'LossCoverageApplied':
    case 'VoucherExpired':
    case 'VoucherRevoked':
    case 'CompensationCancelled':
    case 'ReclaimDeferred':
      return to('notifications', describeEffect(effect)); // tell the user, show it in the app
    case 'LiquidationThresholdReached':
      return to('risk', describeEffect(effect)); // liquidating is the exchange's job (M-3)
    case 'EventRejected':
      return to('replies', describeEffect(effect)); // answer the service that sent the event
    case 'EventIgnored':
      return to('log', describeEffect(effect)); // a redelivery: nothing to do
    default:
      throw new Error(`unrouted effect ${effect.type}`);
  }
}

function consume(partition, record) {
  const state = load(record.accountId);
  // Events are decoded against the account's own scale (D-25); a malformed one changes nothing.
  const event = decodeEvent(record.event, state.policy.scale);
  if (event._tag === 'Left') {
    deadLetters.push({ partition, accountId: record.accountId, errors: event.left.map(formatDecodeError) });
    console.log(`[p${partition}] ${record.accountId.padEnd(5)} dead letter: ${event.left.map(formatDecodeError).join('; ')}`);
    return;
  }
  const result = step(state, event.right);
  store.set(record.accountId, JSON.stringify(encodeState(result.state)));
  console.log(`[p${partition}] ${record.accountId.padEnd(5)} #${event.right.seq} ${event.right.type}: ${result.effects.length} effect(s)`);
  for (const effect of result.effects) route(record.accountId, effect);
}

// Each partition's consumer works through its own queue, in order. Here they take turns.
const cursors = partitions.map(() => 0);
while (partitions.some((queue, p) => cursors[p] < queue.length)) {
  partitions.forEach((queue, p) => {
    if (cursors[p] < queue.length) consume(p, queue[cursors[p]++]);
  });
}

console.log('\noutbox, by queue:');
for (const queue of ['ledger', 'payments', 'notifications', 'risk', 'replies', 'log']) {
  for (const message of outbox.filter((m) => m.queue === queue)) {
    console.log(`  ${queue.padEnd(13)} ${message.accountId.padEnd(5)} #${message.seq} ${message.rule.padEnd(6)} ${message.what}`);
  }
}
console.log(`\ndead letters: ${deadLetters.length}`);
console.log('\nstored states:');
for (const [accountId, row] of [...store].sort(([a], [b]) => a.localeCompare(b))) {
  const state = JSON.parse(row);
  const vouchers = voucherStatuses(state).map((v) => `${v.id} ${v.status}`);
  console.log(`  ${accountId.padEnd(5)} last seq ${state.lastSeq}, own ${state.ownBalance}, ${vouchers.join(', ')} (${row.length} bytes of JSON)`);
}
