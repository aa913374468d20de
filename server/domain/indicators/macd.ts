/**
 * MACD(fast, slow, signal), streaming, TA-Lib `MACD` seeding. Pure.
 */
import { EmaState } from "./moving-average.ts";

/**
 * MACD, TA-Lib `MACD(12, 26, 9)`: macd = EMA_fast(close) − EMA_slow(close); signal = EMA_signal(macd);
 * hist = macd − signal. Both EMAs start at index slow−1 (25): the slow one is seeded with SMA(close[0..25]),
 * the fast one with SMA(close[14..25]) (TA-Lib starts it `slow − fast` bars late), the signal with the mean of
 * the first 9 MACD values. Warm-up: all three first at index slow + signal − 2 (33).
 * After `update`, read `macd`, `signal` and `hist` (null during the warm-up).
 * @example
 * const state = new MacdState();
 * for (const close of closes) { state.update(close, true); if (state.macd !== null) plot(state.macd, state.signal, state.hist); }
 */
export class MacdState {
  /** Outputs of the last `update` (not state). */
  macd: number | null = null;
  signal: number | null = null;
  hist: number | null = null;
  private readonly fast: EmaState;
  private readonly slow: EmaState;
  private readonly signalEma: EmaState;
  private readonly fastStart: number;
  private count = 0;

  constructor(fastPeriod = 12, slowPeriod = 26, signalPeriod = 9) {
    const [fast, slow] = slowPeriod < fastPeriod ? [slowPeriod, fastPeriod] : [fastPeriod, slowPeriod];
    this.fast = new EmaState(fast);
    this.slow = new EmaState(slow);
    this.signalEma = new EmaState(signalPeriod);
    this.fastStart = slow - fast;
  }

  update(close: number, commit: boolean): void {
    const slowValue = this.slow.update(close, commit);
    const fastValue = this.count >= this.fastStart ? this.fast.update(close, commit) : null;
    if (commit) this.count++;
    this.macd = this.signal = this.hist = null;
    if (slowValue === null || fastValue === null) return;
    const macd = fastValue - slowValue;
    const signal = this.signalEma.update(macd, commit);
    if (signal === null) return;
    this.macd = macd;
    this.signal = signal;
    this.hist = macd - signal;
  }
}
