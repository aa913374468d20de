"use client";
/**
 * /settings/notifications client side: add a channel, the channel list (enable/disable, edit, rotate a webhook's
 * secret, "Send test") and the delivery log ("Retry" on dead deliveries). A webhook's signing secret — new or
 * rotated — is shown once here.
 */
import { useState } from "react";
import { ChannelForm } from "./channel-form.tsx";
import { ChannelList } from "./channel-list.tsx";
import { DeliveryLog } from "./delivery-log.tsx";
import { WebhookSecretPanel, type ShownSecret } from "./webhook-secret-panel.tsx";

export function NotificationSettings() {
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  return (
    <>
      <ChannelForm onSecret={(created) => setSecret({ ...created, rotated: false })} />
      {secret ? <WebhookSecretPanel key={secret.secret} shown={secret} onDone={() => setSecret(null)} /> : null}
      <ChannelList onSecret={(rotated) => setSecret({ ...rotated, rotated: true })} />
      <DeliveryLog />
    </>
  );
}
