/**
 * Historical backfill (issue 4): fetches closed bars of one symbol over [from, to) from a source (Binance
 * REST now; Alpaca/Yahoo implement the same BackfillSource later), stores them page by page, builds the higher
 * timeframes of every complete period inside the range (aggregateBars, provenance "rest"), records holes in
 * the exchange's history as known gaps, and reports which bars changed so the caller can wake the analytics
 * worker. Each page is stored with its checkpoint in one transaction (DbBackfillStore), so an interrupted run
 * resumes after the last stored page; upserts make a repeated run change nothing.
 * The CLI (server/cli/backfill.command.ts) wires it to commander, a progress bar and the bar-closed producer.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import type pg from "pg";
import type { Bar, SymbolId } from "../domain/bars/bar.ts";
import { aggregateBars } from "../domain/bars/bar-aggregate.ts";
import { TIMEFRAMES, TIMEFRAME_MS, type Timeframe } from "../domain/time/timeframes.ts";
import { readCandleRange, recordKnownGap, upsertCandles } from "../db/candles.repo.ts";
import { completeBackfillCheckpoint, readBackfillCheckpoint, saveBackfillCheckpoint, type BackfillCheckpointKey } from "../db/backfill-checkpoints.repo.ts";
import type { StoredBarEvent } from "../queues/bar-closed-producer.ts";
import { BinanceHttpError, KLINES_MAX_LIMIT, type BinanceRestClient } from "../sources/binance/binance-rest.ts";

export const GAP_REASON = "no klines in the exchange's history";

/** Where bars come from. Pages are ascending, contiguous in time (holes are the exchange's), closed bars only. */
export interface BackfillSource {
  readonly name: string;
  /** false: holes are normal (stock sources omit minutes without trades, and closed hours): no known gaps recorded. */
  readonly reportsGaps?: boolean;
  fetchClosedBars(symbol: SymbolId, timeframe: Timeframe, fromInclusive: number, toExclusive: number): AsyncGenerator<Bar[]>;
}

/** Bad input detected while running (e.g. the exchange does not know the symbol): nothing was changed. */
export class BackfillInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BackfillInputError";
  }
}

export interface KnownGap {
  symbol: SymbolId;
  timeframe: Timeframe;
  start: number;
  end: number;
  reason: string;
}

export interface BackfillPage {
  /** Bars of the base timeframe fetched in this page. */
  bars: Bar[];
  /** Higher-timeframe bars completed by this page. */
  higher: Bar[];
  gaps: KnownGap[];
  /** Everything before this open time is stored once the page is written. */
  nextStart: number;
  /** Base bars fetched so far over the whole range (across resumed runs). */
  barsFetched: number;
}

/** Where bars go: the database (with checkpoints) or an NDJSON file. */
export interface BackfillStore {
  /** Open time to resume from (null: from the start of the range). */
  resumePoint(key: BackfillCheckpointKey): Promise<{ nextStart: number; barsFetched: number } | null>;
  /** Stored base bars in [from, to) (seeds the higher timeframes of a period a resumed run starts inside). */
  readBase(symbol: SymbolId, timeframe: Timeframe, from: number, to: number): Promise<Bar[]>;
  /** Stores one page (and its checkpoint); returns the bars that were new or changed. */
  writePage(key: BackfillCheckpointKey, page: BackfillPage): Promise<Bar[]>;
  complete(key: BackfillCheckpointKey, progress: { nextStart: number; barsFetched: number }): Promise<void>;
}

export interface BackfillProgress {
  pages: number;
  /** Base bars fetched in this run. */
  fetched: number;
  changed: number;
  /** Position in the range: everything before it is stored. */
  position: number;
  from: number;
  to: number;
  /** Where this run started (a resumed run starts after from). */
  startedAt: number;
}

export interface BackfillOptions {
  source: BackfillSource;
  store: BackfillStore;
  symbol: SymbolId;
  /** Fetched timeframe (default 1m); every longer timeframe is built from it. */
  timeframe?: Timeframe;
  from: number;
  to: number;
  /** Checked after each stored page: the run stops there (resumable) when aborted. */
  signal?: AbortSignal;
  onProgress?: (progress: BackfillProgress) => void;
  /**
   * Per timeframe with changes: the oldest and the newest changed bar (kind "revision"), once at the end
   * (also when interrupted). The analytics worker recomputes from the oldest through its newest computed bar
   * and catches up from PostgreSQL to the newest, which covers every bar in between.
   */
  onStored?: (events: StoredBarEvent[]) => void;
}

export interface BackfillResult {
  symbol: SymbolId;
  timeframe: Timeframe;
  from: number;
  to: number;
  /** Where this run started (from, or the checkpoint it resumed). */
  resumedFrom: number | null;
  pages: number;
  /** Base bars fetched in this run. */
  fetched: number;
  /** Rows new or changed, per timeframe. */
  changedByTimeframe: Partial<Record<Timeframe, number>>;
  changed: number;
  /** Higher-timeframe bars built in this run. */
  built: number;
  gaps: KnownGap[];
  /** Set when the run was aborted: everything before this open time is stored. */
  interruptedAt: number | null;
  nextStart: number;
}

function higherTimeframes(base: Timeframe): Timeframe[] {
  const size = TIMEFRAME_MS[base];
  return TIMEFRAMES.filter((timeframe) => TIMEFRAME_MS[timeframe] > size && TIMEFRAME_MS[timeframe] % size === 0);
}

/**
 * Builds higher-timeframe bars from ascending base bars, emitting each period [p, p + size) with
 * from <= p and p + size <= to once the base stream has passed its end (`advance(watermark)`).
 */
class HigherTimeframes {
  private buffer: Bar[] = [];
  private readonly next = new Map<Timeframe, number>();

  constructor(
    private readonly timeframes: readonly Timeframe[],
    private readonly from: number,
    private readonly to: number,
    resumeAt: number,
  ) {
    for (const timeframe of timeframes) {
      const size = TIMEFRAME_MS[timeframe];
      this.next.set(timeframe, Math.max(Math.ceil(from / size) * size, Math.floor(resumeAt / size) * size));
    }
  }

  /** Earliest base open time still needed (for seeding after a resume). */
  get earliestNeeded(): number {
    return Math.min(...this.next.values(), Number.POSITIVE_INFINITY);
  }

  push(bars: readonly Bar[]): void {
    this.buffer.push(...bars);
  }

  /** Emits every complete period ending at or before `watermark` (and inside the range). */
  advance(watermark: number): Bar[] {
    const out: Bar[] = [];
    for (const timeframe of this.timeframes) {
      const size = TIMEFRAME_MS[timeframe];
      let start = this.next.get(timeframe)!;
      while (start + size <= Math.min(watermark, this.to)) {
        const group = this.buffer.filter((bar) => bar.openTime >= start && bar.openTime < start + size);
        if (group.length > 0) out.push(...aggregateBars(group, timeframe).map((bar) => ({ ...bar, source: "rest" as const })));
        start += size;
      }
      this.next.set(timeframe, start);
    }
    const keepFrom = this.earliestNeeded;
    if (this.buffer.length > 0 && this.buffer[0]!.openTime < keepFrom) this.buffer = this.buffer.filter((bar) => bar.openTime >= keepFrom);
    return out;
  }
}

/** Runs (or resumes) one backfill. Throws BackfillInputError on bad input before anything is stored. */
export async function runBackfill(options: BackfillOptions): Promise<BackfillResult> {
  const timeframe = options.timeframe ?? "1m";
  const step = TIMEFRAME_MS[timeframe];
  const { symbol, from, to, store, source } = options;
  if (!(from < to)) throw new BackfillInputError(`--from must be before --to (got ${new Date(from).toISOString()} ≥ ${new Date(to).toISOString()})`);
  const key: BackfillCheckpointKey = { source: source.name, symbol, timeframe, from, to };
  const resume = await store.resumePoint(key);
  const start = resume ? Math.max(from, Math.min(resume.nextStart, to)) : from;
  let barsFetched = resume?.barsFetched ?? 0;
  const higher = new HigherTimeframes(higherTimeframes(timeframe), from, to, start);
  if (start > from) higher.push(await store.readBase(symbol, timeframe, Math.max(from, higher.earliestNeeded), start));

  const result: BackfillResult = {
    symbol, timeframe, from, to, resumedFrom: resume ? start : null, pages: 0, fetched: 0,
    changedByTimeframe: {}, changed: 0, built: 0, gaps: [], interruptedAt: null, nextStart: start,
  };
  const firstChanged = new Map<Timeframe, Bar>();
  const lastChanged = new Map<Timeframe, Bar>();
  const report = () =>
    options.onProgress?.({ pages: result.pages, fetched: result.fetched, changed: result.changed, position: result.nextStart, from, to, startedAt: start });

  let expected = start;
  const write = async (bars: Bar[], higherBars: Bar[], gaps: KnownGap[], nextStart: number) => {
    const changed = await store.writePage(key, { bars, higher: higherBars, gaps, nextStart, barsFetched });
    for (const bar of changed) {
      if (!firstChanged.has(bar.timeframe)) firstChanged.set(bar.timeframe, bar);
      lastChanged.set(bar.timeframe, bar);
      result.changedByTimeframe[bar.timeframe] = (result.changedByTimeframe[bar.timeframe] ?? 0) + 1;
    }
    result.changed += changed.length;
    result.built += higherBars.length;
    result.gaps.push(...gaps);
    result.nextStart = nextStart;
  };

  try {
    if (start < to) {
      for await (const page of source.fetchClosedBars(symbol, timeframe, start, to)) {
        const bars = page.filter((bar) => bar.openTime >= expected && bar.openTime < to).sort((a, b) => a.openTime - b.openTime);
        if (bars.length === 0) continue;
        const gaps: KnownGap[] = [];
        for (const bar of bars) {
          if (bar.openTime > expected && source.reportsGaps !== false) gaps.push({ symbol, timeframe, start: expected, end: bar.openTime, reason: GAP_REASON });
          expected = bar.openTime + step;
        }
        barsFetched += bars.length;
        result.fetched += bars.length;
        result.pages += 1;
        higher.push(bars);
        await write(bars, higher.advance(expected), gaps, expected);
        report();
        if (options.signal?.aborted) {
          result.interruptedAt = expected;
          return result;
        }
      }
    }
    // The range is done: periods that end in a trailing hole are complete too.
    const tail = higher.advance(to);
    if (tail.length > 0) await write([], tail, [], to);
    result.nextStart = to;
    await store.complete(key, { nextStart: to, barsFetched });
    report();
    return result;
  } finally {
    const events: StoredBarEvent[] = [];
    for (const [tf, first] of firstChanged) {
      const last = lastChanged.get(tf)!;
      events.push({ kind: "revision", bar: first });
      if (last.openTime !== first.openTime) events.push({ kind: "revision", bar: last });
    }
    if (events.length > 0) options.onStored?.(events);
  }
}

function sameValues(a: Bar, b: Bar): boolean {
  return a.open === b.open && a.high === b.high && a.low === b.low && a.close === b.close && a.volume === b.volume && a.trades === b.trades && a.source === b.source;
}

/** PostgreSQL: candles upserted, gaps recorded and the checkpoint moved in one transaction per page. */
export class DbBackfillStore implements BackfillStore {
  constructor(private readonly pool: pg.Pool) {}

  async resumePoint(key: BackfillCheckpointKey) {
    const checkpoint = await readBackfillCheckpoint(this.pool, key);
    return checkpoint && !checkpoint.completed ? { nextStart: checkpoint.nextStart, barsFetched: checkpoint.barsFetched } : null;
  }

  readBase(symbol: SymbolId, timeframe: Timeframe, from: number, to: number): Promise<Bar[]> {
    return from < to ? readCandleRange(this.pool, { symbol, timeframe, from, to }) : Promise.resolve([]);
  }

  async writePage(key: BackfillCheckpointKey, page: BackfillPage): Promise<Bar[]> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const changed: Bar[] = [];
      const byTimeframe = new Map<Timeframe, Bar[]>();
      for (const bar of [...page.bars, ...page.higher]) byTimeframe.set(bar.timeframe, [...(byTimeframe.get(bar.timeframe) ?? []), bar]);
      for (const [timeframe, bars] of byTimeframe) {
        const first = bars[0]!.openTime;
        const last = bars[bars.length - 1]!.openTime;
        const stored = new Map((await readCandleRange(client, { symbol: key.symbol, timeframe, from: first, to: last + 1 })).map((bar) => [bar.openTime, bar]));
        for (const bar of bars) {
          const before = stored.get(bar.openTime);
          if (!before || !sameValues(before, bar)) changed.push(bar);
        }
        await upsertCandles(client, bars);
      }
      for (const gap of page.gaps) await recordKnownGap(client, gap);
      await saveBackfillCheckpoint(client, key, { nextStart: page.nextStart, barsFetched: page.barsFetched });
      await client.query("COMMIT");
      return changed;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async complete(key: BackfillCheckpointKey, progress: { nextStart: number; barsFetched: number }): Promise<void> {
    await completeBackfillCheckpoint(this.pool, key, progress);
  }
}

/**
 * NDJSON file (`--out`): one line per closed bar with the fields of `marketlens bars` (base bars of each page,
 * then the higher-timeframe bars it completed). No database, no checkpoint: the file is created at the first
 * page, so a run that fails before any bar leaves nothing behind. Every written bar counts as changed.
 */
export class NdjsonBackfillStore implements BackfillStore {
  private stream: WriteStream | null = null;

  constructor(private readonly file: string) {}

  async resumePoint() {
    return null;
  }

  async readBase(): Promise<Bar[]> {
    return [];
  }

  async writePage(_key: BackfillCheckpointKey, page: BackfillPage): Promise<Bar[]> {
    this.stream ??= createWriteStream(this.file, { encoding: "utf8" });
    const bars = [...page.bars, ...page.higher];
    const text = bars.map(({ symbol, timeframe, openTime, open, high, low, close, volume, trades }) => `${JSON.stringify({ symbol, timeframe, openTime, open, high, low, close, volume, trades })}\n`).join("");
    if (text && !this.stream.write(text)) await once(this.stream, "drain");
    return bars;
  }

  async complete(): Promise<void> {
    await this.close();
  }

  /** Flushes and closes the file (also after an interruption). */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.writableEnded) return;
    await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function retryable(error: unknown): boolean {
  if (error instanceof BinanceHttpError) return error.retryAfterMs !== null || error.status >= 500;
  return error instanceof TypeError || (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"));
}

/**
 * Binance spot klines as a BackfillSource. Pages of 1000 with endTime = to - 1; only closed bars (server time
 * read once). Rate limits are the client's (it pauses on used weight and waits out Retry-After before the next
 * request); a 429/418, 5xx or network error is retried (5 attempts). -1121 (unknown symbol) → BackfillInputError.
 */
export function binanceBackfillSource(client: BinanceRestClient, options: { attempts?: number; backoffMs?: number } = {}): BackfillSource {
  const attempts = options.attempts ?? 5;
  const backoffMs = options.backoffMs ?? 1_000;
  const withRetry = async <T>(work: () => Promise<T>, ticker: string): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (error instanceof BinanceHttpError && error.status === 400 && /"code"\s*:\s*-1121/.test(error.message)) {
          throw new BackfillInputError(`unknown symbol ${ticker}: Binance answered -1121 "Invalid symbol."`);
        }
        if (attempt >= attempts || !retryable(error)) throw error;
        // 429/418: the client itself waits until Retry-After before the next request.
        if (!(error instanceof BinanceHttpError && error.retryAfterMs !== null)) await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  };
  return {
    name: "binance",
    async *fetchClosedBars(symbol, timeframe, fromInclusive, toExclusive) {
      const ticker = symbol.slice(symbol.indexOf(":") + 1);
      const step = TIMEFRAME_MS[timeframe];
      const serverTime = await withRetry(() => client.serverTime(), ticker);
      let startTime = fromInclusive;
      while (startTime < toExclusive && startTime + step <= serverTime) {
        const page = await withRetry(
          () => client.klines({ symbol, ticker, timeframe, startTime, endTime: toExclusive - 1, limit: KLINES_MAX_LIMIT, serverTime }),
          ticker,
        );
        const bars = page.bars.filter((bar) => bar.openTime >= fromInclusive && bar.openTime < toExclusive);
        if (bars.length > 0) yield bars;
        if (page.lastOpenTime === null || page.rowCount < KLINES_MAX_LIMIT) return;
        startTime = page.lastOpenTime + step;
      }
    },
  };
}
