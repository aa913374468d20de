/**
 * GET /api/v1/indicators/{symbol}, /api/v1/features/{symbol} (streamed JSON, CSV or Parquet) and
 * /api/v1/features/{symbol}/latest: validation (400 with a message), unknown symbol (404), then the analytics
 * service. The Next route files only forward here.
 */
import type { ApiServices } from "../api-services.ts";
import { AppError, describeZodError, errorResponse, httpStatusOf, toAppError } from "../errors.ts";
import { ZFeaturesRestQuery, ZIndicatorsRestQuery, ZLatestQuery } from "../routers/analytics.schema.ts";
import { webMetrics } from "../web-metrics.ts";
import { featureColumns, featureJsonRow, indicatorColumns, indicatorJsonRow } from "./analytics-columns.ts";
import { reportUnexpected } from "./report-unexpected.ts";
import { decodeSymbolParam } from "./symbol-param.ts";
import { tabularResponse } from "./tabular-export.ts";

type Schema = typeof ZIndicatorsRestQuery | typeof ZFeaturesRestQuery | typeof ZLatestQuery;

/** Decodes the path segment (`BINANCE%3ABTCUSDT` or `BINANCE:BTCUSDT`) and validates the query string. */
function parseRequest<S extends Schema>(schema: S, rawSymbol: string, params: URLSearchParams, names: readonly string[]) {
  const symbol = decodeSymbolParam(rawSymbol);
  const input: Record<string, string | undefined> = { symbol };
  for (const name of names) input[name] = params.get(name) ?? undefined;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
  return parsed.data as S["_output"];
}

async function respond(route: string, run: () => Promise<Response>): Promise<Response> {
  const metrics = webMetrics();
  try {
    const response = await run();
    metrics.httpRequests.inc({ route, status: String(response.status) });
    return response;
  } catch (error) {
    reportUnexpected(`GET /api/v1/${route}`, error);
    metrics.httpRequests.inc({ route, status: String(httpStatusOf(toAppError(error).code)) });
    return errorResponse(error);
  }
}

const fileStem = (symbol: string, timeframe: string, kind: string) => `${symbol.replace(":", "_")}-${timeframe}-${kind}`;

export function handleIndicatorsRequest(request: Request, rawSymbol: string, services: ApiServices): Promise<Response> {
  return respond("indicators", async () => {
    const query = parseRequest(ZIndicatorsRestQuery, rawSymbol, new URL(request.url).searchParams, ["timeframe", "from", "to", "format"]);
    const pages = await services.analytics.indicatorPages(query);
    const meta = { symbol: query.symbol, timeframe: query.timeframe, from: query.from, to: query.to };
    return tabularResponse(
      query.format,
      { pages, meta, columns: query.format === "json" ? [] : indicatorColumns(query.format), jsonRow: indicatorJsonRow },
      fileStem(query.symbol, query.timeframe, "indicators"),
    );
  });
}

export function handleFeaturesRequest(request: Request, rawSymbol: string, services: ApiServices): Promise<Response> {
  return respond("features", async () => {
    const query = parseRequest(ZFeaturesRestQuery, rawSymbol, new URL(request.url).searchParams, ["timeframe", "from", "to", "asOf", "format", "featureSet"]);
    const pages = await services.analytics.featurePages(query);
    const meta = { symbol: query.symbol, timeframe: query.timeframe, featureSet: query.featureSet, from: query.from, to: query.to, asOf: query.asOf };
    return tabularResponse(
      query.format,
      { pages, meta, columns: query.format === "json" ? [] : featureColumns(query.format), jsonRow: featureJsonRow },
      fileStem(query.symbol, query.timeframe, `features-${query.featureSet}`),
    );
  });
}

export function handleLatestFeaturesRequest(request: Request, rawSymbol: string, services: ApiServices): Promise<Response> {
  return respond("features-latest", async () => {
    const query = parseRequest(ZLatestQuery, rawSymbol, new URL(request.url).searchParams, ["timeframe"]);
    const latest = await services.analytics.latestFeatures(query);
    return Response.json(latest, { headers: { "cache-control": "no-store" } });
  });
}
