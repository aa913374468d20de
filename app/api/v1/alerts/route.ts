// GET /api/v1/alerts (your alerts) and POST /api/v1/alerts (create). Logic: server/api/rest/alerts.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleCreateAlert, handleListAlerts } from "@/server/api/rest/alerts.handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", (_request: Request, _context: unknown, principal) => handleListAlerts(principal, defaultGuardDeps().service));

export const POST = guarded("account", (request: Request, _context: unknown, principal) => handleCreateAlert(request, principal, defaultGuardDeps().service));
