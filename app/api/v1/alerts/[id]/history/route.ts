// GET /api/v1/alerts/{id}/history?page&pageSize&symbol&from&to: the alert's firings, newest first.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleAlertHistory } from "@/server/api/rest/alerts.handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", async (request: Request, context: { params: Promise<{ id: string }> }, principal) =>
  handleAlertHistory(request, (await context.params).id, principal, defaultGuardDeps().service),
);
