/**
 * tRPC `channels.*` over the notifications service (server/services/notifications), signed-in users, own channels only:
 *   list()                         → PublicChannel[]   { id, userId, kind, name, config, enabled, ratePerMinute, rateBurst, createdAt, updatedAt } (ms)
 *   create(ZCreateChannelApiInput) → PublicChannel & { secret? }   (webhook signing secret, shown this once)
 *   sendTest({ id })               → { notificationId, created, deliveries: [{ id, channelId, status }], queued }
 *   deliveries(ZDeliveriesInput)   → { items: DeliveryLogRow[], total, page, pageSize }   newest first, with attempts
 */
import { notificationDeps } from "../../services/alerts-notify.ts";
import { createChannel, listChannels, listDeliveries, sendTest, type NotificationServiceDeps } from "../../services/notifications/notifications.service.ts";
import type { TRPCContext } from "../trpc.ts";
import { protectedProcedure, router } from "../trpc.ts";
import { ZChannelIdInput, ZCreateChannelApiInput, ZDeliveriesInput } from "./channels.schema.ts";

const depsOf = (ctx: TRPCContext): NotificationServiceDeps => notificationDeps(ctx.services.deps);

export const channelsRouter = router({
  list: protectedProcedure.query(({ ctx }) => listChannels(ctx.services.deps, ctx.user.id)),
  create: protectedProcedure.input(ZCreateChannelApiInput).mutation(({ ctx, input }) => createChannel(depsOf(ctx), { ...input, userId: ctx.user.id } as Parameters<typeof createChannel>[1])),
  sendTest: protectedProcedure.input(ZChannelIdInput).mutation(({ ctx, input }) => sendTest(depsOf(ctx), input.id, { userId: ctx.user.id, now: ctx.services.deps.now() })),
  deliveries: protectedProcedure.input(ZDeliveriesInput).query(({ ctx, input }) => {
    const { page, pageSize, ...filters } = input;
    return listDeliveries(ctx.services.deps, ctx.user.id, filters, { page, pageSize });
  }),
});
