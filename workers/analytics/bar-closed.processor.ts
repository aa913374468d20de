/**
 * BullMQ processor of the bar-closed queues: validates the job, runs the stream's analytics (state manager:
 * compute, write PostgreSQL), then caches and publishes the newest bar in Redis, then evaluates the stream's alerts. An invalid payload fails
 * for good (UnrecoverableError); anything else throws and BullMQ retries with backoff (the retry finds the
 * rows already written and changes nothing, or rebuilds the state from PostgreSQL).
 */
import { UnrecoverableError, type Job } from "bullmq";
import { ZBarClosedJob, type TBarClosedJob } from "../../server/queues/bar-closed.ts";
import type { AnalyticsMetrics } from "../../server/observability/analytics-metrics.ts";
import type { AlertEngine } from "./alert-engine.ts";
import type { AnalyticsOutput } from "./analytics-output.ts";
import type { AnalyticsStreams, HandleResult } from "./analytics-streams.ts";

export interface BarClosedProcessorDeps {
  streams: AnalyticsStreams;
  output: AnalyticsOutput;
  metrics: AnalyticsMetrics;
  /** Evaluates the stream's alerts on the bar once its indicators are stored (workers/analytics/alert-engine.ts). */
  alerts?: Pick<AlertEngine, "onClosedBar"> | undefined;
}

/** What a job returns (kept with the completed job; handy in tests and the queue UI). */
export interface BarClosedJobResult {
  status: HandleResult["status"];
  computed: number;
  recomputedFrom: number | null;
  featureVersions: number;
  rebuilt: HandleResult["rebuilt"];
}

export function createBarClosedProcessor(deps: BarClosedProcessorDeps) {
  const { streams, output, metrics } = deps;
  return async (job: Job<TBarClosedJob>): Promise<BarClosedJobResult> => {
    const parsed = ZBarClosedJob.safeParse(job.data);
    if (!parsed.success) {
      metrics.jobs.inc({ result: "invalid" });
      throw new UnrecoverableError(`bar-closed job ${job.id}: invalid payload: ${parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`).join("; ")}`);
    }
    const { bar } = parsed.data;
    const stopTimer = metrics.jobSeconds.startTimer();
    try {
      const result = await streams.handle(bar);
      if (result.rebuilt !== "none") metrics.rebuilds.inc({ kind: result.rebuilt });
      if (result.computed > 0) metrics.barsComputed.inc({ timeframe: bar.timeframe }, result.computed);
      if (result.featureVersions > 0) metrics.featureVersions.inc(result.featureVersions);
      if (result.state && result.latest) {
        await output.publishLatest(bar, result.state, result.recomputedFrom ?? result.latest.bar.openTime);
      }
      if (deps.alerts && result.status !== "empty") {
        // the stored bar's indicators: from this computation, or (an older bar re-sent or retried) from PostgreSQL
        const latest = result.latest?.bar.openTime === bar.openTime ? result.latest : null;
        await deps.alerts.onClosedBar(latest?.bar ?? bar, latest ? { indicators: latest.indicators, patterns: latest.patternValues } : null); // throws → retry; firings are idempotent
      }
      metrics.jobs.inc({ result: result.status });
      metrics.streams.set(streams.size);
      const { status, computed, recomputedFrom, featureVersions, rebuilt } = result;
      return { status, computed, recomputedFrom, featureVersions, rebuilt };
    } catch (error) {
      metrics.jobs.inc({ result: "failed" });
      throw error;
    } finally {
      stopTimer();
    }
  };
}
