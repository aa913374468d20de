// GET /api/v1/health: 200 healthy, 503 otherwise (logic: server/api/rest/health.handler.ts).
import { defaultApiServices } from "@/server/api/api-services.ts";
import { handleHealthRequest } from "@/server/api/rest/health.handler.ts";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return handleHealthRequest(defaultApiServices());
}
