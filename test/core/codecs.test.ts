/**
 * Codecs and decode errors (G-2, A-2, A-4, D-1, D-2, D-25, D-26): every malformed input is a
 * decode error value naming the bad field by its path; nothing malformed is ever applied.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type * as t from 'io-ts';
import {
  applyJson,
  createAccount,
  decodeEvent,
  decodeScenario,
  decodeState,
  encodeState,
  eventCodec,
  formatDecodeError,
  PolicyInputCodec,
  stateCodec,
  step,
  type AccountState,
  type DecodeError,
  type Decoded,
} from '../../src/index';
import { account, fill, place, run } from '../helpers/dsl';
import { richSession, statesOf } from './support';

function errorsOf<A>(decoded: Decoded<A>): string[] {
  if (decoded._tag === 'Right') throw new Error('expected a decode error');
  return decoded.left.map(formatDecodeError);
}

function pathsOf<A>(decoded: Decoded<A>): string[] {
  if (decoded._tag === 'Right') throw new Error('expected a decode error');
  return decoded.left.map((e: DecodeError) => e.path);
}

const ACCOUNT = { accountId: 'acc', accountType: 'main', positionMode: 'hedge', ownBalance: '100' };

/** One valid event of each type, optional fields included where the event has them. */
const VALID_EVENTS: Record<string, Record<string, unknown>> = {
  VoucherGranted_lossCoverage: { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: '10', expiresAt: 5, minClosingNotional: '0' } },
  VoucherGranted_lossCoverage_minimal: { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: '10' } },
  VoucherGranted_positionVoucher: {
    type: 'VoucherGranted', seq: 1, at: 0,
    voucher: { kind: 'positionVoucher', id: 'P', amount: '10', expiresAt: -3, maxLeverage: '20.5', symbols: [], allowOwnFunds: true },
  },
  VoucherGranted_positionVoucher_minimal: { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'positionVoucher', id: 'P', amount: '10', expiresAt: 5 } },
  VoucherGranted_futuresBonus: { type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'futuresBonus', id: 'F', amount: '10', rate: '1', expiresAt: 5 } },
  OrderPlaced: {
    type: 'OrderPlaced', seq: 2, at: 7, orderId: 'o', symbol: 'BTCUSDT', positionSide: 'short', action: 'close', qty: '1', price: '2',
    leverage: '3', marginMode: 'cross', source: 'gridTrading', feeVoucher: true, voucher: 'none',
  },
  OrderPlaced_minimal: {
    type: 'OrderPlaced', seq: 2, at: 7, orderId: 'o', symbol: 'BTCUSDT', positionSide: 'long', action: 'open', qty: '1', price: '2',
    leverage: '3', marginMode: 'isolated', source: 'main',
  },
  OrderFilled: { type: 'OrderFilled', seq: 3, at: 8, orderId: 'o', qty: '0.5', price: '2', fee: '0' },
  OrderCancelled: { type: 'OrderCancelled', seq: 4, at: 9, orderId: 'o', reason: 'expired' },
  MarkPriceUpdated: { type: 'MarkPriceUpdated', seq: 5, at: 9, symbol: 'BTCUSDT', price: '0.00000001' },
  FundingSettled: { type: 'FundingSettled', seq: 6, at: 9, symbol: 'BTCUSDT', positionSide: 'long', amount: '-1.5' },
  FundsTransferred: { type: 'FundsTransferred', seq: 7, at: 9, direction: 'out', amount: '3' },
  AccountFlagged: { type: 'AccountFlagged', seq: 8, at: 9, reason: 'wash trading' },
  Tick: { type: 'Tick', seq: 9, at: 10 },
};

describe('section 5: every event type decodes', () => {
  it.each(Object.entries(VALID_EVENTS))('%s', (_name, json) => {
    const decoded = decodeEvent(json);
    expect(decoded).toEqual({ _tag: 'Right', right: json });
  });

  it('integer fields take any integer-valued JSON number (D-2): 1e3 is 1000', () => {
    expect(decodeEvent(JSON.parse('{"type":"Tick","seq":1e3,"at":2.0}'))).toEqual({ _tag: 'Right', right: { type: 'Tick', seq: 1000, at: 2 } });
  });
});

describe('G-2 a JSON number where an amount is expected is a decode error that says so', () => {
  it('in a scenario, the error names the event by index and the field', () => {
    const events = [
      { type: 'Tick', seq: 1, at: 0 },
      { type: 'Tick', seq: 2, at: 0 },
      { type: 'Tick', seq: 3, at: 0 },
      { type: 'FundsTransferred', seq: 4, at: 0, direction: 'in', amount: 0.1 },
    ];
    const errors = errorsOf(decodeScenario({ account: ACCOUNT, events }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^events\[3\]\.amount: expected a decimal string.*, got number 0\.1$/);
  });

  it.each([
    ['qty', 1],
    ['price', 2.5],
    ['leverage', 10],
  ])('OrderPlaced.%s as a number is refused at path %s', (field, value) => {
    const decoded = decodeEvent({ ...VALID_EVENTS['OrderPlaced_minimal'], [field]: value });
    expect(errorsOf(decoded)).toEqual([expect.stringMatching(new RegExp(`^${field}: expected a decimal string.*, got number ${value}$`))]);
  });

  it('nested amounts are named by their full path (voucher.amount, events[i].voucher.rate)', () => {
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: 10 } }))).toEqual(['voucher.amount']);
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'positionVoucher', id: 'P', amount: '1', expiresAt: 1, maxLeverage: 5 } }))).toEqual([
      'voucher.maxLeverage',
    ]);
    const scenario = { account: ACCOUNT, events: [{ type: 'Tick', seq: 1, at: 0 }, { type: 'VoucherGranted', seq: 2, at: 0, voucher: { kind: 'futuresBonus', id: 'F', amount: '1', rate: 0.5, expiresAt: 1 } }] };
    expect(errorsOf(decodeScenario(scenario))).toEqual(['events[1].voucher.rate: expected a decimal string in (0, 1], got number 0.5']);
  });

  it('an event with optional fields is named by field, not by codec internals (events[1].qty, not events[1].0.qty)', () => {
    const scenario = { account: ACCOUNT, events: [{ type: 'Tick', seq: 1, at: 0 }, { ...VALID_EVENTS['OrderPlaced_minimal'], qty: '1.5', price: 3 }] };
    expect(pathsOf(decodeScenario(scenario))).toEqual(['events[1].price']);
    expect(pathsOf(decodeEvent({ ...VALID_EVENTS['OrderPlaced_minimal'], feeVoucher: 'yes' }))).toEqual(['feeVoucher']);
  });
});

describe('D-1 decimal syntax and the scale limit', () => {
  it.each(['+1', '.5', '1.', '1e3', 'NaN', '-', '', 'Infinity', ' 1', '1 ', '0x1'])('%j is a decode error', (text) => {
    const errors = errorsOf(decodeEvent({ type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: text }));
    expect(errors).toEqual([`amount: expected a decimal string greater than 0, got ${JSON.stringify(text)}`]);
  });

  it('more decimals than the scale is a decode error; trailing zeros do not count', () => {
    expect(errorsOf(decodeEvent({ ...VALID_EVENTS['OrderFilled'], fee: '0.000000001' }))).toEqual(['fee: expected at most 8 decimals, got "0.000000001"']);
    expect(decodeEvent({ ...VALID_EVENTS['OrderFilled'], fee: '0.100000000000' })._tag).toBe('Right');
    expect(decodeEvent({ ...VALID_EVENTS['OrderFilled'], price: '0.00000001' })._tag).toBe('Right');
  });

  it('the scale applies to every decimal of the events: leverage and rate included', () => {
    expect(pathsOf(decodeEvent({ ...VALID_EVENTS['OrderPlaced_minimal'], leverage: '1.5' }, 0))).toEqual(['leverage']);
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'futuresBonus', id: 'F', amount: '1', rate: '0.125', expiresAt: 1 } }, 2))).toEqual([
      'voucher.rate',
    ]);
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: '1', minClosingNotional: '0.001' } }, 2))).toEqual([
      'voucher.minClosingNotional',
    ]);
    expect(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'futuresBonus', id: 'F', amount: '1', rate: '0.13', expiresAt: 1 } }, 2)._tag).toBe('Right');
  });

  it('"-0" and "007" are valid decimals (D-26): -0 is a zero, not a positive amount', () => {
    expect(decodeEvent({ ...VALID_EVENTS['FundingSettled'], amount: '-0' })._tag).toBe('Right');
    expect(decodeEvent({ ...VALID_EVENTS['OrderFilled'], fee: '-0' })._tag).toBe('Right');
    expect(decodeEvent({ ...VALID_EVENTS['FundsTransferred'], amount: '007' })._tag).toBe('Right');
    expect(pathsOf(decodeEvent({ ...VALID_EVENTS['FundsTransferred'], amount: '-0' }))).toEqual(['amount']);
  });
});

describe('A-4 value ranges are decode errors, not rejections', () => {
  it.each([
    ['OrderPlaced_minimal', 'qty', '0'],
    ['OrderPlaced_minimal', 'price', '-1'],
    ['OrderPlaced_minimal', 'leverage', '0'],
    ['OrderFilled', 'qty', '0'],
    ['OrderFilled', 'price', '0'],
    ['OrderFilled', 'fee', '-0.00000001'],
    ['FundsTransferred', 'amount', '0'],
    ['MarkPriceUpdated', 'price', '0'],
  ])('%s.%s = %s', (name, field, value) => {
    expect(pathsOf(decodeEvent({ ...VALID_EVENTS[name], [field]: value }))).toEqual([field]);
  });

  it('fees may be 0, funding may have either sign or be 0', () => {
    expect(decodeEvent({ ...VALID_EVENTS['OrderFilled'], fee: '0' })._tag).toBe('Right');
    expect(decodeEvent({ ...VALID_EVENTS['FundingSettled'], amount: '0' })._tag).toBe('Right');
    expect(decodeEvent({ ...VALID_EVENTS['FundingSettled'], amount: '2' })._tag).toBe('Right');
  });

  it.each([
    [{ kind: 'lossCoverage', id: 'L', amount: '0' }, 'voucher.amount'],
    [{ kind: 'lossCoverage', id: 'L', amount: '1', minClosingNotional: '-1' }, 'voucher.minClosingNotional'],
    [{ kind: 'positionVoucher', id: 'P', amount: '1', expiresAt: 1, maxLeverage: '0' }, 'voucher.maxLeverage'],
    [{ kind: 'positionVoucher', id: 'P', amount: '1', expiresAt: 1.5 }, 'voucher.expiresAt'],
    [{ kind: 'futuresBonus', id: 'F', amount: '1', rate: '0', expiresAt: 1 }, 'voucher.rate'],
    [{ kind: 'futuresBonus', id: 'F', amount: '1', rate: '1.00000001', expiresAt: 1 }, 'voucher.rate'],
    [{ kind: 'futuresBonus', id: 'F', amount: '1', rate: '-0.5', expiresAt: 1 }, 'voucher.rate'],
    [{ kind: 'futuresBonus', id: '', amount: '1', rate: '0.5', expiresAt: 1 }, 'voucher.id'],
    [{ kind: 'coupon', id: 'X', amount: '1' }, 'voucher.kind'],
  ])('grant %j fails at %s', (voucher, path) => {
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher }))).toEqual([path]);
  });
});

describe('section 5: unknown types, missing fields, integers', () => {
  it('an unknown event type is one clear error on `type`', () => {
    const errors = errorsOf(decodeEvent({ type: 'OrderAmended', seq: 1, at: 0, orderId: 'o', qty: 1 }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^type: expected one of "VoucherGranted" \| .*"Tick", got "OrderAmended"$/);
    expect(pathsOf(decodeScenario({ account: ACCOUNT, events: [{ type: 'Tick', seq: 1, at: 0 }, { seq: 2, at: 0 }] }))).toEqual(['events[1].type']);
  });

  it('something that is not an object is one error', () => {
    expect(errorsOf(decodeEvent('Tick'))).toEqual(['(root): expected an object, got "Tick"']);
    expect(errorsOf(decodeEvent(null))).toHaveLength(1);
    expect(errorsOf(decodeEvent([1]))).toHaveLength(1);
  });

  const required: Record<string, string[]> = {
    OrderPlaced_minimal: ['seq', 'at', 'orderId', 'symbol', 'positionSide', 'action', 'qty', 'price', 'leverage', 'marginMode', 'source'],
    OrderFilled: ['seq', 'at', 'orderId', 'qty', 'price', 'fee'],
    OrderCancelled: ['orderId', 'reason'],
    MarkPriceUpdated: ['symbol', 'price'],
    FundingSettled: ['symbol', 'positionSide', 'amount'],
    FundsTransferred: ['direction', 'amount'],
    AccountFlagged: ['reason'],
    VoucherGranted_futuresBonus: ['voucher'],
  };
  for (const [name, fields] of Object.entries(required)) {
    it.each(fields)(`${name} without %s is an error at that path ("got nothing")`, (field) => {
      const json: Record<string, unknown> = { ...VALID_EVENTS[name] };
      delete json[field];
      const errors = errorsOf(decodeEvent(json));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^${field}: expected .*, got nothing$`));
    });
  }

  it.each(['id', 'amount', 'rate', 'expiresAt'])('a futures bonus grant without %s fails at voucher.%s', (field) => {
    const voucher: Record<string, unknown> = { kind: 'futuresBonus', id: 'F', amount: '1', rate: '0.5', expiresAt: 1 };
    delete voucher[field];
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher }))).toEqual([`voucher.${field}`]);
  });

  it.each([[1.5], [0], [-1], ['1'], [null], [Number.NaN], [Number.POSITIVE_INFINITY]])('seq %j is an error on `seq`', (seq) => {
    expect(pathsOf(decodeEvent({ type: 'Tick', seq, at: 0 }))).toEqual(['seq']);
  });

  it('FV-10: an integer beyond 2^53 - 1 is a decode error (it cannot be told from its neighbours), 2^53 - 1 is fine', () => {
    expect(pathsOf(decodeEvent({ type: 'Tick', seq: 2 ** 53, at: 0 }))).toEqual(['seq']);
    expect(pathsOf(decodeEvent({ type: 'Tick', seq: 1, at: 1e20 }))).toEqual(['at']);
    expect(pathsOf(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'positionVoucher', id: 'P', amount: '1', expiresAt: -(2 ** 60) } }))).toEqual([
      'voucher.expiresAt',
    ]);
    expect(decodeEvent({ type: 'Tick', seq: Number.MAX_SAFE_INTEGER, at: Number.MAX_SAFE_INTEGER })._tag).toBe('Right');
  });

  it.each([[1.5], ['0'], [null]])('at %j is an error on `at`', (at) => {
    expect(pathsOf(decodeEvent({ type: 'Tick', seq: 1, at }))).toEqual(['at']);
  });

  it.each([
    ['positionSide', 'both'],
    ['action', 'reduce'],
    ['marginMode', 'portfolio'],
    ['source', 'api'],
  ])('OrderPlaced.%s %j is not one of its values', (field, value) => {
    expect(errorsOf(decodeEvent({ ...VALID_EVENTS['OrderPlaced_minimal'], [field]: value }))).toEqual([
      expect.stringMatching(new RegExp(`^${field}: expected one of .*, got "${value}"$`)),
    ]);
  });

  it('every bad field of an event is reported, not only the first', () => {
    expect(pathsOf(decodeEvent({ type: 'OrderFilled', seq: 0, at: 0.5, orderId: '', qty: 1, price: '-1', fee: '1e3' }))).toEqual([
      'seq', 'at', 'orderId', 'qty', 'price', 'fee',
    ]);
  });
});

describe('D-2 unknown fields are ignored', () => {
  it('on events, vouchers, the account, the policy and the scenario', () => {
    const event = { ...VALID_EVENTS['OrderFilled'], clientTag: 'x', nested: { a: 1 } };
    expect(decodeEvent(event)._tag).toBe('Right');
    expect(decodeEvent({ type: 'VoucherGranted', seq: 1, at: 0, voucher: { kind: 'lossCoverage', id: 'L', amount: '1', campaign: 'spring' } })._tag).toBe('Right');
    const scenario = {
      comment: 'hand written',
      policy: { scale: 8, unknownKnob: true },
      account: { ...ACCOUNT, vip: 3 },
      events: [{ type: 'Tick', seq: 1, at: 5, source: 'test' }],
    };
    const decoded = decodeScenario(scenario);
    expect(decoded._tag).toBe('Right');
  });

  it('an unknown field changes no decision: the same events with and without extras give the same effects', () => {
    const plain = [place('o1', 'open', '1', '100'), fill('o1', '1', '100', '1')];
    const extra = plain.map((e) => ({ ...e, note: 'extra', fee2: 5 }));
    expect(run(account(), extra).effects).toEqual(run(account(), plain).effects);
  });
});

describe('A-1, D-2, D-25 the scenario account', () => {
  it('ownBalance may have any sign', () => {
    expect(decodeScenario({ account: { ...ACCOUNT, ownBalance: '-12.5' }, events: [] })._tag).toBe('Right');
  });

  it.each([
    ['accountType', 'corporate'],
    ['positionMode', 'twoWay'],
    ['ownBalance', 12],
    ['accountId', ''],
  ])('account.%s %j is an error at account.%s', (field, value) => {
    expect(pathsOf(decodeScenario({ account: { ...ACCOUNT, [field]: value }, events: [] }))).toEqual([`account.${field}`]);
  });

  it('a scenario without events or account reports both', () => {
    expect(pathsOf(decodeScenario({}))).toEqual(['account', 'events']);
    const errors = pathsOf(decodeScenario('x'));
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['(root)']));
  });
});

describe('D-25 the policy scale governs the account and the events', () => {
  it('scale 2: 3-decimal amounts fail in the account and the events', () => {
    const scenario = {
      policy: { scale: 2 },
      account: { ...ACCOUNT, ownBalance: '1.005' },
      events: [
        { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '0.001' },
        { type: 'FundsTransferred', seq: 2, at: 0, direction: 'in', amount: '0.01' },
      ],
    };
    expect(errorsOf(decodeScenario(scenario))).toEqual([
      'account.ownBalance: expected at most 2 decimals, got "1.005"',
      'events[0].amount: expected at most 2 decimals, got "0.001"',
    ]);
  });

  it('scale 0 refuses any fraction; scale 18 accepts 18 decimals', () => {
    const zero = { policy: { scale: 0 }, account: ACCOUNT, events: [{ ...VALID_EVENTS['OrderPlaced_minimal'], seq: 1, qty: '1.5' }] };
    expect(pathsOf(decodeScenario(zero))).toEqual(['events[0].qty']);
    const eighteen = { policy: { scale: 18 }, account: ACCOUNT, events: [{ ...VALID_EVENTS['OrderPlaced_minimal'], seq: 1, qty: '0.000000000000000001' }] };
    expect(decodeScenario(eighteen)._tag).toBe('Right');
  });

  it('the scale limit does not apply to the policy itself (D-1): mmr 0.004 under scale 2', () => {
    const scenario = { policy: { scale: 2, minLoss: '0.5', instruments: { BTCUSDT: { mmr: '0.004' } }, reclaimGuardRate: '0.955' }, account: ACCOUNT, events: [] };
    expect(decodeScenario(scenario)._tag).toBe('Right');
  });

  it('policy decimals are not limited to any number of decimals (D-1: the scale limit is not for the policy)', () => {
    const policy = { minLoss: '0.0000000000000000000001', defaultMmr: '0.0050000000000000000001' };
    expect(PolicyInputCodec.decode(policy)._tag).toBe('Right');
    expect(decodeScenario({ policy, account: ACCOUNT, events: [] })._tag).toBe('Right');
  });

  it('a bad policy field does not hide the errors of the events: both are reported, events against the given scale', () => {
    const scenario = {
      policy: { scale: 2, minLoss: '-1' },
      account: ACCOUNT,
      events: [{ type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '0.001' }],
    };
    expect(pathsOf(decodeScenario(scenario)).sort()).toEqual(['events[0].amount', 'policy.minLoss']);
  });
});

describe('D-26 policy validation', () => {
  it.each([
    [{ scale: 19 }, 'policy.scale'],
    [{ scale: -1 }, 'policy.scale'],
    [{ scale: 1.5 }, 'policy.scale'],
    [{ scale: '8' }, 'policy.scale'],
    [{ minLoss: '-1' }, 'policy.minLoss'],
    [{ minLoss: 1 }, 'policy.minLoss'],
    [{ reclaimGuardRate: '0' }, 'policy.reclaimGuardRate'],
    [{ liquidationRate: '0' }, 'policy.liquidationRate'],
    [{ liquidationRate: 1 }, 'policy.liquidationRate'],
    [{ defaultMmr: '-0.005' }, 'policy.defaultMmr'],
    [{ instruments: { BTCUSDT: { mmr: '0' } } }, 'policy.instruments.BTCUSDT.mmr'],
    [{ instruments: { BTCUSDT: { mmr: 0.004 } } }, 'policy.instruments.BTCUSDT.mmr'],
    [{ instruments: { BTCUSDT: {} } }, 'policy.instruments.BTCUSDT.mmr'],
    [{ spillover: 'yes' }, 'policy.spillover'],
    [{ reclaimGuard: 1 }, 'policy.reclaimGuard'],
  ])('%j fails at %s', (policy, path) => {
    expect(pathsOf(decodeScenario({ policy, account: ACCOUNT, events: [] }))).toEqual([path]);
  });

  it.each([
    [{ scale: 0 }],
    [{ scale: 18 }],
    [{ minLoss: '0' }],
    [{ reclaimGuardRate: '1.5', liquidationRate: '0.00000001', defaultMmr: '1' }],
    [{ instruments: {} }],
    [{}],
  ])('%j is a valid policy', (policy) => {
    expect(decodeScenario({ policy, account: ACCOUNT, events: [] })._tag).toBe('Right');
  });
});

describe('A-2 decode(encode(state)) equals the state', () => {
  const { start: first, events } = richSession();
  const states = statesOf(first, events);

  it('the rich session really fills the state', () => {
    const json = JSON.stringify(states);
    for (const word of ['heldMargin', 'voucherMargin', 'compensations', 'awaitingReclaim', 'fromFeed":true', 'lastFillAt', 'flagged']) {
      expect(json).toContain(word);
    }
    // FV-8: vouchers of every kind are retired along the way, so the round trips cover `retired` too.
    const last = states[states.length - 1] as AccountState;
    expect([last.retired.lossCoverageVouchers.length, last.retired.positionVouchers.length, last.retired.futuresBonuses.length].every((n) => n > 0)).toBe(true);
  });

  it.each(states.map((s, i) => [i, s] as const))('after step %i', (_i, state) => {
    expect(decodeState(encodeState(state))).toEqual({ _tag: 'Right', right: state });
    expect(decodeState(JSON.parse(JSON.stringify(encodeState(state))))).toEqual({ _tag: 'Right', right: state });
  });

  it('a stored state with a bad field is a decode error naming it, against the state policy scale', () => {
    const state = states[states.length - 1] as AccountState;
    const json = JSON.parse(JSON.stringify(encodeState(state))) as Record<string, unknown>;
    expect(pathsOf(decodeState({ ...json, ownBalance: 5 }))).toEqual(['ownBalance']);
    expect(pathsOf(decodeState({ ...json, version: 3 }))).toEqual(['version']);
    expect(pathsOf(decodeState({ ...json, policy: { ...(json['policy'] as object), scale: 20 } }))).toEqual(['policy.scale']);
    const twoDecimals = { ...json, policy: { ...(json['policy'] as object), scale: 2 }, ownBalance: '1.001', positions: [], orders: [] };
    expect(pathsOf(decodeState(twoDecimals))).toContain('ownBalance');
    expect(errorsOf(decodeState(null))).toHaveLength(1);
  });
});

describe('G-1, D-25 a decode failure changes nothing', () => {
  it('applyJson on a malformed event returns Left and leaves the state untouched', () => {
    const state = run(account(), [place('o1', 'open', '1', '100'), fill('o1', '1', '100')]).state;
    const before = JSON.stringify(state);
    const frozen = Object.freeze(state);
    for (const bad of [
      { type: 'OrderFilled', seq: 3, at: 0, orderId: 'o1', qty: 1, price: '1', fee: '0' },
      { type: 'FundsTransferred', seq: 3, at: 0, direction: 'out', amount: '1.000000001' },
      { type: 'Liquidate', seq: 3, at: 0 },
      'not even an object',
    ]) {
      const result = applyJson(frozen, bad);
      expect(result._tag).toBe('Left');
    }
    expect(JSON.stringify(state)).toBe(before);
  });

  it('applyJson decodes against the state policy scale and then steps exactly like step()', () => {
    const state = account({}, { scale: 2 });
    expect(pathsOf(applyJson(state, { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '0.001' }))).toEqual(['amount']);
    const event = { type: 'FundsTransferred', seq: 1, at: 0, direction: 'in', amount: '0.01' } as const;
    const applied = applyJson(state, event);
    expect(applied).toEqual({ _tag: 'Right', right: step(state, event) });
  });

  it('a scenario with one bad event applies none of it (replay decodes whole first)', () => {
    const decoded = decodeScenario({ account: ACCOUNT, events: [{ type: 'Tick', seq: 1, at: 0 }, { type: 'FundsTransferred', seq: 2, at: 0, direction: 'in' }] });
    expect(decoded._tag).toBe('Left');
  });

  it('createAccount builds a new account at clock 0 and seq 0 with the resolved policy', () => {
    const state = createAccount({ accountId: 'a', accountType: 'sub', positionMode: 'oneWay', ownBalance: '-1' }, { scale: 4 });
    expect(state).toMatchObject({ clock: 0, lastSeq: 0, status: 'active', ownBalance: '-1', policy: { scale: 4, minLoss: '1', defaultMmr: '0.005' } });
  });
});


describe('issue 8: the fast decoding path gives exactly what io-ts gives', () => {
  /** A JSON value near `valid`: a field changed to another valid or invalid value, removed, or added. */
  function nearArb(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
    const keys = Object.keys(valid);
    const leaf = fc.oneof(
      fc.constantFrom('007.50', '1.0', '-0', '0', '-1', '1e3', '', 'x', '0.123456789', '100.00', '3', 'long', 'open', 'in', 'main'),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(null, true, 1.5, [], {}, 2 ** 60),
    );
    return fc.oneof(
      fc.constant(valid),
      fc.tuple(fc.constantFrom(...keys), leaf).map(([key, value]) => ({ ...valid, [key]: value })),
      fc.constantFrom(...keys).map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
      leaf.map((value) => ({ ...valid, extra: value })),
      fc.constantFrom(null, [], 'OrderFilled', 3),
    );
  }

  /** Decodes a copy of `input` each way; the inputs are left as they were. */
  function sameAsIoTs<A>(input: unknown, fastDecode: (u: unknown) => Decoded<A>, slowDecode: (u: unknown) => t.Validation<A>): void {
    const text = JSON.stringify(input);
    const [forFast, forSlow] = [structuredClone(input), structuredClone(input)];
    const fast = fastDecode(forFast);
    const slow = slowDecode(forSlow);
    expect(JSON.stringify(forFast)).toBe(text);
    expect(JSON.stringify(forSlow)).toBe(text);
    expect(fast._tag).toBe(slow._tag);
    if (fast._tag === 'Right' && slow._tag === 'Right') {
      expect(fast.right).toStrictEqual(slow.right);
      // The input itself when io-ts keeps it, a copy when io-ts copies.
      expect(fast.right === forFast).toBe(slow.right === forSlow);
    }
  }

  it.each(Object.entries(VALID_EVENTS))('events near %s', (_, valid) => {
    const voucher = valid['voucher'];
    const near = typeof voucher === 'object' && voucher !== null
      ? fc.oneof(nearArb(valid), nearArb(voucher as Record<string, unknown>).map((v) => ({ ...valid, voucher: v })))
      : nearArb(valid);
    fc.assert(
      fc.property(near, fc.constantFrom(0, 2, 8), (u, scale) => {
        sameAsIoTs(u, (v) => decodeEvent(v, scale), (v) => eventCodec(scale).decode(v));
      }),
      { numRuns: 400 },
    );
  });

  it('states of a rich session, as stored (JSON), decode to the same values', () => {
    const { start, events } = richSession();
    for (const state of statesOf(start, events)) {
      const json: unknown = JSON.parse(JSON.stringify(state));
      sameAsIoTs(json, decodeState, (v) => stateCodec(state.policy.scale).decode(v));
    }
  });
});
