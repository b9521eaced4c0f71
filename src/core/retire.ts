/**
 * FV-8: a voucher that reached a final status (D-31) and that no rule can read again leaves its
 * array for the same kind's list in `retired`, as `[id, status]`. Its id stays taken,
 * `explain` can still say how it ended, and the state, and every scan over vouchers, stays the size
 * of what is live rather than of everything ever granted.
 */
import type { AccountState, Retired } from './state';
import type { Compensation, LossCoverageVoucher } from '../lossCoverage/codec';
import type { PositionVoucher } from '../positionVoucher/codec';
import type { FuturesBonus } from '../futuresBonus/codec';

/** The slices retirement reads and writes: a step's working copy or a whole state. */
interface Vouchers {
  readonly status: AccountState['status'];
  readonly compensations: readonly Compensation[];
  readonly lossCoverageVouchers: readonly LossCoverageVoucher[];
  readonly positionVouchers: readonly PositionVoucher[];
  readonly futuresBonuses: readonly FuturesBonus[];
}

/** LCV-7: a final voucher that still owes a compensation stays: payouts are ordered by its grant. */
function lossCoverageRetires(v: LossCoverageVoucher, compensations: readonly Compensation[]): boolean {
  if (v.status === 'available') return false;
  for (const c of compensations) if (c.voucherId === v.id) return false;
  return true;
}

/**
 * PV-10, D-20: a final voucher whose position made a profit stays while a flag could still claw
 * it back (until the account is flagged and nothing is outstanding). Amounts are canonical (FV-7).
 */
function positionVoucherRetires(v: PositionVoucher, flagged: boolean): boolean {
  if (v.status === 'available' || v.status === 'inUse') return false;
  return v.profit === '0' || (flagged && v.outstanding === '0');
}

function futuresBonusRetires(b: FuturesBonus): boolean {
  return b.status === 'reclaimed' || b.status === 'spent';
}

/** The items that stay (the input array when none retires), and the retired list with the others. */
function sweep<T extends { readonly id: string; readonly status: S | string }, S extends string>(
  items: readonly T[], retires: (item: T) => boolean, retired: ReadonlyArray<[string, S]>,
): { readonly live: readonly T[]; readonly retired: ReadonlyArray<[string, S]> } {
  let live: T[] | undefined;
  let out: Array<[string, S]> | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as T;
    if (retires(item)) {
      live ??= items.slice(0, i);
      // `retires` admits final statuses only.
      (out ??= retired.slice()).push([item.id, item.status as S]);
    } else if (live !== undefined) {
      live.push(item);
    }
  }
  return { live: live ?? items, retired: out ?? retired };
}

export interface Retirement {
  readonly lossCoverageVouchers: readonly LossCoverageVoucher[];
  readonly positionVouchers: readonly PositionVoucher[];
  readonly futuresBonuses: readonly FuturesBonus[];
  /** `before.retired` itself when nothing retired. */
  readonly retired: Retired;
}

function retire(now: Vouchers, retired: Retired, scan: { lossCoverage: boolean; position: boolean; bonus: boolean }): Retirement {
  const flagged = now.status === 'flagged';
  const lcv = scan.lossCoverage
    ? sweep(now.lossCoverageVouchers, (v) => lossCoverageRetires(v, now.compensations), retired.lossCoverageVouchers)
    : { live: now.lossCoverageVouchers, retired: retired.lossCoverageVouchers };
  const pv = scan.position
    ? sweep(now.positionVouchers, (v) => positionVoucherRetires(v, flagged), retired.positionVouchers)
    : { live: now.positionVouchers, retired: retired.positionVouchers };
  const fb = scan.bonus
    ? sweep(now.futuresBonuses, futuresBonusRetires, retired.futuresBonuses)
    : { live: now.futuresBonuses, retired: retired.futuresBonuses };
  const same = lcv.retired === retired.lossCoverageVouchers && pv.retired === retired.positionVouchers && fb.retired === retired.futuresBonuses;
  return {
    lossCoverageVouchers: lcv.live,
    positionVouchers: pv.live,
    futuresBonuses: fb.live,
    retired: same
      ? retired
      : { lossCoverageVouchers: lcv.retired as Retired['lossCoverageVouchers'], positionVouchers: pv.retired as Retired['positionVouchers'], futuresBonuses: fb.retired as Retired['futuresBonuses'] },
  };
}

/**
 * Retires what became final in the slices a step changed (`before` is the step's input: a slice
 * it did not replace holds nothing newly retirable, so it is not scanned; loss coverage vouchers
 * are also scanned when a compensation was paid or cancelled).
 */
export function retireChanged(now: Vouchers, before: AccountState): Retirement {
  return retire(now, before.retired, {
    lossCoverage: now.lossCoverageVouchers !== before.lossCoverageVouchers || now.compensations !== before.compensations,
    position: now.positionVouchers !== before.positionVouchers,
    bonus: now.futuresBonuses !== before.futuresBonuses,
  });
}

/** Retires every final voucher of a state (the state itself when none is final): decodeState's normal form. */
export function retireAll(state: AccountState): AccountState {
  const r = retire(state, state.retired, { lossCoverage: true, position: true, bonus: true });
  if (r.retired === state.retired) return state;
  return {
    ...state,
    lossCoverageVouchers: r.lossCoverageVouchers as LossCoverageVoucher[],
    positionVouchers: r.positionVouchers as PositionVoucher[],
    futuresBonuses: r.futuresBonuses as FuturesBonus[],
    retired: r.retired,
  };
}

/** A voucher of any kind as `voucherStatuses` lists it. */
export interface VoucherStatusEntry {
  readonly kind: 'lossCoverage' | 'positionVoucher' | 'futuresBonus';
  readonly id: string;
  readonly status: AccountState['lossCoverageVouchers'][number]['status'] | PositionVoucher['status'] | FuturesBonus['status'];
  /** False once retired (FV-8): the voucher then lives on only as its id and final status. */
  readonly live: boolean;
}

/** Every voucher the account was ever granted, with its status: the live ones, then the retired ones, by kind. */
export function voucherStatuses(state: AccountState): VoucherStatusEntry[] {
  const out: VoucherStatusEntry[] = [];
  for (const v of state.lossCoverageVouchers) out.push({ kind: 'lossCoverage', id: v.id, status: v.status, live: true });
  for (const v of state.positionVouchers) out.push({ kind: 'positionVoucher', id: v.id, status: v.status, live: true });
  for (const v of state.futuresBonuses) out.push({ kind: 'futuresBonus', id: v.id, status: v.status, live: true });
  for (const [id, status] of state.retired.lossCoverageVouchers) out.push({ kind: 'lossCoverage', id, status, live: false });
  for (const [id, status] of state.retired.positionVouchers) out.push({ kind: 'positionVoucher', id, status, live: false });
  for (const [id, status] of state.retired.futuresBonuses) out.push({ kind: 'futuresBonus', id, status, live: false });
  return out;
}
