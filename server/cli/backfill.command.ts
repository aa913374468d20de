/**
 * `marketlens backfill --exchange binance|alpaca|yahoo --symbol TICKER --from DATE --to DATE [--timeframe 1m] [--out FILE]`:
 * loads history from the exchange's REST API (BINANCE_REST_URL; ALPACA_DATA_URL with ALPACA_KEY_ID/ALPACA_SECRET_KEY,
 * regular-session minutes only, server/services/alpaca-backfill-source.ts; YAHOO_BASE_URL, --timeframe 1m (last 30 days) or
 * 1d, server/services/yahoo-backfill-source.ts) into PostgreSQL, or into an NDJSON file with
 * --out (no database then). --from is inclusive, --to exclusive; dates are UTC (YYYY-MM-DD, or ISO times; an ISO
 * time without a zone is UTC). The symbol is a ticker (BTCUSDT) or a full id (BINANCE:BTCUSDT).
 *
 * Into the database: each page is upserted with its checkpoint (table backfill_checkpoints), so Ctrl-C or a
 * crash resumes at the next run of the same command; the higher timeframes (5m … 1d) of every complete period
 * inside the range are built from the fetched bars (provenance "rest"); holes in the exchange's history are
 * recorded as known gaps. A second run over the same range changes nothing ("N bars fetched, 0 changed").
 *
 * Analytics: the worker catches a stream up from PostgreSQL on its next job (and sweeps every stream when it
 * starts), so the command does not enqueue one job per bar: per timeframe with changes it enqueues the oldest
 * and the newest changed bar (bar-closed, kind "revision"). The oldest makes the worker recompute from there
 * through its newest computed bar; the newest makes it read and compute every stored bar after that.
 * When Redis is unreachable the jobs are dropped after 5 s with a warning: the worker's start sweep catches up.
 *
 * Progress with ETA goes to stderr (a TTY: one redrawn line; otherwise a line every 5 %). Exit codes: 0 done,
 * 1 bad input (nothing changed), 130 interrupted (Ctrl-C; the checkpoint is saved).
 * Wired into commander by server/cli/main.ts.
 */
import pg from "pg";
import type { SymbolId } from "../domain/bars/bar.ts";
import { isTimeframe, TIMEFRAMES, TIMEFRAME_MS, type Timeframe } from "../domain/time/timeframes.ts";
import { normalizeSymbolId } from "../services/symbol-id.ts";
import {
  BackfillInputError,
  DbBackfillStore,
  NdjsonBackfillStore,
  binanceBackfillSource,
  runBackfill,
  type BackfillProgress,
  type BackfillResult,
  type BackfillSource,
} from "../services/backfill.service.ts";
import type { StoredBarEvent } from "../queues/bar-closed-producer.ts";
import { BinanceRestClient } from "../sources/binance/binance-rest.ts";
import type { RedisRateBudget } from "../sources/rate-budget.ts";
import { alpacaBackfillSourceFromConfig, type AlpacaBackfillConfig } from "../services/alpaca-backfill-source.ts";
import { yahooBackfillSourceFromConfig, type YahooBackfillConfig } from "../services/yahoo-backfill-source.ts";

export interface BackfillCommandOptions {
  exchange: string;
  symbol: string;
  from: string;
  to: string;
  timeframe?: string;
  out?: string;
}

/** Exchanges backfill supports, with the prefix of their symbol ids. */
const EXCHANGE_PREFIX = { binance: "BINANCE", alpaca: "ALPACA", yahoo: "YAHOO" } as const;

export interface ParsedBackfillArgs {
  exchange: keyof typeof EXCHANGE_PREFIX;
  symbol: SymbolId;
  from: number;
  to: number;
  timeframe: Timeframe;
  out?: string;
}

const NOT_YET = new Set<string>();

/** A UTC date (YYYY-MM-DD) or an ISO time (UTC when it has no zone) → epoch ms; throws a clear message. */
export function parseBackfillTime(value: string, option: string): number {
  const text = value.trim();
  let ms = Number.NaN;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) !== text) ms = Number.NaN; // 2024-02-30
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)) {
    ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`);
  }
  if (!Number.isFinite(ms)) throw new BackfillInputError(`${option} "${value}" is not a date (expected YYYY-MM-DD or an ISO time such as 2024-03-01T12:00:00Z, UTC)`);
  return ms;
}

/** Validates the arguments; throws BackfillInputError (exit 1) before anything is touched. */
export function parseBackfillArgs(options: BackfillCommandOptions): ParsedBackfillArgs {
  const exchange = options.exchange.trim().toLowerCase();
  if (NOT_YET.has(exchange)) throw new BackfillInputError(`not supported yet: ${exchange} (backfill supports ${Object.keys(EXCHANGE_PREFIX).join(", ")} for now)`);
  if (!(exchange in EXCHANGE_PREFIX)) throw new BackfillInputError(`unknown exchange "${options.exchange}" (expected ${Object.keys(EXCHANGE_PREFIX).join(" or ")})`);
  const prefix = EXCHANGE_PREFIX[exchange as keyof typeof EXCHANGE_PREFIX];
  const raw = options.symbol.trim().toUpperCase();
  const symbol = normalizeSymbolId(raw.includes(":") ? raw : `${prefix}:${raw}`);
  if (!symbol) throw new BackfillInputError(`--symbol "${options.symbol}" is not a ticker (BTCUSDT) or a symbol id (BINANCE:BTCUSDT)`);
  if (!symbol.startsWith(`${prefix}:`)) throw new BackfillInputError(`--symbol ${symbol} is not a${exchange === "alpaca" ? "n Alpaca" : exchange === "yahoo" ? " Yahoo" : " Binance"} symbol (--exchange ${exchange})`);
  const timeframe = options.timeframe ?? "1m";
  if (!isTimeframe(timeframe)) throw new BackfillInputError(`--timeframe "${timeframe}" is not one of ${TIMEFRAMES.join(", ")}`);
  const from = parseBackfillTime(options.from, "--from");
  const to = parseBackfillTime(options.to, "--to");
  if (from >= to) throw new BackfillInputError(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()}); --to is exclusive`);
  const step = TIMEFRAME_MS[timeframe];
  if (from % step !== 0 || to % step !== 0) throw new BackfillInputError(`--from and --to must be aligned to ${timeframe} bars`);
  return { exchange: exchange as keyof typeof EXCHANGE_PREFIX, symbol, from, to, timeframe, out: options.out };
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--:--";
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`;
}

/** Progress bar with ETA: redraws one line on a TTY, otherwise prints a line every 5 %. */
export class ProgressReporter {
  private readonly started = Date.now();
  private lastStep = -1;
  private drawn = false;

  constructor(
    private readonly output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    private readonly now: () => number = Date.now,
  ) {}

  update(progress: BackfillProgress): void {
    const total = progress.to - progress.startedAt;
    const done = Math.min(total, Math.max(0, progress.position - progress.startedAt));
    const fraction = total > 0 ? done / total : 1;
    const elapsed = this.now() - this.started;
    const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
    const percent = Math.floor(fraction * 100);
    const text = `${this.label} ${percent.toString().padStart(3)}% ${progress.fetched} bars, ${progress.changed} changed, at ${new Date(progress.position).toISOString().slice(0, 16)}Z, ETA ${formatDuration(eta)}`;
    if (this.output.isTTY) {
      const width = 24;
      const filled = Math.round(fraction * width);
      this.output.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const step = Math.floor(percent / 5);
    if (step === this.lastStep) return;
    this.lastStep = step;
    this.output.write(`${text}\n`);
  }

  /** Ends the redrawn line. */
  finish(): void {
    if (this.drawn) this.output.write("\n");
    this.drawn = false;
  }
}

export interface BackfillRunDeps {
  databaseUrl: string;
  binanceRestUrl: string;
  /** Analytics jobs (the CLI passes a BarClosedProducer; absent with --out). */
  enqueue?: (events: StoredBarEvent[]) => void;
  signal?: AbortSignal;
  source?: BackfillSource;
  /** The REQUEST_WEIGHT budget shared with the collectors (binanceWeightBudget); default: this process only. */
  restBudget?: RedisRateBudget;
  /** ALPACA_DATA_URL, keys and feed (and Redis for the shared 200/min budget) for --exchange alpaca. */
  alpaca?: AlpacaBackfillConfig;
  /** YAHOO_BASE_URL (and Redis for the shared ~1 request/second budget) for --exchange yahoo. */
  yahoo?: YahooBackfillConfig;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Summary line: "4320 bars fetched, 0 changed …". */
export function summarize(args: ParsedBackfillArgs, result: BackfillResult): string {
  const higher = Object.entries(result.changedByTimeframe)
    .filter(([timeframe]) => timeframe !== args.timeframe)
    .map(([timeframe, count]) => `${timeframe} ${count}`)
    .join(", ");
  const range = `${new Date(args.from).toISOString()} → ${new Date(args.to).toISOString()}`;
  return (
    `backfill ${args.symbol} ${args.timeframe} ${range}${result.resumedFrom !== null ? ` (resumed at ${new Date(result.resumedFrom).toISOString()})` : ""}: ` +
    `${result.fetched} bars fetched, ${result.changedByTimeframe[args.timeframe] ?? 0} changed; ` +
    `${result.built} higher-timeframe bars built, ${result.changed - (result.changedByTimeframe[args.timeframe] ?? 0)} changed${higher ? ` (${higher})` : ""}; ` +
    `${result.gaps.length} gap${result.gaps.length === 1 ? "" : "s"} in the exchange's history${args.out ? `; written to ${args.out}` : ""}`
  );
}

/** Runs the command; returns the exit code (0 done, 130 interrupted). Bad input throws BackfillInputError. */
export async function runBackfillCommand(options: BackfillCommandOptions, deps: BackfillRunDeps): Promise<number> {
  const args = parseBackfillArgs(options);
  const source =
    deps.source ??
    (args.exchange === "yahoo"
      ? yahooBackfillSourceFromConfig(deps.yahoo ?? { baseUrl: "https://query2.finance.yahoo.com" })
      : args.exchange === "alpaca"
      ? await alpacaBackfillSourceFromConfig(deps.alpaca ?? { dataUrl: "https://data.alpaca.markets", keyId: undefined, secretKey: undefined, feed: "iex" })
      : binanceBackfillSource(new BinanceRestClient({ baseUrl: deps.binanceRestUrl, budget: deps.restBudget })));
  const progress = new ProgressReporter(deps.stderr, `backfill ${args.symbol}`);
  const pool = args.out ? null : new pg.Pool({ connectionString: deps.databaseUrl, max: 2 });
  pool?.on("error", () => undefined);
  const fileStore = args.out ? new NdjsonBackfillStore(args.out) : null;
  try {
    if (pool) {
      await pool.query("SELECT 1 FROM backfill_checkpoints LIMIT 0").catch((error: Error) => {
        throw new Error(`cannot use PostgreSQL at DATABASE_URL (${error.message}); is it running and migrated (marketlens migrate up)?`);
      });
    }
    const result = await runBackfill({
      source,
      store: fileStore ?? new DbBackfillStore(pool!),
      symbol: args.symbol,
      timeframe: args.timeframe,
      from: args.from,
      to: args.to,
      signal: deps.signal,
      onProgress: (state) => progress.update(state),
      onStored: fileStore ? undefined : deps.enqueue,
    }).catch((error: unknown) => {
      if (error instanceof TypeError && args.exchange === "yahoo") throw new Error(`cannot reach Yahoo at YAHOO_BASE_URL (${deps.yahoo?.baseUrl}): ${error.message}`);
      if (error instanceof TypeError && args.exchange === "alpaca") throw new Error(`cannot reach Alpaca at ALPACA_DATA_URL (${deps.alpaca?.dataUrl}): ${error.message}`);
      if (error instanceof TypeError) throw new Error(`cannot reach the exchange at BINANCE_REST_URL (${deps.binanceRestUrl}): ${error.message}`);
      throw error;
    });
    progress.finish();
    if (result.interruptedAt !== null) {
      deps.stderr.write(
        `interrupted at ${new Date(result.interruptedAt).toISOString()}; ${args.out ? `${args.out} holds the bars before it` : "run the same command again to resume"}\n`,
      );
      deps.stdout.write(`${summarize(args, result)}\n`);
      return 130;
    }
    deps.stdout.write(`${summarize(args, result)}\n`);
    return 0;
  } finally {
    progress.finish();
    await fileStore?.close();
    await pool?.end();
  }
}
