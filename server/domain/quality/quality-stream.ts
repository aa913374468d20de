/**
 * The rolling state of one stream of a symbol (its trades, or its bars of one timeframe): the last accepted
 * prices and volumes, the previous accepted price, and the run of consecutive price anomalies that may turn
 * out to be a sustained new level. Only accepted items update it.
 */
import { RollingWindow } from "./rolling-window.ts";
import type { QualityIssue, QualityOptions, Rebaseline } from "./quality-types.ts";
import { formatNumber, formatPercent } from "./quality-validity.ts";

/**
 * Price and volume baselines of one stream.
 *
 * @example
 * const stream = new QualityStream(resolveQualityOptions());
 * stream.accept(27_580, 1);
 * stream.priceIssues("BINANCE:BTCUSDT trade 123", "price", 31_000);
 * // [{ check: "price_anomaly", value: 0.124, threshold: 0.1,
 * //    message: "BINANCE:BTCUSDT trade 123: price 31,000 is 12.4% above the previous 27,580 (limit 10%)" }]
 */
export class QualityStream {
  private readonly prices: RollingWindow;
  private readonly volumes: RollingWindow;
  private previous: number | null = null;
  /** Prices of the current run of consecutive anomalies, within `rebaselineBand` of each other. */
  private streak: number[] = [];

  constructor(private readonly options: QualityOptions) {
    this.prices = new RollingWindow(options.windowSize);
    this.volumes = new RollingWindow(options.windowSize);
  }

  /** The previous accepted price, or null before the first one. */
  get previousPrice(): number | null {
    return this.previous;
  }

  /** Accepted prices held, oldest first (tests and debugging). */
  priceBaseline(): number[] {
    return this.prices.toArray();
  }

  /** Jump from the previous accepted price, and z-score against the rolling mean (once warmed up). */
  priceIssues(label: string, field: string, price: number): QualityIssue[] {
    const issues: QualityIssue[] = [];
    const jump = this.jumpIssue(label, field, price, "previous");
    if (jump) issues.push(jump);
    const { minSamples, zScoreLimit, zScoreMinDeviation, windowSize } = this.options;
    if (this.prices.count < minSamples) return issues;
    const mean = this.prices.mean();
    const deviation = Math.abs(price - mean);
    const sigma = this.prices.stdDev();
    const z = sigma > 0 ? deviation / sigma : deviation > 0 ? Number.POSITIVE_INFINITY : 0;
    if (z > zScoreLimit && deviation / mean > zScoreMinDeviation) {
      const zText = Number.isFinite(z) ? `${Number(z.toFixed(1))}σ` : "infinitely many σ (flat baseline)";
      issues.push({
        check: "price_anomaly",
        value: z,
        threshold: zScoreLimit,
        message:
          `${label}: ${field} ${formatNumber(price)} is ${zText} from the mean ${formatNumber(Number(mean.toFixed(2)))} of the last ` +
          `${Math.min(this.prices.count, windowSize)} prices (limit ${zScoreLimit}σ and ${formatPercent(zScoreMinDeviation)} away)`,
      });
    }
    return issues;
  }

  /** A bar's high or low compared with the previous accepted close (a one-print wick spike). */
  wickIssue(label: string, field: "high" | "low", price: number): QualityIssue | null {
    return this.jumpIssue(label, field, price, "previous close");
  }

  /** Volume above `volumeSpikeFactor` × the rolling average volume (once warmed up; never against a zero average). */
  volumeIssue(label: string, field: string, volume: number): QualityIssue | null {
    if (this.volumes.count < this.options.minSamples) return null;
    const average = this.volumes.mean();
    if (!(average > 0)) return null;
    const ratio = volume / average;
    if (ratio <= this.options.volumeSpikeFactor) return null;
    return {
      check: "volume_spike",
      value: ratio,
      threshold: this.options.volumeSpikeFactor,
      message:
        `${label}: ${field} ${formatNumber(volume)} is ${formatNumber(Number(ratio.toFixed(1)))}× the average ` +
        `${formatNumber(Number(average.toFixed(8)))} of the last ${this.volumes.count} (limit ${this.options.volumeSpikeFactor}×)`,
    };
  }

  /** Adds an accepted item to the baselines and ends any run of anomalies. */
  accept(price: number, volume: number): void {
    this.prices.push(price);
    this.volumes.push(volume);
    this.previous = price;
    this.streak = [];
  }

  /**
   * Records a rejected price anomaly. When it completes `rebaselineCount` consecutive anomalies within
   * `rebaselineBand` of each other, the level is real: the price baseline restarts from those prices, the
   * volume is accepted, and the re-baseline is returned. Otherwise returns null (the item stays rejected).
   */
  noteAnomaly(price: number, volume: number): Rebaseline | null {
    const low = Math.min(price, ...this.streak);
    const high = Math.max(price, ...this.streak);
    this.streak = high / low - 1 <= this.options.rebaselineBand ? [...this.streak, price] : [price];
    if (this.streak.length < this.options.rebaselineCount) return null;
    const rebaseline: Rebaseline = { from: this.previous ?? price, to: price, count: this.streak.length };
    const level = this.streak;
    this.prices.clear();
    for (const value of level) this.prices.push(value);
    this.volumes.push(volume);
    this.previous = price;
    this.streak = [];
    return rebaseline;
  }

  private jumpIssue(label: string, field: string, price: number, reference: string): QualityIssue | null {
    if (this.previous === null) return null;
    const change = price / this.previous - 1;
    if (Math.abs(change) <= this.options.jumpLimit) return null;
    const direction = change > 0 ? "above" : "below";
    return {
      check: "price_anomaly",
      value: Math.abs(change),
      threshold: this.options.jumpLimit,
      message:
        `${label}: ${field} ${formatNumber(price)} is ${formatPercent(Math.abs(change))} ${direction} the ${reference} ` +
        `${formatNumber(this.previous)} (limit ${formatPercent(this.options.jumpLimit)})`,
    };
  }
}
