/**
 * GET /api/v1/quality/{symbol}: validation (400 with a message), unknown symbol (404), then the quality service
 * (Redis snapshot, PostgreSQL fallback, last 20 quarantined items). The Next route file only forwards here.
 */
import type { ApiServices } from "../api-services.ts";
import { ZQualityInput } from "../routers/quality.schema.ts";
import { symbolJsonResponse } from "./symbol-param.ts";

export function handleQualityRequest(rawSymbol: string, services: ApiServices): Promise<Response> {
  return symbolJsonResponse("quality", rawSymbol, ZQualityInput, (symbol) => services.quality.status(symbol));
}
