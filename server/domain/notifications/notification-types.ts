/**
 * Shapes of the notification pipeline: channel kinds and their config (zod, validated on create and again at
 * send time), the notification payload, delivery statuses and the context a sender gets. Edit here when a
 * channel kind or a payload field is added (then the sender, the migration's CHECK and docs/webhooks.md).
 */
import { z } from "zod";

export const CHANNEL_KINDS = ["email", "slack", "webhook", "in_app"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const DELIVERY_STATUSES = ["pending", "sending", "delivered", "failed", "dead"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export type AttemptOutcome = "sending" | "delivered" | "failed" | "refused" | "interrupted";

const httpUrl = z
  .string()
  .max(2_048)
  .refine((value) => {
    try {
      return ["http:", "https:"].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

export const ZEmailConfig = z.object({ address: z.email().max(320) });
export const ZUrlConfig = z.object({ url: httpUrl });
export const ZInAppConfig = z.object({}).strict();

const rate = {
  /** Deliveries per minute the channel's token bucket refills (over it: delayed, never dropped). */
  ratePerMinute: z.number().int().min(1).max(6_000).default(30),
  /** Bucket capacity: how many may go out at once. */
  rateBurst: z.number().int().min(1).max(1_000).default(10),
};
const common = { userId: z.string().min(1).max(200), name: z.string().trim().min(1).max(100), enabled: z.boolean().default(true), ...rate };

/** Input of createChannel (the API schema will reuse it). */
export const ZCreateChannelInput = z.discriminatedUnion("kind", [
  z.object({ ...common, kind: z.literal("email"), config: ZEmailConfig }),
  z.object({ ...common, kind: z.literal("slack"), config: ZUrlConfig }),
  z.object({ ...common, kind: z.literal("webhook"), config: ZUrlConfig }),
  z.object({ ...common, kind: z.literal("in_app"), config: ZInAppConfig.default({}) }),
]);
export type TCreateChannelInput = z.input<typeof ZCreateChannelInput>;

/** What a notification says. `data` is passed through to webhooks (e.g. the alert's values). */
export const ZNotificationPayload = z.object({
  title: z.string().trim().min(1).max(200),
  body: z.string().max(4_000).default(""),
  severity: z.enum(["info", "warning", "critical"]).default("info"),
  url: httpUrl.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type NotificationPayload = z.infer<typeof ZNotificationPayload>;

/** Input of enqueueNotification (the alert engine calls it once per firing). */
export const ZEnqueueNotificationInput = z.object({
  userId: z.string().min(1).max(200),
  /** Same key → same notification: a retried enqueue never duplicates. E.g. `alert|42|1732147200000`. */
  idempotencyKey: z.string().min(1).max(300),
  /** Alert / firing reference shown in the delivery log. */
  sourceRef: z.string().max(300).optional(),
  payload: ZNotificationPayload,
  /** Only these channels (default: every enabled channel of the user). */
  channelIds: z.array(z.uuid()).max(50).optional(),
});
export type TEnqueueNotificationInput = z.input<typeof ZEnqueueNotificationInput>;

export interface ChannelRow {
  id: string;
  userId: string;
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
  /** Webhook signing secret; never returned by listings. */
  secret: string | null;
  enabled: boolean;
  ratePerMinute: number;
  rateBurst: number;
  createdAt: number;
  updatedAt: number;
}

export interface NotificationRow {
  id: string;
  userId: string;
  sourceRef: string | null;
  idempotencyKey: string;
  payload: NotificationPayload;
  createdAt: number;
}

/** Everything one send needs. */
export interface DeliveryContext {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  notification: NotificationRow;
  channel: ChannelRow;
}

/** What a successful send reports for the delivery log. */
export interface SendReceipt {
  responseCode?: number;
  response?: string;
}

/** A failed send. `permanent` failures are dead-lettered at once (no retry helps). */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly refused: boolean;
  readonly responseCode?: number;
  readonly response?: string;

  constructor(message: string, options: { permanent?: boolean; refused?: boolean; responseCode?: number; response?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "DeliveryError";
    this.permanent = options.permanent ?? false;
    this.refused = options.refused ?? false;
    if (options.responseCode !== undefined) this.responseCode = options.responseCode;
    if (options.response !== undefined) this.response = options.response;
  }
}
