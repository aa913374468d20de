/**
 * Managing an existing notification channel (the settings page, tRPC `channels.update/rotateSecret`, REST
 * `PATCH /api/v1/channels/{id}` and `POST /api/v1/channels/{id}/rotate-secret`):
 * - updateChannel: rename, change the target (email address or Slack/webhook URL — a URL goes through the same
 *   SSRF guard as at creation), enable/disable, change the rate limit. A disabled channel gets no new deliveries
 *   (notifications.service.ts leaves it out; a job already queued for it is dead-lettered when it runs).
 * - rotateWebhookSecret: a new signing secret, generated here, stored like at creation and returned this once;
 *   every send after the rotation (retries of older deliveries too) is signed with it, the old one stops working.
 * Another user's channel is NOT_FOUND, like a missing one. Bad input throws AppError("BAD_REQUEST") and changes
 * nothing. Every change is audited (channel.update, channel.rotate_secret).
 */
import { z } from "zod";
import { ZEmailConfig, ZInAppConfig, ZUrlConfig, type ChannelKind, type ChannelRow } from "../../domain/notifications/notification-types.ts";
import { findChannel, replaceWebhookSecret, updateChannelOfUser, type ChannelPatch } from "../../db/notifications.repo.ts";
import { AppError } from "../app-error.ts";
import { recordAudit } from "../audit.service.ts";
import { parse, publicChannel, refuseUnsafeUrl, type NotificationServiceDeps, type PublicChannel } from "./notifications.service.ts";
import { newWebhookSecret } from "./webhook-signature.ts";

/** Who acts: the signed-in user (and where from, for the audit log). */
export interface ChannelActor {
  userId: string;
  actorIp?: string | null;
}

const ZChannelPatch = z
  .object({
    id: z.uuid({ error: "id must be a channel id (a UUID)" }),
    name: z.string().trim().min(1, { error: "name must not be empty" }).max(100).optional(),
    config: z.record(z.string(), z.unknown()).optional(),
    enabled: z.boolean().optional(),
    ratePerMinute: z.number().int().min(1).max(6_000).optional(),
    rateBurst: z.number().int().min(1).max(1_000).optional(),
  })
  .strict();
export type TUpdateChannelInput = z.input<typeof ZChannelPatch>;

const CONFIG_OF_KIND: Record<ChannelKind, z.ZodType<Record<string, unknown>>> = {
  email: ZEmailConfig.strict(),
  slack: ZUrlConfig.strict(),
  webhook: ZUrlConfig.strict(),
  in_app: ZInAppConfig,
};

/** The user's channel, or NOT_FOUND (a missing channel and another user's look the same). */
async function ownChannel(deps: Pick<NotificationServiceDeps, "pool">, channelId: string, userId: string): Promise<ChannelRow> {
  const channel = await findChannel(deps.pool, channelId);
  if (!channel || channel.userId !== userId) throw new AppError("NOT_FOUND", `no notification channel ${channelId}`);
  return channel;
}

/** Applies a partial change to one of the user's channels and returns it (no secret). */
export async function updateChannel(deps: NotificationServiceDeps, actor: ChannelActor, input: TUpdateChannelInput): Promise<PublicChannel> {
  const { id, ...patch } = parse(ZChannelPatch, input, "invalid channel change");
  const changed = (Object.keys(patch) as (keyof typeof patch)[]).filter((field) => patch[field] !== undefined);
  if (changed.length === 0) throw new AppError("BAD_REQUEST", "invalid channel change: give at least one of name, config, enabled, ratePerMinute, rateBurst");
  const channel = await ownChannel(deps, id, actor.userId);
  if (channel.kind === "in_app" && patch.enabled === false) throw new AppError("BAD_REQUEST", "the in-app channel is always on (alerts always show in the bell)");
  const update: ChannelPatch = { ...patch };
  if (patch.config !== undefined) {
    const config = parse(CONFIG_OF_KIND[channel.kind], patch.config, `invalid channel change (${channel.kind} channel)`);
    if ((channel.kind === "slack" || channel.kind === "webhook") && typeof config.url === "string") await refuseUnsafeUrl(config.url, deps.guard);
    update.config = config;
  }
  const row = await updateChannelOfUser(deps.pool, id, actor.userId, update);
  if (!row) throw new AppError("NOT_FOUND", `no notification channel ${id}`); // deleted meanwhile
  await recordAudit(deps.pool, {
    action: "channel.update",
    userId: actor.userId,
    actorIp: actor.actorIp ?? null,
    target: `channel:${id}`,
    // field names only: a Slack or webhook URL can itself be a credential
    details: { kind: row.kind, name: row.name, changed, ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}) },
  });
  return publicChannel(row);
}

/** Replaces a webhook channel's signing secret; the result carries the new `secret`, shown this once. */
export async function rotateWebhookSecret(deps: Pick<NotificationServiceDeps, "pool">, actor: ChannelActor, channelId: string): Promise<PublicChannel & { secret: string }> {
  const id = parse(z.uuid({ error: "id must be a channel id (a UUID)" }), channelId, "invalid channel id");
  const channel = await ownChannel(deps, id, actor.userId);
  if (channel.kind !== "webhook") throw new AppError("BAD_REQUEST", `channel ${channel.name} is a ${channel.kind} channel; only webhook channels have a signing secret`);
  const secret = newWebhookSecret();
  const row = await replaceWebhookSecret(deps.pool, id, actor.userId, secret);
  if (!row) throw new AppError("NOT_FOUND", `no notification channel ${id}`);
  await recordAudit(deps.pool, { action: "channel.rotate_secret", userId: actor.userId, actorIp: actor.actorIp ?? null, target: `channel:${id}`, details: { name: row.name } });
  return { ...publicChannel(row), secret };
}
