/**
 * Helpers of the alert integration tests: users and symbols inserted straight into the test database, service
 * deps on the test's own Redis namespace, and tRPC callers acting as a given user (createCaller, real PostgreSQL).
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import pg from "pg";
import { createApiServices, type ApiServices } from "../api/api-services.ts";
import { createCaller } from "../api/root.ts";
import { createTRPCContext } from "../api/trpc.ts";
import { env } from "../env.ts";
import { redisKeys } from "../redis/keys.ts";
import type { ServiceDeps } from "./service-deps.ts";

export const suffix = () => randomBytes(4).toString("hex").toUpperCase();

export async function insertUser(pool: pg.Pool, name = "user"): Promise<string> {
  const id = `u_${suffix().toLowerCase()}`;
  await pool.query(`INSERT INTO "users" ("id", "name", "email", "email_verified") VALUES ($1, $2, $3, true)`, [id, name, `${id}@example.test`]);
  return id;
}

/** A fresh symbol TEST:<prefix><hex> (active unless told). */
export async function insertSymbol(pool: pg.Pool, options: { prefix?: string; active?: boolean } = {}): Promise<string> {
  const ticker = `${options.prefix ?? "AL"}${suffix()}`;
  const id = `TEST:${ticker}`;
  await pool.query(`INSERT INTO "symbols" ("id", "exchange", "ticker", "display_name", "active") VALUES ($1, 'TEST', $2, $2, $3)`, [id, ticker, options.active ?? true]);
  return id;
}

export interface AlertsTestContext {
  pool: pg.Pool;
  redis: Redis;
  namespace: string;
  deps: ServiceDeps;
  services: ApiServices;
  /** tRPC caller acting as `userId` (a signed-in session). */
  as(userId: string): ReturnType<typeof createCaller>;
  /** Deletes the namespace's Redis keys, then closes. */
  close(): Promise<void>;
}

export function alertsTestContext(name: string): AlertsTestContext {
  const config = env();
  const namespace = `${config.MARKETLENS_NAMESPACE}-${name}-${suffix().toLowerCase()}`;
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 6 });
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1 });
  redis.on("error", () => undefined);
  const deps: ServiceDeps = { pool, redis, keys: redisKeys(namespace), now: () => Date.now() };
  const services = createApiServices(deps);
  return {
    pool,
    redis,
    namespace,
    deps,
    services,
    as: (userId) => createCaller(createTRPCContext(services, { kind: "user", userId, role: "user", via: "session", ip: "127.0.0.1" })),
    close: async () => {
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", `${namespace}:*`, "COUNT", 500);
        if (batch.length > 0) await redis.del(...batch);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit().catch(() => undefined);
      await pool.end();
    },
  };
}
