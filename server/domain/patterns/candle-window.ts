/**
 * TA-Lib candle settings and a small window of recent candles that patterns read by age
 * (0 = the current candle, 1 = the one before, ...). The current candle can be a still-open candidate that
 * is not committed. Pure.
 */
import type { OhlcvBar } from "../indicators/indicator-types.ts";

/** What a candle setting measures: TA-Lib TA_RangeType. */
export type RangeType = "realBody" | "highLow" | "shadows";

export interface CandleSetting {
  rangeType: RangeType;
  /** Candles averaged, before the one measured; 0 = the measured candle itself. */
  period: number;
  factor: number;
}

/** TA-Lib's default candle settings (ta_global.c, TA_CandleDefaultSettings). */
export const CANDLE_SETTINGS = {
  /** real body longer than the average body of the 10 previous candles */
  bodyLong: { rangeType: "realBody", period: 10, factor: 1 },
  bodyVeryLong: { rangeType: "realBody", period: 10, factor: 3 },
  /** real body shorter than the average body of the 10 previous candles */
  bodyShort: { rangeType: "realBody", period: 10, factor: 1 },
  /** real body ≤ 10% of the average high-low range of the 10 previous candles */
  bodyDoji: { rangeType: "highLow", period: 10, factor: 0.1 },
  /** shadow longer than the candle's own real body */
  shadowLong: { rangeType: "realBody", period: 0, factor: 1 },
  shadowVeryLong: { rangeType: "realBody", period: 0, factor: 2 },
  /** shadow shorter than half the average sum of shadows of the 10 previous candles */
  shadowShort: { rangeType: "shadows", period: 10, factor: 1 },
  /** shadow < 10% of the average high-low range of the 10 previous candles */
  shadowVeryShort: { rangeType: "highLow", period: 10, factor: 0.1 },
  /** distance ≤ 20% of the average high-low range of the 5 previous candles */
  near: { rangeType: "highLow", period: 5, factor: 0.2 },
  /** distance ≥ 60% of the average high-low range of the 5 previous candles */
  far: { rangeType: "highLow", period: 5, factor: 0.6 },
  equal: { rangeType: "highLow", period: 5, factor: 0.05 },
} as const satisfies Record<string, CandleSetting>;

const CAPACITY = 32;

/**
 * The last up to 31 committed candles plus a current candle. Read candles by age; `average(setting, age)`
 * is TA-Lib's TA_CANDLEAVERAGE for the candle of that age (over the `setting.period` candles before it).
 */
export class CandleWindow {
  private readonly opens = new Float64Array(CAPACITY);
  private readonly highs = new Float64Array(CAPACITY);
  private readonly lows = new Float64Array(CAPACITY);
  private readonly closes = new Float64Array(CAPACITY);
  /** Slot of the current candle; committed candles sit before it. */
  private head = 0;
  private committed = 0;

  /** Candles readable, the current one included. */
  get length(): number {
    return Math.min(this.committed, CAPACITY - 1) + 1;
  }

  /** Makes `bar` the current candle (age 0) without committing it. */
  setCurrent(bar: OhlcvBar): void {
    this.opens[this.head] = bar.open;
    this.highs[this.head] = bar.high;
    this.lows[this.head] = bar.low;
    this.closes[this.head] = bar.close;
  }

  /** Commits the current candle: it becomes age 1 for the next one. */
  commit(): void {
    this.head = (this.head + 1) % CAPACITY;
    this.committed++;
  }

  private slot(age: number): number {
    return (this.head - age + CAPACITY) % CAPACITY;
  }

  open(age: number): number {
    return this.opens[this.slot(age)] ?? Number.NaN;
  }
  high(age: number): number {
    return this.highs[this.slot(age)] ?? Number.NaN;
  }
  low(age: number): number {
    return this.lows[this.slot(age)] ?? Number.NaN;
  }
  close(age: number): number {
    return this.closes[this.slot(age)] ?? Number.NaN;
  }
  /** |close − open| */
  body(age: number): number {
    return Math.abs(this.close(age) - this.open(age));
  }
  upperShadow(age: number): number {
    return this.high(age) - Math.max(this.close(age), this.open(age));
  }
  lowerShadow(age: number): number {
    return Math.min(this.close(age), this.open(age)) - this.low(age);
  }
  /** 1 for a white (close ≥ open) candle, −1 for a black one (TA_CANDLECOLOR). */
  color(age: number): 1 | -1 {
    return this.close(age) >= this.open(age) ? 1 : -1;
  }
  /** Real body of `age` entirely above that of `older` (TA_REALBODYGAPUP). */
  bodyGapUp(age: number, older: number): boolean {
    return Math.min(this.open(age), this.close(age)) > Math.max(this.open(older), this.close(older));
  }
  /** Real body of `age` entirely below that of `older` (TA_REALBODYGAPDOWN). */
  bodyGapDown(age: number, older: number): boolean {
    return Math.max(this.open(age), this.close(age)) < Math.min(this.open(older), this.close(older));
  }

  private range(type: RangeType, age: number): number {
    if (type === "realBody") return this.body(age);
    if (type === "highLow") return this.high(age) - this.low(age);
    return this.upperShadow(age) + this.lowerShadow(age);
  }

  /** TA_CANDLEAVERAGE: factor · (mean range of the `period` candles before `age`, or its own range) (/2 for shadows). */
  average(setting: CandleSetting, age: number): number {
    let base: number;
    if (setting.period === 0) base = this.range(setting.rangeType, age);
    else {
      let sum = 0;
      for (let older = age + setting.period; older > age; older--) sum += this.range(setting.rangeType, older);
      base = sum / setting.period;
    }
    return (setting.factor * base) / (setting.rangeType === "shadows" ? 2 : 1);
  }
}
