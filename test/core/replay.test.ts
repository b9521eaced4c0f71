/**
 * Scenario files and event logs (section 7, D-25): decoded whole before anything is applied, then
 * replayed from a new account (clock 0, last seq 0) through `step`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createAccount,
  decodeEventLog,
  decodeScenario,
  formatDecodeError,
  replay,
  replayEvents,
  replayJson,
  step,
  type Decoded,
  type Effect,
  type Scenario,
} from '../../src/index';
import { rejected } from './support';

const root = join(__dirname, '..', '..');
const session: unknown = JSON.parse(readFileSync(join(root, 'examples', 'session.json'), 'utf8'));
const ACCOUNT = { accountId: 'acc', accountType: 'main', positionMode: 'hedge', ownBalance: '100' } as const;

function right<A>(decoded: Decoded<A>): A {
  if (decoded._tag === 'Left') throw new Error(decoded.left.map(formatDecodeError).join('\n'));
  return decoded.right;
}

function errorsOf<A>(decoded: Decoded<A>): string[] {
  if (decoded._tag === 'Right') throw new Error('expected a decode error');
  return decoded.left.map(formatDecodeError);
}

describe('section 7 replay', () => {
  it('replayJson, replay(decodeScenario) and replayEvents agree on the example session', () => {
    const viaJson = right(replayJson(session));
    const scenario = right(decodeScenario(session));
    expect(replay(scenario)).toEqual(viaJson);
    expect(replayEvents(scenario.account, scenario.policy, scenario.events)).toEqual(viaJson);
    expect(viaJson.effects.length).toBeGreaterThan(10);
    expect(viaJson.state.lastSeq).toBe(17);
  });

  it('replay is stepping a new account event by event, effects concatenated in order', () => {
    const scenario = right(decodeScenario(session));
    let state = createAccount(scenario.account, scenario.policy);
    const effects: Effect[] = [];
    for (const event of scenario.events) {
      const result = step(state, event);
      state = result.state;
      effects.push(...result.effects);
    }
    expect(replay(scenario)).toEqual({ effects, state });
  });

  it('a new account starts at clock 0 and seq 0: an event at 0 with seq 1 applies, one before 0 is OUT_OF_ORDER', () => {
    const result = right(
      replayJson({
        account: ACCOUNT,
        events: [
          { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '1' },
          { type: 'FundsTransferred', seq: 2, at: -1, direction: 'in', amount: '1' },
        ],
      }),
    );
    expect(result.effects).toEqual([rejected(2, -1, 'OUT_OF_ORDER', 'G-4')]);
    expect(result.state).toMatchObject({ ownBalance: '101', clock: 0, lastSeq: 2 });
  });

  it('the policy is resolved and fixed in the state (A-2, A-3)', () => {
    const result = right(replayJson({ policy: { scale: 4, spillover: true }, account: ACCOUNT, events: [] }));
    expect(result).toEqual({
      effects: [],
      state: createAccount(ACCOUNT, { scale: 4, spillover: true }),
    });
    expect(result.state.policy).toEqual({
      scale: 4, minLoss: '1', spillover: true, reclaimGuard: true, reclaimGuardRate: '0.95', liquidationRate: '1', defaultMmr: '0.005', instruments: {},
    });
  });

  it('D-25: a file with a bad part applies nothing and reports every error with its path', () => {
    const events = [
      { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '1' },
      { type: 'FundsTransferred', seq: 2, at: 0, direction: 'in', amount: 5 },
      { type: 'Explode', seq: 3, at: 0 },
      { type: 'OrderFilled', seq: 4, at: 0, orderId: 'o', qty: '1', price: '1' },
    ];
    const errors = errorsOf(replayJson({ account: { ...ACCOUNT, positionMode: 'both' }, events }));
    expect(errors).toEqual([
      'account.positionMode: expected one of "hedge" | "oneWay", got "both"',
      'events[1].amount: expected a decimal string greater than 0, got number 5',
      expect.stringMatching(/^events\[2\]\.type: expected one of /),
      'events[3].fee: expected a decimal string of 0 or more, got nothing',
    ]);
  });

  it('examples/session.json is test/scenarios/worked-session.json, whose effects scenarios.test.ts checks by hand', () => {
    const scenario: unknown = JSON.parse(readFileSync(join(root, 'test', 'scenarios', 'worked-session.json'), 'utf8'));
    expect(scenario).toEqual(session);
  });
});

describe('D-25 NDJSON event logs', () => {
  const lines = [
    '{"type":"FundsTransferred","seq":1,"at":0,"direction":"in","amount":"1.5"}',
    '',
    '   ',
    '{"type":"Tick","seq":2,"at":10}',
    '\t',
  ];

  it('blank lines (empty, spaces, tabs, a trailing newline, CRLF) are skipped', () => {
    const expected: Scenario = {
      account: ACCOUNT,
      events: [
        { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '1.5' },
        { type: 'Tick', seq: 2, at: 10 },
      ],
    };
    expect(right(decodeEventLog(`${lines.join('\n')}\n`, ACCOUNT))).toEqual(expected);
    expect(right(decodeEventLog(lines.join('\r\n'), ACCOUNT))).toEqual(expected);
    expect(right(decodeEventLog('', ACCOUNT))).toEqual({ account: ACCOUNT, events: [] });
  });

  it('a log replays like the same events in a scenario file', () => {
    const policy = { scale: 2, instruments: { BTCUSDT: { mmr: '0.004' } } };
    const fromLog = right(decodeEventLog(lines.join('\n'), ACCOUNT, policy));
    expect(fromLog.policy).toEqual(policy);
    const fromFile = right(decodeScenario({ policy, account: ACCOUNT, events: [JSON.parse(lines[0] as string), JSON.parse(lines[3] as string)] }));
    expect(replay(fromLog)).toEqual(replay(fromFile));
  });

  it('errors name the line (blank lines counted), and the account and policy by their own paths', () => {
    const log = ['{"type":"Tick","seq":1,"at":0}', '', '{"type":"FundsTransferred","seq":2,"at":0,"direction":"in","amount":1}', 'not json', '{"type":"Nope","seq":3,"at":0}'].join('\n');
    expect(errorsOf(decodeEventLog(log, { ...ACCOUNT, ownBalance: 1 }, { liquidationRate: '0' }))).toEqual([
      'policy.liquidationRate: expected a decimal string greater than 0, got "0"',
      'account.ownBalance: expected a decimal string, got number 1',
      'line 3.amount: expected a decimal string greater than 0, got number 1',
      'line 4: expected a JSON event, got text that is not JSON',
      expect.stringMatching(/^line 5\.type: expected one of /),
    ]);
  });

  it('the policy scale governs the lines', () => {
    const log = '{"type":"FundsTransferred","seq":1,"at":0,"direction":"in","amount":"0.001"}';
    expect(decodeEventLog(log, ACCOUNT)._tag).toBe('Right');
    expect(errorsOf(decodeEventLog(log, ACCOUNT, { scale: 2 }))).toEqual(['line 1.amount: expected at most 2 decimals, got "0.001"']);
  });

  it('a missing account is an error', () => {
    expect(errorsOf(decodeEventLog('', undefined))).toEqual([expect.stringMatching(/^account: /)]);
  });
});
