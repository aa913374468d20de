/**
 * REST /api/v1/channels for the signed-in user (access "account"), over the notifications service like tRPC
 * `channels.*`; another user's channel answers 404.
 *   GET  /api/v1/channels              → { channels: PublicChannel[] }
 *   POST /api/v1/channels              → 201 { channel }   (webhook: `channel.secret`, shown this once)
 *   PATCH /api/v1/channels/{id}        → { channel }   body { name?, config?, enabled?, ratePerMinute?, rateBurst? }
 *   POST /api/v1/channels/{id}/rotate-secret → { channel }   (webhook: the new `channel.secret`, shown this once)
 *   POST /api/v1/channels/{id}/test    → 202 { notificationId, created, deliveries, queued }
 *   POST /api/v1/channels/deliveries/{id}/retry → 202 { id, notificationId, channelId, status, requeued }   (dead deliveries)
 *   GET  /api/v1/channels/deliveries   → { items, total, page, pageSize }   ?status&channelId&kind&page&pageSize
 */
import type { Principal } from "../../auth/principal.ts";
import { AppError } from "../../services/app-error.ts";
import { notificationDeps } from "../../services/alerts-notify.ts";
import { rotateWebhookSecret, updateChannel, type ChannelActor } from "../../services/notifications/channel-management.service.ts";
import { retryDelivery } from "../../services/notifications/delivery-retry.service.ts";
import { createChannel, listChannels, listDeliveries, sendTest } from "../../services/notifications/notifications.service.ts";
import type { ServiceDeps } from "../../services/service-deps.ts";
import { errorResponse } from "../errors.ts";
import { ZChannelIdInput, ZCreateChannelApiInput, ZDeliveriesInput, ZDeliveryIdInput, ZUpdateChannelApiInput } from "../routers/channels.schema.ts";
import { parseInput, readJsonBody, userOf } from "./alerts.handler.ts";

const NO_STORE = { "cache-control": "no-store" };

async function answer(run: () => Promise<unknown>, status = 200): Promise<Response> {
  try {
    return Response.json(await run(), { status, headers: NO_STORE });
  } catch (error) {
    return errorResponse(error);
  }
}

function actorOf(principal: Principal): ChannelActor {
  return { userId: userOf(principal), actorIp: principal.ip };
}

export const handleListChannels = (principal: Principal, deps: ServiceDeps) => answer(async () => ({ channels: await listChannels(deps, userOf(principal)) }));

export const handleCreateChannel = (request: Request, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const userId = userOf(principal);
    const input = parseInput(ZCreateChannelApiInput, await readJsonBody(request));
    return { channel: await createChannel(notificationDeps(deps), { ...input, userId } as Parameters<typeof createChannel>[1], { actorIp: principal.ip }) };
  }, 201);

export const handleUpdateChannel = (request: Request, id: string, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const actor = actorOf(principal);
    const body = await readJsonBody(request);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError("BAD_REQUEST", "send a JSON object: { name?, config?, enabled?, ratePerMinute?, rateBurst? }");
    if ("id" in body) throw new AppError("BAD_REQUEST", "the channel id belongs in the path, not in the body");
    const input = parseInput(ZUpdateChannelApiInput, { ...body, id });
    return { channel: await updateChannel(notificationDeps(deps), actor, input) };
  });

export const handleRotateSecret = (id: string, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const actor = actorOf(principal);
    const channel = parseInput(ZChannelIdInput, { id });
    return { channel: await rotateWebhookSecret(notificationDeps(deps), actor, channel.id) };
  });

export const handleRetryDelivery = (id: string, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const actor = actorOf(principal);
    const delivery = parseInput(ZDeliveryIdInput, { id });
    return retryDelivery(notificationDeps(deps), actor, delivery.id);
  }, 202);

export const handleSendTest = (id: string, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const userId = userOf(principal);
    const channel = parseInput(ZChannelIdInput, { id });
    return sendTest(notificationDeps(deps), channel.id, { userId, now: deps.now() });
  }, 202);

export const handleListDeliveries = (request: Request, principal: Principal, deps: ServiceDeps) =>
  answer(async () => {
    const userId = userOf(principal);
    const query = new URL(request.url).searchParams;
    const number = (name: string) => {
      const value = query.get(name);
      if (value === null || value === "") return undefined;
      if (!/^\d+$/.test(value)) throw new AppError("BAD_REQUEST", `${name} must be a positive integer (got ${JSON.stringify(value)})`);
      return Number(value);
    };
    const { page, pageSize, ...filters } = parseInput(ZDeliveriesInput, {
      status: query.get("status") ?? undefined,
      channelId: query.get("channelId") ?? undefined,
      kind: query.get("kind") ?? undefined,
      page: number("page"),
      pageSize: number("pageSize"),
    });
    return listDeliveries(deps, userId, filters, { page, pageSize });
  });
