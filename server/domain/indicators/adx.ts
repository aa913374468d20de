/**
 * Directional movement: +DI, −DI and ADX (Wilder), streaming, TA-Lib `PLUS_DI`/`MINUS_DI`/`ADX` arithmetic. Pure.
 */
import { trueRange } from "./atr.ts";
import { isTaZero } from "./rsi.ts";

/**
 * ADX(period) with +DI/−DI, TA-Lib `ADX`, `PLUS_DI`, `MINUS_DI`:
 * up = Hₜ − Hₜ₋₁, down = Lₜ₋₁ − Lₜ; +DM = up if up > 0 and up > down, −DM = down if down > 0 and down > up;
 * +DM, −DM and TR are summed over bars 1..period−1, then S ← S − S/period + x from bar `period`;
 * ±DI = 100·S(±DM)/S(TR) (0 when S(TR) = 0); DX = 100·|+DI − −DI|/(+DI + −DI);
 * ADX = mean(DX over bars period..2·period−1), then ADX ← (ADX·(period−1) + DX)/period.
 * Warm-up: ±DI first at index `period` (14), ADX at `2·period − 1` (27).
 * After `update`, read `plusDi`, `minusDi`, `adx`.
 * @example
 * const dm = new DirectionalMovementState(14);
 * for (const bar of bars) dm.update(bar.high, bar.low, bar.close, true); // dm.adx ≥ 25: a trend
 */
export class DirectionalMovementState {
  plusDi: number | null = null;
  minusDi: number | null = null;
  adx: number | null = null;
  readonly period: number;
  private count = 0;
  private previousHigh = 0;
  private previousLow = 0;
  private previousClose = 0;
  private plusDm = 0;
  private minusDm = 0;
  private range = 0;
  /** Σ DX during the ADX seed, then the ADX itself. */
  private adxState = 0;

  constructor(period = 14) {
    if (!Number.isInteger(period) || period < 2) throw new RangeError(`ADX: period must be an integer ≥ 2, got ${period}`);
    this.period = period;
  }

  update(high: number, low: number, close: number, commit: boolean): void {
    const index = this.count;
    const period = this.period;
    this.plusDi = this.minusDi = this.adx = null;
    let { plusDm, minusDm, range, adxState } = this;
    if (index > 0) {
      const up = high - this.previousHigh;
      const down = this.previousLow - low;
      const smoothing = index >= period;
      if (smoothing) {
        minusDm -= minusDm / period;
        plusDm -= plusDm / period;
      }
      if (down > 0 && up < down) minusDm += down;
      else if (up > 0 && up > down) plusDm += up;
      const tr = trueRange(high, low, this.previousClose);
      range = smoothing ? range - range / period + tr : range + tr;
      if (smoothing) adxState = this.directional(plusDm, minusDm, range, index, adxState);
    }
    if (commit) {
      this.previousHigh = high;
      this.previousLow = low;
      this.previousClose = close;
      this.plusDm = plusDm;
      this.minusDm = minusDm;
      this.range = range;
      this.adxState = adxState;
      this.count++;
    }
  }

  /** Sets ±DI (and ADX once seeded) for bar `index` ≥ period; returns the new ADX state. */
  private directional(plusDm: number, minusDm: number, range: number, index: number, adxState: number): number {
    const period = this.period;
    const seedEnd = 2 * period - 1;
    let state = adxState;
    if (isTaZero(range)) {
      this.plusDi = this.minusDi = 0;
    } else {
      const minusDi = 100 * (minusDm / range);
      const plusDi = 100 * (plusDm / range);
      this.plusDi = plusDi;
      this.minusDi = minusDi;
      const sum = minusDi + plusDi;
      if (!isTaZero(sum)) {
        const dx = 100 * (Math.abs(minusDi - plusDi) / sum);
        state = index <= seedEnd ? state + dx : (state * (period - 1) + dx) / period;
      }
    }
    if (index === seedEnd) state /= period;
    if (index >= seedEnd) this.adx = state;
    return state;
  }
}
