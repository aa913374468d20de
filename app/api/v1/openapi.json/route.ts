// GET /api/v1/openapi.json: the hand-written OpenAPI 3.1 document (server/api/openapi.ts).
import { openApiDocument } from "@/server/api/openapi.ts";

export function GET(): Response {
  return Response.json(openApiDocument);
}
