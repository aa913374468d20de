/**
 * Prometheus metrics of the analytics worker process (prom-client), exported to Redis for the web's /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export function createAnalyticsMetrics(registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "marketlens_analytics_" });
  return {
    registry,
    jobs: new Counter({ name: "marketlens_analytics_jobs_total", help: "bar-closed jobs processed, by result (computed, unchanged, empty, failed)", labelNames: ["result"] as const, registers: [registry] }),
    jobSeconds: new Histogram({
      name: "marketlens_analytics_job_seconds",
      help: "bar-closed job processing time (compute + PostgreSQL + Redis)",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
      registers: [registry],
    }),
    barsComputed: new Counter({ name: "marketlens_analytics_bars_computed_total", help: "Bars whose indicators and features were computed and written", labelNames: ["timeframe"] as const, registers: [registry] }),
    featureVersions: new Counter({ name: "marketlens_analytics_feature_versions_total", help: "ml_features versions added", registers: [registry] }),
    rebuilds: new Counter({ name: "marketlens_analytics_rebuilds_total", help: "Stream states built from PostgreSQL (backfill or rehydrate)", labelNames: ["kind"] as const, registers: [registry] }),
    streams: new Gauge({ name: "marketlens_analytics_streams", help: "(symbol, timeframe) states held in memory", registers: [registry] }),
    partitions: new Gauge({ name: "marketlens_analytics_partitions_owned", help: "bar-closed partitions this process consumes", registers: [registry] }),
  };
}

export type AnalyticsMetrics = ReturnType<typeof createAnalyticsMetrics>;
