// GET /api/v1/keys (your API keys) and POST /api/v1/keys {"name"} (create; the key is in the answer once).
// Logic: server/api/rest/api-keys.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleCreateApiKey, handleListApiKeys } from "@/server/api/rest/api-keys.handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", (_request: Request, _context: unknown, principal) => handleListApiKeys(principal, defaultGuardDeps().service.pool));

export const POST = guarded("account", (request: Request, _context: unknown, principal) => handleCreateApiKey(request, principal, defaultGuardDeps().service.pool));
