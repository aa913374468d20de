/**
 * Pushes a process's prom-client registry to Redis (`{ns}:metrics:{process}`, JSON from
 * `getMetricsAsJSON()`, every 5 s, TTL 30 s) so the web process's /metrics can aggregate every
 * process. Use from any worker: `const exporter = startMetricsExport("gateway", registry)`.
 */
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { createRedis, keys as defaultKeys } from "../redis/client.ts";
import type { RedisKeys } from "../redis/keys.ts";

export interface MetricsExportOptions {
  /** Command connection to use; by default one is opened (and closed by `stop()`). */
  redis?: Redis;
  keys?: RedisKeys;
  intervalMs?: number;
  ttlSeconds?: number;
  onError?: (error: unknown) => void;
}

/** Call it (or its `stop`) to stop exporting: `const stopExport = startMetricsExport(...); await stopExport();` */
export interface MetricsExport {
  (): Promise<void>;
  /** Writes the registry now (also called on every tick). */
  flush(): Promise<void>;
  /** Stops the timer, deletes the key and closes the connection it opened. */
  stop(): Promise<void>;
}

export function startMetricsExport(
  processName: string,
  registry: Registry,
  options: MetricsExportOptions = {},
): MetricsExport {
  const ownsConnection = options.redis === undefined;
  const redis = options.redis ?? createRedis("command");
  if (ownsConnection) redis.on("error", () => undefined); // failures surface through onError
  const key = (options.keys ?? defaultKeys()).metrics(processName);
  const ttlSeconds = options.ttlSeconds ?? 30;
  const onError = options.onError ?? (() => undefined);

  /** A fresh fail-fast connection rejects commands until it is ready: give it a moment. */
  async function whenReady(): Promise<void> {
    if (redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 2_000);
      function done() {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      }
      redis.once("ready", done);
    });
  }

  async function flush(): Promise<void> {
    try {
      await whenReady();
      const metrics = await registry.getMetricsAsJSON();
      await redis.set(key, JSON.stringify(metrics), "EX", ttlSeconds);
    } catch (error) {
      onError(error);
    }
  }

  void flush();
  const timer = setInterval(() => void flush(), options.intervalMs ?? 5_000);
  timer.unref();

  let stopped: Promise<void> | undefined;
  async function stopOnce(): Promise<void> {
    clearInterval(timer);
    try {
      await redis.del(key);
    } catch (error) {
      onError(error);
    }
    if (ownsConnection) await redis.quit().catch(() => redis.disconnect());
  }
  const stop = () => (stopped ??= stopOnce());
  return Object.assign(stop, { flush, stop });
}
