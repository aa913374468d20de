/**
 * The scanner's cache of compiled user screens. Reloads from PostgreSQL only when told (`markChanged`, on
 * `{ns}:scanner:screens-changed`) or when the cheap version query (every `pollMs`) shows a change; screens
 * whose row did not change keep their compiled program (and so their `crosses_*` history). A row whose rule
 * is not a valid rule document is skipped with one warning per version; when PostgreSQL fails the cached
 * screens stay in use.
 */
import type pg from "pg";
import { parseRuleDocument } from "../../server/domain/rules/rule-schema.ts";
import { CompiledScreen } from "../../server/domain/scanner/screen-program.ts";
import type { Timeframe } from "../../server/domain/time/timeframes.ts";
import { activeScreensVersion, listActiveScreens } from "./screens.repo.ts";

export type RegistryLog = (level: "info" | "warn", message: string, details?: Record<string, unknown>) => void;

export interface ScreenRegistryOptions {
  pool: pg.Pool;
  /** Timeframes the scanner state keeps; screens on another are skipped. */
  timeframes: readonly Timeframe[];
  pollMs?: number;
  log?: RegistryLog;
}

interface Entry {
  screen: CompiledScreen;
  updatedAt: number;
}

export class ScreenRegistry {
  private entries = new Map<string, Entry>();
  private list: CompiledScreen[] = [];
  private version: string | null = null;
  private changed = true;
  private nextPollAt = 0;
  private readonly rejected = new Map<string, number>();

  constructor(private readonly options: ScreenRegistryOptions) {}

  /** The compiled screens, in id order. */
  get screens(): readonly CompiledScreen[] {
    return this.list;
  }

  /** Forces a reload before the next cycle. */
  markChanged(): void {
    this.changed = true;
  }

  /**
   * Reloads when marked or when the version moved (checked at most every pollMs). Returns the ids of
   * screens that disappeared (their Redis keys should go). Throws when PostgreSQL fails (cache kept).
   */
  async refresh(now: number): Promise<string[]> {
    if (!this.changed && now < this.nextPollAt) return [];
    const { pool } = this.options;
    this.nextPollAt = now + (this.options.pollMs ?? 10_000);
    const version = await activeScreensVersion(pool);
    if (!this.changed && version === this.version) return [];
    this.changed = false;
    const rows = await listActiveScreens(pool);
    this.version = version;
    const next = new Map<string, Entry>();
    for (const row of rows) {
      const kept = this.entries.get(row.id);
      if (kept && kept.updatedAt === row.updatedAt) {
        next.set(row.id, kept);
        continue;
      }
      const screen = this.compile(row.id, row.rule, row.updatedAt);
      if (screen) next.set(row.id, { screen, updatedAt: row.updatedAt });
    }
    const removed = [...this.entries.keys()].filter((id) => !next.has(id));
    this.entries = next;
    this.list = [...next.values()].map((entry) => entry.screen);
    this.options.log?.("info", "screens loaded", { screens: this.list.length, removed: removed.length });
    return removed;
  }

  private compile(id: string, rule: unknown, updatedAt: number): CompiledScreen | undefined {
    try {
      const document = parseRuleDocument(rule, `screen ${id}`);
      if (!this.options.timeframes.includes(document.timeframe)) throw new Error(`screen ${id}: timeframe ${document.timeframe} is not scanned`);
      return new CompiledScreen({ id, rule: document });
    } catch (error) {
      if (this.rejected.get(id) !== updatedAt) {
        this.rejected.set(id, updatedAt);
        this.options.log?.("warn", "screen skipped: invalid rule", { screen: id, error: error instanceof Error ? error.message : String(error) });
      }
      return undefined;
    }
  }
}
