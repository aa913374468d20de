/**
 * Watches config/symbols.yaml and config/exchanges.yaml and applies every valid change live through the symbols
 * service (which tells the running collectors). An invalid file is refused with file:line (log and
 * `{ns}:health:config`) and the config applied before stays. Robust to editors that replace files (write a temp
 * file, rename it over): it watches the folder, debounces, and also re-reads both files every `pollMs`, applying
 * only when the text changed. A file that disappears is refused too: nothing is deactivated because of it.
 * Semantics of a symbols file: listed symbols are upserted (only the entries that changed since the file was last
 * applied; all of them at start); symbols the file added before and no longer lists are deactivated (rows and
 * candles stay). An exchanges file upserts its exchanges; an exchange it no longer lists counts as enabled again.
 */
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Redis } from "ioredis";
import { configManager, EXCHANGES_FILE, SYMBOLS_FILE } from "../../server/config/config-files.ts";
import { parseExchangesConfig } from "../../server/config/exchanges-config.ts";
import { parseSymbolsConfig, type SymbolConfig } from "../../server/config/symbols-config.ts";
import { ConfigError } from "../../server/config/yaml-document.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import type { SymbolsWriter } from "../../server/services/symbols.service.ts";

type FileName = typeof SYMBOLS_FILE | typeof EXCHANGES_FILE;
const FILES: readonly FileName[] = [EXCHANGES_FILE, SYMBOLS_FILE];

/** The state of one watched file, as shown in `{ns}:health:config`. */
export interface ConfigFileState {
  /** applied: the file as it is now is in effect; refused: it is invalid (the previous config stays); error: applying failed (retried). */
  status: "pending" | "applied" | "refused" | "error";
  checkedAt: number | null;
  /** When the file's current content was applied (status applied), or when the config in effect was. */
  appliedAt: number | null;
  /** What the last apply changed, e.g. "2 written, deactivated: BINANCE:SOLUSDT". */
  summary?: string;
  /** Why the file is refused or could not be applied; `line` is 1-based (null when unknown). */
  error?: { file: string; line: number | null; message: string };
}

export interface ConfigHealth {
  updatedAt: number;
  files: Record<string, ConfigFileState>;
}

export interface ConfigWatcherOptions {
  dir: string;
  projectRoot: string;
  writer: SymbolsWriter;
  /** Where to publish ConfigHealth (`keys.configHealth()`); null: do not publish. */
  health: { redis: Redis; keys: RedisKeys } | null;
  log: (level: "info" | "warn" | "error", message: string, details?: Record<string, unknown>) => void;
  now?: () => number;
  debounceMs?: number;
  pollMs?: number;
}

const HEALTH_TTL_S = 60;

export class ConfigWatcher {
  private readonly now: () => number;
  private readonly states = new Map<FileName, ConfigFileState>();
  /** Text last acted on per file (applied or refused); undefined: act on the next read. */
  private readonly seenText = new Map<FileName, string>();
  private appliedSymbols: SymbolConfig[] | undefined;
  private readonly timers = new Map<FileName, NodeJS.Timeout>();
  private chain: Promise<void> = Promise.resolve();
  private fsWatcher: FSWatcher | null = null;
  private poller: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: ConfigWatcherOptions) {
    this.now = options.now ?? (() => Date.now());
    for (const name of FILES) this.states.set(name, { status: "pending", checkedAt: null, appliedAt: null });
  }

  /** Applies both files once, then watches. */
  async start(): Promise<void> {
    for (const name of FILES) await this.check(name);
    this.fsWatcher = watch(this.options.dir, (_event, filename) => {
      const name = FILES.find((file) => file === filename?.toString());
      if (name) this.schedule(name);
      else if (!filename) FILES.forEach((file) => this.schedule(file)); // some platforms omit the name
    });
    this.fsWatcher.on("error", (error) => this.options.log("warn", "config folder watch failed; polling only", { error: error.message }));
    this.poller = setInterval(() => FILES.forEach((file) => void this.check(file)), this.options.pollMs ?? 5_000);
    this.heartbeat = setInterval(() => void this.publishHealth(), 10_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.fsWatcher?.close();
    if (this.poller) clearInterval(this.poller);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.timers.forEach((timer) => clearTimeout(timer));
    await this.chain;
  }

  health(): ConfigHealth {
    const files = Object.fromEntries(FILES.map((name) => [this.shown(name), this.states.get(name)!]));
    return { updatedAt: this.now(), files };
  }

  /** Debounces bursts of events (an editor's write + rename + chmod) into one read. */
  private schedule(name: FileName): void {
    clearTimeout(this.timers.get(name));
    this.timers.set(name, setTimeout(() => void this.check(name), this.options.debounceMs ?? 300));
  }

  /** Reads, validates and applies one file; serialized with every other check. */
  private check(name: FileName): Promise<void> {
    this.chain = this.chain.then(() => (this.stopped ? undefined : this.checkNow(name)));
    return this.chain;
  }

  private async checkNow(name: FileName): Promise<void> {
    const file = path.join(this.options.dir, name);
    const shown = this.shown(name);
    const previous = this.states.get(name)!;
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (this.seenText.get(name) === `\0${code}`) return;
      this.seenText.set(name, `\0${code}`);
      return this.refuse(name, new ConfigError(shown, null, `cannot read: ${code}`));
    }
    if (this.seenText.get(name) === text) return;
    this.seenText.set(name, text);
    try {
      const summary = name === SYMBOLS_FILE ? await this.applySymbols(text, file, shown) : await this.applyExchanges(text, file, shown);
      const at = this.now();
      this.states.set(name, { status: "applied", checkedAt: at, appliedAt: at, summary });
      this.options.log("info", `${shown} applied`, { summary });
    } catch (error) {
      if (error instanceof ConfigError) return this.refuse(name, error);
      this.seenText.delete(name); // e.g. PostgreSQL down: try again on the next poll
      const message = (error as Error).message;
      this.states.set(name, { ...previous, status: "error", checkedAt: this.now(), error: { file: shown, line: null, message } });
      this.options.log("error", `${shown} could not be applied; retrying`, { error: message });
    } finally {
      await this.publishHealth();
    }
  }

  private async refuse(name: FileName, error: ConfigError): Promise<void> {
    const previous = this.states.get(name)!;
    this.states.set(name, { status: "refused", checkedAt: this.now(), appliedAt: previous.appliedAt, error: { file: error.file, line: error.line, message: error.message } });
    this.options.log("error", `${error.message} — change refused; the config applied before stays`, { file: error.file, line: error.line });
    await this.publishHealth();
  }

  private async applySymbols(text: string, file: string, shown: string): Promise<string> {
    const entries = parseSymbolsConfig(text, shown);
    const result = await this.options.writer.applySymbolsFile(entries, { managedBy: configManager(file, this.options.projectRoot), previous: this.appliedSymbols });
    this.appliedSymbols = entries;
    return `${entries.length} listed, ${result.written} written${result.deactivated.length ? `, deactivated: ${result.deactivated.join(", ")}` : ""}`;
  }

  private async applyExchanges(text: string, file: string, shown: string): Promise<string> {
    const entries = parseExchangesConfig(text, shown);
    const result = await this.options.writer.applyExchangesFile(entries, configManager(file, this.options.projectRoot));
    const disabled = entries.filter((entry) => !entry.enabled).map((entry) => entry.id);
    return `${entries.length} listed, ${result.changed.length} written${disabled.length ? `, disabled: ${disabled.join(", ")}` : ""}`;
  }

  private async publishHealth(): Promise<void> {
    const target = this.options.health;
    if (!target) return;
    await target.redis.set(target.keys.configHealth(), JSON.stringify(this.health()), "EX", HEALTH_TTL_S).catch(() => undefined);
  }

  /** How a file is named in messages: relative to the project when inside it. */
  private shown(name: FileName): string {
    const file = path.join(this.options.dir, name);
    const relative = path.relative(this.options.projectRoot, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  }
}
