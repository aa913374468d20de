/**
 * Tells a running collector when its symbol set changes, without a restart. The set of an exchange = its active
 * symbols, none while the exchange is disabled (server/db/symbols.repo.ts `listEffectiveSymbols`).
 * Two paths, so neither a lost pub/sub message nor Redis being down loses a change:
 *  - `{ns}:symbols:changed` (published by server/services/symbols.service.ts after each commit) → re-read now;
 *  - a poll of PostgreSQL every `pollMs` (default 2 s).
 * A re-read whose result differs from the last delivered set calls `onChange` with the FULL set. Calls are
 * serialized (never two at once) and the newest set wins: a change during a call is read after it returns.
 * A failed `onChange` is retried on the next poll. Used by workers/collector-runtime.ts.
 */
import type pg from "pg";
import type { Redis } from "ioredis";
import { listEffectiveSymbols, type SymbolRow } from "../db/symbols.repo.ts";
import type { RedisKeys } from "../redis/keys.ts";

export interface ActiveSymbolSet {
  exchange: string;
  /** false: disabled in config/exchanges.yaml (then `symbols` is empty). */
  enabled: boolean;
  symbols: SymbolRow[];
}

export interface ActiveSymbolsWatcherOptions {
  exchange: string;
  pool: pg.Pool;
  /** A dedicated connection for SUBSCRIBE (the watcher owns it and quits it on stop); null: poll only. */
  subscriber: Redis | null;
  keys: RedisKeys;
  onChange: (set: ActiveSymbolSet) => Promise<void>;
  /** The set the collector started with; without it the first read is delivered. */
  initial?: ActiveSymbolSet;
  pollMs?: number;
  log?: (level: "info" | "warn" | "error", message: string, details?: Record<string, unknown>) => void;
}

/** The parts of a set that matter to a collector, in a stable order. */
function signature(set: Pick<ActiveSymbolSet, "enabled" | "symbols">): string {
  const rows = [...set.symbols].sort((a, b) => a.id.localeCompare(b.id)).map((row) => [row.id, row.ticker, row.assetClass, row.displayName, row.calendar]);
  return JSON.stringify([set.enabled, rows]);
}

export class ActiveSymbolsWatcher {
  private delivered: string | null;
  private current: ActiveSymbolSet | null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly log: NonNullable<ActiveSymbolsWatcherOptions["log"]>;

  constructor(private readonly options: ActiveSymbolsWatcherOptions) {
    this.delivered = options.initial ? signature(options.initial) : null;
    this.current = options.initial ?? null;
    this.log = options.log ?? (() => undefined);
  }

  /** The last set delivered to `onChange` (or the initial one). */
  get set(): ActiveSymbolSet | null {
    return this.current;
  }

  /** Subscribes, reads once and starts polling. Resolves after the first read (and delivery, if any). */
  async start(): Promise<void> {
    const { subscriber, keys } = this.options;
    if (subscriber) {
      subscriber.on("message", (channel: string) => {
        if (channel === keys.symbolsChanged()) void this.refresh();
      });
      // Redis down: subscribe() stays pending until it reconnects (ioredis resubscribes by itself); polling covers it.
      subscriber.subscribe(keys.symbolsChanged()).catch((error: Error) => this.log("warn", "symbols change channel unavailable; polling only", { error: error.message }));
    }
    this.timer = setInterval(() => void this.refresh(), this.options.pollMs ?? 2_000);
    this.timer.unref();
    await this.refresh();
  }

  /** Re-reads the set now (coalesced with a read already under way); resolves once it is delivered. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.checkOnce();
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.options.subscriber?.quit().catch(() => undefined);
  }

  private async checkOnce(): Promise<void> {
    const { exchange, pool } = this.options;
    let set: ActiveSymbolSet;
    try {
      set = { exchange, ...(await listEffectiveSymbols(pool, exchange)) };
    } catch (error) {
      this.log("warn", "cannot read the symbol set; keeping the current one", { exchange, error: (error as Error).message });
      return;
    }
    const next = signature(set);
    if (next === this.delivered || this.stopped) return;
    const before = new Set(this.current?.symbols.map((row) => row.id));
    const after = new Set(set.symbols.map((row) => row.id));
    this.log("info", "symbol set changed", {
      exchange,
      enabled: set.enabled,
      added: [...after].filter((id) => !before.has(id)),
      removed: [...before].filter((id) => !after.has(id)),
    });
    try {
      await this.options.onChange(set);
      this.delivered = next;
      this.current = set;
    } catch (error) {
      this.log("error", "applying the symbol set failed; retrying on the next poll", { exchange, error: (error as Error).message });
    }
  }
}
