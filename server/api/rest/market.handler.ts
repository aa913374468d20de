/**
 * GET /api/v1/market/{symbol}: validation (400 with a message), unknown symbol (404), then the market-status
 * service (exchange, calendar, open/closed with next open, data delay, holidays). The Next route file only forwards here.
 */
import type { ApiServices } from "../api-services.ts";
import { ZMarketInput } from "../routers/markets.schema.ts";
import { symbolJsonResponse } from "./symbol-param.ts";

export function handleMarketRequest(rawSymbol: string, services: ApiServices): Promise<Response> {
  return symbolJsonResponse("market", rawSymbol, ZMarketInput, (symbol) => services.markets.symbolInfo(symbol));
}
