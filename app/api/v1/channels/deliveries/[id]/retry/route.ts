// POST /api/v1/channels/deliveries/{id}/retry: send a dead delivery again under the same delivery id (404 for a delivery that is not yours).
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleRetryDelivery } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const POST = guarded("account", async (_request: Request, context: { params: Promise<{ id: string }> }, principal) =>
  handleRetryDelivery((await context.params).id, principal, defaultGuardDeps().service),
);
