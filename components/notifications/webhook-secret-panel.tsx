"use client";
/**
 * A webhook signing secret, shown once: after a webhook channel is created and after its secret is rotated.
 * Copy button (clipboard; without permission the secret stays selectable) and "Done", which hides it for good —
 * Marketlens never shows it again. Test hooks: `webhook-secret-panel` (data-rotated), `webhook-secret`.
 */
import { useState } from "react";

export interface ShownSecret {
  channelName: string;
  secret: string;
  /** true after a rotation (the old secret no longer verifies). */
  rotated: boolean;
}

export function WebhookSecretPanel({ shown, onDone }: { shown: ShownSecret; onDone: () => void }) {
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard permission: the secret stays selectable on screen
    }
  }

  return (
    <div className="new-key" role="status" data-testid="webhook-secret-panel" data-rotated={shown.rotated}>
      <p>
        <b>
          {shown.rotated ? `New signing secret of “${shown.channelName}”: copy it now.` : `Copy the signing secret of “${shown.channelName}” now.`}
        </b>{" "}
        It is shown only this once.{" "}
        {shown.rotated ? "Every request from now on is signed with it; the old secret no longer verifies, so update your receiver. " : ""}
        Each request carries <code>X-Marketlens-Signature</code>: HMAC-SHA256 over the timestamp and the body (docs/webhooks.md).
      </p>
      <div className="new-key-row">
        <code data-testid="webhook-secret">{shown.secret}</code>
        <button type="button" className="secondary-button" onClick={() => void copy()}>
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="link-button" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
