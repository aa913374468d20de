/**
 * GET /api/v1/notifications: the signed-in user's bell, the newest in-app notifications first, read from
 * the Redis list `{ns}:notify:bell:{userId}` the notifier keeps (server/services/notifications/channel-senders.ts).
 * The browser loads it on connect (components/realtime/use-notifications.ts) and merges the live toasts the
 * gateway pushes. `?limit=` 1–100 (default 50; the list itself is capped by NOTIFY_BELL_SIZE). Entries that
 * do not parse are left out. Redis down → 503.
 */
import { z } from "zod";
import type { Principal } from "@/server/auth/principal.ts";
import { errorResponse } from "@/server/api/errors.ts";
import { AppError } from "@/server/services/app-error.ts";
import { whenRedisReady, type ServiceDeps } from "@/server/services/service-deps.ts";

const ZLimit = z.coerce.number().int().min(1).max(100).default(50);

const ZBellEntry = z.object({
  deliveryId: z.string(),
  notificationId: z.string(),
  title: z.string(),
  body: z.string(),
  severity: z.enum(["info", "warning", "critical"]),
  url: z.string().optional(),
  sourceRef: z.string().nullable(),
  createdAt: z.number(),
});

export type BellEntry = z.infer<typeof ZBellEntry>;

function parseEntry(text: string): BellEntry | undefined {
  try {
    const parsed = ZBellEntry.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function handleListNotifications(request: Request, principal: Principal, deps: Pick<ServiceDeps, "redis" | "keys">): Promise<Response> {
  try {
    if (principal.kind !== "user") throw new AppError("UNAUTHORIZED", "sign in first");
    const limitParam = new URL(request.url).searchParams.get("limit");
    const limit = ZLimit.safeParse(limitParam ?? undefined);
    if (!limit.success) throw new AppError("BAD_REQUEST", `invalid limit ${JSON.stringify(limitParam)}: expected a whole number from 1 to 100`);
    await whenRedisReady(deps.redis);
    let raw: string[];
    try {
      raw = await deps.redis.lrange(deps.keys.notifyBell(principal.userId), 0, limit.data - 1);
    } catch (error) {
      throw new AppError("UNAVAILABLE", "notifications are unavailable right now (Redis did not answer); retry", { cause: error });
    }
    const notifications = raw.map(parseEntry).filter((entry): entry is BellEntry => entry !== undefined);
    return Response.json({ notifications }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}
