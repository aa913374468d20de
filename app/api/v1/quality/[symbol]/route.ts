// GET /api/v1/quality/{symbol}: data-quality score, counts and last quarantined items (logic: server/api/rest/quality.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleQualityRequest } from "@/server/api/rest/quality.handler.ts";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, context: { params: Promise<{ symbol: string }> }): Promise<Response> {
  const { symbol } = await context.params;
  return handleQualityRequest(symbol, defaultApiServices());
}
