/**
 * "Retry" on a dead (dead-lettered) delivery in the delivery log (tRPC `channels.retryDelivery`, REST
 * `POST /api/v1/channels/deliveries/{id}/retry`). The SAME delivery goes out again — same delivery id
 * (X-Marketlens-Delivery, webhook body `id`, email Message-ID), so a receiver that deduplicates can — with a fresh
 * set of attempts; the attempt numbers in the log keep counting.
 *
 * Idempotent: the delivery moves dead → pending with a guarded UPDATE, so of two clicks (or two concurrent
 * requests) exactly one re-enqueues; the other sees an open delivery and does nothing. The job id is
 * deterministic (`notify|<notificationId>|<channelId>`) and BullMQ keeps the old, failed job, so that job is
 * removed before the new one is added. If Redis refuses, the delivery is put back to `dead` with its error and
 * the caller gets UNAVAILABLE: nothing changed. Only the owner may retry (another user's delivery is NOT_FOUND),
 * only a dead delivery is re-sent, and not on a disabled channel. Audited as channel.retry_delivery.
 */
import { z } from "zod";
import type { DeliveryStatus } from "../../domain/notifications/notification-types.ts";
import { findDeliveryOfUser, reopenDeadDelivery, restoreDeadDelivery } from "../../db/notifications.repo.ts";
import { enqueueNotifyJobs, notifyJobId } from "../../queues/notify.ts";
import { AppError } from "../app-error.ts";
import { recordAudit } from "../audit.service.ts";
import type { ChannelActor } from "./channel-management.service.ts";
import { namespaceOfQueue } from "./delivery-namespace.ts";
import { parse, type NotificationServiceDeps } from "./notifications.service.ts";

export interface RetryResult {
  id: string;
  notificationId: string;
  channelId: string;
  /** The delivery's status now: `pending` after a retry, otherwise what it already was. */
  status: DeliveryStatus;
  /** true when this call queued the delivery again; false when it was already on its way (a repeated click). */
  requeued: boolean;
}

export async function retryDelivery(deps: NotificationServiceDeps, actor: ChannelActor, deliveryId: string): Promise<RetryResult> {
  const id = parse(z.uuid({ error: "id must be a delivery id (a UUID)" }), deliveryId, "invalid delivery id");
  const delivery = await findDeliveryOfUser(deps.pool, id, actor.userId);
  if (!delivery) throw new AppError("NOT_FOUND", `no delivery ${id}`);
  const result = { id, notificationId: delivery.notificationId, channelId: delivery.channelId };
  if (delivery.status === "delivered") throw new AppError("BAD_REQUEST", `delivery ${id} was delivered; only a dead delivery can be retried`);
  if (delivery.status !== "dead") return { ...result, status: delivery.status, requeued: false };
  if (!delivery.channelEnabled) throw new AppError("BAD_REQUEST", `channel ${delivery.channelName} is disabled; enable it to retry this delivery`);
  if (!(await reopenDeadDelivery(deps.pool, id, namespaceOfQueue(deps.queue)))) {
    const now = await findDeliveryOfUser(deps.pool, id, actor.userId);
    return { ...result, status: now?.status ?? "pending", requeued: false }; // a concurrent retry won
  }
  const job = { deliveryId: id, notificationId: delivery.notificationId, channelId: delivery.channelId };
  try {
    // The dead job keeps the id for 30 days. remove() answers 0 when the job is gone already — or locked by a
    // notifier still finishing it, in which case adding would be a no-op and the delivery would sit pending.
    const jobId = notifyJobId(job);
    if ((await deps.queue.remove(jobId)) === 0 && (await deps.queue.getJob(jobId))) throw new Error("its previous job is still running");
    await enqueueNotifyJobs(deps.queue, [job]);
  } catch (error) {
    await restoreDeadDelivery(deps.pool, id, delivery.lastError ?? "dead");
    throw new AppError("UNAVAILABLE", `delivery ${id}: could not queue the retry (${error instanceof Error ? error.message : String(error)}); nothing changed, try again`, { cause: error });
  }
  await recordAudit(deps.pool, { action: "channel.retry_delivery", userId: actor.userId, actorIp: actor.actorIp ?? null, target: `delivery:${id}`, details: { channelId: delivery.channelId, channel: delivery.channelName } });
  return { ...result, status: "pending", requeued: true };
}
