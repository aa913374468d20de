/**
 * One scanner cycle: recompute the derived columns (changes, traded value, VWAP distance), select the top/bottom
 * K of every toplist by partial selection, and evaluate every compiled screen. Output buffers are allocated
 * once (`createScanOutput`) and reused; each toplist tells whether it changed since the previous cycle so the
 * worker writes and publishes only what changed. Pure: the caller passes nothing but the state and screens.
 */
import type { CompiledScreen } from "./screen-program.ts";
import type { ScannerState } from "./scanner-state.ts";
import { selectToplist, type ToplistDirection } from "./toplist-selection.ts";

export type ScannerColumn = "change1m" | "change5m" | "change1d" | "dayValue" | "relVolume" | "rsi14" | "vwapDistance";

export interface ToplistDefinition {
  /** Redis key suffix and message field: `gainers-1m`. */
  name: string;
  column: ScannerColumn;
  direction: ToplistDirection;
  /**
   * The neutral value the list's name points away from: only values strictly beyond it on the list's side
   * enter (`gainers` > 0, `losers` < 0, `rsi-high` > 50). Without it the list is a plain ranking (`volume`).
   */
  pivot?: number;
}

/** RSI's midpoint: `rsi-high` holds only RSI > 50, `rsi-low` only RSI < 50 (README.md "Toplists"). */
export const RSI_NEUTRAL = 50;

/**
 * Every toplist the scanner keeps (README.md: what each column means). The paired lists hold only their own
 * side of the pivot, so no symbol is in both lists of a pair, however few symbols are active.
 */
export const TOPLISTS: readonly ToplistDefinition[] = [
  { name: "gainers-1m", column: "change1m", direction: "top", pivot: 0 },
  { name: "losers-1m", column: "change1m", direction: "bottom", pivot: 0 },
  { name: "gainers-5m", column: "change5m", direction: "top", pivot: 0 },
  { name: "losers-5m", column: "change5m", direction: "bottom", pivot: 0 },
  { name: "gainers-1d", column: "change1d", direction: "top", pivot: 0 },
  { name: "losers-1d", column: "change1d", direction: "bottom", pivot: 0 },
  { name: "volume", column: "dayValue", direction: "top" },
  { name: "relvolume", column: "relVolume", direction: "top" },
  { name: "rsi-high", column: "rsi14", direction: "top", pivot: RSI_NEUTRAL },
  { name: "rsi-low", column: "rsi14", direction: "bottom", pivot: RSI_NEUTRAL },
  { name: "vwap-above", column: "vwapDistance", direction: "top", pivot: 0 },
  { name: "vwap-below", column: "vwapDistance", direction: "bottom", pivot: 0 },
];

/** One toplist's result: `count` entries, best first, in `slots`/`values` (length K). */
export interface ToplistResult {
  readonly definition: ToplistDefinition;
  slots: Int32Array;
  values: Float64Array;
  count: number;
  /** Membership, order or a value differs from the previous cycle (always true on the first). */
  changed: boolean;
}

export interface ScanOutput {
  readonly k: number;
  readonly toplists: ToplistResult[];
  /** Symbols active and scanned in the last cycle. */
  scanned: number;
  cycles: number;
  /** Scratch buffers for the change test. */
  readonly previousSlots: Int32Array;
  readonly previousValues: Float64Array;
}

/** Allocates the reusable result buffers for toplists of `k` entries. */
export function createScanOutput(k: number, toplists: readonly ToplistDefinition[] = TOPLISTS): ScanOutput {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`scanner: K must be a whole number ≥ 1, got ${k}`);
  return {
    k,
    toplists: toplists.map((definition) => ({ definition, slots: new Int32Array(k), values: new Float64Array(k), count: 0, changed: true })),
    scanned: 0,
    cycles: 0,
    previousSlots: new Int32Array(k),
    previousValues: new Float64Array(k),
  };
}

/** 100·(price − reference)/reference; NaN when either is missing or the reference is 0. */
function percentChange(price: Float64Array, reference: Float64Array, out: Float64Array, size: number): void {
  for (let i = 0; i < size; i++) {
    const base = reference[i] as number;
    out[i] = base !== 0 ? (100 * ((price[i] as number) - base)) / base : Number.NaN;
  }
}

/**
 * A price whose 1m bar opened more than this before the cycle's clock has no 1m / 5m change (a stock after
 * the close, a symbol that stopped trading): it leaves the momentum lists instead of freezing in them.
 */
export const MOMENTUM_MAX_AGE_MS = 3 * 60_000;

/** Recomputes the derived columns from the raw ones; `now` (epoch ms) drops stale 1m / 5m changes. */
export function deriveColumns(state: ScannerState, now?: number): void {
  const { size, price } = state;
  percentChange(price, state.reference1m, state.change1m, size);
  percentChange(price, state.reference5m, state.change5m, size);
  if (now !== undefined) {
    const oldest = now - MOMENTUM_MAX_AGE_MS;
    for (let i = 0; i < size; i++) {
      if (!((state.priceMinute[i] as number) >= oldest)) {
        state.change1m[i] = Number.NaN;
        state.change5m[i] = Number.NaN;
      }
    }
  }
  percentChange(price, state.dayOpen, state.change1d, size);
  percentChange(price, state.vwap, state.vwapDistance, size);
  for (let i = 0; i < size; i++) state.dayValue[i] = (state.dayVolume[i] as number) * (price[i] as number);
}

/**
 * Runs one cycle: derived columns, every toplist (top/bottom K beyond the list's pivot, ties by symbol name,
 * NaN and inactive symbols left out) and every screen (`screen.matches`, `entered`, `left` afterwards). `now`
 * (the caller's clock, epoch ms) leaves prices older than MOMENTUM_MAX_AGE_MS out of the 1m / 5m lists; without
 * it nothing is dropped.
 * @example
 * const output = createScanOutput(50);
 * scanCycle(state, screens, output);
 * for (const list of output.toplists) if (list.changed) write(list.definition.name, list.slots.subarray(0, list.count));
 */
export function scanCycle(state: ScannerState, screens: readonly CompiledScreen[], output: ScanOutput, now?: number): ScanOutput {
  deriveColumns(state, now);
  const selection = { values: state.price, active: state.active, order: state.order, size: state.size };
  const { previousSlots, previousValues, k } = output;
  for (const list of output.toplists) {
    selection.values = state[list.definition.column];
    const previousCount = list.count;
    previousSlots.set(list.slots);
    previousValues.set(list.values);
    list.count = selectToplist(selection, list.definition.direction, k, list.slots, list.values, list.definition.pivot);
    let changed = output.cycles === 0 || list.count !== previousCount;
    for (let index = 0; !changed && index < list.count; index++) {
      changed = list.slots[index] !== previousSlots[index] || list.values[index] !== previousValues[index];
    }
    list.changed = changed;
  }
  for (const screen of screens) screen.evaluate(state);
  let scanned = 0;
  for (let slot = 0; slot < state.size; slot++) scanned += state.active[slot] as number;
  output.scanned = scanned;
  output.cycles++;
  return output;
}
