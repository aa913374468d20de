/**
 * Prometheus metrics of the alert engine, registered on the analytics worker's registry (exported with it).
 */
import { Counter, Histogram, type Registry } from "prom-client";

export function createAlertMetrics(registry: Registry) {
  return {
    firings: new Counter({
      name: "marketlens_alert_firings_total",
      help: "Alert firings by mode (close, tick) and outcome (new; repeat: a retried job or tick found it recorded; refused: a one-time alert that had fired)",
      labelNames: ["mode", "outcome"] as const,
      registers: [registry],
    }),
    evaluations: new Counter({ name: "marketlens_alert_evaluations_total", help: "Alert rule evaluations, by mode", labelNames: ["mode"] as const, registers: [registry] }),
    cooldownDrops: new Counter({ name: "marketlens_alert_cooldown_drops_total", help: "Becoming-true dropped inside an alert's cooldown", registers: [registry] }),
    beforeArmed: new Counter({
      name: "marketlens_alert_before_armed_total",
      help: "Closed bars not evaluated for an alert because they closed before it was created, edited or re-armed (a backlog being analysed)",
      registers: [registry],
    }),
    tickWaits: new Counter({
      name: "marketlens_alert_tick_waits_total",
      help: "Tick evaluations of a rule reading indicators or patterns left to the closed bar: the analytics state was not right behind the live bar (catching up)",
      registers: [registry],
    }),
    tickErrors: new Counter({ name: "marketlens_alert_tick_errors_total", help: "Tick evaluations that failed (the closed bar is evaluated again)", registers: [registry] }),
    fireSeconds: new Histogram({
      name: "marketlens_alert_fire_seconds",
      help: "Time from a firing decision to its notification enqueued (record + enqueue)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}

export type AlertMetrics = ReturnType<typeof createAlertMetrics>;
