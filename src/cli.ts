/**
 * The command-line entry, the only module allowed Node built-ins.
 *
 *   futures-vouchers replay FILE [--format json|table]            a JSON scenario (section 7)
 *   futures-vouchers replay FILE.ndjson --account A [--policy P]    an NDJSON event log
 *   futures-vouchers explain FILE --seq N [--format text|json]      explain event N of a scenario
 *
 * `replay` prints `{ "effects": [...], "state": {...} }`, or with `--format table` a timeline for
 * people (colours only on a terminal, and never when NO_COLOR is set). `explain` replays the
 * events before the one whose `seq` is N, then explains that one without applying it.
 * Exit status 0 on success, 2 when the input does not decode (the errors go to stderr, one per
 * line), 1 on a usage or file error.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeEventLog, decodeScenario, replay, replayEvents, type Scenario } from './replay';
import { formatDecodeError, type Decoded } from './core/codec';
import { explain } from './explain/explain';
import { formatExplanation } from './explain/format';
import { colourWanted, formatTimeline, timeline } from './explain/timeline';

const USAGE = `usage:
  futures-vouchers replay FILE [--format json|table]      replay a JSON scenario file
  futures-vouchers replay FILE --account A [--policy P]    replay an NDJSON event log;
                                                           A and P are a JSON file path or inline JSON
  futures-vouchers explain FILE --seq N [--format text|json]
                                                           explain what event N does to every voucher
                                                           and bonus, and why (FILE as for replay)`;

class UsageError extends Error {}

interface Options {
  readonly command: string;
  readonly file: string;
  readonly flags: ReadonlyMap<string, string>;
}

const FLAGS: Readonly<Record<string, readonly string[]>> = {
  replay: ['account', 'policy', 'format'],
  explain: ['account', 'policy', 'format', 'seq'],
};

const FORMATS: Readonly<Record<string, readonly string[]>> = {
  replay: ['json', 'table'],
  explain: ['text', 'json'],
};

function parseArgs(argv: readonly string[]): Options {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      i++;
    } else positional.push(arg);
  }
  const [command, file, extra] = positional;
  if (command === undefined || file === undefined) throw new UsageError('a command and a file are needed');
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  const allowed = FLAGS[command];
  if (allowed === undefined) throw new UsageError(`unknown command ${command}`);
  for (const flag of flags.keys()) if (!allowed.includes(flag)) throw new UsageError(`${command} takes no --${flag}`);
  const format = flags.get('format');
  const formats = FORMATS[command] ?? [];
  if (format !== undefined && !formats.includes(format)) throw new UsageError(`--format is one of ${formats.join(', ')}`);
  if (command === 'explain') seqOf(flags);
  return { command, file, flags };
}

/** `--account` and `--policy` take inline JSON or a path to a JSON file (D-25). */
function jsonArgument(name: string, value: string): unknown {
  const text = value.trimStart().startsWith('{') ? value : readFileSync(value, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--${name} is neither inline JSON nor a JSON file`);
  }
}

function load(options: Options): Decoded<Scenario> {
  const text = readFileSync(options.file, 'utf8');
  const account = options.flags.get('account');
  if (account !== undefined) {
    const policy = options.flags.get('policy');
    return decodeEventLog(text, jsonArgument('account', account), policy === undefined ? undefined : jsonArgument('policy', policy));
  }
  if (options.flags.has('policy')) throw new UsageError('--policy goes with --account (an NDJSON event log)');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { _tag: 'Left', left: [{ path: '(root)', message: 'expected a JSON scenario, got text that is not JSON' }] };
  }
  return decodeScenario(json);
}

function seqOf(flags: ReadonlyMap<string, string>): number {
  const text = flags.get('seq');
  if (text === undefined) throw new UsageError('explain needs --seq N, the seq of the event to explain');
  const seq = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seq)) throw new UsageError(`--seq takes an event's seq, got ${text}`);
  return seq;
}

function explainCommand(options: Options, scenario: Scenario): string {
  const seq = seqOf(options.flags);
  const index = scenario.events.findIndex((event) => event.seq === seq);
  const event = scenario.events[index];
  if (event === undefined) throw new UsageError(`${options.file} has no event with seq ${seq}`);
  const { state } = replayEvents(scenario.account, scenario.policy, scenario.events.slice(0, index));
  const explanation = explain(state, event);
  return options.flags.get('format') === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation);
}

function run(options: Options, scenario: Scenario): string {
  if (options.command === 'explain') return explainCommand(options, scenario);
  if (options.flags.get('format') === 'table') return formatTimeline(timeline(scenario), { colour: colourWanted(process.stdout.isTTY === true, process.env['NO_COLOR']) });
  return `${JSON.stringify(replay(scenario), null, 2)}\n`;
}

export function main(argv: readonly string[]): number {
  try {
    const options = parseArgs(argv);
    const decoded = load(options);
    if (decoded._tag === 'Left') {
      for (const error of decoded.left) process.stderr.write(`${formatDecodeError(error)}\n`);
      return 2;
    }
    process.stdout.write(run(options, decoded.right));
    return 0;
  } catch (error) {
    const usage = error instanceof UsageError ? `\n${USAGE}` : '';
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}${usage}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
