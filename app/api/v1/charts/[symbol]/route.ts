// GET /api/v1/charts/{symbol}?timeframe=1m&limit=500 (logic: server/api/rest/charts.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleChartRequest } from "@/server/api/rest/charts.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleChartRequest(request, symbol, defaultApiServices());
}
