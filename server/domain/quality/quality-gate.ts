/**
 * `QualityGate`: the data-quality stage of a collector, one per symbol. Every trade or bar goes through
 * `checkTrade` / `checkBar` before it is stored or aggregated; rejected items come back with their issues.
 * Pure: the caller passes `now`.
 */
import type { Bar, SymbolId, Trade } from "../bars/bar.ts";
import { TIMEFRAME_MS } from "../time/timeframes.ts";
import { QualityScore, itemWeight } from "./quality-score.ts";
import { QualityStream } from "./quality-stream.ts";
import { resolveQualityOptions } from "./quality-types.ts";
import type { QualityCheck, QualityIssue, QualityOptions, QualityResult, QualitySnapshot } from "./quality-types.ts";
import { barLabel, checkFreshness, tradeLabel, validateBar, validateTrade } from "./quality-validity.ts";

/** What the gate needs from an item, whatever its kind. */
interface Item {
  stream: string;
  label: string;
  eventTime: number;
  price: number;
  volume: number;
  priceField: string;
  volumeField: string;
  invalid: QualityIssue[];
  wicks: { high: number; low: number } | null;
}

const NO_ISSUES: Record<QualityCheck, number> = { price_anomaly: 0, stale: 0, invalid_value: 0, volume_spike: 0 };

/**
 * Data-quality checks for one symbol. Trades and each bar timeframe keep separate rolling baselines
 * (a trade quantity and a 1h volume are not comparable); the score covers them all.
 *
 * @example
 * const gate = new QualityGate("BINANCE:BTCUSDT");            // thresholds: DEFAULT_QUALITY_OPTIONS
 * const result = gate.checkTrade(trade, now);
 * if (!result.ok) log.warn(result.checks.map((issue) => issue.message).join("; "));
 * gate.score(now);    // 0–100
 * gate.snapshot(now); // for storage
 */
export class QualityGate {
  readonly options: QualityOptions;
  private readonly streams = new Map<string, QualityStream>();
  private readonly window: QualityScore;
  private readonly issueCounts: Record<QualityCheck, number> = { ...NO_ISSUES };
  private totalItems = 0;
  private totalRejected = 0;
  private rebaselines = 0;
  private lastEventTime: number | null = null;

  constructor(
    readonly symbol: SymbolId,
    options: Partial<QualityOptions> = {},
  ) {
    this.options = resolveQualityOptions(options);
    this.window = new QualityScore(this.options.scoreWindow);
  }

  /**
   * Checks one trade: valid values, freshness (`now - trade.time`), a price anomaly against the previous accepted
   * trade price and the rolling mean, and a quantity spike.
   *
   * @example
   * gate.checkTrade({ symbol: "BINANCE:BTCUSDT", id: 123, price: 31_000, quantity: 0.01, time: now, buyerIsMaker: false, count: 1 }, now);
   * // after trades at 27,580: { ok: false, checks: [{ check: "price_anomaly", value: 0.124, threshold: 0.1,
   * //   message: "BINANCE:BTCUSDT trade 123: price 31,000 is 12.4% above the previous 27,580 (limit 10%)" }] }
   */
  checkTrade(trade: Trade, now: number): QualityResult {
    this.requireSymbol(trade.symbol, `trade ${trade.id}`);
    return this.check(
      {
        stream: "trade",
        label: tradeLabel(trade),
        eventTime: trade.time,
        price: trade.price,
        volume: trade.quantity,
        priceField: "price",
        volumeField: "quantity",
        invalid: validateTrade(trade),
        wicks: null,
      },
      now,
    );
  }

  /**
   * Checks one bar: valid OHLCV, freshness of its end (`now - (openTime + timeframe)`), a close anomaly, a high or
   * low more than `jumpLimit` from the previous accepted close, and a volume spike; per timeframe.
   *
   * @example
   * gate.checkBar({ ...bar, close: bar.close * 1.15 }, bar.openTime + 60_000); // { ok: false, checks: [price_anomaly, …] }
   */
  checkBar(bar: Bar, now: number): QualityResult {
    this.requireSymbol(bar.symbol, `${bar.timeframe} bar ${bar.openTime}`);
    return this.check(
      {
        stream: `bar:${bar.timeframe}`,
        label: barLabel(bar),
        eventTime: bar.openTime + TIMEFRAME_MS[bar.timeframe],
        price: bar.close,
        volume: bar.volume,
        priceField: "close",
        volumeField: "volume",
        invalid: validateBar(bar),
        wicks: { high: bar.high, low: bar.low },
      },
      now,
    );
  }

  /** The 0–100 quality score at `now` (see `QualityScore`). */
  score(now: number): number {
    return this.window.score({ ageMs: this.ageAt(now), maxAgeMs: this.options.maxAgeMs });
  }

  /** A plain, JSON-serializable picture of the gate at `now`, for storage. */
  snapshot(now: number): QualitySnapshot {
    return {
      symbol: this.symbol,
      score: this.score(now),
      windowItems: this.window.items,
      windowRejected: this.window.rejectedItems,
      issuesByCheck: { ...this.issueCounts },
      totalItems: this.totalItems,
      totalRejected: this.totalRejected,
      rebaselines: this.rebaselines,
      lastEventTime: this.lastEventTime,
      ageMs: this.ageAt(now),
    };
  }

  /** Accepted close/trade prices held for a stream (`"trade"` or `"bar:1m"`…), oldest first; for tests and debugging. */
  baseline(stream: string): number[] {
    return this.streams.get(stream)?.priceBaseline() ?? [];
  }

  private check(item: Item, now: number): QualityResult {
    const stream = this.streamFor(item.stream);
    const issues = [...item.invalid, ...this.statefulIssues(stream, item)];
    const stale = checkFreshness(item.label, item.eventTime, now, this.options.maxAgeMs);
    if (stale) issues.push(stale);
    this.totalItems++;
    if (Number.isFinite(item.eventTime) && (this.lastEventTime === null || item.eventTime > this.lastEventTime)) {
      this.lastEventTime = item.eventTime;
    }
    if (issues.length === 0) {
      stream.accept(item.price, item.volume);
      this.window.record(0);
      return { ok: true };
    }
    if (issues.every((issue) => issue.check === "price_anomaly")) {
      const rebaseline = stream.noteAnomaly(item.price, item.volume);
      if (rebaseline) {
        this.rebaselines++;
        this.window.record(0);
        return { ok: true, rebaseline };
      }
    }
    this.totalRejected++;
    for (const issue of issues) this.issueCounts[issue.check]++;
    this.window.record(itemWeight(issues));
    return { ok: false, checks: issues };
  }

  /** Price and volume checks against the stream's history; skipped for an item with invalid values. */
  private statefulIssues(stream: QualityStream, item: Item): QualityIssue[] {
    if (item.invalid.length > 0) return [];
    const issues = stream.priceIssues(item.label, item.priceField, item.price);
    if (item.wicks) {
      for (const field of ["high", "low"] as const) {
        const wick = stream.wickIssue(item.label, field, item.wicks[field]);
        if (wick) issues.push(wick);
      }
    }
    const volume = stream.volumeIssue(item.label, item.volumeField, item.volume);
    if (volume) issues.push(volume);
    return issues;
  }

  private streamFor(key: string): QualityStream {
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new QualityStream(this.options);
      this.streams.set(key, stream);
    }
    return stream;
  }

  private ageAt(now: number): number | null {
    return this.lastEventTime === null ? null : Math.max(0, now - this.lastEventTime);
  }

  private requireSymbol(symbol: SymbolId, what: string): void {
    if (symbol !== this.symbol) throw new RangeError(`quality gate ${this.symbol}: ${symbol} ${what} belongs to another symbol`);
  }
}
