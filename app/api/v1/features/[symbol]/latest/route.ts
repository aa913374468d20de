// GET /api/v1/features/{symbol}/latest?timeframe: Redis, PostgreSQL fallback (logic: server/api/rest/analytics.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleLatestFeaturesRequest } from "@/server/api/rest/analytics.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleLatestFeaturesRequest(request, symbol, defaultApiServices());
}
