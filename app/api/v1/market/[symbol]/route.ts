// GET /api/v1/market/{symbol}: exchange, calendar, market open/closed with next open, data delay (logic: server/api/rest/market.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleMarketRequest } from "@/server/api/rest/market.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleMarketRequest(symbol, defaultApiServices());
}
