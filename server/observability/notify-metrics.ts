/**
 * Prometheus metrics of the notifier process (prom-client), exported to Redis for the web's /metrics.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export function createNotifyMetrics(registry = new Registry(), options: { defaultMetrics?: boolean } = {}) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: "marketlens_notifier_" });
  return {
    registry,
    attempts: new Counter({
      name: "marketlens_notify_attempts_total",
      help: "Delivery attempts by channel kind and outcome (delivered, failed, dead, refused)",
      labelNames: ["kind", "outcome"] as const,
      registers: [registry],
    }),
    skipped: new Counter({ name: "marketlens_notify_skipped_total", help: "Jobs that sent nothing (already delivered, dead, missing)", labelNames: ["reason"] as const, registers: [registry] }),
    rateLimited: new Counter({ name: "marketlens_notify_rate_limited_total", help: "Deliveries delayed by their channel's rate limit", labelNames: ["kind"] as const, registers: [registry] }),
    resumed: new Counter({ name: "marketlens_notify_resumed_total", help: "Deliveries re-sent after a notifier stopped mid-attempt (receiver may dedupe by delivery id)", registers: [registry] }),
    requeued: new Counter({ name: "marketlens_notify_requeued_total", help: "Open deliveries re-enqueued by the sweep (job missing from Redis)", registers: [registry] }),
    sendSeconds: new Histogram({
      name: "marketlens_notify_send_seconds",
      help: "Time of one send (network call) by channel kind",
      labelNames: ["kind"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type NotifyMetrics = ReturnType<typeof createNotifyMetrics>;
