// GET /api/v1/notifications?limit=50: your bell (in-app notifications, newest first). Logic: ./bell-handler.ts.
import { defaultGuardDeps, guarded } from "@/server/api/request-guard.ts";
import { handleListNotifications } from "./bell-handler.ts";

export const dynamic = "force-dynamic";

export const GET = guarded("account", (request: Request, _context: unknown, principal) => handleListNotifications(request, principal, defaultGuardDeps().service));
