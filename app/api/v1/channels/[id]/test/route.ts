// POST /api/v1/channels/{id}/test: send a test notification through the real pipeline (404 for a channel that is not yours).
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleSendTest } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const POST = guarded("account", async (_request: Request, context: { params: Promise<{ id: string }> }, principal) =>
  handleSendTest((await context.params).id, principal, defaultGuardDeps().service),
);
