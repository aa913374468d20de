/**
 * Types and defaults of the data-quality checks: the check names, the issue and result shapes, the thresholds.
 * Edit the defaults here (and the table in README.md) to change a threshold for every collector.
 */
import type { SymbolId } from "../bars/bar.ts";

/** The checks a quality gate runs. */
export type QualityCheck = "price_anomaly" | "stale" | "invalid_value" | "volume_spike";

/** One failed check: what was measured, against which threshold, and a message for logs and alerts. */
export interface QualityIssue {
  check: QualityCheck;
  /** The measured value: a z-score, a relative jump (0.124 = 12.4%), an age in ms, a volume ratio, or the bad value. */
  value: number;
  /** The threshold the value broke, in the same unit. */
  threshold: number;
  /** `BINANCE:BTCUSDT trade 123: price 31,000 is 12.4% above the previous 27,580 (limit 10%)` */
  message: string;
}

/** A sustained new price level that was accepted after `count` consecutive consistent anomalies. */
export interface Rebaseline {
  /** The previous accepted price the anomalies were measured against. */
  from: number;
  /** The price now accepted. */
  to: number;
  count: number;
}

/** The verdict on one item. `rebaseline` is set on the item that made the gate accept a new price level. */
export type QualityResult = { ok: true; rebaseline?: Rebaseline } | { ok: false; checks: QualityIssue[] };

/** Thresholds; every field is optional in `QualityGate`'s constructor. */
export interface QualityOptions {
  /** Rolling window length for prices and volumes (default 100). */
  windowSize: number;
  /** Values needed in a window before the z-score and volume checks judge (default 20). */
  minSamples: number;
  /** z-score limit of a price against the rolling mean (default 3). */
  zScoreLimit: number;
  /**
   * The z-score check only fires when the price is also this far from the rolling mean (default 0.03 = 3%):
   * in a calm minute σ of 100 BTC closes is ~0.1%, so 3σ alone flags ordinary moves (see README.md).
   */
  zScoreMinDeviation: number;
  /** Largest accepted move from the previous accepted price (default 0.10 = 10%). */
  jumpLimit: number;
  /** Largest age of live data, `now - eventTime`, in ms (default 60,000); `Infinity` disables (replay, backfill). */
  maxAgeMs: number;
  /** A volume above this multiple of the rolling average volume is a spike (default 100). */
  volumeSpikeFactor: number;
  /** Consecutive price anomalies that make a sustained new level (default 5). */
  rebaselineCount: number;
  /** Those anomalies must lie within this relative band of each other: max/min − 1 (default 0.01 = 1%). */
  rebaselineBand: number;
  /** Items in the score's sliding window (default 1,000). */
  scoreWindow: number;
}

export const DEFAULT_QUALITY_OPTIONS: Readonly<QualityOptions> = {
  windowSize: 100,
  minSamples: 20,
  zScoreLimit: 3,
  zScoreMinDeviation: 0.03,
  jumpLimit: 0.1,
  maxAgeMs: 60_000,
  volumeSpikeFactor: 100,
  rebaselineCount: 5,
  rebaselineBand: 0.01,
  scoreWindow: 1000,
};

/** The state of one symbol's gate, for storage (`quality_snapshots`) and dashboards. */
export interface QualitySnapshot {
  symbol: SymbolId;
  /** 0–100, see `QualityScore`. */
  score: number;
  /** Items in the score window, and how many of them were rejected. */
  windowItems: number;
  windowRejected: number;
  /** Rejections per check since the gate was created (an item with two issues counts for both). */
  issuesByCheck: Record<QualityCheck, number>;
  totalItems: number;
  totalRejected: number;
  rebaselines: number;
  /** Latest event time seen (UTC ms), or null. */
  lastEventTime: number | null;
  /** `now - lastEventTime` at the snapshot, or null. */
  ageMs: number | null;
}

/** Merges partial options over the defaults and rejects nonsense thresholds. */
export function resolveQualityOptions(options: Partial<QualityOptions> = {}): QualityOptions {
  const resolved = { ...DEFAULT_QUALITY_OPTIONS, ...options };
  for (const [name, value] of Object.entries(resolved)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) throw new RangeError(`quality option ${name} must be a number ≥ 0, got ${String(value)}`);
  }
  for (const name of ["windowSize", "minSamples", "rebaselineCount", "scoreWindow"] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new RangeError(`quality option ${name} must be a positive integer, got ${resolved[name]}`);
  }
  if (resolved.minSamples > resolved.windowSize) throw new RangeError(`quality option minSamples (${resolved.minSamples}) exceeds windowSize (${resolved.windowSize})`);
  return resolved;
}
