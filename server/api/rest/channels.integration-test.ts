/**
 * Channel management over the API edges, on real PostgreSQL and Redis: REST `PATCH /api/v1/channels/{id}`,
 * `POST /api/v1/channels/{id}/rotate-secret` and `POST /api/v1/channels/deliveries/{id}/retry` over real HTTP behind
 * the real request guard (user access tokens), and the same procedures through tRPC (createCaller): status codes,
 * validation messages that change nothing, 404 for another user's channel or delivery, and the retry's single job.
 * The notifier side (what a disabled channel, a rotated secret or a retry does to real sends) is tested in
 * workers/notifier/channel-management.integration-test.ts.
 */
import { TRPCError } from "@trpc/server";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signAccessToken } from "../../auth/access-token.ts";
import { createAuth } from "../../auth/auth.ts";
import { notifyJobId } from "../../queues/notify.ts";
import { alertsTestContext, insertUser, type AlertsTestContext } from "../../services/alerts-test-helpers.ts";
import { closeNotificationDeps, notificationDeps } from "../../services/alerts-notify.ts";
import { AppError } from "../../services/app-error.ts";
import { enqueueNotification } from "../../services/notifications/notifications.service.ts";
import { serveFetch } from "../../../test-support/serve-fetch.ts";
import { errorResponse } from "../errors.ts";
import { openApiDocument } from "../openapi.ts";
import { DEFAULT_CREDENTIAL_POLICY, guarded, type GuardDeps } from "../request-guard.ts";
import { handleCreateChannel, handleListChannels, handleRetryDelivery, handleRotateSecret, handleUpdateChannel } from "./channels.handler.ts";

describe("channel management over REST (HTTP, guard) and tRPC, on PostgreSQL and Redis", () => {
  let context: AlertsTestContext;
  let server: { url: string; close: () => Promise<void> };
  const secret = `secret-${Math.random()}-${Math.random()}`;
  const users = new Map<string, { id: string; token: string }>();

  beforeAll(async () => {
    context = alertsTestContext("channels-rest");
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
    const service = context.deps;
    const route = <C,>(handler: (request: Request, context: C, principal: Parameters<Parameters<typeof guarded>[1]>[2]) => Promise<Response>) => guarded("account", handler, () => deps);
    const list = route((_r, _c: undefined, p) => handleListChannels(p, service));
    const create = route((r, _c: undefined, p) => handleCreateChannel(r, p, service));
    const patch = route((r, id: string, p) => handleUpdateChannel(r, id, p, service));
    const rotate = route((_r, id: string, p) => handleRotateSecret(id, p, service));
    const retry = route((_r, id: string, p) => handleRetryDelivery(id, p, service));
    server = await serveFetch(async (request) => {
      const { pathname } = new URL(request.url);
      const method = request.method;
      if (pathname === "/api/v1/channels") return method === "POST" ? create(request, undefined) : list(request, undefined);
      const retryMatch = /^\/api\/v1\/channels\/deliveries\/([^/]+)\/retry$/.exec(pathname);
      if (retryMatch?.[1] && method === "POST") return retry(request, retryMatch[1]);
      const rotateMatch = /^\/api\/v1\/channels\/([^/]+)\/rotate-secret$/.exec(pathname);
      if (rotateMatch?.[1] && method === "POST") return rotate(request, rotateMatch[1]);
      const one = /^\/api\/v1\/channels\/([^/]+)$/.exec(pathname);
      if (one?.[1] && method === "PATCH") return patch(request, one[1]);
      return errorResponse(new AppError("NOT_FOUND", `no route ${method} ${pathname}`));
    });
    for (const name of ["alice", "bob"]) {
      const id = await insertUser(context.pool, name);
      users.set(name, { id, token: (await signAccessToken({ secret, sub: id, role: "user", nowMs: Date.now() })).token });
    }
  });

  afterAll(async () => {
    await server?.close();
    await closeNotificationDeps(context.deps.keys);
    await context.close();
  });

  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: `Bearer ${users.get(who)!.token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const channelsOf = async (who: string) => (await call(who, "GET", "/api/v1/channels")).body.channels as Record<string, unknown>[];

  it("edits and disables a channel, refuses bad changes with 400 and changes nothing, answers 404 to another user", async () => {
    // a literal public address: the SSRF guard accepts it without a DNS lookup, and nothing is sent here
    const created = await call("alice", "POST", "/api/v1/channels", { kind: "webhook", name: "bot", config: { url: "https://1.1.1.1/marketlens" } });
    expect(created.status).toBe(201);
    const id = created.body.channel.id as string;
    const before = await channelsOf("alice");
    for (const [body, message] of [
      [{ config: { url: "http://169.254.169.254/latest/meta-data" } }, "link-local address"],
      [{ config: { url: "not a url" } }, "must be an http(s) URL"],
      [{ name: "" }, "name must not be empty"],
      [{ enabled: "no" }, "enabled"],
      [{}, "give at least one of"],
      [{ id: "00000000-0000-4000-8000-000000000000", name: "x" }, "the channel id belongs in the path"],
      [[1, 2], "send a JSON object"],
    ] as const) {
      const refused = await call("alice", "PATCH", `/api/v1/channels/${id}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.message, JSON.stringify(body)).toContain(message);
    }
    expect((await call("alice", "PATCH", "/api/v1/channels/not-a-uuid", { name: "x" })).status).toBe(400);
    expect((await call("bob", "PATCH", `/api/v1/channels/${id}`, { name: "mine now" })).status).toBe(404);
    expect(await channelsOf("alice")).toEqual(before);

    const patched = await call("alice", "PATCH", `/api/v1/channels/${id}`, { name: "trading bot", enabled: false, config: { url: "https://1.1.1.1/v2" } });
    expect(patched.status).toBe(200);
    expect(patched.body.channel).toMatchObject({ id, name: "trading bot", enabled: false, config: { url: "https://1.1.1.1/v2" } });
    expect(patched.body.channel.secret).toBeUndefined();
    expect((await channelsOf("alice")).find((channel) => channel.id === id)).toMatchObject({ name: "trading bot", enabled: false });
  });

  it("rotates a webhook secret (shown once) and refuses other kinds and other users", async () => {
    const created = await call("alice", "POST", "/api/v1/channels", { kind: "webhook", name: "signed", config: { url: "https://1.1.1.1/hook" } });
    const id = created.body.channel.id as string;
    const rotated = await call("alice", "POST", `/api/v1/channels/${id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.channel.secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(rotated.body.channel.secret).not.toBe(created.body.channel.secret);
    const stored = await context.pool.query<{ secret: string }>(`SELECT secret FROM notification_channels WHERE id = $1`, [id]);
    expect(stored.rows[0]!.secret).toBe(rotated.body.channel.secret);
    expect((await call("bob", "POST", `/api/v1/channels/${id}/rotate-secret`)).status).toBe(404);
    const email = await call("alice", "POST", "/api/v1/channels", { kind: "email", name: "mail", config: { address: "alice@example.test" } });
    const refused = await call("alice", "POST", `/api/v1/channels/${email.body.channel.id}/rotate-secret`);
    expect(refused).toMatchObject({ status: 400, body: { error: { message: "channel mail is a email channel; only webhook channels have a signing secret" } } });
    expect((await context.pool.query<{ secret: string }>(`SELECT secret FROM notification_channels WHERE id = $1`, [id])).rows[0]!.secret).toBe(rotated.body.channel.secret);
  });

  it("re-queues a dead delivery once (the same job id), refuses delivered ones and another user's", async () => {
    const alice = users.get("alice")!.id;
    const created = await call("alice", "POST", "/api/v1/channels", { kind: "email", name: "inbox", config: { address: "alice@example.test" } });
    const channelId = created.body.channel.id as string;
    const notify = notificationDeps(context.deps);
    const { notificationId, deliveries } = await enqueueNotification(notify, { userId: alice, idempotencyKey: `rest-retry-${channelId}`, payload: { title: "t" }, channelIds: [channelId] });
    const deliveryId = deliveries[0]!.id;
    const jobId = notifyJobId({ notificationId, channelId });
    // no notifier runs in this namespace: dead-letter it as the notifier would after its last attempt
    await (await notify.queue.getJob(jobId))!.remove();
    await context.pool.query(`UPDATE deliveries SET status = 'dead', last_error = 'HTTP 410' WHERE id = $1`, [deliveryId]);

    expect((await call("bob", "POST", `/api/v1/channels/deliveries/${deliveryId}/retry`)).status).toBe(404);
    expect((await call("alice", "POST", "/api/v1/channels/deliveries/nope/retry")).status).toBe(400);
    const first = await call("alice", "POST", `/api/v1/channels/deliveries/${deliveryId}/retry`);
    expect(first).toEqual({ status: 202, body: { id: deliveryId, notificationId, channelId, status: "pending", requeued: true } });
    const second = await call("alice", "POST", `/api/v1/channels/deliveries/${deliveryId}/retry`);
    expect(second).toEqual({ status: 202, body: { id: deliveryId, notificationId, channelId, status: "pending", requeued: false } });
    const job = await notify.queue.getJob(jobId);
    expect(job?.data).toEqual({ deliveryId, notificationId, channelId });
    expect(await notify.queue.getJobCounts("wait")).toEqual({ wait: 1 });
    const row = await context.pool.query<{ status: string; last_error: string | null; namespace: string }>(`SELECT status, last_error, namespace FROM deliveries WHERE id = $1`, [deliveryId]);
    expect(row.rows[0]).toEqual({ status: "pending", last_error: null, namespace: context.namespace });

    await context.pool.query(`UPDATE deliveries SET status = 'delivered' WHERE id = $1`, [deliveryId]);
    const delivered = await call("alice", "POST", `/api/v1/channels/deliveries/${deliveryId}/retry`);
    expect(delivered.status).toBe(400);
    expect(delivered.body.error.message).toContain("was delivered");
  });

  it("offers the same through tRPC", async () => {
    const alice = context.as(users.get("alice")!.id);
    const bob = context.as(users.get("bob")!.id);
    const created = await alice.channels.create({ kind: "webhook", name: "rpc", config: { url: "https://1.1.1.1/rpc" } });
    expect(await alice.channels.update({ id: created.id, enabled: false })).toMatchObject({ id: created.id, enabled: false });
    await expect(alice.channels.update({ id: created.id, config: { url: "http://10.0.0.1/" } })).rejects.toThrow(/private address/);
    await expect(bob.channels.update({ id: created.id, enabled: true })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "NOT_FOUND");
    const rotated = await alice.channels.rotateSecret({ id: created.id });
    expect(rotated.secret).toMatch(/^whsec_/);
    await expect(bob.channels.rotateSecret({ id: created.id })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "NOT_FOUND");
    await expect(bob.channels.retryDelivery({ id: "7b1e4c1a-0000-4000-8000-000000000000" })).rejects.toSatisfy((error: unknown) => error instanceof TRPCError && error.code === "NOT_FOUND");
    expect((await alice.channels.list()).find((channel) => channel.id === created.id)).toMatchObject({ enabled: false, name: "rpc" });
  });

  it("documents the new routes in the OpenAPI document", () => {
    expect(Object.keys(openApiDocument.paths["/api/v1/channels/{id}"] ?? {})).toEqual(["patch"]);
    expect(Object.keys(openApiDocument.paths["/api/v1/channels/{id}/rotate-secret"] ?? {})).toEqual(["post"]);
    expect(Object.keys(openApiDocument.paths["/api/v1/channels/deliveries/{id}/retry"] ?? {})).toEqual(["post"]);
  });
});
