/**
 * The alert engine inside the analytics worker (docs/alerts.md).
 *
 * Closed bars (`evaluate_on: close`, the default): the bar-closed processor calls `onClosedBar` once the bar's
 * indicators are computed and stored; every active alert of the stream (its own symbol or a watchlist holding it)
 * is evaluated. An error throws, so BullMQ retries the job; the retry records nothing twice (idempotency key).
 *
 * Live bars (`evaluate_on: tick`): a subscriber on the collectors' bar channels (`{ns}:bars:*`, kind "live") takes
 * each update of an open bar of a stream that has tick alerts and whose bar-closed partition this process owns,
 * and evaluates it against the previous closed bars; the firing key holds the bar's open time, so an alert fires
 * at most once per bar. A rule that reads only the bar's fields and the quality score is evaluated at once, even
 * while the analytics worker is still catching up (its previous bars then come from the stored candles). A rule
 * that reads indicators or patterns needs them previewed from the stream's in-memory state, which must be right
 * behind the live bar; otherwise that tick waits (counted) and the closed bar decides. Tick alerts are also
 * evaluated on the closed bar (the last "tick"), with the same key. Live updates of one stream are coalesced:
 * while one is being evaluated only the newest waits.
 *
 * "Became true on this bar" comes from the pure RuleEvaluator replayed over the two previous closed bars (no stored
 * evaluator state, so a restart loses nothing); cooldown and one-time come from alert_firings and the status.
 */
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import type pg from "pg";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { RuleEvaluator } from "../../server/domain/rules/rule-evaluator.ts";
import { ruleMetrics } from "../../server/domain/rules/rule-metrics.ts";
import { BAR_METRICS, type RuleBarValues, type RuleDocument } from "../../server/domain/rules/rule-types.ts";
import { presentPatternRuleValues } from "../../server/domain/rules/rule-values.ts";
import { TIMEFRAME_MS } from "../../server/domain/time/timeframes.ts";
import { lastFiringOpenTime, type EvaluateOn } from "../../server/db/alerts.repo.ts";
import { readIndicatorAt } from "../../server/db/indicators.repo.ts";
import type { RedisKeys } from "../../server/redis/keys.ts";
import type { NotificationServiceDeps } from "../../server/services/notifications/notifications.service.ts";
import { parseBarEvent } from "../../server/realtime/stream-hub.ts";
import { fire, inCooldown } from "./alert-firing.ts";
import { createAlertMetrics, type AlertMetrics } from "./alert-metrics.ts";
import { AlertSetCache, type ActiveAlert } from "./alert-set-cache.ts";
import { QualityScores } from "./alert-quality.ts";
import { RecentValues, barValues, type BarAnalysis } from "./alert-values.ts";
import type { LivePreview } from "./analytics-streams.ts";

type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

export interface AlertEngineOptions {
  pool: pg.Pool;
  /** Command connection (publishes `{ns}:alerts:changed` after a one-time alert stops). */
  redis: Redis;
  keys: RedisKeys;
  /** Makes the two subscriber connections (alert changes; live bars). */
  createSubscriber: () => Redis;
  notify: NotificationServiceDeps;
  appUrl: string;
  now: () => number;
  /** Indicators and patterns of a live bar from the analytics state (AnalyticsStreams.preview); null when not held here. */
  preview: (bar: Bar) => LivePreview | null;
  /** Does this process own the stream's bar-closed partition (and so its tick alerts)? Default: yes. */
  owns?: (bar: Bar) => boolean;
  /** Full reload of the cached alert sets (default 60 s). */
  reloadMs?: number;
  /** Subscribe to live bars for tick alerts (default true). */
  ticks?: boolean;
  log?: Log;
  /** Registry of the worker's metrics (alert-metrics.ts); default: a private one. */
  registry?: Registry;
  /** Called after each firing is recorded and enqueued (tests, latency benchmark). */
  onFired?: (firing: { alertId: string; symbol: string; barOpenTime: number; evaluateOn: EvaluateOn; created: boolean }) => void;
}

export class AlertEngine {
  readonly cache: AlertSetCache;
  private readonly values: RecentValues;
  private readonly quality: QualityScores;
  private readonly log: Log;
  readonly metrics: AlertMetrics;
  private liveSubscriber: Redis | null = null;
  private readonly liveBusy = new Map<string, Bar | null>();
  private readonly liveRuns = new Set<Promise<void>>();
  /** alert|symbol → open time of the bar it last fired on here (skips repeated ticks of a fired bar). */
  private readonly firedBar = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: AlertEngineOptions) {
    this.log = options.log ?? (() => undefined);
    this.values = new RecentValues(options.pool);
    this.quality = new QualityScores(options.redis, options.keys, options.now);
    this.metrics = createAlertMetrics(options.registry ?? new Registry());
    this.cache = new AlertSetCache({ pool: options.pool, subscriber: options.createSubscriber(), keys: options.keys, reloadMs: options.reloadMs ?? 60_000, log: this.log });
  }

  async start(): Promise<void> {
    await this.cache.start();
    if (this.options.ticks === false) return;
    const subscriber = this.options.createSubscriber();
    this.liveSubscriber = subscriber;
    subscriber.on("pmessage", (_pattern: string, channel: string, message: string) => this.onLiveMessage(channel, message));
    await subscriber.psubscribe(this.options.keys.barChannelPattern());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.liveSubscriber?.quit().catch(() => undefined);
    while (this.liveRuns.size > 0) await Promise.allSettled([...this.liveRuns]);
    await this.cache.close();
  }

  /** Resolves when no live evaluation is running (tests). */
  async whenIdle(): Promise<void> {
    while (this.liveRuns.size > 0) await Promise.allSettled([...this.liveRuns]);
  }

  /**
   * A closed bar whose indicators are stored: evaluates every active alert of its stream. `analysis` null: read
   * indicators and patterns from PostgreSQL (an older bar re-sent or retried). Throws on failure (the job is retried).
   */
  async onClosedBar(bar: Bar, analysis: BarAnalysis | null): Promise<number> {
    const alerts = await this.cache.alertsOf(bar.symbol, bar.timeframe);
    if (alerts.length === 0 && analysis === null) return 0;
    let current: RuleBarValues;
    if (analysis) current = barValues(bar, analysis);
    else {
      const row = await readIndicatorAt(this.options.pool, { symbol: bar.symbol, timeframe: bar.timeframe }, bar.openTime);
      if (!row) return 0; // not analysed: nothing to evaluate against
      current = { ...barValues(bar, { indicators: row.values, patterns: null }), ...presentPatternRuleValues(row.patterns) };
    }
    if (alerts.some((alert) => readsQuality(alert.rule))) current = { ...current, qualityScore: await this.quality.scoreOf(bar.symbol) };
    let fired = 0;
    if (alerts.length > 0) {
      const previous = await this.values.before(bar.symbol, bar.timeframe, bar.openTime);
      for (const alert of alerts) if (await this.evaluate(alert, bar, previous.map((entry) => entry.values), current, "close")) fired++;
    }
    this.values.record(bar.symbol, bar.timeframe, { openTime: bar.openTime, values: current, analysed: true });
    return fired;
  }

  private onLiveMessage(channel: string, message: string): void {
    if (this.closed) return;
    const stream = channel.slice(channel.indexOf(":bars:") + ":bars:".length);
    const separator = stream.lastIndexOf(":");
    const known = this.cache.knownTickStreams();
    if (known && !known.has(`${stream.slice(0, separator)}|${stream.slice(separator + 1)}`)) return; // most bars: no tick alert, no parse
    const event = parseBarEvent(stream, message);
    if (!event || event.kind !== "live") return;
    const key = `${event.bar.symbol}|${event.bar.timeframe}`;
    if (this.liveBusy.has(key)) {
      this.liveBusy.set(key, event.bar); // the newest update waits for the running one
      return;
    }
    this.liveBusy.set(key, null);
    const run = this.runLive(key, event.bar);
    this.liveRuns.add(run);
    void run.finally(() => this.liveRuns.delete(run));
  }

  private async runLive(key: string, first: Bar): Promise<void> {
    let bar: Bar | null = first;
    while (bar && !this.closed) {
      try {
        await this.onLiveBar(bar);
      } catch (error) {
        this.metrics.tickErrors.inc();
        this.log("warn", "tick alert evaluation failed (the closed bar is evaluated again)", { symbol: bar.symbol, timeframe: bar.timeframe, error: String(error) });
      }
      bar = this.liveBusy.get(key) ?? null;
      this.liveBusy.set(key, null);
    }
    this.liveBusy.delete(key);
  }

  /** A live update of an open bar: evaluates the stream's tick alerts on it. */
  async onLiveBar(bar: Bar): Promise<number> {
    if (!(await this.cache.hasTickAlerts(bar.symbol, bar.timeframe))) return 0;
    if (this.options.owns && !this.options.owns(bar)) return 0; // another analytics process owns the stream
    const alerts = (await this.cache.alertsOf(bar.symbol, bar.timeframe)).filter((alert) => alert.row.evaluateOn === "tick");
    if (alerts.length === 0) return 0;
    const previous = await this.values.before(bar.symbol, bar.timeframe, bar.openTime);
    const preview = this.options.preview(bar);
    // indicators and patterns are usable only when the state's last bar is the previous stored one and every previous bar was analysed
    const analysed = preview !== null && previous.length > 0 && previous.at(-1)?.openTime === preview.lastTime && previous.every((entry) => entry.analysed);
    const quality = alerts.some((alert) => readsQuality(alert.rule)) ? await this.quality.scoreOf(bar.symbol) : null;
    const current = barValues(bar, analysed && preview ? { indicators: preview.indicators, patterns: preview.patterns } : null, quality);
    const previousValues = previous.map((entry) => entry.values);
    let fired = 0;
    for (const alert of alerts) {
      if (!analysed && needsAnalysis(alert.rule)) {
        this.metrics.tickWaits.inc();
        continue;
      }
      if (await this.evaluate(alert, bar, previousValues, current, "tick")) fired++;
    }
    return fired;
  }

  /** Did `alert` become true on `bar` (outside cooldown)? Then fire. */
  private async evaluate(alert: ActiveAlert, bar: Bar, previous: RuleBarValues[], current: RuleBarValues, mode: EvaluateOn): Promise<boolean> {
    // a bar that closed before the alert (as it is now) was created, edited or re-armed is history, not news: the
    // analytics worker catching up on a backlog would otherwise fire a new alert on hours-old bars
    if (mode === "close" && bar.openTime + TIMEFRAME_MS[bar.timeframe] <= alert.row.updatedAt.getTime()) {
      this.metrics.beforeArmed.inc();
      return false;
    }
    const memo = `${alert.row.id}|${bar.symbol}`;
    if (mode === "tick" && this.firedBar.get(memo) === bar.openTime) return false;
    this.metrics.evaluations.inc({ mode });
    const evaluator = new RuleEvaluator({ ...alert.rule, cooldownBars: 0, oneTime: false });
    for (const values of previous) evaluator.push(values);
    if (!evaluator.push(current)) return false;
    const cooldownBars = alert.rule.cooldownBars ?? 0;
    if (cooldownBars > 0) {
      const last = await lastFiringOpenTime(this.options.pool, alert.row.id, bar.symbol, bar.openTime);
      if (last !== null && (await inCooldown(this.options.pool, { symbol: bar.symbol, timeframe: bar.timeframe, lastFiring: last, barOpenTime: bar.openTime, cooldownBars }))) {
        this.metrics.cooldownDrops.inc();
        return false;
      }
    }
    const values: Record<string, number | null> = { close: current.close ?? null };
    for (const metric of evaluator.metrics) values[metric] = current[metric] ?? null;
    const stopTimer = this.metrics.fireSeconds.startTimer();
    const outcome = await fire(this.options, { alert, symbol: bar.symbol, timeframe: bar.timeframe, barOpenTime: bar.openTime, evaluateOn: mode, values });
    stopTimer();
    this.metrics.firings.inc({ mode, outcome });
    if (alert.rule.oneTime) {
      this.cache.forget(alert.row.id);
      await this.options.redis.publish(this.options.keys.alertsChanged(), JSON.stringify({ reason: `stopped ${alert.row.id}` })).catch(() => undefined);
    }
    if (outcome === "refused") return false; // a one-time alert that fired elsewhere first
    this.firedBar.set(memo, bar.openTime);
    this.options.onFired?.({ alertId: alert.row.id, symbol: bar.symbol, barOpenTime: bar.openTime, evaluateOn: mode, created: outcome === "new" });
    return true;
  }
}

const BAR_METRIC_SET: ReadonlySet<string> = new Set(BAR_METRICS);
const readsMemo = new WeakMap<RuleDocument, { quality: boolean; analysis: boolean }>();

function reads(rule: RuleDocument): { quality: boolean; analysis: boolean } {
  let memo = readsMemo.get(rule);
  if (!memo) {
    const metrics = ruleMetrics(rule);
    memo = { quality: metrics.includes("qualityScore"), analysis: metrics.some((metric) => !BAR_METRIC_SET.has(metric) && metric !== "qualityScore") };
    readsMemo.set(rule, memo);
  }
  return memo;
}

/** Does the rule read the quality score? */
const readsQuality = (rule: RuleDocument): boolean => reads(rule).quality;
/** Does the rule read indicators or patterns (so it needs the bar analysed)? */
const needsAnalysis = (rule: RuleDocument): boolean => reads(rule).analysis;
