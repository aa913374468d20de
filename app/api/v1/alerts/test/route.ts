// POST /api/v1/alerts/test {"rule", "symbol", "lastN"?}: the bars of the last N on which the rule would have fired.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleTestAlert } from "@/server/api/rest/alerts.handler.ts";

export const dynamic = "force-dynamic";

export const POST = guarded("account", (request: Request, _context: unknown, principal) => handleTestAlert(request, principal, defaultGuardDeps().service));
