/**
 * The 0–100 quality score of one symbol: the weighted share of rejected items over a sliding window of the
 * last N items, minus a penalty when the symbol has gone silent. Integer weights keep it exact and deterministic.
 */
import type { QualityCheck, QualityIssue } from "./quality-types.ts";

/** Weight of a rejected item by its worst check, in quarters of an item (an item weighs at most 1). */
export const CHECK_WEIGHTS: Readonly<Record<QualityCheck, number>> = {
  invalid_value: 4,
  price_anomaly: 4,
  volume_spike: 2,
  stale: 1,
};
const FULL_WEIGHT = 4;
/** Largest staleness penalty, reached at 10 × maxAgeMs of silence. */
export const MAX_STALENESS_PENALTY = 50;

/** Weight (in quarters) of an item with these issues: that of its worst check, 0 when accepted. */
export function itemWeight(issues: readonly QualityIssue[]): number {
  return issues.reduce((worst, issue) => Math.max(worst, CHECK_WEIGHTS[issue.check]), 0);
}

/**
 * Sliding-window quality score.
 *
 * score = 100 × (1 − Σ weight / items) − penalty, clamped to 0–100 and rounded to 0.1, where an accepted item
 * weighs 0, an invalid or anomalous price 1, a volume spike 0.5, a stale item 0.25; and
 * penalty = 50 × (age − maxAge) / (9 × maxAge), capped at 50, when the latest event is older than maxAge.
 *
 * @example
 * const score = new QualityScore(1000);
 * for (let i = 0; i < 96; i++) score.record(0);
 * for (let i = 0; i < 4; i++) score.record(4);   // 4 rejected price anomalies in 100 items
 * score.score({ ageMs: 0, maxAgeMs: 60_000 });  // 100 × (1 − 4/100) = 96
 * score.score({ ageMs: 150_000, maxAgeMs: 60_000 }); // 96 − 50 × 90/540 = 87.7
 */
export class QualityScore {
  private readonly weights: Uint8Array;
  private next = 0;
  private size = 0;
  private total = 0;
  private rejected = 0;

  constructor(readonly capacity: number) {
    this.weights = new Uint8Array(capacity);
  }

  /** Records one item's weight (0 = accepted). */
  record(weight: number): void {
    if (this.size === this.capacity) {
      const oldest = this.weights[this.next] ?? 0;
      this.total -= oldest;
      if (oldest > 0) this.rejected--;
    } else {
      this.size++;
    }
    this.weights[this.next] = weight;
    this.next = (this.next + 1) % this.capacity;
    this.total += weight;
    if (weight > 0) this.rejected++;
  }

  /** Items in the window. */
  get items(): number {
    return this.size;
  }

  /** Rejected items in the window. */
  get rejectedItems(): number {
    return this.rejected;
  }

  /** The score at a given age of the latest event (null age: no event yet, no penalty). */
  score(freshness: { ageMs: number | null; maxAgeMs: number }): number {
    const base = this.size === 0 ? 100 : 100 * (1 - this.total / FULL_WEIGHT / this.size);
    const { ageMs, maxAgeMs } = freshness;
    const late = ageMs === null || !Number.isFinite(maxAgeMs) ? 0 : ageMs - maxAgeMs;
    const penalty = late > 0 ? Math.min(MAX_STALENESS_PENALTY, (MAX_STALENESS_PENALTY * late) / (9 * maxAgeMs)) : 0;
    return Math.round(Math.min(100, Math.max(0, base - penalty)) * 10) / 10;
  }
}
