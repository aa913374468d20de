// GET /api/v1/indicators/{symbol}?timeframe&from&to&format=json|csv|parquet, streamed (logic: server/api/rest/analytics.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleIndicatorsRequest } from "@/server/api/rest/analytics.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleIndicatorsRequest(request, symbol, defaultApiServices());
}
