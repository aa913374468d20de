/**
 * GET /metrics — Prometheus text of this web process's registry plus every other process's
 * registry that was exported to Redis (`{ns}:metrics:*`, see server/observability/metrics-export.ts),
 * merged with prom-client's AggregatorRegistry. Each series gets a `process` label so equal metric
 * names from different processes stay apart.
 */
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from "prom-client";
import { whenRedisReady } from "../../services/service-deps.ts";
import type { ApiServices } from "../api-services.ts";
import { webMetrics } from "../web-metrics.ts";

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

function withProcessLabel(metrics: MetricJson[], processName: string): MetricJson[] {
  return metrics.map((metric) => ({
    ...metric,
    values: metric.values.map((value) => ({ ...value, labels: { process: processName, ...value.labels } })),
  }));
}

async function readExported(services: ApiServices): Promise<MetricJson[][]> {
  const { redis, keys } = services.deps;
  await whenRedisReady(redis);
  const prefix = keys.metrics("");
  const names: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", keys.metricsPattern(), "COUNT", 100);
    names.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  const own = keys.metrics("web");
  const others = names.filter((name) => name !== own).sort();
  if (others.length === 0) return [];
  const values = await redis.mget(...others);
  const result: MetricJson[][] = [];
  values.forEach((value, index) => {
    if (!value) return;
    try {
      const parsed: unknown = JSON.parse(value);
      if (Array.isArray(parsed)) result.push(withProcessLabel(parsed as MetricJson[], (others[index] ?? "").slice(prefix.length)));
    } catch {
      // a half-written or foreign key: skip it
    }
  });
  return result;
}

/** Renders the aggregated Prometheus text. */
export async function renderMetrics(services: ApiServices): Promise<{ text: string; contentType: string }> {
  const registry = webMetrics().registry;
  const own = withProcessLabel(await registry.getMetricsAsJSON(), "web");
  let exported: MetricJson[][] = [];
  try {
    exported = await readExported(services);
  } catch {
    // Redis down: serve this process's metrics alone
  }
  const aggregated = AggregatorRegistry.aggregate([own, ...exported]);
  return { text: await aggregated.metrics(), contentType: registry.contentType };
}

export async function handleMetricsRequest(services: ApiServices): Promise<Response> {
  try {
    const { text, contentType } = await renderMetrics(services);
    return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    return new Response(`# metrics unavailable: ${error instanceof Error ? error.message : String(error)}\n`, {
      status: 500,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
}
