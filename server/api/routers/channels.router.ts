/**
 * tRPC `channels.*` over the notifications service (server/services/notifications), signed-in users, own channels only:
 *   list()                         → PublicChannel[]   { id, userId, kind, name, config, enabled, ratePerMinute, rateBurst, createdAt, updatedAt } (ms)
 *   create(ZCreateChannelApiInput) → PublicChannel & { secret? }   (webhook signing secret, shown this once)
 *   update(ZUpdateChannelApiInput) → PublicChannel   (rename, new target, enable/disable, rate limit)
 *   rotateSecret({ id })           → PublicChannel & { secret }   (webhook only; the new secret, shown this once)
 *   sendTest({ id })               → { notificationId, created, deliveries: [{ id, channelId, status }], queued }
 *   retryDelivery({ id })          → { id, notificationId, channelId, status, requeued }   (a dead delivery, same delivery id)
 *   deliveries(ZDeliveriesInput)   → { items: DeliveryLogRow[], total, page, pageSize }   newest first, with attempts
 */
import { notificationDeps } from "../../services/alerts-notify.ts";
import { rotateWebhookSecret, updateChannel, type ChannelActor } from "../../services/notifications/channel-management.service.ts";
import { retryDelivery } from "../../services/notifications/delivery-retry.service.ts";
import { createChannel, listChannels, listDeliveries, sendTest, type NotificationServiceDeps } from "../../services/notifications/notifications.service.ts";
import type { TRPCContext } from "../trpc.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { ZChannelIdInput, ZCreateChannelApiInput, ZDeliveriesInput, ZDeliveryIdInput, ZUpdateChannelApiInput } from "./channels.schema.ts";

const depsOf = (ctx: TRPCContext): NotificationServiceDeps => notificationDeps(ctx.services.deps);
const actorOf = (user: { id: string; ip: string }): ChannelActor => ({ userId: user.id, actorIp: user.ip });

export const channelsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listChannels(ctx.services.deps, ctx.user.id)),
  create: protectedProcedure
    .input(ZCreateChannelApiInput)
    .mutation(({ ctx, input }) => createChannel(depsOf(ctx), { ...input, userId: ctx.user.id } as Parameters<typeof createChannel>[1], { actorIp: ctx.user.ip })),
  update: protectedProcedure.input(ZUpdateChannelApiInput).mutation(({ ctx, input }) => updateChannel(depsOf(ctx), actorOf(ctx.user), input)),
  rotateSecret: protectedProcedure.input(ZChannelIdInput).mutation(({ ctx, input }) => rotateWebhookSecret(depsOf(ctx), actorOf(ctx.user), input.id)),
  retryDelivery: protectedProcedure.input(ZDeliveryIdInput).mutation(({ ctx, input }) => retryDelivery(depsOf(ctx), actorOf(ctx.user), input.id)),
  sendTest: protectedProcedure.input(ZChannelIdInput).mutation(({ ctx, input }) => sendTest(depsOf(ctx), input.id, { userId: ctx.user.id, now: ctx.services.deps.now() })),
  deliveries: protectedProcedure.input(ZDeliveriesInput).query(({ ctx, input }) => {
    const { page, pageSize, ...filters } = input;
    return listDeliveries(ctx.services.deps, ctx.user.id, filters, { page, pageSize });
  }),
});
