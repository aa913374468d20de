// GET /api/v1/channels (your notification channels) and POST /api/v1/channels (create). Logic: server/api/rest/channels.handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleCreateChannel, handleListChannels } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", (_request: Request, _context: unknown, principal) => handleListChannels(principal, defaultGuardDeps().service));

export const POST = guarded("account", (request: Request, _context: unknown, principal) => handleCreateChannel(request, principal, defaultGuardDeps().service));
