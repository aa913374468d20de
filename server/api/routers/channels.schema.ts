/**
 * Input schemas of `channels.*` (channels.router.ts) and REST /api/v1/channels/*. The channel config is checked
 * in depth by the notifications service (server/domain/notifications/notification-types.ts, SSRF guard):
 *   create     { kind: "email"|"slack"|"webhook"|"in_app", name, config: { address } | { url } | {}, enabled?, ratePerMinute?, rateBurst? }
 *   update     { id, name?, config?, enabled?, ratePerMinute?, rateBurst? }
 *   sendTest / rotateSecret   { id }
 *   retryDelivery             { id }   (a delivery id)
 *   deliveries { status?, channelId?, kind?, page?, pageSize? }
 */
import { z } from "zod";
import { CHANNEL_KINDS, DELIVERY_STATUSES } from "../../domain/notifications/notification-types.ts";

export const ZCreateChannelApiInput = z.object({
  kind: z.enum(CHANNEL_KINDS, { error: `kind must be one of ${CHANNEL_KINDS.join(", ")}` }),
  name: z.string().trim().min(1, { error: "name must not be empty" }).max(100),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().optional(),
  ratePerMinute: z.number().int().optional(),
  rateBurst: z.number().int().optional(),
});
export type TCreateChannelApiInput = z.infer<typeof ZCreateChannelApiInput>;

export const ZChannelIdInput = z.object({ id: z.uuid({ error: "id must be a channel id (a UUID)" }) });

/** A partial change: at least one field (the service refuses an empty one); `config` is checked against the channel's kind. */
export const ZUpdateChannelApiInput = z
  .object({
    id: z.uuid({ error: "id must be a channel id (a UUID)" }),
    name: z.string().trim().min(1, { error: "name must not be empty" }).max(100).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
    ratePerMinute: z.number().int().optional(),
    rateBurst: z.number().int().optional(),
  })
  .strict();
export type TUpdateChannelApiInput = z.infer<typeof ZUpdateChannelApiInput>;

export const ZDeliveryIdInput = z.object({ id: z.uuid({ error: "id must be a delivery id (a UUID)" }) });

export const ZDeliveriesInput = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    channelId: z.uuid().optional(),
    kind: z.enum(CHANNEL_KINDS).optional(),
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(100).default(25),
  })
  .default({ page: 1, pageSize: 25 });
export type TDeliveriesInput = z.infer<typeof ZDeliveriesInput>;
