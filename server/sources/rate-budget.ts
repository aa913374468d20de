/**
 * A request/weight budget per fixed time window, shared by every process through Redis.
 *
 * Exchanges limit per IP, not per process: Binance allows 6,000 REQUEST_WEIGHT per minute, Alpaca 200 requests
 * per minute, Yahoo about one request per second. Every collector, backfill CLI and worker that talks to the same
 * exchange from one machine takes its requests from one `RedisRateBudget` (same `key`), so together they stay under
 * the limit, and a 429/418 `Retry-After` seen by one process pauses all of them.
 *
 * Windows are fixed and aligned to the epoch (`floor(now / windowMs)`), like Binance's `X-MBX-USED-WEIGHT-1M`,
 * which resets at each UTC minute. Redis layout (one budget = one `key`):
 *   `{key}:w:{windowIndex}`  STRING  units counted in that window (INCRBY, expires after two windows)
 *   `{key}:block`            STRING  `{untilMs}|{reason}` while a Retry-After is in force (PX until then)
 * Both are changed only by Lua scripts, so check-and-count is atomic across processes.
 *
 * If Redis is unreachable the budget keeps working on a local count (this process only), logs once, and goes back
 * to Redis when it answers again. The local count always mirrors what this process counted, so a fall-back never
 * starts from zero, and a block is always kept locally too.
 *
 * @example
 * const budget = new RedisRateBudget({ redis, key: `${ns}:ratelimit:binance:weight`, capacity: 6_000, windowMs: 60_000 });
 * await budget.acquire(2);                        // waits while the window is full or a block is in force
 * budget.observe(Number(res.headers.get("x-mbx-used-weight-1m")));
 * if (res.status === 429) await budget.blockUntil(Date.now() + retryAfterMs, "HTTP 429");
 */
import type { Redis } from "ioredis";

export interface RateBudgetOptions {
  /** A command connection that fails fast (server/redis/client.ts `createRedis("command")`); omit for a local-only budget. */
  redis?: Redis | null;
  /** Redis key prefix shared by every process using this budget, e.g. `ml:ratelimit:binance:weight`. */
  key: string;
  /** What the exchange allows per window (requests or weight). */
  capacity: number;
  windowMs: number;
  /** Fraction of the capacity kept free (default 0.1): acquire never lets a window pass capacity × (1 − margin). */
  safetyMargin?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (level: "info" | "warn", message: string, details?: object) => void;
  /** Called each time acquire has to wait (window full or blocked): for metrics. */
  onWait?: (info: { reason: "window" | "blocked"; waitMs: number }) => void;
}

export interface RateBudgetSnapshot {
  /** Units counted in the current window (the larger of ours and the server's last report). */
  used: number;
  capacity: number;
  /** The most acquire lets a window hold: floor(capacity × (1 − safetyMargin)). */
  limit: number;
  windowStart: number;
  windowEndsAt: number;
  /** Epoch ms until which every process waits (a 429/418 Retry-After), or null. */
  blockedUntil: number | null;
  blockReason: string | null;
  /** Where the count lives now: "redis" (shared) or "local" (Redis unreachable, this process only). */
  store: "redis" | "local";
  /** How many times acquire had to wait since this instance was created. */
  waits: number;
}

// KEYS[1] window counter, KEYS[2] block key. ARGV: cost, limit, ttlMs, nowMs.
// Returns {1, used} when counted, {0, used} when the window is full, {-1, blockedUntil} while blocked.
const ACQUIRE_SCRIPT = `
local block = redis.call('GET', KEYS[2])
if block then
  local untilMs = tonumber(string.match(block, '^(%d+)'))
  if untilMs and untilMs > tonumber(ARGV[4]) then return {-1, untilMs} end
end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, used}
`;

// KEYS[1] window counter. ARGV: used reported by the server, ttlMs. Raises the count, never lowers it.
const OBSERVE_SCRIPT = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local reported = tonumber(ARGV[1])
if reported > used then
  redis.call('SET', KEYS[1], reported, 'PX', ARGV[2])
  return reported
end
return used
`;

// KEYS[1] block key. ARGV: untilMs, reason, nowMs. Extends a block, never shortens it.
const BLOCK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then
  local untilMs = tonumber(string.match(current, '^(%d+)'))
  if untilMs and untilMs >= tonumber(ARGV[1]) then return untilMs end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', tonumber(ARGV[1]) - tonumber(ARGV[3]))
return tonumber(ARGV[1])
`;

export class RateBudgetCostError extends Error {
  name = "RateBudgetCostError";
}

export class RedisRateBudget {
  readonly capacity: number;
  readonly limit: number;
  readonly windowMs: number;
  private readonly redis: Redis | null;
  private readonly key: string;
  /** The budget's clock (Date.now unless a test passes one): callers compute `blockUntil` times with it. */
  readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly options: RateBudgetOptions;
  /** This process's view: used per window index (mirrors Redis, and is the budget while Redis is down). */
  private localWindow = -1;
  private localUsed = 0;
  private localBlockedUntil = 0;
  private localBlockReason: string | null = null;
  private store: "redis" | "local";
  private waits = 0;

  constructor(options: RateBudgetOptions) {
    if (!(options.capacity > 0) || !(options.windowMs > 0)) throw new Error(`rate budget ${options.key}: capacity and windowMs must be positive`);
    const margin = options.safetyMargin ?? 0.1;
    if (!(margin >= 0 && margin < 1)) throw new Error(`rate budget ${options.key}: safetyMargin must be in [0, 1)`);
    this.options = options;
    this.redis = options.redis ?? null;
    this.store = this.redis ? "redis" : "local";
    this.key = options.key;
    this.capacity = options.capacity;
    this.windowMs = options.windowMs;
    this.limit = Math.max(1, Math.floor(options.capacity * (1 - margin)));
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Takes `cost` units from the current window, waiting (window end, or the end of a block) until they fit.
   * A cost above the per-window limit can never fit and throws RateBudgetCostError.
   */
  async acquire(cost = 1): Promise<void> {
    if (!(cost > 0) || cost > this.limit) throw new RateBudgetCostError(`rate budget ${this.key}: cost ${cost} can never fit a window of ${this.limit}`);
    for (;;) {
      const now = this.now();
      const window = Math.floor(now / this.windowMs);
      const result = await this.tryTake(cost, now, window);
      if (result.ok) return;
      const waitMs = result.blockedUntil !== null ? result.blockedUntil - now : (window + 1) * this.windowMs - now + 10;
      this.waits += 1;
      this.options.onWait?.({ reason: result.blockedUntil !== null ? "blocked" : "window", waitMs });
      await this.sleep(Math.max(1, waitMs));
    }
  }

  /**
   * Syncs with an authoritative count for the current window (e.g. `X-MBX-USED-WEIGHT-1M`): raises the shared count
   * to it when the server saw more (other clients on the IP), never lowers it below what was counted.
   */
  async observe(usedInWindow: number): Promise<void> {
    if (!Number.isFinite(usedInWindow) || usedInWindow < 0) return;
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    this.syncLocal(window, usedInWindow);
    if (!this.redis) return;
    await this.viaRedis(async (redis) => {
      const used = Number(await redis.eval(OBSERVE_SCRIPT, 1, this.windowKey(window), Math.floor(usedInWindow), this.windowMs * 2));
      this.syncLocal(window, used);
    });
  }

  /** Stops every process from taking units until `untilMs` (a 429/418 Retry-After). Extends, never shortens, a block. */
  async blockUntil(untilMs: number, reason: string): Promise<void> {
    const now = this.now();
    if (untilMs > this.localBlockedUntil) {
      this.localBlockedUntil = untilMs;
      this.localBlockReason = reason;
    }
    if (!this.redis || untilMs <= now) return;
    await this.viaRedis(async (redis) => {
      await redis.eval(BLOCK_SCRIPT, 1, `${this.key}:block`, Math.ceil(untilMs), reason.replace(/\|/g, "/").slice(0, 200), now);
    });
  }

  /** The current window's count and block as every process sees it (Redis when reachable, else this process's). */
  async snapshot(): Promise<RateBudgetSnapshot> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    if (this.redis) {
      await this.viaRedis(async (redis) => {
        const [used, block] = await redis.mget(this.windowKey(window), `${this.key}:block`);
        this.syncLocal(window, Number(used ?? 0));
        const match = block ? /^(\d+)\|(.*)$/s.exec(block) : null;
        if (match && Number(match[1]) > this.localBlockedUntil) {
          this.localBlockedUntil = Number(match[1]);
          this.localBlockReason = match[2] ?? null;
        }
      });
    }
    this.syncLocal(window, 0);
    const blocked = this.localBlockedUntil > now;
    return {
      used: this.localUsed,
      capacity: this.capacity,
      limit: this.limit,
      windowStart: window * this.windowMs,
      windowEndsAt: (window + 1) * this.windowMs,
      blockedUntil: blocked ? this.localBlockedUntil : null,
      blockReason: blocked ? this.localBlockReason : null,
      store: this.store,
      waits: this.waits,
    };
  }

  private windowKey(window: number): string {
    return `${this.key}:w:${window}`;
  }

  private async tryTake(cost: number, now: number, window: number): Promise<{ ok: boolean; blockedUntil: number | null }> {
    if (this.localBlockedUntil > now) return { ok: false, blockedUntil: this.localBlockedUntil };
    if (this.redis) {
      const shared = await this.viaRedis(async (redis) => {
        const [code, value] = (await redis.eval(ACQUIRE_SCRIPT, 2, this.windowKey(window), `${this.key}:block`, cost, this.limit, this.windowMs * 2, now)) as [number, number];
        if (code === -1) {
          this.localBlockedUntil = Math.max(this.localBlockedUntil, Number(value));
          return { ok: false, blockedUntil: Number(value) };
        }
        this.syncLocal(window, Number(value));
        return { ok: code === 1, blockedUntil: null };
      });
      if (shared) return shared;
    }
    this.syncLocal(window, 0);
    if (this.localUsed + cost > this.limit) return { ok: false, blockedUntil: null };
    this.localUsed += cost;
    return { ok: true, blockedUntil: null };
  }

  private connectedOnce = false;

  private async firstConnection(timeoutMs = 2_000): Promise<void> {
    const redis = this.redis!;
    if (redis.status !== "ready") {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off("ready", done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        redis.once("ready", done);
      });
    }
    this.connectedOnce = true;
  }

  /** Raises this process's count for `window` to `used` (a new window starts from `used`). */
  private syncLocal(window: number, used: number): void {
    if (window !== this.localWindow) {
      this.localWindow = window;
      this.localUsed = 0;
    }
    if (used > this.localUsed) this.localUsed = used;
  }

  /** Runs a Redis step; on failure switches to the local budget (logged once) and returns null. */
  private async viaRedis<T>(step: (redis: Redis) => Promise<T>): Promise<T | null> {
    try {
      // A process's first request can come before its Redis connection is up (no offline queue): wait for it briefly
      // instead of declaring Redis unreachable at every start.
      if (!this.connectedOnce) await this.firstConnection();
      const result = await step(this.redis!);
      if (this.store === "local") {
        this.store = "redis";
        this.options.log?.("info", `rate budget ${this.key}: Redis reachable again, shared budget restored`);
      }
      return result;
    } catch (error) {
      if (this.store === "redis") {
        this.store = "local";
        this.options.log?.("warn", `rate budget ${this.key}: Redis unreachable, using a local budget for this process only`, { error: (error as Error).message });
      }
      return null;
    }
  }
}
