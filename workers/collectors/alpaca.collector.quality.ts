/**
 * The Alpaca collector's data-quality stage (issue 4, server/domain/quality), wired as in the Binance collector:
 * one QualityGate per symbol checks every trade and every final bar; rejected items never reach the bar builder
 * and go to the quarantine table through a QualitySink (batched), which also keeps the per-symbol score in Redis
 * (`{ns}:quality:{SYMBOL}`) and data_quality_metrics.
 * Freshness is judged against the collector's view of exchange time (the latest trade time or bar end seen), aged
 * by wall time while the market is open; while it is closed that view stops, so a weekend is not "stale".
 */
import type pg from "pg";
import type { Bar, SymbolId, Trade } from "../../server/domain/bars/bar.ts";
import { QualityGate } from "../../server/domain/quality/quality-gate.ts";
import type { QualityIssue } from "../../server/domain/quality/quality-types.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { QualitySink } from "../../server/services/quality-sink.service.ts";
import type { CollectorQualityOptions } from "./collector-quality-options.ts";

export interface AlpacaQualityStageOptions {
  pool: pg.Pool;
  metrics: CollectorMetrics;
  source: string;
  options?: CollectorQualityOptions;
  /** Whether the market is in session now (exchange time stops while it is not). */
  marketOpen: () => boolean;
  log?: (level: "info" | "warn" | "error", message: string, details?: object) => void;
}

export class AlpacaQualityStage {
  private readonly gates = new Map<SymbolId, QualityGate>();
  private readonly sink: QualitySink;
  private latest = 0;
  private latestAt = 0;

  constructor(private readonly stage: AlpacaQualityStageOptions) {
    const options = stage.options ?? {};
    this.sink = new QualitySink({
      pool: stage.pool,
      redis: options.redis,
      keys: options.keys,
      metrics: stage.metrics,
      source: stage.source,
      snapshots: () => [...this.gates.values()].map((gate) => gate.snapshot(this.exchangeNow())),
      now: () => this.exchangeNow(),
      flushIntervalMs: options.flushIntervalMs,
      snapshotIntervalMs: options.snapshotIntervalMs,
      historyIntervalMs: options.historyIntervalMs,
      log: stage.log,
    });
  }

  add(symbol: SymbolId): void {
    if (!this.gates.has(symbol)) this.gates.set(symbol, new QualityGate(symbol, this.stage.options?.gate));
  }

  remove(symbol: SymbolId): void {
    this.gates.delete(symbol);
  }

  start(): void {
    this.sink.start();
  }

  async close(): Promise<void> {
    await this.sink.close();
  }

  /** The latest event time seen (0 before the first). */
  get exchangeTime(): number {
    return this.latest;
  }

  noteExchangeTime(eventTime: number): void {
    if (eventTime > this.latest) {
      this.latest = eventTime;
      this.latestAt = Date.now();
    }
  }

  /** Exchange time now: the latest event, aged by wall time while the market is open. */
  exchangeNow(): number {
    if (this.latest === 0) return Date.now();
    if (!this.stage.marketOpen()) return this.latest;
    return this.latest + Math.max(0, Date.now() - this.latestAt);
  }

  passesTrade(trade: Trade): boolean {
    const gate = this.gates.get(trade.symbol);
    if (!gate) return true;
    const result = gate.checkTrade(trade, Math.max(this.latest, trade.time));
    if (result.ok) return true;
    this.reject("trade", trade, trade.time, result.checks);
    return false;
  }

  /** A final 1m bar checked at `now` (REST history: its own end, so it is never stale). */
  passesBar(bar: Bar, now: number): boolean {
    const gate = this.gates.get(bar.symbol);
    if (!gate) return true;
    const result = gate.checkBar(bar, now);
    if (result.ok) {
      if (result.rebaseline) this.stage.log?.("info", "data quality: new price level accepted", { symbol: bar.symbol, ...result.rebaseline });
      return true;
    }
    this.reject("bar", bar, bar.openTime, result.checks);
    return false;
  }

  snapshot(symbol: SymbolId) {
    return this.gates.get(symbol)?.snapshot(this.exchangeNow()) ?? null;
  }

  private reject(kind: "trade" | "bar", item: Trade | Bar, eventTime: number, checks: QualityIssue[]): void {
    // once per failed check (a price can break both the jump and the z-score rule: one price_anomaly)
    for (let i = 0; i < checks.length; i++) {
      const check = checks[i]!.check;
      if (checks.findIndex((issue) => issue.check === check) === i) this.stage.metrics.qualityRejected.inc({ source: this.stage.source, check });
    }
    this.sink.push({ symbol: item.symbol, kind, payload: item, checks, eventTime, receivedAt: Date.now() });
  }
}
