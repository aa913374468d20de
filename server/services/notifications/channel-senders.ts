/**
 * The four channel senders. Each takes a DeliveryContext and either returns a receipt (for the delivery log) or
 * throws a DeliveryError (permanent → dead-lettered at once, otherwise retried with backoff):
 * - email: nodemailer over SMTP_URL, Message-ID `<deliveryId@marketlens>` and an X-Marketlens-Delivery header
 *   (the receiver-side idempotency key);
 * - slack: incoming-webhook JSON (text + blocks) through the SSRF-guarded POST;
 * - webhook: signed JSON POST (webhook-signature.ts), X-Marketlens-Delivery = delivery id;
 * - in_app: one Lua script pushes the message on the user's bell list (once per delivery id: a re-run finds it
 *   there and does nothing) and publishes it on `{ns}:notify:user:{userId}` for the gateway.
 * Edit here to add a channel kind (and notification-types.ts).
 */
import type { Redis } from "ioredis";
import nodemailer from "nodemailer";
import type { z } from "zod";
import type { RedisKeys } from "../../redis/keys.ts";
import { postJson } from "./http-post.ts";
import { networkFailure, receiptOf } from "./http-outcome.ts";
import { emailContent, inAppMessage, slackMessage, webhookBody } from "./message-format.ts";
import { DeliveryError, ZEmailConfig, ZUrlConfig, type ChannelKind, type DeliveryContext, type SendReceipt } from "../../domain/notifications/notification-types.ts";
import type { GuardOptions } from "./ssrf-guard.ts";
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from "./webhook-signature.ts";

export interface SenderOptions {
  redis: Redis;
  keys: RedisKeys;
  guard: GuardOptions;
  timeoutMs: number;
  /** SMTP server URL (smtp:// or smtps://); undefined = email channels fail with a clear error. */
  smtpUrl: string | undefined;
  from: string;
  bellSize: number;
  now: () => number;
}

export type Sender = (context: DeliveryContext) => Promise<SendReceipt>;

/** Builds the sender of each channel kind. `close()` closes the SMTP transport. */
export function createSenders(options: SenderOptions): { send(context: DeliveryContext): Promise<SendReceipt>; close(): void } {
  let transport: ReturnType<typeof nodemailer.createTransport> | undefined;
  const mailer = () => {
    if (!options.smtpUrl) throw new DeliveryError("email is not configured on this server (SMTP_URL is unset)", { permanent: true });
    transport ??= nodemailer.createTransport({
      url: options.smtpUrl,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
    return transport;
  };
  const senders: Record<ChannelKind, Sender> = {
    email: (context) => sendEmail(context, mailer, options),
    slack: (context) => sendSlack(context, options),
    webhook: (context) => sendWebhook(context, options),
    in_app: (context) => sendInApp(context, options),
  };
  return {
    send: (context) => senders[context.channel.kind](context),
    close: () => transport?.close(),
  };
}

/** The channel's config, re-validated at send time (a bad row is a permanent failure, not a crash). */
function configOf<T>(schema: z.ZodType<T>, context: DeliveryContext): T {
  const parsed = schema.safeParse(context.channel.config);
  if (!parsed.success) throw new DeliveryError(`channel ${context.channel.id} has an invalid config: ${parsed.error.message}`, { permanent: true });
  return parsed.data;
}

async function sendEmail(context: DeliveryContext, mailer: () => ReturnType<typeof nodemailer.createTransport>, options: SenderOptions): Promise<SendReceipt> {
  const { address } = configOf(ZEmailConfig, context);
  const { subject, text } = emailContent(context);
  try {
    const info = await mailer().sendMail({
      from: options.from,
      to: address,
      subject,
      text,
      messageId: `<${context.deliveryId}@marketlens>`,
      headers: { [DELIVERY_HEADER]: context.deliveryId },
    });
    return { responseCode: Number.parseInt(String(info.response), 10) || 250, response: String(info.response).slice(0, 2_048) };
  } catch (error) {
    if (error instanceof DeliveryError) throw error;
    const smtp = error as { responseCode?: number; response?: string; message?: string; code?: string };
    // 5xx: the server rejects this message for good (bad address, policy); 4xx and connection errors are retried.
    const permanent = typeof smtp.responseCode === "number" && smtp.responseCode >= 500;
    throw new DeliveryError(`SMTP: ${smtp.code ? `${smtp.code}: ` : ""}${smtp.message ?? String(error)}`, {
      permanent,
      ...(smtp.responseCode !== undefined ? { responseCode: smtp.responseCode } : {}),
      ...(smtp.response !== undefined ? { response: smtp.response } : {}),
      cause: error,
    });
  }
}

async function sendSlack(context: DeliveryContext, options: SenderOptions): Promise<SendReceipt> {
  const { url } = configOf(ZUrlConfig, context);
  const body = JSON.stringify(slackMessage(context));
  const result = await postJson({ url, body, headers: { [DELIVERY_HEADER]: context.deliveryId }, timeoutMs: options.timeoutMs, guard: options.guard }).catch((error: unknown) => {
    throw networkFailure(error);
  });
  return receiptOf(result);
}

async function sendWebhook(context: DeliveryContext, options: SenderOptions): Promise<SendReceipt> {
  const { url } = configOf(ZUrlConfig, context);
  if (!context.channel.secret) throw new DeliveryError(`webhook channel ${context.channel.id} has no signing secret`, { permanent: true });
  const body = webhookBody(context);
  const timestamp = Math.floor(options.now() / 1000);
  const headers = {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(context.channel.secret, timestamp, body),
    [DELIVERY_HEADER]: context.deliveryId,
  };
  const result = await postJson({ url, body, headers, timeoutMs: options.timeoutMs, guard: options.guard }).catch((error: unknown) => {
    throw networkFailure(error);
  });
  return receiptOf(result);
}

/** LPUSH + LTRIM + PUBLISH once per delivery id (LPOS finds a message already pushed by an earlier run). */
const IN_APP_SCRIPT = `
if redis.call('LPOS', KEYS[1], ARGV[1]) then return 0 end
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PUBLISH', KEYS[2], ARGV[1])
return 1`;

async function sendInApp(context: DeliveryContext, options: SenderOptions): Promise<SendReceipt> {
  const message = JSON.stringify(inAppMessage(context));
  const userId = context.notification.userId;
  try {
    const pushed = await options.redis.eval(IN_APP_SCRIPT, 2, options.keys.notifyBell(userId), options.keys.notifyUser(userId), message, String(options.bellSize));
    return { response: Number(pushed) === 1 ? "published" : "already in the bell (not published again)" };
  } catch (error) {
    throw new DeliveryError(`Redis: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
