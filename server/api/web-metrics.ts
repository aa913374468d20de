/**
 * Prometheus registry of the web process (default Node metrics plus API counters), kept on
 * globalThis because Next can evaluate route modules more than once while prom-client (an external
 * package) is loaded once. Edit to add a web-side metric.
 */
import { Counter, Registry, collectDefaultMetrics } from "prom-client";

export interface WebMetrics {
  registry: Registry;
  httpRequests: Counter<"route" | "status">;
  chartReads: Counter<"source">;
}

const holder = globalThis as typeof globalThis & { __marketlensWebMetrics?: WebMetrics };

export function webMetrics(): WebMetrics {
  if (!holder.__marketlensWebMetrics) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder.__marketlensWebMetrics = {
      registry,
      httpRequests: new Counter({
        name: "marketlens_http_requests_total",
        help: "REST API requests by route and status",
        labelNames: ["route", "status"],
        registers: [registry],
      }),
      chartReads: new Counter({
        name: "marketlens_chart_reads_total",
        help: "Chart history reads by the store that answered",
        labelNames: ["source"],
        registers: [registry],
      }),
    };
  }
  return holder.__marketlensWebMetrics;
}
