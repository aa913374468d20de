// DELETE /api/v1/keys/{id}: revoke one of your API keys (404 for a key that is not yours).
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleRevokeApiKey } from "@/server/api/rest/api-keys.handler.ts";

export const dynamic = "force-dynamic";

export const DELETE = guarded("account", async (_request: Request, context: { params: Promise<{ id: string }> }, principal) => {
  const { id } = await context.params;
  return handleRevokeApiKey(id, principal, defaultGuardDeps().service.pool);
});
