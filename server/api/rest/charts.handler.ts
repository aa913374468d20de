/**
 * GET /api/v1/charts/{symbol}?timeframe=1m&limit=500 — validation (400 with a message), unknown
 * symbol (404), then the chart service. The Next route file only forwards here.
 */
import type { ApiServices } from "../api-services.ts";
import { AppError, describeZodError, errorResponse, httpStatusOf, toAppError } from "../errors.ts";
import { ZChartRestQuery, type TChartRestQuery } from "../routers/charts.schema.ts";
import { webMetrics } from "../web-metrics.ts";
import { reportUnexpected } from "./report-unexpected.ts";
import { decodeSymbolParam } from "./symbol-param.ts";

/** Decodes the path segment (`BINANCE%3ABTCUSDT` or `BINANCE:BTCUSDT`) and validates the query. */
export function parseChartRequest(rawSymbol: string, params: URLSearchParams): TChartRestQuery {
  const symbol = decodeSymbolParam(rawSymbol);
  const parsed = ZChartRestQuery.safeParse({
    symbol,
    timeframe: params.get("timeframe") ?? undefined,
    limit: params.get("limit") ?? undefined,
  });
  if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
  return parsed.data;
}

export async function handleChartRequest(request: Request, rawSymbol: string, services: ApiServices): Promise<Response> {
  const metrics = webMetrics();
  try {
    const query = parseChartRequest(rawSymbol, new URL(request.url).searchParams);
    const result = await services.chart.getChartBars(query);
    metrics.chartReads.inc({ source: result.source });
    metrics.httpRequests.inc({ route: "charts", status: "200" });
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    reportUnexpected("GET /api/v1/charts", error);
    metrics.httpRequests.inc({ route: "charts", status: String(httpStatusOf(toAppError(error).code)) });
    return errorResponse(error);
  }
}
