/**
 * Stochastic oscillator (slow %K, %D), streaming, TA-Lib `STOCH` arithmetic. Pure.
 */
import { HighLowWindow } from "./high-low-window.ts";
import { SmaState } from "./moving-average.ts";

/**
 * Fast %K, TA-Lib arithmetic: (C − LL)/((HH − LL)/100), 0 when HH = LL. No warm-up of its own (the window's).
 * @example fastStochasticK(11, 12, 8) // 75: (11 − 8)/(4/100)
 */
export function fastStochasticK(close: number, highest: number, lowest: number): number {
  const diff = (highest - lowest) / 100;
  return diff !== 0 ? (close - lowest) / diff : 0;
}

/**
 * Williams %R, TA-Lib arithmetic: (HH − C)/((HH − LL)/−100), 0 when HH = LL. No warm-up of its own (the window's).
 * @example williamsR(11, 12, 8) // −25: (12 − 11)/(4/−100)
 */
export function williamsR(close: number, highest: number, lowest: number): number {
  const diff = (highest - lowest) / -100;
  return diff !== 0 ? (highest - close) / diff : 0;
}

/**
 * Stochastic(14, 3, 3), TA-Lib `STOCH` with SMA smoothing: fast %K = (C − LL)/((HH − LL)/100) over the last
 * `fastK` bars, 0 when HH = LL; slow %K = SMA(slowK) of fast %K; %D = SMA(slowD) of slow %K.
 * Warm-up: both first at index fastK + slowK + slowD − 3 (17).
 * After `update`, read `k` and `d`.
 * @example
 * const stoch = new StochasticState(14, 3, 3);
 * for (const bar of bars) stoch.update(bar.high, bar.low, bar.close, true); // stoch.k, stoch.d
 */
export class StochasticState {
  k: number | null = null;
  d: number | null = null;
  private readonly window: HighLowWindow;
  private readonly slowK: SmaState;
  private readonly slowD: SmaState;

  constructor(fastK = 14, slowK = 3, slowD = 3) {
    this.window = new HighLowWindow(fastK);
    this.slowK = new SmaState(slowK);
    this.slowD = new SmaState(slowD);
  }

  update(high: number, low: number, close: number, commit: boolean): void {
    if (this.window.update(high, low, commit)) this.smooth(fastStochasticK(close, this.window.highest, this.window.lowest), commit);
    else this.k = this.d = null;
  }

  /**
   * Slow %K and %D from a fast %K computed elsewhere over the same `fastK` window (the engine shares one
   * high/low window with Williams %R). Call it only from the first full window on.
   */
  smooth(fastK: number, commit: boolean): void {
    this.k = this.d = null;
    const slowK = this.slowK.update(fastK, commit);
    if (slowK === null) return;
    const slowD = this.slowD.update(slowK, commit);
    if (slowD === null) return;
    this.k = slowK;
    this.d = slowD;
  }
}

/**
 * Williams %R(period), TA-Lib `WILLR`: −100·(HH − C)/(HH − LL) over the last `period` bars
 * (computed as (HH − C)/((HH − LL)/−100)), 0 when HH = LL. Warm-up: first value at index `period − 1` (13).
 * @example
 * const willr = new WilliamsRState(2);
 * willr.update(10, 8, 9, true); willr.update(12, 9, 11, true); // −25: HH 12, LL 8 → −100·(12−11)/4
 */
export class WilliamsRState {
  private readonly window: HighLowWindow;

  constructor(period = 14) {
    this.window = new HighLowWindow(period);
  }

  update(high: number, low: number, close: number, commit: boolean): number | null {
    return this.window.update(high, low, commit) ? williamsR(close, this.window.highest, this.window.lowest) : null;
  }
}
