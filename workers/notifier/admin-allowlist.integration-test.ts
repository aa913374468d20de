/**
 * The webhook host allowlist admins manage (issue 5), end to end on the real PostgreSQL, Redis, BullMQ and a
 * real local HTTP receiver: an admin allows 127.0.0.1 through tRPC `admin.allowHost` → a webhook channel to the
 * receiver is accepted and a real NotifierWorker delivers to it; the admin removes the host → creating is
 * refused with the SSRF message and the next delivery is refused at send time. Also: the API's own guard
 * (`channels.create` through notificationDeps) follows the table, plain users get FORBIDDEN, bad input and
 * metadata addresses change nothing, and every change is audited.
 *
 * The guard of the first part is built with an empty NOTIFY_ALLOWED_HOSTS (the test stack's env allows
 * 127.0.0.1, which would hide the table); the notifier's guard is a second cache, as in another process.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiServices } from "../../server/api/api-services.ts";
import { createCaller } from "../../server/api/root.ts";
import { createTRPCContext } from "../../server/api/trpc.ts";
import type { Principal } from "../../server/auth/principal.ts";
import { closeNotificationDeps } from "../../server/services/alerts-notify.ts";
import { listAudit } from "../../server/services/audit.service.ts";
import { createChannel, enqueueNotification, type NotificationServiceDeps } from "../../server/services/notifications/notifications.service.ts";
import { createAllowlistCache } from "../../server/services/notify-allowlist-cache.ts";
import { createTestStack, startHttpReceiver, uniqueId, waitSettled, type HttpReceiver, type TestStack } from "./notifier-test-helpers.ts";

/** Not in the test stack's NOTIFY_ALLOWED_HOSTS: shows the API guard (env ∪ table) following the table. */
const PRIVATE_HOST = "10.213.77.5";
const TEST_HOSTS = ["127.0.0.1", PRIVATE_HOST, "169.254.169.254"];
const payload = { title: "BTC crossed 100,000", body: "BINANCE:BTCUSDT last 100,012.5", severity: "warning" as const };

let stack: TestStack;
let receiver: HttpReceiver;
let service: NotificationServiceDeps;
let adminId: string;
let userId: string;
let admin: ReturnType<typeof createCaller>;
let plain: ReturnType<typeof createCaller>;

async function insertUser(role: "user" | "admin"): Promise<string> {
  const id = `allowlist-${role}-${randomUUID().slice(0, 8)}`;
  await stack.pool.query(`INSERT INTO "users" ("id", "name", "email", "email_verified", "role") VALUES ($1, $2, $3, false, $4)`, [id, `Test ${role}`, `${id}@example.test`, role]);
  return id;
}

async function tableHosts(): Promise<string[]> {
  const result = await stack.pool.query<{ host: string }>(`SELECT "host" FROM "notify_allowed_hosts" WHERE "host" = ANY($1) ORDER BY "host"`, [TEST_HOSTS]);
  return result.rows.map((row) => row.host);
}

async function hostAudit(): Promise<{ action: string; target: string | null }[]> {
  const rows = [...(await listAudit(stack.pool, { action: "admin.allow_host", userId: adminId })), ...(await listAudit(stack.pool, { action: "admin.disallow_host", userId: adminId }))];
  return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((row) => ({ action: row.action, target: row.target }));
}

beforeAll(async () => {
  stack = createTestStack({ attempts: 2, backoffMs: 50 });
  await stack.pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = ANY($1)`, [TEST_HOSTS]);
  receiver = await startHttpReceiver(() => ({ status: 204 }));
  adminId = await insertUser("admin");
  userId = await insertUser("user");
  const services = createApiServices({ pool: stack.pool, redis: stack.redis, keys: stack.keys, now: () => Date.now() });
  const as = (principal: Principal) => createCaller(createTRPCContext(services, principal));
  admin = as({ kind: "user", userId: adminId, role: "admin", via: "session", ip: "127.0.0.1" });
  plain = as({ kind: "user", userId, role: "user", via: "session", ip: "127.0.0.1" });
  const apiGuard = createAllowlistCache({ pool: stack.pool, redis: stack.redis, keys: stack.keys, envHosts: new Set() });
  service = { ...stack.service, guard: { allowedHosts: apiGuard } };
  const notifierGuard = createAllowlistCache({ pool: stack.pool, redis: stack.redis, keys: stack.keys, envHosts: new Set() });
  await stack.startNotifier({ guard: { allowedHosts: notifierGuard } });
});

afterAll(async () => {
  await stack.pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = ANY($1)`, [TEST_HOSTS]);
  await stack.pool.query(`DELETE FROM "notification_channels" WHERE "user_id" = ANY($1)`, [[adminId, userId]]);
  await stack.pool.query(`DELETE FROM "users" WHERE "id" = ANY($1)`, [[adminId, userId]]);
  await closeNotificationDeps(stack.keys);
  await receiver.close();
  await stack.close();
});

describe("admin webhook host allowlist", () => {
  it("allowing 127.0.0.1 lets a webhook channel be created and delivered; removing it refuses both again", async () => {
    const url = `${receiver.url}/allowlist`;
    await expect(createChannel(service, { userId, kind: "webhook", name: "before", config: { url } })).rejects.toThrow(/127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback address; ask an admin/);

    expect(await admin.admin.allowHost({ host: " 127.0.0.1 ", note: "local receiver" })).toEqual({ host: "127.0.0.1" });
    const listed = await admin.admin.allowedHosts();
    expect(listed.hosts.find((row) => row.host === "127.0.0.1")).toMatchObject({ note: "local receiver", createdBy: adminId, createdByEmail: `${adminId}@example.test` });

    const channel = await createChannel(service, { userId, kind: "webhook", name: "local", config: { url } });
    const sent = await enqueueNotification(service, { userId, idempotencyKey: uniqueId("allowed-"), payload, channelIds: [channel.id] });
    const [delivered] = await waitSettled(stack.pool, sent.notificationId);
    expect(delivered).toMatchObject({ status: "delivered", attemptOutcomes: ["delivered"] });
    expect(receiver.requests.map((request) => request.path)).toEqual(["/allowlist"]);

    expect(await admin.admin.disallowHost({ host: "127.0.0.1" })).toEqual({ ok: true });
    expect(await tableHosts()).toEqual([]);
    await expect(createChannel(service, { userId, kind: "webhook", name: "after", config: { url } })).rejects.toThrow(/loopback address; ask an admin to allow the host/);
    const refused = await enqueueNotification(service, { userId, idempotencyKey: uniqueId("removed-"), payload, channelIds: [channel.id] });
    const [dead] = await waitSettled(stack.pool, refused.notificationId);
    expect(dead).toMatchObject({ status: "dead", attempts: 1, attemptOutcomes: ["refused"] });
    expect(dead!.lastError).toMatch(/loopback address/);
    expect(receiver.requests).toHaveLength(1);

    expect((await hostAudit()).slice(-2)).toEqual([
      { action: "admin.allow_host", target: "host:127.0.0.1" },
      { action: "admin.disallow_host", target: "host:127.0.0.1" },
    ]);
  });

  it("the API's channels.create follows the table on top of NOTIFY_ALLOWED_HOSTS", async () => {
    const webhook = { kind: "webhook" as const, name: "intranet", config: { url: `http://${PRIVATE_HOST}:9/hook` } };
    await expect(plain.channels.create(webhook)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/private address/) });
    await admin.admin.allowHost({ host: PRIVATE_HOST });
    const created = await plain.channels.create(webhook);
    expect(created).toMatchObject({ kind: "webhook", name: "intranet" });
    await admin.admin.disallowHost({ host: PRIVATE_HOST });
    await expect(plain.channels.create({ ...webhook, name: "again" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/private address/) });
  });

  it("gives plain users FORBIDDEN and changes nothing", async () => {
    const versionBefore = await stack.redis.get(stack.keys.notifyAllowlistVersion());
    for (const attempt of [() => plain.admin.allowedHosts(), () => plain.admin.allowHost({ host: "127.0.0.1" }), () => plain.admin.disallowHost({ host: "127.0.0.1" })]) {
      const error = await attempt().then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(TRPCError);
      expect(error).toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await tableHosts()).toEqual([]);
    expect(await stack.redis.get(stack.keys.notifyAllowlistVersion())).toBe(versionBefore);
  });

  it("refuses bad host input with a clear message and changes nothing", async () => {
    const auditBefore = await hostAudit();
    const versionBefore = await stack.redis.get(stack.keys.notifyAllowlistVersion());
    for (const [host, message] of [
      ["http://127.0.0.1/", /without scheme, port or path/],
      ["127.0.0.1:8080", /without scheme, port or path/],
      ["*.example.com", /wildcards are not supported/],
      ["", /enter a host name or IP address/],
      ["bad..host", /not a valid host name/],
    ] as const) {
      await expect(admin.admin.allowHost({ host })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    }
    await expect(admin.admin.allowHost({ host: "127.0.0.1", note: "x".repeat(201) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.admin.disallowHost({ host: "never-allowed.example" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "never-allowed.example is not on the allowlist" });
    await admin.admin.allowHost({ host: PRIVATE_HOST });
    await expect(admin.admin.allowHost({ host: PRIVATE_HOST.toUpperCase() })).rejects.toMatchObject({ code: "BAD_REQUEST", message: `${PRIVATE_HOST} is already allowed` });
    await admin.admin.disallowHost({ host: PRIVATE_HOST });

    expect(await tableHosts()).toEqual([]);
    const auditAfter = await hostAudit();
    expect(auditAfter.slice(auditBefore.length)).toEqual([
      { action: "admin.allow_host", target: `host:${PRIVATE_HOST}` },
      { action: "admin.disallow_host", target: `host:${PRIVATE_HOST}` },
    ]);
    expect(Number(await stack.redis.get(stack.keys.notifyAllowlistVersion()))).toBe(Number(versionBefore) + 2);
  });

  it("keeps metadata addresses refused, even when the table or the env var lists them", async () => {
    await expect(admin.admin.allowHost({ host: "169.254.169.254" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cloud metadata address/) });
    expect(await tableHosts()).toEqual([]);
    // a row written around the service (or an env entry) still does not open it
    await stack.pool.query(`INSERT INTO "notify_allowed_hosts" ("host", "note") VALUES ('169.254.169.254', 'by hand')`);
    const everything = createAllowlistCache({ pool: stack.pool, redis: stack.redis, keys: stack.keys, envHosts: new Set(["169.254.169.254"]) });
    expect((await everything()).has("169.254.169.254")).toBe(true);
    await expect(createChannel({ ...service, guard: { allowedHosts: everything } }, { userId, kind: "webhook", name: "meta", config: { url: "http://169.254.169.254/latest/meta-data/" } })).rejects.toThrow(
      /link-local address of cloud metadata services, which no allowlist opens/,
    );
    await stack.pool.query(`DELETE FROM "notify_allowed_hosts" WHERE "host" = '169.254.169.254'`);
  });
});
