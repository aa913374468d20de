// GET /api/v1/market/{symbol}: exchange, calendar, market open/closed with next open, data delay (logic: server/api/rest/market.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { guarded } from "@/server/api/request-guard.ts";
import { handleMarketRequest } from "@/server/api/rest/market.handler.ts";

export const dynamic = "force-dynamic";

// Rate-limited; anonymous callers only while MARKETLENS_PUBLIC_CHARTS is on; API keys welcome (server/api/request-guard.ts).
export const GET = guarded("public-data", async (_request: Request, context: { params: Promise<{ symbol: string }> }) => {
  const { symbol } = await context.params;
  return handleMarketRequest(symbol, defaultApiServices());
});
