// GET, PATCH, DELETE /api/v1/alerts/{id} (404 for an alert that is not yours). Logic: server/api/rest/alerts.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleDeleteAlert, handleGetAlert, handleUpdateAlert } from "@/server/api/rest/alerts.handler.ts";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = guarded("account", async (_request: Request, context: Context, principal) => handleGetAlert((await context.params).id, principal, defaultGuardDeps().service));

export const PATCH = guarded("account", async (request: Request, context: Context, principal) => handleUpdateAlert(request, (await context.params).id, principal, defaultGuardDeps().service));

export const DELETE = guarded("account", async (_request: Request, context: Context, principal) => handleDeleteAlert((await context.params).id, principal, defaultGuardDeps().service));
