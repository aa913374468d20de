/**
 * Bollinger Bands, streaming, TA-Lib `BBANDS` arithmetic. Pure.
 */
import { SmaState } from "./moving-average.ts";

/**
 * Bollinger Bands(period, k), TA-Lib `BBANDS(20, 2, 2, SMA)`: middle = SMA(period);
 * σ = population standard deviation of the same window, √(mean(x²) − middle²) (0 when that is < 1e-14, as
 * TA-Lib); upper = middle + k·σ, lower = middle − k·σ. Warm-up: first values at index `period − 1` (19).
 * After `update`, read `upper`, `middle`, `lower`.
 * @example
 * const bands = new BollingerState(3, 2);
 * [1, 2, 3].forEach((x) => bands.update(x, true));
 * // middle 2, σ = √((1+4+9)/3 − 4) = 0.8165 → upper 3.633, lower 0.367
 */
export class BollingerState {
  upper: number | null = null;
  middle: number | null = null;
  lower: number | null = null;
  private readonly mean: SmaState;
  private readonly meanOfSquares: SmaState;
  private readonly deviations: number;

  constructor(period = 20, deviations = 2) {
    this.mean = new SmaState(period);
    this.meanOfSquares = new SmaState(period);
    this.deviations = deviations;
  }

  update(close: number, commit: boolean): void {
    const middle = this.mean.update(close, commit);
    const meanSquare = this.meanOfSquares.update(close * close, commit);
    if (middle === null || meanSquare === null) {
      this.upper = this.middle = this.lower = null;
      return;
    }
    const variance = meanSquare - middle * middle;
    const width = (variance < 1e-14 ? 0 : Math.sqrt(variance)) * this.deviations;
    this.middle = middle;
    this.upper = middle + width;
    this.lower = middle - width;
  }
}
