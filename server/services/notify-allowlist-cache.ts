/**
 * The effective webhook/Slack host allowlist of one process: NOTIFY_ALLOWED_HOSTS ∪ the `notify_allowed_hosts`
 * rows admins manage on /admin. The SSRF guard asks it on every check (ssrf-guard.ts `AllowedHostsSource`), so
 * the API (channel create/edit) and the notifier (every send) see an admin's change without a restart:
 *
 * - each check reads a Redis version counter (one GET), which the admin service INCRs after writing the table;
 *   a different version → re-read the table;
 * - the table is also re-read at least every `maxAgeMs` (10 s), so a change whose INCR was lost (Redis down)
 *   still arrives; a change made in this process applies at once (`invalidateLocalAllowlists`);
 * - if PostgreSQL does not answer, the last list read stays (and only the env hosts before the first read).
 *
 * Metadata addresses are refused by the guard itself, whatever this list holds.
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { selectAllowedHostNames } from "../db/notify-allowlist.repo.ts";
import { componentLogger } from "../observability/logger.ts";
import type { RedisKeys } from "../redis/keys.ts";
import type { AllowedHostsSource } from "./notifications/ssrf-guard.ts";

export interface AllowlistCacheOptions {
  pool: pg.Pool;
  /** Command connection for the version key; without one only `maxAgeMs` applies. */
  redis?: Redis;
  keys: RedisKeys;
  /** NOTIFY_ALLOWED_HOSTS, parsed (ssrf-guard.ts parseAllowedHosts). */
  envHosts: ReadonlySet<string>;
  /** Re-read the table at least this often (default 10 s). */
  maxAgeMs?: number;
  now?: () => number;
}

/** An allowlist source with `invalidate()` (the next check re-reads the table). */
export interface AllowlistCache extends AllowedHostsSource {
  invalidate(): void;
}

const DEFAULT_MAX_AGE_MS = 10_000;
const log = componentLogger("notify-allowlist");
/** Every cache of this process, so a change made here applies at once even when Redis is down. */
const localCaches = new Set<WeakRef<AllowlistCache>>();

/** Makes every allowlist cache of this process re-read the table on its next check (after an admin change). */
export function invalidateLocalAllowlists(): void {
  for (const reference of localCaches) {
    const cache = reference.deref();
    if (cache) cache.invalidate();
    else localCaches.delete(reference);
  }
}

/**
 * The process's allowlist source for the SSRF guard.
 * @example const guard = { allowedHosts: createAllowlistCache({ pool, redis, keys, envHosts: parseAllowedHosts(env().NOTIFY_ALLOWED_HOSTS) }) };
 */
export function createAllowlistCache(options: AllowlistCacheOptions): AllowlistCache {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const clock = options.now ?? Date.now;
  let current: { hosts: ReadonlySet<string>; version: string | null; loadedAt: number } | undefined;
  let loading: Promise<ReadonlySet<string>> | undefined;

  async function readVersion(): Promise<string | null | undefined> {
    if (!options.redis) return undefined;
    try {
      return await options.redis.get(options.keys.notifyAllowlistVersion());
    } catch {
      return undefined; // Redis down: rely on maxAgeMs
    }
  }

  async function reload(version: string | null | undefined, startedAt: number): Promise<ReadonlySet<string>> {
    try {
      const rows = await selectAllowedHostNames(options.pool);
      const hosts = new Set([...options.envHosts, ...rows]);
      current = { hosts, version: version === undefined ? (current?.version ?? null) : version, loadedAt: startedAt };
      return hosts;
    } catch (error) {
      log.warn({ err: String(error) }, "allowed hosts not re-read: keeping the last list");
      return current?.hosts ?? options.envHosts;
    }
  }

  const source = (async () => {
    const version = await readVersion();
    const now = clock();
    const fresh = current !== undefined && now - current.loadedAt < maxAgeMs && (version === undefined || version === current.version);
    if (fresh && current) return current.hosts;
    loading ??= reload(version, now).finally(() => {
      loading = undefined;
    });
    return loading;
  }) as AllowlistCache;
  source.invalidate = () => {
    current = current ? { ...current, loadedAt: Number.NEGATIVE_INFINITY } : undefined;
  };
  localCaches.add(new WeakRef(source));
  return source;
}

/** After writing `notify_allowed_hosts`: bump the Redis version (other processes) and invalidate this process's caches. */
export async function announceAllowlistChange(deps: { redis: Redis; keys: RedisKeys }): Promise<void> {
  invalidateLocalAllowlists();
  try {
    await deps.redis.incr(deps.keys.notifyAllowlistVersion());
  } catch (error) {
    log.warn({ err: String(error) }, "allowlist version not bumped (Redis down): other processes see the change within 10 s");
  }
}
