// GET /api/v1/health — 200 when healthy, 503 otherwise; the body lists every part and the problems.
import type { ApiServices } from "../api-services.ts";
import { errorResponse } from "../errors.ts";
import { webMetrics } from "../web-metrics.ts";
import { reportUnexpected } from "./report-unexpected.ts";

export async function handleHealthRequest(services: ApiServices): Promise<Response> {
  try {
    const report = await services.health.getHealth();
    const status = report.healthy ? 200 : 503;
    webMetrics().httpRequests.inc({ route: "health", status: String(status) });
    return Response.json(report, { status, headers: { "cache-control": "no-store" } });
  } catch (error) {
    reportUnexpected("GET /api/v1/health", error);
    return errorResponse(error);
  }
}
