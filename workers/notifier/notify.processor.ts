/**
 * BullMQ processor of the "notify" queue: runs one attempt of one delivery (server/services/notifications/
 * delivery.service.ts) and maps the outcome onto BullMQ:
 * - rate-limited → the job is moved to delayed for the wait the token bucket named (DelayedError: not an attempt);
 * - a failure that is permanent or the last attempt → UnrecoverableError (no retry; the delivery is `dead`);
 * - any other failure → rethrown, BullMQ retries with exponential backoff;
 * - delivered / already delivered / dead → completes.
 */
import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import type { ChannelKind } from "../../server/domain/notifications/notification-types.ts";
import type { NotifyMetrics } from "../../server/observability/notify-metrics.ts";
import { ZNotifyJob, type TNotifyJob } from "../../server/queues/notify.ts";
import { AttemptFailedError, attemptDelivery, type AttemptReport, type DeliveryDeps } from "../../server/services/notifications/delivery.service.ts";

type Log = (level: "info" | "warn" | "error", message: string, details?: object) => void;

export interface NotifyProcessorDeps {
  delivery: DeliveryDeps;
  metrics: NotifyMetrics;
  log: Log;
}

export function createNotifyProcessor(deps: NotifyProcessorDeps) {
  return async (job: Job<TNotifyJob>, token?: string): Promise<AttemptReport> => {
    const parsed = ZNotifyJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`notify job ${job.id}: invalid data (${parsed.error.message})`);
    const { deliveryId } = parsed.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const kinds = new Map<string, ChannelKind>();
    const delivery: DeliveryDeps = {
      ...deps.delivery,
      send: async (context) => {
        kinds.set(context.deliveryId, context.channel.kind);
        const stop = deps.metrics.sendSeconds.startTimer({ kind: context.channel.kind });
        try {
          return await deps.delivery.send(context);
        } finally {
          stop();
        }
      },
      takeToken: async (context) => {
        kinds.set(context.deliveryId, context.channel.kind);
        return deps.delivery.takeToken(context);
      },
    };
    try {
      const report = await attemptDelivery(delivery, deliveryId, { finalAttempt });
      const kind = kinds.get(deliveryId) ?? "unknown";
      switch (report.kind) {
        case "rate-limited":
          deps.metrics.rateLimited.inc({ kind });
          await job.moveToDelayed(Date.now() + report.waitMs, token);
          throw new DelayedError(`delivery ${deliveryId}: rate limited for ${report.waitMs} ms`);
        case "delivered":
          deps.metrics.attempts.inc({ kind, outcome: "delivered" });
          if (report.resumed) {
            deps.metrics.resumed.inc();
            deps.log("warn", "re-sent a delivery interrupted by a stopped notifier (same delivery id)", { deliveryId, attempt: report.attempt });
          }
          break;
        case "skipped":
          deps.metrics.skipped.inc({ reason: report.reason });
          break;
        case "dead-channel":
          deps.metrics.attempts.inc({ kind, outcome: "dead" });
          break;
      }
      return report;
    } catch (error) {
      if (!(error instanceof AttemptFailedError)) throw error;
      const kind = kinds.get(deliveryId) ?? "unknown";
      deps.metrics.attempts.inc({ kind, outcome: error.cause.refused ? "refused" : error.dead ? "dead" : "failed" });
      deps.log(error.dead ? "warn" : "info", error.dead ? "delivery dead-lettered" : "delivery attempt failed, will retry", { deliveryId, attempt: error.attempt, error: error.message });
      if (error.dead) throw new UnrecoverableError(error.message);
      throw error;
    }
  };
}
