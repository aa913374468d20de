/**
 * Prometheus metrics of the scanner worker (prom-client), exported to Redis for the web's /metrics like the
 * other workers (server/observability/metrics-export.ts).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export function createScannerMetrics(registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "marketlens_scanner_" });
  return {
    registry,
    cycleSeconds: new Histogram({
      name: "marketlens_scanner_cycle_seconds",
      help: "Scanner cycle computation time (derived columns, toplists, screens), without the Redis write",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    writeSeconds: new Histogram({ name: "marketlens_scanner_write_seconds", help: "Redis write + publish of one cycle", buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 2], registers: [registry] }),
    cycles: new Counter({ name: "marketlens_scanner_cycles_total", help: "Scanner cycles, by result (ok, write_failed)", labelNames: ["result"] as const, registers: [registry] }),
    symbolsScanned: new Gauge({ name: "marketlens_scanner_symbols_scanned", help: "Active symbols scanned in the last cycle", registers: [registry] }),
    screensEvaluated: new Gauge({ name: "marketlens_scanner_screens_evaluated", help: "User screens evaluated in the last cycle", registers: [registry] }),
    events: new Counter({ name: "marketlens_scanner_events_total", help: "Pub/sub events received, by kind (bar, analytics) and result (applied, ignored, malformed)", labelNames: ["kind", "result"] as const, registers: [registry] }),
  };
}

export type ScannerMetrics = ReturnType<typeof createScannerMetrics>;
