/**
 * System health for /api/v1/health and `health.status`: PostgreSQL and Redis pings, the heartbeat
 * `{ns}:health:collector:{name}` (CollectorHealth, docs/architecture.md) of every collector named in the registry
 * SET `{ns}:health:collectors` (collector-heartbeat.ts: one SMEMBERS + one MGET, no SCAN of the keyspace; a name
 * whose heartbeat expired is not listed) and the feed mode.
 * Healthy only when PostgreSQL and Redis answer and at least one enabled collector reports, all of them "healthy".
 * A "disabled" collector (switched off by configuration, e.g. Alpaca without API keys) is listed with its reason
 * but does not count: it neither makes the system unhealthy nor counts as the reporting collector.
 * A "closed" collector (a stock market outside its sessions, reason "market closed; opens …") is not a problem.
 * `markets` gives every active symbol's market (open or closed, next open, data delay) from its exchange calendar.
 */
import { z } from "zod";
import type { SymbolId } from "../domain/bars/bar.ts";
import type { CollectorStatus, SymbolStatus } from "../sources/market-data-source.ts";
import { createMarketStatusService, type MarketStatusService, type SymbolMarketState } from "./market-status.service.ts";
import { defaultServiceDeps, whenRedisReady, type ServiceDeps } from "./service-deps.ts";

const PING_TIMEOUT_MS = 2_000;

/**
 * Every collector status a heartbeat may carry (also the OpenAPI enum). Must list each CollectorStatus of
 * server/sources/market-data-source.ts (checked below at compile time): a heartbeat whose status is missing
 * here would be dropped as unreadable.
 */
export const COLLECTOR_STATUSES = ["connecting", "repairing", "healthy", "reconnecting", "down", "disabled", "closed"] as const;
/** Symbol states a collector may report ("closed" is accepted for a collector that marks symbols of a closed market). */
export const SYMBOL_STATUSES = ["healthy", "repairing", "unavailable", "closed"] as const;

type Unlisted<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const everyCollectorStatusListed: Unlisted<CollectorStatus, (typeof COLLECTOR_STATUSES)[number]> = true;
const everySymbolStatusListed: Unlisted<SymbolStatus, (typeof SYMBOL_STATUSES)[number]> = true;
void everyCollectorStatusListed;
void everySymbolStatusListed;

const ZBreaker = z.object({
  state: z.enum(["closed", "half-open", "open"]),
  since: z.number(),
  failures: z.number(),
  lastError: z.string().optional(),
  heldReason: z.string().optional(),
  heldUntil: z.number().optional(),
});

const ZCollectorHealth = z.object({
  name: z.string(),
  mode: z.enum(["live", "replay"]),
  status: z.enum(COLLECTOR_STATUSES),
  reason: z.string().optional(),
  lastMessageAt: z.number().nullable().optional(),
  updatedAt: z.number(),
  reconnects: z.number().default(0),
  symbols: z
    .record(
      z.string(),
      z.object({
        status: z.enum(SYMBOL_STATUSES),
        reason: z.string().optional(),
        lastBarAt: z.number().nullable().optional(),
      }),
    )
    .default({}),
  breakers: z.object({ rest: ZBreaker, stream: ZBreaker }).optional(),
});

export type CollectorHealth = z.infer<typeof ZCollectorHealth>;
export type CollectorSymbolState = CollectorHealth["symbols"][string];
export type FeedMode = "live" | "replay" | "unknown";

export interface DependencyHealth {
  up: boolean;
  latencyMs: number | null;
  error?: string;
}

export interface CollectorReport extends CollectorHealth {
  healthy: boolean;
  /** now − lastMessageAt in ms; null when the collector has not received a message yet. */
  lastMessageAgeMs: number | null;
}

/** What the control process publishes about config/*.yaml (workers/control/config-watcher.ts ConfigHealth). */
const ZConfigHealth = z.object({
  updatedAt: z.number(),
  files: z.record(
    z.string(),
    z.object({
      status: z.enum(["pending", "applied", "refused", "error"]),
      checkedAt: z.number().nullable(),
      appliedAt: z.number().nullable(),
      summary: z.string().optional(),
      error: z.object({ file: z.string(), line: z.number().nullable(), message: z.string() }).optional(),
    }),
  ),
});
export type ConfigHealthReport = z.infer<typeof ZConfigHealth>;

export interface HealthReport {
  healthy: boolean;
  checkedAt: number;
  postgres: DependencyHealth;
  redis: DependencyHealth;
  feed: FeedMode;
  collectors: CollectorReport[];
  /** Each active symbol's market from its exchange calendar (empty when PostgreSQL cannot answer). */
  markets: Record<SymbolId, SymbolMarketState>;
  /** The watched config files as the control process last saw them; null when it has not reported (not running). */
  config: ConfigHealthReport | null;
  /** Worth an operator's look but not unhealthy, e.g. a refused config edit (the previous config stays in effect). */
  warnings: string[];
  /** Why the system is not healthy (empty when healthy). */
  problems: string[];
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function ping(now: () => number, what: string, run: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = now();
  try {
    await withTimeout(run(), what);
    return { up: true, latencyMs: now() - started };
  } catch (error) {
    return { up: false, latencyMs: null, error: error instanceof Error ? error.message : String(error) };
  }
}

export interface HealthService {
  getHealth(): Promise<HealthReport>;
}

export function createHealthService(deps: ServiceDeps, markets: MarketStatusService = createMarketStatusService(deps)): HealthService {
  async function readCollectors(now: number): Promise<CollectorReport[]> {
    // The registry, not a SCAN: the heartbeats share Redis with every bar cache and queue key.
    const names = (await deps.redis.smembers(deps.keys.collectorRegistry())).sort();
    if (names.length === 0) return [];
    const values = await deps.redis.mget(...names.map((name) => deps.keys.collectorHealth(name)));
    const reports: CollectorReport[] = [];
    for (const value of values) {
      if (!value) continue;
      let parsed: ReturnType<typeof ZCollectorHealth.safeParse>;
      try {
        parsed = ZCollectorHealth.safeParse(JSON.parse(value));
      } catch {
        continue;
      }
      if (!parsed.success) continue;
      const health = parsed.data;
      const lastMessageAt = health.lastMessageAt ?? null;
      reports.push({
        ...health,
        lastMessageAt,
        healthy: health.status === "healthy",
        lastMessageAgeMs: lastMessageAt === null ? null : Math.max(0, now - lastMessageAt),
      });
    }
    return reports;
  }

  async function readConfig(): Promise<ConfigHealthReport | null> {
    const text = await deps.redis.get(deps.keys.configHealth());
    if (!text) return null;
    try {
      const parsed = ZConfigHealth.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  return {
    async getHealth() {
      const now = deps.now();
      await whenRedisReady(deps.redis);
      const [postgres, redis] = await Promise.all([
        ping(deps.now, "PostgreSQL", () => deps.pool.query("SELECT 1")),
        ping(deps.now, "Redis", () => deps.redis.ping()),
      ]);
      let collectors: CollectorReport[] = [];
      let feed: FeedMode = "unknown";
      let config: ConfigHealthReport | null = null;
      if (redis.up) {
        try {
          const [reports, feedValue, configValue] = await withTimeout(
            Promise.all([readCollectors(now), deps.redis.get(deps.keys.feed()), readConfig()]),
            "Redis",
          );
          collectors = reports;
          config = configValue;
          feed = feedValue === "live" || feedValue === "replay" ? feedValue : "unknown";
        } catch (error) {
          redis.up = false;
          redis.error = error instanceof Error ? error.message : String(error);
        }
      }
      const marketStates = postgres.up ? await withTimeout(markets.activeMarkets(), "PostgreSQL").catch(() => ({})) : {};
      const problems: string[] = [];
      if (!postgres.up) problems.push(`PostgreSQL is down: ${postgres.error ?? "no answer"}`);
      if (!redis.up) problems.push(`Redis is down: ${redis.error ?? "no answer"}`);
      const enabled = collectors.filter((collector) => collector.status !== "disabled");
      // "closed" (market closed) reports in and is expected: it counts as reporting, not as a problem.
      if (redis.up && enabled.length === 0) problems.push("no collector has reported in the last 30 s");
      for (const collector of enabled) {
        if (!collector.healthy && collector.status !== "closed") problems.push(`collector ${collector.name} is ${collector.status}${collector.reason ? `: ${collector.reason}` : ""}`);
      }
      const warnings: string[] = [];
      for (const state of Object.values(config?.files ?? {})) {
        if ((state.status === "refused" || state.status === "error") && state.error) {
          const where = state.error.line === null ? state.error.file : `${state.error.file}:${state.error.line}`;
          warnings.push(`config ${state.status === "refused" ? "change refused" : "not applied"} (${where}): ${state.error.message}; the previous config stays in effect`);
        }
      }
      return { healthy: problems.length === 0, checkedAt: now, postgres, redis, feed, collectors, markets: marketStates, config, warnings, problems };
    },
  };
}

let shared: HealthService | undefined;

/** The process-wide service on the default deps. */
export function healthService(): HealthService {
  shared ??= createHealthService(defaultServiceDeps());
  return shared;
}
