// Prints the one summary of `npm run bench` (issue 8): throughput with the ratios to both
// references, the targets met or missed, scaling and memory, from the files the bench run left
// in .cache/bench/ (vitest's JSON output, meta.json from engine.bench.ts, paired.json, memory.json).
//
//   node test/bench/report.mjs [vitest.json] [memory.json] [paired.json]
// The same markdown is written to .cache/bench/report.md (docs/performance.md quotes it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT_DIR } from './bundle.mjs';

const vitestFile = process.argv[2] ?? join(OUT_DIR, 'vitest.json');
const memoryFile = process.argv[3] ?? join(OUT_DIR, 'memory.json');
const read = (file) => JSON.parse(readFileSync(file, 'utf8'));
const results = read(vitestFile);
const meta = read(join(OUT_DIR, 'meta.json'));
const memory = existsSync(memoryFile) ? read(memoryFile) : undefined;
const pairedFile = process.argv[4] ?? join(OUT_DIR, 'paired.json');
const paired = existsSync(pairedFile) ? read(pairedFile) : undefined;

/** Median milliseconds per iteration, by group name and bench name. */
const median = new Map();
for (const file of results.files) {
  for (const group of file.groups) {
    const name = group.fullName.split(' > ').slice(1).join(' > ');
    for (const b of group.benchmarks) median.set(`${name}|${b.name}`, b.median);
  }
}
const perSecond = (group, bench, events) => {
  const ms = median.get(`${group}|${bench}`);
  return ms === undefined ? undefined : (events * 1000) / ms;
};
const lines = [];
const out = (s = '') => lines.push(s);
const int = (n) => (n === undefined ? 'n/a' : Math.round(n).toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : a / b >= 10 ? `${(a / b).toFixed(1)}x` : `${(a / b).toFixed(2)}x`);
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

out(`## Throughput (median of each bench, all measured in one run${meta.quick ? '; QUICK run: 2 iterations, figures are not meaningful' : ''})`);
out();
out('| scenario | events/iteration | engine events/s | number reference events/s | json-rules-engine events/s | engine / number reference | engine / json-rules-engine |');
out('|---|---:|---:|---:|---:|---:|---:|');
const rows = {};
for (const scenario of ['typical', 'heavy', 'guard', 'json lines']) {
  const events = meta.events[scenario];
  const row = {
    engine: perSecond(scenario, 'engine', events),
    number: perSecond(scenario, 'number reference', events),
    rules: perSecond(scenario, 'json-rules-engine', events),
  };
  rows[scenario] = row;
  const label = { typical: '(a) typical account', heavy: '(b) heavy account (100 vouchers, 50 positions)', guard: '(c) guard-heavy (margin rate near 0.95)', 'json lines': '(d) JSON lines: parse + decodeEvent + step' }[scenario];
  out(`| ${label} | ${events} | ${int(row.engine)} | ${int(row.number)} | ${int(row.rules)} | ${ratio(row.engine, row.number)} | ${ratio(row.engine, row.rules)} |`);
}
const parse = perSecond('json lines parts', 'JSON.parse', meta.events['json lines']);
const parseDecode = perSecond('json lines parts', 'JSON.parse + decodeEvent', meta.events['json lines']);
out();
out(`JSON lines, parts: JSON.parse alone ${int(parse)} events/s; JSON.parse + decodeEvent ${int(parseDecode)} events/s` +
  (parseDecode && rows['json lines'].engine ? ` (decoding is ${((100 * rows['json lines'].engine) / parseDecode).toFixed(0)}% of the decode + step time).` : '.'));

const scales = ['n=1', 'n=10', 'n=100', 'n=1000'];
const usPerEvent = (bench, n) => {
  const ms = median.get(`scaling|${bench} ${n}`);
  return ms === undefined ? undefined : (ms * 1000) / meta.events[n];
};
if (paired !== undefined) {
  out();
  out(`## Paired ratios (${paired.rounds} rounds: each round times the engine, the number reference and json-rules-engine back to back; median over rounds)`);
  out();
  out('On a shared machine the sequential tinybench blocks above see different load; these ratios are taken within each round.');
  out();
  out('| scenario | engine events/s | number reference events/s | json-rules-engine events/s | engine / number reference | engine / json-rules-engine |');
  out('|---|---:|---:|---:|---:|---:|');
  for (const scenario of ['typical', 'heavy', 'guard', 'json lines']) {
    const p = paired[scenario];
    out(`| ${scenario} | ${int(p.engineEventsPerSecond)} | ${int(p.numberEventsPerSecond)} | ${int(p.rulesEventsPerSecond)} | ${p.engineOverNumber.toFixed(3)}x | ${p.engineOverRules.toFixed(2)}x |`);
  }
}
out();
out(`## Targets${meta.quick ? ' (QUICK run: the figures are not meaningful)' : ''}`);
out();
const typical = rows['typical'];
const json = rows['json lines'];
const flat = usPerEvent('engine', 'n=100') / usPerEvent('engine', 'n=1');
const pt = paired?.['typical'];
const pj = paired?.['json lines'];
const pflat = paired?.scaling['n=100 vs n=1'];
const pctOf = (x) => `${(100 * x).toFixed(1)}%`;
const targets = [
  ['step, typical account >= 500,000 events/s', typical.engine >= 500_000, `${int(typical.engine)} events/s`, pt && `${int(pt.engineEventsPerSecond)} events/s`],
  ['step, typical account >= 10% of the number reference', typical.engine >= 0.1 * typical.number, pctOf(typical.engine / typical.number), pt && pctOf(pt.engineOverNumber)],
  ['decode + step from JSON lines >= 150,000 events/s', json.engine >= 150_000, `${int(json.engine)} events/s`, pj && `${int(pj.engineEventsPerSecond)} events/s`],
  ['decode + step from JSON lines >= 5x json-rules-engine', json.engine >= 5 * json.rules, ratio(json.engine, json.rules), pj && `${pj.engineOverRules.toFixed(2)}x`],
  ['per-event cost within 2x from 1 to 100 vouchers/positions', flat <= 2, `${flat.toFixed(1)}x`, pflat && `${pflat.toFixed(1)}x`],
  ['typical state JSON < 4 KiB (after 200 events)', meta.stateBytes.typicalAfter200 < 4096, kib(meta.stateBytes.typicalAfter200), ''],
  ['typical state JSON < 4 KiB (after 2,000 events)', meta.stateBytes.typicalAfter2000 < 4096, kib(meta.stateBytes.typicalAfter2000), ''],
];
out('| target | measured (tinybench median) | paired | |');
out('|---|---:|---:|---|');
for (const [name, met, measured, pairedValue] of targets) out(`| ${name} | ${measured} | ${pairedValue ?? 'n/a'} | ${met ? 'met' : '**missed**'} |`);

out();
out('## Scaling: per-event time as vouchers and positions grow (n vouchers and n positions)');
out();
out('| n | engine us/event | vs n=1 | vs n=1, paired | number reference us/event | vs n=1 | engine / number reference | state JSON at start | state JSON at end |');
out('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const n of scales) {
  const e = usPerEvent('engine', n);
  if (e === undefined) continue;
  const r = usPerEvent('number reference', n);
  const bytes = meta.stateBytes.scaling[n];
  const p = paired?.scaling[`${n} vs n=1`];
  out(`| ${n.slice(2)} | ${e.toFixed(2)} | ${(e / usPerEvent('engine', 'n=1')).toFixed(1)}x | ${p === undefined ? 'n/a' : `${p.toFixed(1)}x`} | ${r?.toFixed(3)} | ${(r / usPerEvent('number reference', 'n=1')).toFixed(1)}x | ${ratio(r, e)} | ${kib(bytes.start)} | ${kib(bytes.end)} |`);
}

if (memory !== undefined) {
  out();
  out(`## Memory${memory.quick ? ' (QUICK run)' : ''}`);
  out();
  out(`Retained heap per account state: ${memory.copies.toLocaleString('en-US')} copies of the typical account's state (JSON.parse of its JSON, as loaded from a store), heap delta after a full GC.`);
  out();
  out('| typical state after | state JSON | heap per state |');
  out('|---:|---:|---:|');
  for (const s of memory.states) out(`| ${s.events.toLocaleString('en-US')} events | ${s.jsonBytes.toLocaleString('en-US')} B | ${s.heapBytesPerState.toLocaleString('en-US')} B |`);
  out();
  out(`Heap growth over a ${memory.replay.events.toLocaleString('en-US')}-event replay (heapUsed after a full GC, less the heap before the replay).`);
  out();
  out('| events | trading only: heap | state JSON | typical with grants: heap | state JSON | vouchers held | seconds so far (trading only / with grants) |');
  out('|---:|---:|---:|---:|---:|---:|---:|');
  memory.replay.withGrants.forEach((g, i) => {
    const t = memory.replay.tradingOnly[i];
    const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;
    out(`| ${g.events.toLocaleString('en-US')} | ${mb(t.heapUsed)} | ${kib(t.stateJsonBytes)} | ${mb(g.heapUsed)} | ${kib(g.stateJsonBytes)} | ${g.vouchers.toLocaleString('en-US')} | ${t.seconds.toFixed(1)} / ${g.seconds.toFixed(1)} |`);
  });
}

const text = lines.join('\n') + '\n';
writeFileSync(join(OUT_DIR, meta.quick ? 'report-quick.md' : 'report.md'), text);
process.stdout.write('\n' + text);
