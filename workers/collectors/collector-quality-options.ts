/**
 * The data-quality options every collector takes (`quality` of the Binance, Alpaca and Yahoo collector options):
 * where the QualitySink keeps the per-symbol score, the QualityGate's thresholds and the sink's intervals.
 */
import type { Redis } from "ioredis";
import type { QualityOptions } from "../../server/domain/quality/quality-types.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";

export interface CollectorQualityOptions {
  /** Redis for the `{ns}:quality:{SYMBOL}` snapshots; without it only the gauge and the history table are written. */
  redis?: Redis;
  keys?: RedisKeys;
  /** Gate thresholds (QualityOptions defaults otherwise). */
  gate?: Partial<QualityOptions>;
  /** Quarantine flush (default 1 s), score snapshot (5 s) and history row (60 s) intervals. */
  flushIntervalMs?: number;
  snapshotIntervalMs?: number;
  historyIntervalMs?: number;
}
