// GET /api/v1/indicators/{symbol}?timeframe&from&to&format=json|csv|parquet, streamed (logic: server/api/rest/analytics.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { guarded } from "@/server/api/request-guard.ts";
import { handleIndicatorsRequest } from "@/server/api/rest/analytics.handler.ts";

export const dynamic = "force-dynamic";

// Rate-limited; anonymous callers only while MARKETLENS_PUBLIC_CHARTS is on; API keys welcome (server/api/request-guard.ts).
export const GET = guarded("public-data", async (request: Request, context: { params: Promise<{ symbol: string }> }) => {
  const { symbol } = await context.params;
  return handleIndicatorsRequest(request, symbol, defaultApiServices());
});
