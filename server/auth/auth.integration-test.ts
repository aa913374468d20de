// Accounts and access over real HTTP against the real PostgreSQL and Redis: registration (first user
// → admin), sign-in and failed sign-in with audit entries, access tokens (accepted, expired, forged),
// API keys (shown once, stored hashed, read-only, revocable, owner-only), and the rate limit
// (429 + Retry-After + metric). The users table is emptied first: "first user" needs an empty one.
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { createApiServices } from "../api/api-services.ts";
import { createCaller } from "../api/root.ts";
import { createTRPCContext } from "../api/trpc.ts";
import { redisKeys } from "../redis/keys.ts";
import { listAudit } from "../services/audit.service.ts";
import type { Principal } from "./principal.ts";
import { CookieClient, startAuthHarness, type AuthHarness } from "./auth-test-helpers.ts";

const PASSWORD = "correct horse battery";
const ALICE = { email: "alice@example.test", name: "Alice", password: PASSWORD };
const BOB = { email: "bob@example.test", name: "Bob", password: PASSWORD };

async function json(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>;
}

async function roleOf(harness: AuthHarness, email: string): Promise<string | undefined> {
  const result = await harness.pool.query<{ role: string }>(`SELECT "role" FROM "users" WHERE "email" = $1`, [email]);
  return result.rows[0]?.role;
}

describe("accounts and access", () => {
  let harness: AuthHarness;
  let alice: CookieClient;
  let bob: CookieClient;

  beforeAll(async () => {
    harness = await startAuthHarness({ limit: 10_000, windowS: 60 });
    await harness.pool.query(`TRUNCATE "users", "api_keys", "audit_log" CASCADE`);
    alice = new CookieClient(harness.url);
    bob = new CookieClient(harness.url);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("makes the first registered user an admin and the next one a user, with audit entries", async () => {
    const first = await alice.request("/api/auth/sign-up/email", { json: ALICE });
    expect(first.status).toBe(200);
    expect(alice.hasSession()).toBe(true);
    const second = await bob.request("/api/auth/sign-up/email", { json: BOB });
    expect(second.status).toBe(200);
    expect(await roleOf(harness, ALICE.email)).toBe("admin");
    expect(await roleOf(harness, BOB.email)).toBe("user");

    const session = await json(await alice.request("/api/auth/get-session"));
    expect(session.user.email).toBe(ALICE.email);
    expect(session.user.role).toBe("admin");

    const stored = await harness.pool.query<{ password: string }>(
      `SELECT "a"."password" FROM "accounts" "a" JOIN "users" "u" ON "u"."id" = "a"."user_id" WHERE "u"."email" = $1`,
      [ALICE.email],
    );
    expect(stored.rows[0]?.password).toMatch(/^\$argon2id\$/);
    expect(stored.rows[0]?.password).not.toContain(PASSWORD);

    const registered = await listAudit(harness.pool, { action: "auth.register" });
    expect(registered.map((entry) => entry.target).sort()).toEqual([ALICE.email, BOB.email]);
    expect(await listAudit(harness.pool, { action: "admin.promote_first_user" })).toHaveLength(1);
  });

  it("refuses a wrong password with 401 and audits it; a right one signs in and is audited", async () => {
    const stranger = new CookieClient(harness.url);
    const wrong = await stranger.request("/api/auth/sign-in/email", { json: { email: ALICE.email, password: "not the password" } });
    expect(wrong.status).toBe(401);
    expect(stranger.hasSession()).toBe(false);
    const failed = await listAudit(harness.pool, { action: "auth.sign_in_failed" });
    expect(failed[0]?.target).toBe(ALICE.email);
    expect(failed[0]?.actorIp).toBe("127.0.0.1");

    const right = await stranger.request("/api/auth/sign-in/email", { json: { email: ALICE.email, password: PASSWORD } });
    expect(right.status).toBe(200);
    expect(stranger.hasSession()).toBe(true);
    const signIns = await listAudit(harness.pool, { action: "auth.sign_in" });
    expect(signIns[0]?.target).toBe(ALICE.email);
    expect(signIns[0]?.userId).toBeTruthy();
  });

  it("mints access tokens: accepted while valid, rejected when expired or forged; guests get a guest token", async () => {
    const minted = await json(await alice.request("/api/auth/token"));
    expect(minted.role).toBe("admin");
    const bearer = { authorization: `Bearer ${minted.token}` };
    const anonymous = new CookieClient(harness.url);

    expect((await anonymous.request("/api/v1/keys", { headers: bearer })).status).toBe(200);
    expect((await anonymous.request("/api/v1/keys")).status).toBe(401);

    harness.clock.offsetMs = 16 * 60_000; // past the 15-minute lifetime
    const expired = await anonymous.request("/api/v1/keys", { headers: bearer });
    harness.clock.offsetMs = 0;
    expect(expired.status).toBe(401);
    expect((await json(expired)).error.message).toMatch(/expired/);

    const forged = await new SignJWT({ role: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(minted.userId)
      .setIssuer("marketlens")
      .setAudience("marketlens-api")
      .setExpirationTime("10m")
      .sign(new TextEncoder().encode("an attacker's secret that is long enough"));
    const rejected = await anonymous.request("/api/v1/keys", { headers: { authorization: `Bearer ${forged}` } });
    expect(rejected.status).toBe(401);
    expect((await json(rejected)).error.message).toBe("invalid access token");

    const guest = await json(await anonymous.request("/api/auth/token"));
    expect(guest.role).toBe("guest");
    expect((await anonymous.request("/api/v1/keys", { headers: { authorization: `Bearer ${guest.token}` } })).status).toBe(401);
    // A token cannot mint another one (it would live forever).
    expect((await anonymous.request("/api/auth/token", { headers: bearer })).status).toBe(403);
  });

  it("shows an API key once, stores only its hash, accepts it read-only, and refuses it once revoked", async () => {
    const created = await alice.request("/api/v1/keys", { json: { name: "notebook" } });
    expect(created.status).toBe(201);
    const { key } = await json(created);
    expect(key.key).toMatch(/^ml_[A-Za-z0-9_-]{32}$/);
    expect(key.key.startsWith(key.prefix)).toBe(true);
    expect(key.scope).toBe("read");

    const listed = await json(await alice.request("/api/v1/keys"));
    expect(listed.keys).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(key.key);
    const row = await harness.pool.query<{ hash: string }>(`SELECT "hash" FROM "api_keys" WHERE "id" = $1`, [key.id]);
    expect(row.rows[0]?.hash).toBe(createHash("sha256").update(key.key).digest("hex"));

    const script = new CookieClient(harness.url);
    const withKey = { authorization: `Bearer ${key.key}` };
    const read = await script.request("/api/v1/charts/BINANCE:NOSUCHPAIR?timeframe=1m", { headers: withKey });
    expect([200, 404]).toContain(read.status); // authorized: the answer is about the symbol, not the caller
    expect((await script.request("/api/v1/charts/BINANCE:NOSUCHPAIR?timeframe=1m", { headers: { authorization: "Bearer ml_notarealkeynotarealkeynotarealkey" } })).status).toBe(401);
    const keyToken = await json(await script.request("/api/auth/token", { method: "POST", headers: withKey }));
    expect(keyToken.role).toBe("guest"); // read-only, for the gateway: never an account token
    expect((await script.request("/api/v1/keys", { headers: { authorization: `Bearer ${keyToken.token}` } })).status).toBe(401);
    const write = await script.request("/api/v1/keys", { json: { name: "more" }, headers: withKey });
    expect(write.status).toBe(403);
    expect((await json(write)).error.message).toMatch(/read-only/);

    const revoked = await alice.request(`/api/v1/keys/${key.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect((await json(revoked)).key.revokedAt).not.toBeNull();
    const after = await script.request("/api/v1/charts/BINANCE:NOSUCHPAIR?timeframe=1m", { headers: withKey });
    expect(after.status).toBe(401);
    expect((await json(after)).error.message).toMatch(/revoked/);

    const actions = (await listAudit(harness.pool, { userId: (await json(await alice.request("/api/auth/get-session"))).user.id })).map((entry) => entry.action);
    expect(actions).toContain("api_key.create");
    expect(actions).toContain("api_key.revoke");
  });

  it("answers 404, not 403, when a user touches another user's key, and changes nothing", async () => {
    const { key } = await json(await alice.request("/api/v1/keys", { json: { name: "alice only" } }));
    const attempt = await bob.request(`/api/v1/keys/${key.id}`, { method: "DELETE" });
    expect(attempt.status).toBe(404);
    const missing = await bob.request(`/api/v1/keys/00000000-0000-4000-8000-000000000000`, { method: "DELETE" });
    expect(missing.status).toBe(404);
    expect((await json(attempt)).error.message).toBe(`api key ${key.id} not found`);
    expect((await json(await bob.request("/api/v1/keys"))).keys).toEqual([]);
    const row = await harness.pool.query<{ revoked_at: Date | null }>(`SELECT "revoked_at" FROM "api_keys" WHERE "id" = $1`, [key.id]);
    expect(row.rows[0]?.revoked_at).toBeNull();
  });

  it("lets only admins list users and change roles (audited); the last admin cannot be demoted", async () => {
    const services = createApiServices({ pool: harness.pool, redis: harness.redis, keys: redisKeys(harness.namespace), now: () => Date.now() });
    const idOf = async (email: string) => (await harness.pool.query<{ id: string }>(`SELECT "id" FROM "users" WHERE "email" = $1`, [email])).rows[0]?.id ?? "";
    const aliceId = await idOf(ALICE.email);
    const bobId = await idOf(BOB.email);
    const as = (principal: Principal) => createCaller(createTRPCContext(services, principal));
    const admin = as({ kind: "user", userId: aliceId, role: "admin", via: "session", ip: "127.0.0.1" });
    const user = as({ kind: "user", userId: bobId, role: "user", via: "session", ip: "127.0.0.1" });
    const anonymous = as({ kind: "anonymous", ip: "127.0.0.1" });

    await expect(user.admin.users()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(anonymous.admin.auditLog()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(as({ kind: "api_key", userId: aliceId, keyId: "k", role: "admin", ip: "127.0.0.1" }).admin.users()).rejects.toBeInstanceOf(TRPCError);
    expect((await admin.admin.users()).map((row) => row.email)).toEqual([ALICE.email, BOB.email]);

    await expect(admin.admin.setRole({ userId: aliceId, role: "user" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await roleOf(harness, ALICE.email)).toBe("admin");
    await expect(admin.admin.setRole({ userId: "no-such-user", role: "admin" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    await admin.admin.setRole({ userId: bobId, role: "admin" });
    expect(await roleOf(harness, BOB.email)).toBe("admin");
    const entries = await admin.admin.auditLog({ action: "admin.action", limit: 10 });
    expect(entries[0]).toMatchObject({ userId: aliceId, target: `user:${bobId}`, details: { setRole: "admin" } });
    await admin.admin.setRole({ userId: bobId, role: "user" });
    expect(await roleOf(harness, BOB.email)).toBe("user");
  });

  it("signs out: the session stops working and the sign-out is audited", async () => {
    const signedOut = await bob.request("/api/auth/sign-out", { json: {} });
    expect(signedOut.status).toBe(200);
    expect((await bob.request("/api/v1/keys")).status).toBe(401);
    expect((await listAudit(harness.pool, { action: "auth.sign_out" })).length).toBeGreaterThanOrEqual(1);
  });
});

describe("PostgreSQL down", () => {
  it("serves a session cookie as a guest (public charts keep working) and answers 503 for an API key", async () => {
    const down = await startAuthHarness({ limit: 1_000, windowS: 60, databaseUrl: "postgresql://postgres@127.0.0.1:1/nothing" });
    try {
      const client = new CookieClient(down.url);
      const token = await client.request("/api/auth/token", { headers: { cookie: "better-auth.session_token=some.value" } });
      expect(token.status).toBe(200);
      expect((await json(token)).role).toBe("guest");
      const keyed = await client.request("/api/auth/token", { headers: { authorization: "Bearer ml_abcdefghijklmnopqrstuvwxyz012345" } });
      expect(keyed.status).toBe(503);
      expect((await json(keyed)).error.message).toMatch(/database did not answer/);
    } finally {
      await down.close();
    }
  });
});

describe("rate limit", () => {
  let harness: AuthHarness;

  beforeAll(async () => {
    harness = await startAuthHarness({ limit: 3, windowS: 60 });
  });

  afterAll(async () => {
    await harness?.close();
  });

  it("answers 429 with Retry-After after the limit, counts it, and refills over time", async () => {
    const client = new CookieClient(harness.url);
    const statuses: number[] = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await client.request("/api/auth/token")).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await client.request("/api/auth/token");
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20); // one token per 20 s at 3 per 60 s
    expect((await json(limited)).error.code).toBe("RATE_LIMITED");
    expect(await harness.registry.metrics()).toMatch(/marketlens_rate_limited_total\{outcome="limited"\} 1\b/);

    harness.clock.offsetMs = retryAfter * 1000;
    expect((await client.request("/api/auth/token")).status).toBe(200);
  });

  it("limits password attempts per IP more tightly than other requests", async () => {
    const strict = await startAuthHarness({ limit: 1_000, windowS: 60, credentialLimit: 2 });
    try {
      const guesser = new CookieClient(strict.url);
      const attempt = () => guesser.request("/api/auth/sign-in/email", { json: { email: "nobody@example.test", password: "guess-guess" } });
      expect([(await attempt()).status, (await attempt()).status]).toEqual([401, 401]);
      const blocked = await attempt();
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await json(blocked)).error.message).toMatch(/sign-in attempts/);
      expect((await guesser.request("/api/auth/token")).status).toBe(200); // other requests still pass
    } finally {
      await strict.close();
    }
  });
});
