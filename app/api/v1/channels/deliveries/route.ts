// GET /api/v1/channels/deliveries?status&channelId&kind&page&pageSize: your delivery log, newest first, with every attempt.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleListDeliveries } from "@/server/api/rest/channels.handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", (request: Request, _context: unknown, principal) => handleListDeliveries(request, principal, defaultGuardDeps().service));
