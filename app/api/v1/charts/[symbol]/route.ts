// GET /api/v1/charts/{symbol}?timeframe=1m&limit=500 (logic: server/api/rest/charts.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { guarded } from "@/server/api/request-guard.ts";
import { handleChartRequest } from "@/server/api/rest/charts.handler.ts";

export const dynamic = "force-dynamic";

// Rate-limited; anonymous callers only while MARKETLENS_PUBLIC_CHARTS is on; API keys welcome (server/api/request-guard.ts).
export const GET = guarded("public-data", async (request: Request, context: { params: Promise<{ symbol: string }> }) => {
  const { symbol } = await context.params;
  return handleChartRequest(request, symbol, defaultApiServices());
});
