/**
 * Prometheus metrics of the collector process (prom-client). Exported to Redis for the web's /metrics.
 * Names follow Prometheus conventions: marketlens_<thing>_<unit>_total.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export function createCollectorMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: "marketlens_collector_" });
  const labelNames = ["source"] as const;
  return {
    registry,
    framesReceived: new Counter({ name: "marketlens_frames_received_total", help: "WebSocket frames received", labelNames, registers: [registry] }),
    framesRejected: new Counter({ name: "marketlens_frames_rejected_total", help: "Frames rejected (malformed, invalid values, unknown symbol)", labelNames: ["source", "reason"] as const, registers: [registry] }),
    trades: new Counter({ name: "marketlens_trades_total", help: "Trades accepted into the bar builder", labelNames, registers: [registry] }),
    duplicateTrades: new Counter({ name: "marketlens_trades_duplicate_total", help: "Duplicate trade ids dropped", labelNames, registers: [registry] }),
    barsClosed: new Counter({ name: "marketlens_bars_closed_total", help: "Bars closed", labelNames: ["source", "timeframe"] as const, registers: [registry] }),
    barRevisions: new Counter({ name: "marketlens_bar_revisions_total", help: "Closed bars revised (late trade or exchange kline)", labelNames: ["source", "timeframe"] as const, registers: [registry] }),
    reconnects: new Counter({ name: "marketlens_reconnects_total", help: "Exchange WebSocket reconnects", labelNames, registers: [registry] }),
    gapBarsBackfilled: new Counter({ name: "marketlens_gap_bars_backfilled_total", help: "1m bars fetched over REST by gap repair", labelNames, registers: [registry] }),
    knownGaps: new Counter({ name: "marketlens_known_gaps_total", help: "Holes in the exchange's own history recorded", labelNames, registers: [registry] }),
    restWeight: new Gauge({ name: "marketlens_rest_used_weight_1m", help: "REST request weight used in the current minute (X-MBX-USED-WEIGHT-1M)", labelNames, registers: [registry] }),
    restBudgetWaits: new Counter({ name: "marketlens_rest_budget_waits_total", help: "REST requests that waited for the shared rate budget (window full, or blocked by a 429/418 Retry-After)", labelNames: ["source", "reason"] as const, registers: [registry] }),
    restRateLimited: new Counter({ name: "marketlens_rest_rate_limited_total", help: "REST answers 429/418 (every process then waits for Retry-After)", labelNames: ["source", "status"] as const, registers: [registry] }),
    streamConnections: new Gauge({ name: "marketlens_stream_connections", help: "Exchange WebSocket connections (shards) by state", labelNames: ["source", "state"] as const, registers: [registry] }),
    streamRollovers: new Counter({ name: "marketlens_stream_rollovers_total", help: "Connections replaced without a gap (before the exchange's 24 h cut, or on serverShutdown)", labelNames, registers: [registry] }),
    controlMessages: new Counter({ name: "marketlens_control_messages_total", help: "WebSocket control messages sent (SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS)", labelNames: ["source", "method"] as const, registers: [registry] }),
    controlQueued: new Gauge({ name: "marketlens_control_messages_queued", help: "WebSocket control messages waiting for the per-connection allowance (5 per second)", labelNames, registers: [registry] }),
    dbWriteSeconds: new Histogram({ name: "marketlens_db_write_seconds", help: "Candle batch write latency", buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [registry] }),
    circuitState: new Gauge({ name: "marketlens_circuit_state", help: "Circuit breaker state per source and kind (0 closed, 1 half-open, 2 open)", labelNames: ["source", "kind"] as const, registers: [registry] }),
    circuitTransitions: new Counter({ name: "marketlens_circuit_transitions_total", help: "Circuit breaker state transitions", labelNames: ["source", "kind", "to"] as const, registers: [registry] }),
    qualityRejected: new Counter({ name: "marketlens_quality_rejected_total", help: "Trades and bars rejected by the data-quality gate, per failed check (an item failing two checks counts for both)", labelNames: ["source", "check"] as const, registers: [registry] }),
    qualityScore: new Gauge({ name: "marketlens_quality_score", help: "Data-quality score per symbol (0–100, sliding window of the last 1,000 items)", labelNames: ["symbol"] as const, registers: [registry] }),
    quarantineDropped: new Counter({ name: "marketlens_quarantine_dropped_total", help: "Rejected items not written to quarantine (buffer full while PostgreSQL was down)", labelNames, registers: [registry] }),
    writeBacklog: new Gauge({ name: "marketlens_write_backlog_bars", help: "Closed bars waiting to be written (PostgreSQL or Redis down)", labelNames: ["target"] as const, registers: [registry] }),
  };
}

export type CollectorMetrics = ReturnType<typeof createCollectorMetrics>;
