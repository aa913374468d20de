/**
 * Routes a fetch `Request` to the REST handlers without Next (same code the app/ route files call).
 * Used by the API integration tests to serve the handlers on a plain node:http server with their
 * own deps (another namespace, a Redis that is down).
 */
import type { ApiServices } from "../api-services.ts";
import { errorResponse, AppError } from "../errors.ts";
import { openApiDocument } from "../openapi.ts";
import { handleFeaturesRequest, handleIndicatorsRequest, handleLatestFeaturesRequest } from "./analytics.handler.ts";
import { handleChartRequest } from "./charts.handler.ts";
import { handleHealthRequest } from "./health.handler.ts";
import { handleMarketRequest } from "./market.handler.ts";
import { handleMetricsRequest } from "./metrics.handler.ts";
import { handleQualityRequest } from "./quality.handler.ts";

export async function routeApiRequest(request: Request, services: ApiServices): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (request.method !== "GET") return errorResponse(new AppError("BAD_REQUEST", `${request.method} is not supported`));
  if (pathname === "/api/v1/health") return handleHealthRequest(services);
  if (pathname === "/metrics") return handleMetricsRequest(services);
  if (pathname === "/api/v1/openapi.json") return Response.json(openApiDocument);
  const chart = /^\/api\/v1\/charts\/([^/]+)$/.exec(pathname);
  if (chart?.[1]) return handleChartRequest(request, chart[1], services);
  const indicators = /^\/api\/v1\/indicators\/([^/]+)$/.exec(pathname);
  if (indicators?.[1]) return handleIndicatorsRequest(request, indicators[1], services);
  const latest = /^\/api\/v1\/features\/([^/]+)\/latest$/.exec(pathname);
  if (latest?.[1]) return handleLatestFeaturesRequest(request, latest[1], services);
  const features = /^\/api\/v1\/features\/([^/]+)$/.exec(pathname);
  if (features?.[1]) return handleFeaturesRequest(request, features[1], services);
  const quality = /^\/api\/v1\/quality\/([^/]+)$/.exec(pathname);
  if (quality?.[1]) return handleQualityRequest(quality[1], services);
  const market = /^\/api\/v1\/market\/([^/]+)$/.exec(pathname);
  if (market?.[1]) return handleMarketRequest(market[1], services);
  return errorResponse(new AppError("NOT_FOUND", `no route for ${pathname}`));
}
