// GET /api/v1/openapi.json: the hand-written OpenAPI 3.1 document (server/api/openapi.ts).
import { openApiDocument } from "@/server/api/openapi.ts";
import { guarded } from "@/server/api/request-guard.ts";

export const dynamic = "force-dynamic";

// Anyone may read it; rate-limited like every public route.
export const GET = guarded("open", () => Response.json(openApiDocument));
