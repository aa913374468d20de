/**
 * Signing of generic webhooks (docs/webhooks.md has the receiver's recipe):
 *   X-Marketlens-Timestamp: <unix seconds>
 *   X-Marketlens-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>
 * `verifyWebhookSignature` is the reference verifier (the tests' receiver uses it): constant-time compare and a
 * replay window (default 5 min). Pure apart from crypto; the caller passes the clock.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_HEADER = "X-Marketlens-Timestamp";
export const SIGNATURE_HEADER = "X-Marketlens-Signature";
export const DELIVERY_HEADER = "X-Marketlens-Delivery";

/** A new webhook secret (shown to the user once): `whsec_` + 64 hex chars. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("hex")}`;
}

/**
 * `v1=<hex>` for a timestamp (unix seconds) and the exact body bytes sent.
 * @example signWebhook("whsec_x", 1732147200, '{"a":1}') // "v1=" + hmac_sha256("whsec_x", '1732147200.{"a":1}')
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** Verifies a received webhook; `nowSeconds` is the receiver's clock. */
export function verifyWebhookSignature(options: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): VerifyResult {
  const timestamp = Number(options.timestamp);
  if (!options.timestamp || !Number.isInteger(timestamp)) return { ok: false, reason: "missing or malformed timestamp" };
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return { ok: false, reason: "timestamp outside the replay window" };
  const expected = Buffer.from(signWebhook(options.secret, timestamp, options.body));
  const candidates = (options.signature ?? "").split(",").map((part) => Buffer.from(part.trim()));
  const match = candidates.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return match ? { ok: true } : { ok: false, reason: "signature mismatch" };
}
