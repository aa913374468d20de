// GET /metrics: Prometheus text of every process (logic: server/api/rest/metrics.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleMetricsRequest } from "@/server/api/rest/metrics.handler.ts";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return handleMetricsRequest(defaultApiServices());
}
