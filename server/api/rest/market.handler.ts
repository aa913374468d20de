/**
 * GET /api/v1/market/{symbol}: validation (400 with a message), unknown symbol (404), then the market-status
 * service (exchange, calendar, open/closed with next open, data delay, holidays). The Next route file only forwards here.
 */
import type { ApiServices } from "../api-services.ts";
import { AppError, describeZodError, errorResponse, httpStatusOf, toAppError } from "../errors.ts";
import { ZMarketInput } from "../routers/markets.schema.ts";
import { webMetrics } from "../web-metrics.ts";
import { reportUnexpected } from "./report-unexpected.ts";

export async function handleMarketRequest(rawSymbol: string, services: ApiServices): Promise<Response> {
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
    const parsed = ZMarketInput.safeParse({ symbol });
    if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
    const info = await services.markets.symbolInfo(parsed.data.symbol);
    metrics.httpRequests.inc({ route: "market", status: "200" });
    return Response.json(info, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    reportUnexpected("GET /api/v1/market", error);
    metrics.httpRequests.inc({ route: "market", status: String(httpStatusOf(toAppError(error).code)) });
    return errorResponse(error);
  }
}
