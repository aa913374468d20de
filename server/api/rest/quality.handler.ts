/**
 * GET /api/v1/quality/{symbol}: validation (400 with a message), unknown symbol (404), then the quality service
 * (Redis snapshot, PostgreSQL fallback, last 20 quarantined items). The Next route file only forwards here.
 */
import type { ApiServices } from "../api-services.ts";
import { AppError, describeZodError, errorResponse, httpStatusOf, toAppError } from "../errors.ts";
import { ZQualityInput } from "../routers/quality.schema.ts";
import { webMetrics } from "../web-metrics.ts";
import { reportUnexpected } from "./report-unexpected.ts";

export async function handleQualityRequest(rawSymbol: string, services: ApiServices): Promise<Response> {
  const metrics = webMetrics();
  try {
    let symbol = rawSymbol;
    if (symbol.includes("%")) {
      try {
        symbol = decodeURIComponent(symbol);
      } catch {
        throw new AppError("BAD_REQUEST", `symbol ${JSON.stringify(rawSymbol)} has malformed URL encoding`);
      }
    }
    const parsed = ZQualityInput.safeParse({ symbol });
    if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
    const status = await services.quality.status(parsed.data.symbol);
    metrics.httpRequests.inc({ route: "quality", status: "200" });
    return Response.json(status, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    reportUnexpected("GET /api/v1/quality", error);
    metrics.httpRequests.inc({ route: "quality", status: String(httpStatusOf(toAppError(error).code)) });
    return errorResponse(error);
  }
}
