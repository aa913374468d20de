/**
 * /api/v1/keys (GET list, POST create) and /api/v1/keys/{id} (DELETE revoke) for the signed-in
 * user; the route files guard them with access "account" (session or access token, never an API
 * key). POST must be JSON, so a cross-site form cannot create keys (CORS preflight).
 */
import type pg from "pg";
import type { Principal } from "../../auth/principal.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../../services/api-keys.service.ts";
import { AppError } from "../../services/app-error.ts";
import { errorResponse } from "../errors.ts";

const NO_STORE = { "cache-control": "no-store" };

function actorOf(principal: Principal): { userId: string; actorIp: string } {
  if (principal.kind !== "user") throw new AppError("UNAUTHORIZED", "sign in first");
  return { userId: principal.userId, actorIp: principal.ip };
}

export async function handleListApiKeys(principal: Principal, pool: pg.Pool): Promise<Response> {
  try {
    return Response.json({ keys: await listApiKeys(pool, actorOf(principal).userId) }, { headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

export async function handleCreateApiKey(request: Request, principal: Principal, pool: pg.Pool): Promise<Response> {
  try {
    const actor = actorOf(principal);
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      throw new AppError("BAD_REQUEST", "send JSON: content-type application/json, body {\"name\": \"…\"}");
    }
    const body: unknown = await request.json().catch(() => {
      throw new AppError("BAD_REQUEST", "body is not valid JSON");
    });
    const created = await createApiKey(pool, actor, body);
    return Response.json({ key: created }, { status: 201, headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

export async function handleRevokeApiKey(id: string, principal: Principal, pool: pg.Pool): Promise<Response> {
  try {
    return Response.json({ key: await revokeApiKey(pool, actorOf(principal), id) }, { headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}
