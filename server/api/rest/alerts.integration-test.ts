/**
 * REST /api/v1/alerts/* and /api/v1/channels/* over real HTTP behind the real request guard (access "account",
 * user access tokens), on real PostgreSQL and Redis: status codes, JSON shapes, validation messages, 404 for another
 * user's alert, 401 without credentials, and the OpenAPI document listing the routes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Counter, Registry } from "prom-client";
import { signAccessToken } from "../../auth/access-token.ts";
import { createAuth } from "../../auth/auth.ts";
import { alertsTestContext, insertSymbol, insertUser, type AlertsTestContext } from "../../services/alerts-test-helpers.ts";
import { closeNotificationDeps } from "../../services/alerts-notify.ts";
import { AppError } from "../../services/app-error.ts";
import { serveFetch } from "../../../test-support/serve-fetch.ts";
import { errorResponse } from "../errors.ts";
import { openApiDocument } from "../openapi.ts";
import { DEFAULT_CREDENTIAL_POLICY, guarded, type GuardDeps } from "../request-guard.ts";
import { handleAlertHistory, handleCreateAlert, handleDeleteAlert, handleGetAlert, handleListAlerts, handleTestAlert, handleUpdateAlert } from "./alerts.handler.ts";
import { handleCreateChannel, handleListChannels, handleListDeliveries, handleSendTest } from "./channels.handler.ts";

const rule = { name: "above 100", timeframe: "1h", when: { all: [{ metric: "close", op: ">", value: 100 }] } };

describe("REST /api/v1/alerts and /api/v1/channels (HTTP, guard, PostgreSQL, Redis)", () => {
  let context: AlertsTestContext;
  let server: { url: string; close: () => Promise<void> };
  let symbol: string;
  const secret = `secret-${Math.random()}-${Math.random()}`;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    context = alertsTestContext("alerts-rest");
    symbol = await insertSymbol(context.pool);
    const deps: GuardDeps = {
      service: context.deps,
      auth: createAuth({ pool: context.pool, secret, trustedProxyHops: 0 }),
      secret,
      policy: { limit: 1_000, windowS: 60 },
      credentialPolicy: DEFAULT_CREDENTIAL_POLICY,
      publicCharts: true,
      trustedProxyHops: 0,
      rateLimited: new Counter({ name: "test_rate_limited_total", help: "test", labelNames: ["outcome"], registers: [new Registry()] }),
    };
    const guard = () => deps;
    const service = context.deps;
    const route = <C>(handler: (request: Request, context: C, principal: Parameters<Parameters<typeof guarded>[1]>[2]) => Promise<Response>) => guarded("account", handler, guard);
    const list = route((_r, _c: undefined, p) => handleListAlerts(p, service));
    const create = route((r, _c: undefined, p) => handleCreateAlert(r, p, service));
    const test = route((r, _c: undefined, p) => handleTestAlert(r, p, service));
    const get = route((_r, id: string, p) => handleGetAlert(id, p, service));
    const patch = route((r, id: string, p) => handleUpdateAlert(r, id, p, service));
    const remove = route((_r, id: string, p) => handleDeleteAlert(id, p, service));
    const history = route((r, id: string, p) => handleAlertHistory(r, id, p, service));
    const channels = route((_r, _c: undefined, p) => handleListChannels(p, service));
    const createChannel = route((r, _c: undefined, p) => handleCreateChannel(r, p, service));
    const sendTest = route((_r, id: string, p) => handleSendTest(id, p, service));
    const deliveries = route((r, _c: undefined, p) => handleListDeliveries(r, p, service));
    server = await serveFetch(async (request) => {
      const { pathname } = new URL(request.url);
      const method = request.method;
      if (pathname === "/api/v1/alerts") return method === "POST" ? create(request, undefined) : list(request, undefined);
      if (pathname === "/api/v1/alerts/test" && method === "POST") return test(request, undefined);
      const historyMatch = /^\/api\/v1\/alerts\/([^/]+)\/history$/.exec(pathname);
      if (historyMatch?.[1]) return history(request, historyMatch[1]);
      const one = /^\/api\/v1\/alerts\/([^/]+)$/.exec(pathname);
      if (one?.[1]) return method === "PATCH" ? patch(request, one[1]) : method === "DELETE" ? remove(request, one[1]) : get(request, one[1]);
      if (pathname === "/api/v1/channels") return method === "POST" ? createChannel(request, undefined) : channels(request, undefined);
      if (pathname === "/api/v1/channels/deliveries") return deliveries(request, undefined);
      const channelTest = /^\/api\/v1\/channels\/([^/]+)\/test$/.exec(pathname);
      if (channelTest?.[1] && method === "POST") return sendTest(request, channelTest[1]);
      return errorResponse(new AppError("NOT_FOUND", `no route ${method} ${pathname}`));
    });
    for (const name of ["alice", "bob"]) {
      const id = await insertUser(context.pool, name);
      tokens.set(name, (await signAccessToken({ secret, sub: id, role: "user", nowMs: Date.now() })).token);
    }
  });

  afterAll(async () => {
    await server?.close();
    await closeNotificationDeps(context.deps.keys);
    await context.close();
  });

  const call = async (who: string | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (who) headers.authorization = `Bearer ${tokens.get(who)}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  it("creates, reads, patches (fields and status), lists, pages history and deletes an alert", async () => {
    const created = await call("alice", "POST", "/api/v1/alerts", { rule, symbol });
    expect(created.status).toBe(201);
    const id = created.body.alert.id as string;
    expect(created.body.alert).toMatchObject({ name: "above 100", symbol, timeframe: "1h", evaluateOn: "close", status: "active" });
    expect((await call("alice", "GET", `/api/v1/alerts/${id}`)).body.alert.id).toBe(id);
    const patched = await call("alice", "PATCH", `/api/v1/alerts/${id}`, { evaluateOn: "tick", status: "paused" });
    expect(patched.status).toBe(200);
    expect(patched.body.alert).toMatchObject({ evaluateOn: "tick", status: "paused" });
    expect((await call("alice", "GET", "/api/v1/alerts")).body.alerts.map((alert: { id: string }) => alert.id)).toContain(id);
    const history = await call("alice", "GET", `/api/v1/alerts/${id}/history?page=1&pageSize=10`);
    expect(history).toEqual({ status: 200, body: { items: [], total: 0, page: 1, pageSize: 10 } });
    expect((await call("alice", "GET", `/api/v1/alerts/${id}/history?from=abc`)).status).toBe(400);
    expect((await call("alice", "GET", `/api/v1/alerts/${id}/history?sort=symbol&order=asc`)).status).toBe(200);
    const badSort = await call("alice", "GET", `/api/v1/alerts/${id}/history?sort=price`);
    expect(badSort.status).toBe(400);
    expect(JSON.stringify(badSort.body)).toContain("sort must be one of");
    expect((await call("alice", "DELETE", `/api/v1/alerts/${id}`)).body).toEqual({ id, deleted: true });
    expect((await call("alice", "GET", `/api/v1/alerts/${id}`)).status).toBe(404);
  });

  it("answers 400 with the rule's message, 404 for another user's alert, 401 without credentials", async () => {
    const bad = await call("alice", "POST", "/api/v1/alerts", { rule: { ...rule, when: { all: [{ metric: "closing", op: ">", value: 1 }] } }, symbol });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('when.all[0].metric: unknown metric "closing"');
    const unknownSymbol = await call("alice", "POST", "/api/v1/alerts", { rule, symbol: "TEST:NOTLISTED" });
    expect(unknownSymbol).toMatchObject({ status: 400, body: { error: { message: expect.stringContaining("unknown symbol TEST:NOTLISTED") } } });
    const notJson = await fetch(`${server.url}/api/v1/alerts`, { method: "POST", headers: { authorization: `Bearer ${tokens.get("alice")}` }, body: "rule=x" });
    expect(notJson.status).toBe(400);
    const mine = await call("alice", "POST", "/api/v1/alerts", { rule, symbol });
    const id = mine.body.alert.id as string;
    for (const [method, path, body] of [["GET", `/api/v1/alerts/${id}`], ["PATCH", `/api/v1/alerts/${id}`, { status: "paused" }], ["DELETE", `/api/v1/alerts/${id}`], ["GET", `/api/v1/alerts/${id}/history`]] as const) {
      expect((await call("bob", method, path, body)).status, `${method} ${path}`).toBe(404);
    }
    expect((await call(null, "GET", "/api/v1/alerts")).status).toBe(401);
    expect((await call("alice", "GET", `/api/v1/alerts/${id}`)).body.alert.status).toBe("active");
  });

  it("tests a rule over the stored bars", async () => {
    const result = await call("alice", "POST", "/api/v1/alerts/test", { rule, symbol, lastN: 10 });
    expect(result).toEqual({ status: 200, body: { symbol, timeframe: "1h", bars: 0, from: null, to: null, firings: [] } });
  });

  it("creates and lists channels, sends a test and shows it in the delivery log", async () => {
    const created = await call("alice", "POST", "/api/v1/channels", { kind: "email", name: "mail", config: { address: "alice@example.test" } });
    expect(created.status).toBe(201);
    expect(created.body.channel).toMatchObject({ kind: "email", name: "mail", enabled: true });
    expect(created.body.channel.secret).toBeUndefined();
    const refused = await call("alice", "POST", "/api/v1/channels", { kind: "webhook", name: "local", config: { url: "http://169.254.169.254/latest/meta-data" } }); // metadata address: refused whatever NOTIFY_ALLOWED_HOSTS allows
    expect(refused.status).toBe(400);
    const channels = await call("alice", "GET", "/api/v1/channels");
    expect(channels.body.channels.map((channel: { kind: string }) => channel.kind)).toContain("email");
    const sent = await call("alice", "POST", `/api/v1/channels/${created.body.channel.id}/test`);
    expect(sent.status).toBe(202);
    expect(sent.body.deliveries).toEqual([expect.objectContaining({ channelId: created.body.channel.id, status: "pending" })]);
    expect((await call("bob", "POST", `/api/v1/channels/${created.body.channel.id}/test`)).status).toBe(404);
    const log = await call("alice", "GET", `/api/v1/channels/deliveries?channelId=${created.body.channel.id}`);
    expect(log.status).toBe(200);
    expect(log.body.total).toBe(1);
  });

  it("documents every alert and channel route in the OpenAPI document", () => {
    const paths = Object.keys(openApiDocument.paths);
    for (const path of ["/api/v1/alerts", "/api/v1/alerts/{id}", "/api/v1/alerts/{id}/history", "/api/v1/alerts/test", "/api/v1/channels", "/api/v1/channels/{id}/test", "/api/v1/channels/deliveries"]) {
      expect(paths, path).toContain(path);
    }
    expect(Object.keys(openApiDocument.paths["/api/v1/alerts/{id}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
  });
});
