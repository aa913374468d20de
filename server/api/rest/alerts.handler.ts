/**
 * REST /api/v1/alerts for the signed-in user (the route files guard them with access "account"; API keys are
 * read-only and refused). Same services and schemas as tRPC `alerts.*`; another user's alert answers 404.
 *   GET    /api/v1/alerts                → { alerts: AlertView[] }
 *   POST   /api/v1/alerts                → 201 { alert }            body ZCreateAlertInput
 *   POST   /api/v1/alerts/test           → AlertTestResult          body { rule, symbol, lastN? }
 *   GET    /api/v1/alerts/{id}           → { alert }
 *   PATCH  /api/v1/alerts/{id}           → { alert }                body: any of rule, symbol, watchlistId, evaluateOn, channelIds, status ("active"|"paused")
 *   DELETE /api/v1/alerts/{id}           → { id, deleted: true }
 *   GET    /api/v1/alerts/{id}/history   → { items, total, page, pageSize }   ?page&pageSize&symbol&from&to (epoch ms)&sort&order
 * Bodies must be JSON (content-type application/json), so a cross-site form cannot post them.
 */
import { z } from "zod";
import type { Principal } from "../../auth/principal.ts";
import { AppError } from "../../services/app-error.ts";
import { alertHistory, createAlert, deleteAlertOf, getAlert, listAlerts, setAlertStatusOf, updateAlertOf, type AlertsServiceDeps } from "../../services/alerts.service.ts";
import { testAlertRule } from "../../services/alerts-test.service.ts";
import { describeZodError, errorResponse } from "../errors.ts";
import { ZAlertHistoryInput, ZAlertIdInput, ZCreateAlertInput, ZTestAlertInput, ZUpdateAlertInput } from "../routers/alerts.schema.ts";

const NO_STORE = { "cache-control": "no-store" };

export function userOf(principal: Principal): string {
  if (principal.kind !== "user") throw new AppError("UNAUTHORIZED", "sign in first");
  return principal.userId;
}

export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", describeZodError(parsed.error));
  return parsed.data;
}

export async function readJsonBody(request: Request): Promise<unknown> {
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    throw new AppError("BAD_REQUEST", "send JSON: content-type application/json");
  }
  return request.json().catch(() => {
    throw new AppError("BAD_REQUEST", "body is not valid JSON");
  });
}

async function answer(run: () => Promise<unknown>, status = 200): Promise<Response> {
  try {
    return Response.json(await run(), { status, headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

const idOf = (id: string) => parseInput(ZAlertIdInput, { id }).id;

export const handleListAlerts = (principal: Principal, deps: AlertsServiceDeps) => answer(async () => ({ alerts: await listAlerts(deps, userOf(principal)) }));

export async function handleCreateAlert(request: Request, principal: Principal, deps: AlertsServiceDeps): Promise<Response> {
  try {
    const user = userOf(principal);
    const input = parseInput(ZCreateAlertInput, await readJsonBody(request));
    return Response.json({ alert: await createAlert(deps, user, input) }, { status: 201, headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

export const handleGetAlert = (id: string, principal: Principal, deps: AlertsServiceDeps) => answer(async () => ({ alert: await getAlert(deps, userOf(principal), idOf(id)) }));

const ZPatchStatus = z.object({ status: z.enum(["active", "paused"], { error: 'status must be "active" or "paused"' }).optional() }).loose();

export const handleUpdateAlert = (request: Request, id: string, principal: Principal, deps: AlertsServiceDeps) =>
  answer(async () => {
    const user = userOf(principal);
    const body = await readJsonBody(request);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError("BAD_REQUEST", "body must be a JSON object");
    const { status, ...fields } = parseInput(ZPatchStatus, body);
    const input = parseInput(ZUpdateAlertInput, { ...fields, id: idOf(id) });
    let alert = Object.keys(fields).length > 0 || status === undefined ? await updateAlertOf(deps, user, input) : await getAlert(deps, user, input.id);
    if (status !== undefined) alert = await setAlertStatusOf(deps, user, { id: input.id, status });
    return { alert };
  });

export const handleDeleteAlert = (id: string, principal: Principal, deps: AlertsServiceDeps) => answer(() => deleteAlertOf(deps, userOf(principal), idOf(id)));

const integer = (name: string, value: string | null) => {
  if (value === null || value === "") return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new AppError("BAD_REQUEST", `${name} must be an integer (got ${JSON.stringify(value)})`);
  return number;
};

export const handleAlertHistory = (request: Request, id: string, principal: Principal, deps: AlertsServiceDeps) =>
  answer(async () => {
    const user = userOf(principal);
    const query = new URL(request.url).searchParams;
    const input = parseInput(ZAlertHistoryInput, {
      alertId: idOf(id),
      symbol: query.get("symbol") ?? undefined,
      from: integer("from", query.get("from")),
      to: integer("to", query.get("to")),
      sort: query.get("sort") ?? undefined,
      order: query.get("order") ?? undefined,
      page: integer("page", query.get("page")),
      pageSize: integer("pageSize", query.get("pageSize")),
    });
    return alertHistory(deps, user, input);
  });

export const handleTestAlert = (request: Request, principal: Principal, deps: AlertsServiceDeps) =>
  answer(async () => {
    userOf(principal);
    return testAlertRule(deps, parseInput(ZTestAlertInput, await readJsonBody(request)));
  });
