/**
 * State manager of the analytics worker: one StreamAnalytics per (symbol, timeframe), kept in memory and
 * rebuilt from PostgreSQL when missing or out of step. Every call for one stream runs after the previous one
 * (a per-stream promise chain), so a stream's state is never raced inside this process; across processes the
 * partition lease guarantees one consumer. For a bar at T:
 *   - the next bar (T = last + 1 timeframe): computed from the job's bar alone (fast path);
 *   - a gap (T later than that): the missing bars are read from PostgreSQL and computed first (catch-up);
 *   - no state yet: with no stored indicator row at all, the stream's whole stored history is computed
 *     (backfill); otherwise the engines are warmed on the REHYDRATE_BARS bars up to the newest stored row
 *     (extended back to the start of that bar's VWAP session), anchored, then caught up;
 *   - an earlier bar already computed here with the same values: nothing to do (a retried job);
 *   - any other earlier bar (a revision, or a bar only warmed): the state is rebuilt on the bars before T and
 *     every bar from T to the newest computed one is recomputed (later values depend on T).
 * Rows are written per chunk in one transaction (indicators upsert + feature versions), so a failure leaves
 * both tables consistent; on any error the stream's state is dropped and the retry rebuilds it.
 */
import type pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { TIMEFRAME_MS, alignTime, type Timeframe } from "../../server/domain/time/timeframes.ts";
import type { IndicatorValues, SessionKeyFn } from "../../server/domain/indicators/indicator-types.ts";
import type { PatternValues } from "../../server/domain/patterns/pattern-registry.ts";
import { FEATURE_SET_V1 } from "../../server/domain/features/feature-set-v1.ts";
import { readCandles } from "../../server/db/candles-read.repo.ts";
import { readCandleRange } from "../../server/db/candles.repo.ts";
import { readIndicatorAt, readLastIndicator, type StreamKey } from "../../server/db/indicators.repo.ts";
import { readLastFeature } from "../../server/db/features.repo.ts";
import { persistAnalysed } from "./analytics-persist.ts";
import { StreamAnalytics, sameBar, type AnalysedBar } from "./stream-analytics.ts";

/** What a live bar previews to (AnalyticsStreams.preview). */
export interface LivePreview {
  /** Open time of the last closed bar the state has analysed. */
  lastTime: number;
  indicators: IndicatorValues;
  patterns: PatternValues;
}

/** Bars the engines are warmed on after a restart (≥ 500: EMA50 and Wilder smoothing settle far below 1e-9). */
export const REHYDRATE_BARS = 1_000;
const CHUNK = 2_000;
const DAY_MS = TIMEFRAME_MS["1d"];
/** Lower bound for "all history" reads (PostgreSQL timestamps cannot hold ±Number.MAX_SAFE_INTEGER ms). */
const EARLIEST = Date.UTC(1800, 0, 1);

export type HandleStatus = "computed" | "unchanged" | "empty";

export interface HandleResult {
  status: HandleStatus;
  /** Bars computed and written by this call. */
  computed: number;
  /** Open time of the first bar written by this call (null when none). */
  recomputedFrom: number | null;
  /** Feature versions added by this call. */
  featureVersions: number;
  /** How the state was (re)built: "none" when it was already there. */
  rebuilt: "none" | "backfill" | "rehydrate";
  /** The stream's newest analysed bar, when this call wrote it or confirmed it unchanged. */
  latest: AnalysedBar | null;
  state: StreamAnalytics | null;
}

export interface AnalyticsStreamsOptions {
  pool: pg.Pool;
  /** VWAP session key of a symbol (from its calendar); default UTC date. */
  sessionKeyOf?: (symbol: string) => Promise<SessionKeyFn | undefined>;
  /** Clock for ml_features.known_at (epoch ms). */
  now: () => number;
}

const streamId = (stream: StreamKey) => `${stream.symbol}|${stream.timeframe}`;

export class AnalyticsStreams {
  private readonly states = new Map<string, StreamAnalytics>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly options: AnalyticsStreamsOptions) {}

  /** Streams held in memory. */
  get size(): number {
    return this.states.size;
  }

  /** Forgets states (e.g. when a partition's lease is lost). */
  drop(filter: (stream: StreamKey) => boolean = () => true): void {
    for (const key of [...this.states.keys()]) {
      const [symbol, timeframe] = key.split("|") as [string, Timeframe];
      if (filter({ symbol, timeframe })) this.states.delete(key);
    }
  }

  /**
   * Indicators and patterns of a live (open) bar from the stream's state, and the open time of the state's last
   * closed bar (the caller checks it is the bar just before: a lagging state would preview over a gap); null when
   * this process holds no state for the stream.
   */
  preview(bar: Bar): LivePreview | null {
    const state = this.states.get(streamId(bar));
    if (!state || !(bar.openTime > state.lastTime)) return null;
    return { lastTime: state.lastTime, indicators: state.previewIndicators(bar), patterns: state.previewPatterns(bar) };
  }

  /** Processes one stored closed or revised bar. */
  handle(bar: Bar): Promise<HandleResult> {
    return this.serialized({ symbol: bar.symbol, timeframe: bar.timeframe }, (stream) => this.handleBar(stream, bar));
  }

  /** Brings a stream up to its newest stored bar (startup sweep: backfill or catch-up). */
  catchUp(stream: StreamKey): Promise<HandleResult> {
    return this.serialized(stream, async () => {
      const [newest] = await readCandles(this.options.pool, { ...stream, limit: 1 });
      if (!newest) return result("empty", 0, null, 0, "none", null);
      const state = this.states.get(streamId(stream));
      if (state && state.lastTime >= newest.openTime) return result("unchanged", 0, null, 0, "none", state);
      if (!state) {
        const lastRow = await readLastIndicator(this.options.pool, stream);
        if (lastRow && lastRow.openTime >= newest.openTime) {
          const warmed = await this.rehydrate(stream, newest.openTime + 1); // up to date: warm the state only
          return result("unchanged", 0, null, 0, "rehydrate", warmed);
        }
      }
      return this.handleBar(stream, newest);
    });
  }

  private async serialized<T>(stream: StreamKey, run: (stream: StreamKey) => Promise<T>): Promise<T> {
    const key = streamId(stream);
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(async () => {
      try {
        return await run(stream);
      } catch (error) {
        this.states.delete(key); // the retry rebuilds it from PostgreSQL
        throw error;
      }
    });
    this.chains.set(key, next);
    void next.finally(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    }).catch(() => undefined);
    return next;
  }

  private async handleBar(stream: StreamKey, bar: Bar): Promise<HandleResult> {
    const key = streamId(stream);
    const step = TIMEFRAME_MS[stream.timeframe];
    const state = this.states.get(key);
    if (state && bar.openTime > state.lastTime) {
      const bars = bar.openTime === state.lastTime + step ? [bar] : await this.readThrough(stream, state.lastTime + 1, bar);
      return this.compute(state, stream, bars, "none");
    }
    if (state) {
      const computed = state.computedBar(bar.openTime);
      if (computed && sameBar(computed, bar)) {
        return result("unchanged", 0, null, 0, "none", state, bar.openTime === state.lastTime ? state.latest : null);
      }
      return this.recompute(stream, bar, state.lastTime);
    }
    const lastRow = await readLastIndicator(this.options.pool, stream);
    if (!lastRow) return this.backfill(stream, bar);
    if (lastRow.openTime < bar.openTime) {
      const rebuilt = await this.rehydrate(stream, lastRow.openTime + 1);
      const bars = await this.readThrough(stream, rebuilt.lastTime + 1, bar);
      return this.compute(rebuilt, stream, bars, "rehydrate");
    }
    return this.recompute(stream, bar, lastRow.openTime);
  }

  /** Rebuilds the state before `bar` and recomputes every bar from it through `through`. */
  private async recompute(stream: StreamKey, bar: Bar, through: number): Promise<HandleResult> {
    const rebuilt = await this.rehydrate(stream, bar.openTime);
    const stored = await readCandleRange(this.options.pool, { ...stream, from: bar.openTime, to: through + 1 });
    return this.compute(rebuilt, stream, withBar(stored, bar), "rehydrate");
  }

  /** No indicator row yet: the whole stored history through `bar`, chunk by chunk through one engine. */
  private async backfill(stream: StreamKey, bar: Bar): Promise<HandleResult> {
    const state = await this.newState(stream);
    let total = result("empty", 0, null, 0, "backfill", state);
    let from = EARLIEST;
    for (;;) {
      const page = await readCandles(this.options.pool, { ...stream, from, to: bar.openTime + 1, limit: CHUNK });
      const last = page.length < CHUNK;
      const bars = last ? withBar(page, bar) : page;
      if (bars.length > 0) total = merge(total, await this.compute(state, stream, bars, "backfill"));
      if (last) return total;
      from = page.at(-1)!.openTime + 1;
    }
  }

  /** Engines warmed on the bars before `before` (REHYDRATE_BARS, back to a session start), anchored, stored in the map. */
  private async rehydrate(stream: StreamKey, before: number): Promise<StreamAnalytics> {
    const { pool } = this.options;
    const state = await this.newState(stream);
    let window = await readCandles(pool, { ...stream, to: before, limit: REHYDRATE_BARS });
    const first = window[0];
    const truncated = window.length === REHYDRATE_BARS;
    if (first && truncated && stream.timeframe !== "1d") {
      // VWAP resets per session: the first bars of the window's first session must be there too.
      const sessionKey = (await this.options.sessionKeyOf?.(stream.symbol)) ?? ((time: number) => Math.floor(time / DAY_MS));
      const earlier = await readCandleRange(pool, { ...stream, from: alignTime(first.openTime, "1d") - DAY_MS, to: first.openTime });
      const session = sessionKey(first.openTime);
      let start = earlier.length;
      while (start > 0 && sessionKey(earlier[start - 1]!.openTime) === session) start--;
      window = [...earlier.slice(start), ...window];
    }
    for (const bar of window) state.push(bar);
    const last = window.at(-1);
    if (last && truncated) {
      const [indicators, features] = await Promise.all([
        readIndicatorAt(pool, stream, last.openTime),
        readLastFeature(pool, { ...stream, featureSet: FEATURE_SET_V1 }, last.openTime + 1),
      ]);
      state.anchor({
        obv: indicators?.values.obv ?? null,
        volumePriceTrend: features && features.openTime === last.openTime ? (features.values.volumePriceTrend ?? null) : null,
      });
    }
    this.states.set(streamId(stream), state);
    return state;
  }

  private async newState(stream: StreamKey): Promise<StreamAnalytics> {
    const sessionKey = await this.options.sessionKeyOf?.(stream.symbol);
    const state = new StreamAnalytics({ sessionKey, keep: REHYDRATE_BARS });
    this.states.set(streamId(stream), state);
    return state;
  }

  /** Stored bars from `from` through `bar` (the job's bar is used when the table does not have it). */
  private async readThrough(stream: StreamKey, from: number, bar: Bar): Promise<Bar[]> {
    const stored = await readCandleRange(this.options.pool, { ...stream, from, to: bar.openTime + 1 });
    return withBar(stored, bar);
  }

  private async compute(state: StreamAnalytics, stream: StreamKey, bars: readonly Bar[], rebuilt: HandleResult["rebuilt"]): Promise<HandleResult> {
    if (bars.length === 0) return result("unchanged", 0, null, 0, rebuilt, state);
    let featureVersions = 0;
    for (let offset = 0; offset < bars.length; offset += CHUNK) {
      const analysed = bars.slice(offset, offset + CHUNK).map((bar) => state.push(bar));
      featureVersions += await persistAnalysed(this.options.pool, stream, analysed, this.options.now());
    }
    state.markComputed(bars[0]!.openTime);
    return result("computed", bars.length, bars[0]!.openTime, featureVersions, rebuilt, state, state.latest);
  }
}

/** `stored` (ascending) with `bar` in place of (or after) the stored bar at its open time. */
function withBar(stored: readonly Bar[], bar: Bar): Bar[] {
  const bars = stored.filter((candidate) => candidate.openTime !== bar.openTime);
  const index = bars.findIndex((candidate) => candidate.openTime > bar.openTime);
  const atBar = stored.find((candidate) => candidate.openTime === bar.openTime);
  bars.splice(index === -1 ? bars.length : index, 0, atBar ?? bar);
  return bars;
}

function result(
  status: HandleStatus,
  computed: number,
  recomputedFrom: number | null,
  featureVersions: number,
  rebuilt: HandleResult["rebuilt"],
  state: StreamAnalytics | null,
  latest: AnalysedBar | null = null,
): HandleResult {
  return { status, computed, recomputedFrom, featureVersions, rebuilt, state, latest };
}

function merge(total: HandleResult, next: HandleResult): HandleResult {
  return {
    ...next,
    status: total.status === "computed" || next.status === "computed" ? "computed" : next.status,
    computed: total.computed + next.computed,
    recomputedFrom: total.recomputedFrom ?? next.recomputedFrom,
    featureVersions: total.featureVersions + next.featureVersions,
    rebuilt: total.rebuilt === "none" ? next.rebuilt : total.rebuilt,
  };
}
