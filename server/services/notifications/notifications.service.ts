/**
 * Notification use cases for the API and the alert engine:
 * - createChannel: validates the config (zod), refuses SSRF targets up front (checked again at every send), and
 *   returns the webhook signing secret — the only time it is shown (audited as channel.create);
 * - listChannels: a user's channels, secrets never included;
 * - enqueueNotification: one notification per idempotency key, one delivery per channel, one BullMQ job per
 *   delivery (deterministic job id) — calling it twice for the same firing delivers once;
 * - sendTest: the "send test" button — a test notification on one channel through the real pipeline;
 * - listDeliveries: the delivery log (every attempt) a user sees.
 * Editing, enabling/disabling and secret rotation: channel-management.service.ts; retrying a dead delivery:
 * delivery-retry.service.ts.
 * Bad input throws AppError("BAD_REQUEST" | "NOT_FOUND") and changes nothing.
 */
import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type pg from "pg";
import { z } from "zod";
import {
  ZCreateChannelInput,
  ZEnqueueNotificationInput,
  CHANNEL_KINDS,
  DELIVERY_STATUSES,
  type ChannelRow,
  type DeliveryStatus,
  type TCreateChannelInput,
  type TEnqueueNotificationInput,
} from "../../domain/notifications/notification-types.ts";
import {
  deliveriesOf,
  ensureDeliveries,
  findChannel,
  insertChannel,
  listChannelsOfUser,
  listDeliveriesOfUser,
  upsertNotification,
  type DeliveryLogRow,
  type DeliveryRef,
} from "../../db/notifications.repo.ts";
import { enqueueNotifyJobs, type TNotifyJob } from "../../queues/notify.ts";
import { AppError } from "../app-error.ts";
import { recordAudit } from "../audit.service.ts";
import { namespaceOfQueue } from "./delivery-namespace.ts";
import { checkTarget, SsrfRefusedError, type GuardOptions } from "./ssrf-guard.ts";
import { newWebhookSecret } from "./webhook-signature.ts";

export interface NotificationServiceDeps {
  pool: pg.Pool;
  /** Producer queue (`createNotifyQueue` with `queueConnection("producer")`). */
  queue: Queue<TNotifyJob>;
  guard: GuardOptions;
}

/** A channel as shown to its owner (no secret). */
export type PublicChannel = Omit<ChannelRow, "secret">;

export function publicChannel(channel: ChannelRow): PublicChannel {
  const { secret: _secret, ...rest } = channel;
  return rest;
}

/** Validates service input: a bad value throws AppError("BAD_REQUEST", "<what>: <path>: <problem>; …"). */
export function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", `${what}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ")}`);
  return parsed.data;
}

/** The SSRF guard on a Slack/webhook URL a user gives (create and edit): a refused target is a BAD_REQUEST. */
export async function refuseUnsafeUrl(url: string, guard: GuardOptions): Promise<void> {
  try {
    await checkTarget(url, guard);
  } catch (error) {
    if (error instanceof SsrfRefusedError) throw new AppError("BAD_REQUEST", `invalid channel: ${error.message}`);
    throw error;
  }
}

/** Creates a channel. For webhooks the result carries `secret`, shown this once. */
export async function createChannel(deps: NotificationServiceDeps, input: TCreateChannelInput, actor: { actorIp?: string | null } = {}): Promise<PublicChannel & { secret?: string }> {
  const channel = parse(ZCreateChannelInput, input, "invalid channel");
  if (channel.kind === "slack" || channel.kind === "webhook") await refuseUnsafeUrl(channel.config.url, deps.guard);
  const secret = channel.kind === "webhook" ? newWebhookSecret() : null;
  const row = await insertChannel(deps.pool, { ...channel, secret });
  await recordAudit(deps.pool, { action: "channel.create", userId: row.userId, actorIp: actor.actorIp ?? null, target: `channel:${row.id}`, details: { kind: row.kind, name: row.name } });
  return secret ? { ...publicChannel(row), secret } : publicChannel(row);
}

export async function listChannels(deps: Pick<NotificationServiceDeps, "pool">, userId: string): Promise<PublicChannel[]> {
  return (await listChannelsOfUser(deps.pool, userId)).map(publicChannel);
}

export interface EnqueueResult {
  notificationId: string;
  /** false when the idempotency key was already used (nothing new created). */
  created: boolean;
  deliveries: { id: string; channelId: string; status: DeliveryStatus }[];
  /**
   * false when Redis refused the jobs; the deliveries stay `pending` in PostgreSQL and the notifier's sweep
   * enqueues them within a minute, so nothing is lost.
   */
  queued: boolean;
}

/** Records a notification and queues one delivery job per channel (idempotent per `idempotencyKey`). */
export async function enqueueNotification(deps: NotificationServiceDeps, input: TEnqueueNotificationInput): Promise<EnqueueResult> {
  const request = parse(ZEnqueueNotificationInput, input, "invalid notification");
  const channels = await listChannelsOfUser(deps.pool, request.userId);
  let targets: ChannelRow[];
  if (request.channelIds) {
    const owned = new Map(channels.map((channel) => [channel.id, channel]));
    const unknown = request.channelIds.filter((id) => !owned.has(id));
    if (unknown.length > 0) throw new AppError("NOT_FOUND", `user ${request.userId} has no channel ${unknown.join(", ")}`);
    targets = request.channelIds.map((id) => owned.get(id)!);
  } else {
    targets = channels;
  }
  // A disabled channel gets no new deliveries, even when the alert names it: nothing is queued or logged for it.
  targets = targets.filter((channel) => channel.enabled);
  // One transaction: a notification never exists without its deliveries, so a repeated key (created: false)
  // finds them all. A repeated key never adds channels: the first call decided where it goes.
  const client = await deps.pool.connect();
  let notificationId: string;
  let created: boolean;
  let deliveries: DeliveryRef[];
  try {
    await client.query("BEGIN");
    const upserted = await upsertNotification(client, {
      userId: request.userId,
      sourceRef: request.sourceRef ?? null,
      idempotencyKey: request.idempotencyKey,
      payload: request.payload,
    });
    notificationId = upserted.notification.id;
    created = upserted.created;
    deliveries = created ? await ensureDeliveries(client, notificationId, targets.map((channel) => channel.id), namespaceOfQueue(deps.queue)) : await deliveriesOf(client, notificationId);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  const open = deliveries.filter((delivery) => delivery.status !== "delivered" && delivery.status !== "dead");
  let queued = true;
  try {
    await enqueueNotifyJobs(deps.queue, open.map((delivery) => ({ deliveryId: delivery.id, notificationId, channelId: delivery.channelId })));
  } catch {
    queued = false;
  }
  return { notificationId, created, deliveries: deliveries.map(({ id, channelId, status }) => ({ id, channelId, status })), queued };
}

/**
 * The "send test" button: a test notification on one channel, through the same queue, worker, rate limit and
 * delivery log as a real one. Returns the delivery to watch in listDeliveries.
 */
export async function sendTest(deps: NotificationServiceDeps, channelId: string, options: { userId?: string; now?: number } = {}): Promise<EnqueueResult> {
  const id = parse(z.uuid(), channelId, "invalid channel id");
  const channel = await findChannel(deps.pool, id);
  if (!channel || (options.userId !== undefined && channel.userId !== options.userId)) throw new AppError("NOT_FOUND", `no notification channel ${id}`);
  if (!channel.enabled) throw new AppError("BAD_REQUEST", `channel ${channel.name} is disabled; enable it to send a test`);
  const at = new Date(options.now ?? Date.now()).toISOString();
  return enqueueNotification(deps, {
    userId: channel.userId,
    idempotencyKey: `test|${channel.id}|${randomUUID()}`,
    sourceRef: "test",
    channelIds: [channel.id],
    payload: { title: `Test notification for ${channel.name}`, body: `Sent from Marketlens at ${at}. If you see this, the channel works.`, severity: "info" },
  });
}

const ZDeliveryFilters = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  channelId: z.uuid().optional(),
  kind: z.enum(CHANNEL_KINDS).optional(),
});
const ZPage = z.object({ page: z.number().int().min(1).default(1), pageSize: z.number().int().min(1).max(100).default(25) });

export interface DeliveryPage {
  items: DeliveryLogRow[];
  total: number;
  page: number;
  pageSize: number;
}

/** The user's delivery log, newest first, each delivery with every attempt. */
export async function listDeliveries(
  deps: Pick<NotificationServiceDeps, "pool">,
  userId: string,
  filters: z.input<typeof ZDeliveryFilters> = {},
  page: z.input<typeof ZPage> = {},
): Promise<DeliveryPage> {
  const user = parse(z.string().min(1).max(200), userId, "invalid user id");
  const where = parse(ZDeliveryFilters, filters, "invalid delivery filters");
  const { page: pageNumber, pageSize } = parse(ZPage, page, "invalid page");
  const { rows, total } = await listDeliveriesOfUser(deps.pool, user, where, { limit: pageSize, offset: (pageNumber - 1) * pageSize });
  return { items: rows, total, page: pageNumber, pageSize };
}
