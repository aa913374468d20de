/**
 * Volume indicators: On-Balance Volume and session VWAP, streaming. Pure.
 */
import type { SessionKeyFn } from "./indicator-types.ts";
import { utcDateSessionKey } from "./session-keys.ts";

/**
 * On-Balance Volume, TA-Lib `OBV`: OBV₀ = volume₀; then + volume when the close rises, − volume when it
 * falls, unchanged when equal. Warm-up: none (first value at index 0).
 * @example
 * const obv = new ObvState();
 * [[10, 100], [11, 50], [10.5, 20], [10.5, 70]].map(([c, v]) => obv.update(c, v, true)); // [100, 150, 130, 130]
 */
export class ObvState {
  private count = 0;
  private previousClose = 0;
  private value = 0;

  update(close: number, volume: number, commit: boolean): number {
    let value = volume;
    if (this.count > 0) {
      value = this.value;
      if (close > this.previousClose) value += volume;
      else if (close < this.previousClose) value -= volume;
    }
    if (commit) {
      this.previousClose = close;
      this.value = value;
      this.count++;
    }
    return value;
  }
}

/**
 * Session VWAP: typical price TP = (H + L + C)/3; VWAP = Σ(TP·V)/ΣV over the bars of the current session,
 * restarting when `sessionKey(openTime)` changes (default: UTC date, for crypto; see session-keys.ts for
 * NYSE). Keeps its value on zero-volume bars; `null` only while the session's volume is still 0.
 * Warm-up: none (index 0 unless the first bars have no volume).
 * @example
 * const vwap = new VwapState();
 * vwap.update(t0, 11, 9, 10, 100, true); // 10
 * vwap.update(t0 + 3_600_000, 13, 11, 12, 300, true); // (10·100 + 12·300)/400 = 11.5
 */
export class VwapState {
  private readonly sessionKey: SessionKeyFn;
  private session: string | number | undefined;
  private priceVolume = 0;
  private volume = 0;

  constructor(sessionKey: SessionKeyFn = utcDateSessionKey) {
    this.sessionKey = sessionKey;
  }

  update(openTime: number, high: number, low: number, close: number, volume: number, commit: boolean): number | null {
    const session = this.sessionKey(openTime);
    const same = session === this.session;
    const priceVolume = (same ? this.priceVolume : 0) + ((high + low + close) / 3) * volume;
    const totalVolume = (same ? this.volume : 0) + volume;
    if (commit) {
      this.session = session;
      this.priceVolume = priceVolume;
      this.volume = totalVolume;
    }
    return totalVolume > 0 ? priceVolume / totalVolume : null;
  }
}
