/**
 * The command-line entry, the only module allowed Node built-ins.
 *
 *   futures-vouchers replay FILE                              a JSON scenario (section 7)
 *   futures-vouchers replay FILE.ndjson --account A [--policy P]   an NDJSON event log
 *
 * Prints `{ "effects": [...], "state": {...} }`. Exit status 0 on success, 2 when the input does
 * not decode (the errors go to stderr, one per line), 1 on a usage or file error.
 */
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeEventLog, decodeScenario, replay, type ReplayResult } from './replay';
import { formatDecodeError, type Decoded } from './core/codec';

const USAGE = `usage:
  futures-vouchers replay FILE                         replay a JSON scenario file
  futures-vouchers replay FILE --account A [--policy P]  replay an NDJSON event log;
                                                       A and P are a JSON file path or inline JSON`;

class UsageError extends Error {}

interface Options {
  readonly command: string;
  readonly file: string;
  readonly flags: ReadonlyMap<string, string>;
}

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
  const [command, file] = positional;
  if (command === undefined || file === undefined) throw new UsageError('a command and a file are needed');
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

function load(options: Options): Decoded<ReplayInput> {
  const text = readFileSync(options.file, 'utf8');
  const account = options.flags.get('account');
  if (account !== undefined) {
    const policy = options.flags.get('policy');
    return decodeEventLog(text, jsonArgument('account', account), policy === undefined ? undefined : jsonArgument('policy', policy));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { _tag: 'Left', left: [{ path: '(root)', message: 'expected a JSON scenario, got text that is not JSON' }] };
  }
  return decodeScenario(json);
}

type ReplayInput = Parameters<typeof replay>[0];

export function main(argv: readonly string[]): number {
  let options: Options;
  try {
    options = parseArgs(argv);
    if (options.command !== 'replay') throw new UsageError(`unknown command ${options.command}`);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 1;
  }
  let decoded: Decoded<ReplayInput>;
  try {
    decoded = load(options);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  if (decoded._tag === 'Left') {
    for (const error of decoded.left) process.stderr.write(`${formatDecodeError(error)}\n`);
    return 2;
  }
  const result: ReplayResult = replay(decoded.right);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
