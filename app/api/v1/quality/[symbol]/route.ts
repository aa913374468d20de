// GET /api/v1/quality/{symbol}: data-quality score, counts and last quarantined items (logic: server/api/rest/quality.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { guarded } from "@/server/api/request-guard.ts";
import { handleQualityRequest } from "@/server/api/rest/quality.handler.ts";

export const dynamic = "force-dynamic";

// Rate-limited; anonymous callers only while MARKETLENS_PUBLIC_CHARTS is on; API keys welcome (server/api/request-guard.ts).
export const GET = guarded("public-data", async (_request: Request, context: { params: Promise<{ symbol: string }> }) => {
  const { symbol } = await context.params;
  return handleQualityRequest(symbol, defaultApiServices());
});
