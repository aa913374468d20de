// PATCH /api/v1/channels/{id}: rename, change the target, enable/disable, change the rate limit (404 for a channel that is not yours). Logic: server/api/rest/channels.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleUpdateChannel } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const PATCH = guarded("account", async (request: Request, context: { params: Promise<{ id: string }> }, principal) =>
  handleUpdateChannel(request, (await context.params).id, principal, defaultGuardDeps().service),
);
