// A TypeScript ESM consumer (module nodenext): the README's usage must type-check against the published .d.ts.
import { createAccount, decodeEvent, step, formatDecodeError, type AccountState, type Effect, type RuleId } from 'futures-vouchers';

let state: AccountState = createAccount({ accountId: 'alice', accountType: 'main', positionMode: 'hedge', ownBalance: '1000' });
export const rules: RuleId[] = [];
export const messages: string[] = [];
const event = decodeEvent(JSON.parse('{"seq":1,"at":0,"type":"Tick"}'), state.policy.scale);
if (event._tag === 'Right') {
  const result = step(state, event.right);
  state = result.state;
  rules.push(...result.effects.map((effect: Effect) => effect.rule));
} else {
  messages.push(...event.left.map(formatDecodeError));
}
