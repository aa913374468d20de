/**
 * What every /api/v1/{route}/{symbol} handler shares: decoding the path segment (`BINANCE%3ABTCUSDT` or
 * `BINANCE:BTCUSDT`) and, for routes that only take a symbol, the whole validate → service → JSON cycle with
 * the request metric and the error mapping (400 with a message, 404 unknown symbol, 503 stores down).
 */
import type { z } from "zod";
import { AppError, describeZodError, errorResponse, httpStatusOf, toAppError } from "../errors.ts";
import { webMetrics } from "../web-metrics.ts";
import { reportUnexpected } from "./report-unexpected.ts";

/** The symbol as written in the path, percent-decoded when it is encoded; 400 on malformed encoding. */
export function decodeSymbolParam(rawSymbol: string): string {
  if (!rawSymbol.includes("%")) return rawSymbol;
  try {
    return decodeURIComponent(rawSymbol);
  } catch {
    throw new AppError("BAD_REQUEST", `symbol ${JSON.stringify(rawSymbol)} has malformed URL encoding`);
  }
}

/** GET /api/v1/{route}/{symbol} answered with `load(symbol)` as JSON (never cached). */
export async function symbolJsonResponse<T>(
  route: string,
  rawSymbol: string,
  schema: z.ZodType<{ symbol: string }>,
  load: (symbol: string) => Promise<T>,
): Promise<Response> {
  const metrics = webMetrics();
  try {
    const parsed = schema.safeParse({ symbol: decodeSymbolParam(rawSymbol) });
    if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
    const body = await load(parsed.data.symbol);
    metrics.httpRequests.inc({ route, status: "200" });
    return Response.json(body, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    reportUnexpected(`GET /api/v1/${route}`, error);
    metrics.httpRequests.inc({ route, status: String(httpStatusOf(toAppError(error).code)) });
    return errorResponse(error);
  }
}
