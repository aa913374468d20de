/**
 * What each channel shows for a notification: the webhook JSON body, the Slack message (text + Block Kit
 * blocks), the email subject/text and the in-app message. Pure: the same delivery always formats to the same
 * bytes, so a re-sent delivery is byte-identical apart from the timestamp header.
 */
import type { DeliveryContext } from "../../domain/notifications/notification-types.ts";

const SEVERITY_EMOJI = { info: ":information_source:", warning: ":warning:", critical: ":rotating_light:" } as const;

/** Body of a generic webhook (docs/webhooks.md "Body"). */
export function webhookBody(context: DeliveryContext): string {
  const { notification, channel } = context;
  return JSON.stringify({
    id: context.deliveryId,
    type: "notification",
    notification: {
      id: notification.id,
      sourceRef: notification.sourceRef,
      createdAt: new Date(notification.createdAt).toISOString(),
      ...notification.payload,
    },
    channel: { id: channel.id, name: channel.name },
  });
}

/** Slack incoming-webhook message: `text` (notifications/fallback) and blocks. */
export function slackMessage(context: DeliveryContext): { text: string; blocks: object[] } {
  const { payload } = context.notification;
  const text = `${SEVERITY_EMOJI[payload.severity]} *${payload.title}*${payload.body ? `\n${payload.body}` : ""}`;
  const blocks: object[] = [{ type: "section", text: { type: "mrkdwn", text } }];
  const context_ = [`Marketlens · ${payload.severity}`, context.notification.sourceRef ?? ""].filter(Boolean).join(" · ");
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context_ }] });
  if (payload.url) blocks.push({ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open in Marketlens" }, url: payload.url }] });
  return { text, blocks };
}

/** Email subject and plain-text body. */
export function emailContent(context: DeliveryContext): { subject: string; text: string } {
  const { payload, sourceRef, createdAt } = context.notification;
  const prefix = payload.severity === "info" ? "" : `[${payload.severity.toUpperCase()}] `;
  const lines = [payload.title, "", payload.body, payload.url ? `\n${payload.url}` : "", "", `— Marketlens, ${new Date(createdAt).toISOString()}${sourceRef ? ` (${sourceRef})` : ""}`];
  return { subject: `${prefix}${payload.title}`, text: lines.join("\n").replace(/\n{3,}/g, "\n\n") };
}

/** The in-app message: published to the user's channel (toast) and kept in the bell list. */
export interface InAppMessage {
  deliveryId: string;
  notificationId: string;
  title: string;
  body: string;
  severity: "info" | "warning" | "critical";
  url?: string;
  sourceRef: string | null;
  createdAt: number;
}

export function inAppMessage(context: DeliveryContext): InAppMessage {
  const { notification } = context;
  return {
    deliveryId: context.deliveryId,
    notificationId: notification.id,
    title: notification.payload.title,
    body: notification.payload.body,
    severity: notification.payload.severity,
    ...(notification.payload.url ? { url: notification.payload.url } : {}),
    sourceRef: notification.sourceRef,
    createdAt: notification.createdAt,
  };
}
