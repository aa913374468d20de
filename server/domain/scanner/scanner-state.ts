/**
 * The scanner's in-memory state: one slot per symbol, every value in a typed-array column indexed by slot,
 * updated incrementally from bar and analytics events (O(1) per event, no object allocated per update).
 * `scanCycle` (scan-cycle.ts) reads these columns. Pure: no I/O, no clock. Semantics: README.md here.
 */
import type { Bar, SymbolId } from "../bars/bar.ts";
import type { IndicatorValueKey } from "../indicators/indicator-types.ts";
import { INDICATOR_KEYS, SCANNER_KEYS } from "../indicators/indicator-types.ts";
import { PATTERN_METRICS, RULE_METRICS, type PatternMetric, type RuleMetric } from "../rules/rule-types.ts";
import { presentPatternRuleValues } from "../rules/rule-values.ts";
import { TIMEFRAMES, TIMEFRAME_MS, type Timeframe } from "../time/timeframes.ts";

/** Closed 1m closes kept per symbol for the 1m / 5m reference prices. */
export const MINUTE_RING = 8;
const MINUTE = TIMEFRAME_MS["1m"];

/** What the state needs from an analytics event (`AnalyticsEvent` of server/services/analytics-latest.ts fits). */
export interface ScannerAnalyticsInput {
  symbol: SymbolId;
  timeframe: Timeframe;
  openTime: number;
  indicators: Readonly<Partial<Record<IndicatorValueKey, number | null>>>;
  /** The candlestick patterns present on the bar (absent: none). */
  patterns?: readonly { name: string; value: number }[];
}

export type BarUpdateKind = "live" | "closed" | "revision";

export interface ScannerStateOptions {
  /** Initial number of slots (grows by doubling). Default 1,024. */
  capacity?: number;
  /** Timeframes whose rule metrics are kept for screens. Default all six. */
  screenTimeframes?: readonly Timeframe[];
  /** Timeframe whose analytics feed the RSI, relative-volume and VWAP toplists. Default "1m". */
  indicatorTimeframe?: Timeframe;
}

const METRIC_INDEX: ReadonlyMap<RuleMetric, number> = new Map(RULE_METRICS.map((metric, index) => [metric as RuleMetric, index]));
const BAR_FIELDS = ["open", "high", "low", "close", "volume"] as const;
const INDICATOR_METRICS: readonly IndicatorValueKey[] = [...INDICATOR_KEYS, ...SCANNER_KEYS];
const QUALITY_INDEX = RULE_METRICS.indexOf("qualityScore");

/** Index of a rule metric in a timeframe's column block. */
export function metricIndex(metric: RuleMetric): number {
  const index = METRIC_INDEX.get(metric);
  if (index === undefined) throw new RangeError(`scanner: unknown metric "${metric}"`);
  return index;
}

const nanColumn = (size: number) => new Float64Array(size).fill(Number.NaN);

function grow<T extends Float64Array | Int32Array | Uint8Array>(column: T, size: number, fill: number): T {
  const next = new (column.constructor as new (length: number) => T)(size);
  next.fill(fill);
  next.set(column);
  return next;
}

/**
 * Columns by symbol slot. Raw inputs (`price`, reference prices, day bar, indicators) are written by the
 * `apply*` methods; derived columns (`change1m` … `vwapDistance`) are recomputed by `scanCycle`.
 * @example
 * const state = new ScannerState();
 * state.setSymbols(["BINANCE:BTCUSDT", "BINANCE:ETHUSDT"]);
 * state.applyBar(bar1m, "live");
 * state.applyAnalytics(event);
 */
export class ScannerState {
  readonly screenTimeframes: readonly Timeframe[];
  readonly indicatorTimeframe: Timeframe;
  /** Slots in use: 0 … size − 1. */
  size = 0;
  capacity: number;
  /** Bumped whenever slots are added or (de)activated; compiled screens and outputs resize on it. */
  layoutVersion = 0;

  readonly symbols: SymbolId[] = [];
  private readonly slots = new Map<SymbolId, number>();
  /** 1 when the symbol is in the active universe. */
  active: Uint8Array;
  /** Rank of the symbol name in ascending order: the tie-breaker of every toplist. */
  order: Int32Array;
  /** Slots sorted by symbol name. */
  bySymbol: Int32Array;

  /** Last price: close of the newest 1m bar (of the daily bar until a 1m bar arrives). */
  price: Float64Array;
  /** Open time of the 1m bar that gave `price` (NaN: the price came from the daily bar). */
  priceMinute: Float64Array;
  /** Price one and five minutes before `priceMinute`'s bar: closes of the 1m bars at −1m / −5m (or the latest before). */
  reference1m: Float64Array;
  reference5m: Float64Array;
  /** The current daily bar: open time, open, volume so far. */
  dayOpenTime: Float64Array;
  dayOpen: Float64Array;
  dayVolume: Float64Array;
  /** From the `indicatorTimeframe` analytics (newest analysed bar). */
  rsi14: Float64Array;
  relVolume: Float64Array;
  vwap: Float64Array;
  /** Derived per cycle (scanCycle): percent changes, traded value today (volume × price), VWAP distance %. */
  change1m: Float64Array;
  change5m: Float64Array;
  change1d: Float64Array;
  dayValue: Float64Array;
  vwapDistance: Float64Array;

  /** Ring of closed 1m bars per slot: `MINUTE_RING` entries at `slot * MINUTE_RING`. */
  private ringClose: Float64Array;
  private ringTime: Float64Array;
  /** Per screen timeframe: one column per RULE_METRICS entry (bar fields = newest bar, indicators = newest analysed bar). */
  private readonly blocks = new Map<Timeframe, Float64Array[]>();
  /** Open time of the newest analytics event applied, per screen timeframe. */
  private readonly analyticsTime = new Map<Timeframe, Float64Array>();
  private readonly barTime = new Map<Timeframe, Float64Array>();

  constructor(options: ScannerStateOptions = {}) {
    this.screenTimeframes = options.screenTimeframes ?? TIMEFRAMES;
    this.indicatorTimeframe = options.indicatorTimeframe ?? "1m";
    const size = Math.max(16, options.capacity ?? 1_024);
    this.capacity = size;
    this.active = new Uint8Array(size);
    this.order = new Int32Array(size);
    this.bySymbol = new Int32Array(size);
    this.price = nanColumn(size);
    this.priceMinute = nanColumn(size);
    this.reference1m = nanColumn(size);
    this.reference5m = nanColumn(size);
    this.dayOpenTime = nanColumn(size);
    this.dayOpen = nanColumn(size);
    this.dayVolume = nanColumn(size);
    this.rsi14 = nanColumn(size);
    this.relVolume = nanColumn(size);
    this.vwap = nanColumn(size);
    this.change1m = nanColumn(size);
    this.change5m = nanColumn(size);
    this.change1d = nanColumn(size);
    this.dayValue = nanColumn(size);
    this.vwapDistance = nanColumn(size);
    this.ringClose = nanColumn(size * MINUTE_RING);
    this.ringTime = nanColumn(size * MINUTE_RING);
    const timeframes = new Set([...this.screenTimeframes, this.indicatorTimeframe]);
    for (const timeframe of timeframes) {
      this.blocks.set(timeframe, RULE_METRICS.map(() => nanColumn(size)));
      this.analyticsTime.set(timeframe, nanColumn(size));
      this.barTime.set(timeframe, nanColumn(size));
    }
  }

  /** Slot of a symbol, or −1. */
  slotOf(symbol: SymbolId): number {
    return this.slots.get(symbol) ?? -1;
  }

  /**
   * Makes `symbols` the active universe: new ones get a slot, missing ones are deactivated (their slot and
   * values stay, so a symbol that comes back keeps its history).
   */
  setSymbols(symbols: Iterable<SymbolId>): void {
    const wanted = new Set(symbols);
    let added = false;
    for (const symbol of wanted) {
      if (this.slots.has(symbol)) continue;
      if (this.size === this.capacity) this.resize(this.capacity * 2);
      this.slots.set(symbol, this.size);
      this.symbols.push(symbol);
      this.size++;
      added = true;
    }
    for (let slot = 0; slot < this.size; slot++) this.active[slot] = wanted.has(this.symbols[slot] as SymbolId) ? 1 : 0;
    if (added) this.reorder();
    this.layoutVersion++;
  }

  /** The columns of one screen timeframe, by RULE_METRICS index; undefined when the timeframe is not kept. */
  metricColumns(timeframe: Timeframe): readonly Float64Array[] | undefined {
    return this.blocks.get(timeframe);
  }

  /** Applies a bar update (live, closed or revised bar). Unknown symbols and older bars are ignored. Returns whether it applied. */
  applyBar(bar: Bar, kind: BarUpdateKind): boolean {
    const slot = this.slotOf(bar.symbol);
    if (slot < 0 || !Number.isFinite(bar.close) || !Number.isFinite(bar.openTime)) return false;
    const barTime = this.barTime.get(bar.timeframe);
    if (barTime) {
      const newest = barTime[slot] as number;
      if (!(bar.openTime < newest)) {
        barTime[slot] = bar.openTime;
        const block = this.blocks.get(bar.timeframe) as Float64Array[];
        for (const field of BAR_FIELDS) (block[METRIC_INDEX.get(field) as number] as Float64Array)[slot] = bar[field];
      }
    }
    if (bar.timeframe === "1m") this.applyMinuteBar(slot, bar, kind);
    else if (bar.timeframe === "1d") this.applyDayBar(slot, bar);
    return true;
  }

  /** Applies the newest analysed bar of a stream (older events than the one applied are ignored). */
  applyAnalytics(event: ScannerAnalyticsInput): boolean {
    const slot = this.slotOf(event.symbol);
    const times = this.analyticsTime.get(event.timeframe);
    if (slot < 0 || !times || event.openTime < (times[slot] as number)) return false;
    times[slot] = event.openTime;
    const block = this.blocks.get(event.timeframe) as Float64Array[];
    const value = (key: IndicatorValueKey) => {
      const raw = event.indicators[key];
      return typeof raw === "number" && Number.isFinite(raw) ? raw : Number.NaN;
    };
    for (const metric of INDICATOR_METRICS) (block[METRIC_INDEX.get(metric) as number] as Float64Array)[slot] = value(metric);
    const patterns = presentPatternRuleValues(event.patterns ?? []);
    for (const metric of PATTERN_METRICS) (block[METRIC_INDEX.get(metric) as number] as Float64Array)[slot] = patterns[metric as PatternMetric] ?? Number.NaN;
    if (event.timeframe === this.indicatorTimeframe) {
      this.rsi14[slot] = value("rsi14");
      this.relVolume[slot] = value("relVolume20");
      this.vwap[slot] = value("vwap");
    }
    return true;
  }

  /** The symbol's data-quality score (0–100; null: unknown), the same for every timeframe. Returns whether it applied. */
  applyQuality(symbol: SymbolId, score: number | null): boolean {
    const slot = this.slotOf(symbol);
    if (slot < 0) return false;
    const value = score !== null && Number.isFinite(score) ? score : Number.NaN;
    for (const block of this.blocks.values()) (block[QUALITY_INDEX] as Float64Array)[slot] = value;
    return true;
  }

  private applyMinuteBar(slot: number, bar: Bar, kind: BarUpdateKind): void {
    if (kind !== "live") {
      const at = slot * MINUTE_RING + (Math.floor(bar.openTime / MINUTE) % MINUTE_RING);
      if (!((this.ringTime[at] as number) > bar.openTime)) {
        this.ringTime[at] = bar.openTime;
        this.ringClose[at] = bar.close;
      }
    }
    const current = this.priceMinute[slot] as number;
    if (Number.isNaN(current) || bar.openTime >= current) {
      this.priceMinute[slot] = bar.openTime;
      this.price[slot] = bar.close;
    }
    this.updateReferences(slot);
  }

  private applyDayBar(slot: number, bar: Bar): void {
    if (bar.openTime < (this.dayOpenTime[slot] as number)) return;
    this.dayOpenTime[slot] = bar.openTime;
    this.dayOpen[slot] = bar.open;
    this.dayVolume[slot] = bar.volume;
    if (Number.isNaN(this.priceMinute[slot] as number)) this.price[slot] = bar.close;
  }

  /** Reference price n minutes back: close of the newest ring bar with openTime ≤ priceMinute − n·1m. */
  private updateReferences(slot: number): void {
    const minute = this.priceMinute[slot] as number;
    this.reference1m[slot] = this.closeAtOrBefore(slot, minute - MINUTE);
    this.reference5m[slot] = this.closeAtOrBefore(slot, minute - 5 * MINUTE);
  }

  private closeAtOrBefore(slot: number, time: number): number {
    let bestTime = Number.NEGATIVE_INFINITY;
    let close = Number.NaN;
    const base = slot * MINUTE_RING;
    for (let k = 0; k < MINUTE_RING; k++) {
      const at = this.ringTime[base + k] as number;
      if (at <= time && at > bestTime) {
        bestTime = at;
        close = this.ringClose[base + k] as number;
      }
    }
    return close;
  }

  private reorder(): void {
    const slots = Array.from({ length: this.size }, (_, slot) => slot);
    slots.sort((a, b) => ((this.symbols[a] as string) < (this.symbols[b] as string) ? -1 : 1));
    for (const [rank, slot] of slots.entries()) {
      this.order[slot] = rank;
      this.bySymbol[rank] = slot;
    }
  }

  private resize(size: number): void {
    this.capacity = size;
    this.active = grow(this.active, size, 0);
    this.order = grow(this.order, size, 0);
    this.bySymbol = grow(this.bySymbol, size, 0);
    for (const name of ["price", "priceMinute", "reference1m", "reference5m", "dayOpenTime", "dayOpen", "dayVolume", "rsi14", "relVolume", "vwap", "change1m", "change5m", "change1d", "dayValue", "vwapDistance"] as const) {
      this[name] = grow(this[name], size, Number.NaN);
    }
    this.ringClose = grow(this.ringClose, size * MINUTE_RING, Number.NaN);
    this.ringTime = grow(this.ringTime, size * MINUTE_RING, Number.NaN);
    for (const [timeframe, block] of this.blocks) this.blocks.set(timeframe, block.map((column) => grow(column, size, Number.NaN)));
    for (const map of [this.analyticsTime, this.barTime]) for (const [timeframe, column] of map) map.set(timeframe, grow(column, size, Number.NaN));
  }
}
