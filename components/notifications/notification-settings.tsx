"use client";
/**
 * /settings/notifications client side: add a channel (a webhook's signing secret is shown once here),
 * the channel list with "Send test", and the delivery log.
 */
import { useState } from "react";
import { ChannelForm } from "./channel-form.tsx";
import { ChannelList } from "./channel-list.tsx";
import { DeliveryLog } from "./delivery-log.tsx";

export function NotificationSettings() {
  const [secret, setSecret] = useState<{ channelName: string; secret: string } | null>(null);
  return (
    <>
      <ChannelForm onSecret={setSecret} />
      {secret ? (
        <div className="new-key" role="status" data-testid="webhook-secret-panel">
          <p>
            <b>Copy the signing secret of “{secret.channelName}” now.</b> It is shown only this once. Each request carries{" "}
            <code>X-Marketlens-Signature</code>: HMAC-SHA256 over the timestamp and the body (docs/webhooks.md).
          </p>
          <div className="new-key-row">
            <code data-testid="webhook-secret">{secret.secret}</code>
            <button type="button" className="link-button" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      <ChannelList />
      <DeliveryLog />
    </>
  );
}
