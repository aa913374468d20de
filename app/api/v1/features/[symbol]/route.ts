// GET /api/v1/features/{symbol}?timeframe&from&to&asOf&format=json|csv|parquet, streamed (logic: server/api/rest/analytics.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleFeaturesRequest } from "@/server/api/rest/analytics.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleFeaturesRequest(request, symbol, defaultApiServices());
}
