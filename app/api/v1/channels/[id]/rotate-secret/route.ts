// POST /api/v1/channels/{id}/rotate-secret: a new webhook signing secret, returned this once (404 for a channel that is not yours).
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleRotateSecret } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const POST = guarded("account", async (_request: Request, context: { params: Promise<{ id: string }> }, principal) =>
  handleRotateSecret((await context.params).id, principal, defaultGuardDeps().service),
);
