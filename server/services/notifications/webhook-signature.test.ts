/**
 * Webhook signatures: the HMAC matches an independent computation of the documented recipe, and the reference
 * verifier rejects a changed body, a wrong secret, a stale or future timestamp (5 min window) and junk headers.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhookSignature } from "./webhook-signature.ts";

const secret = "whsec_test";
const body = '{"id":"d1","type":"notification"}';
const timestamp = 1_732_147_200;

describe("webhook signature", () => {
  it("is v1= hex HMAC-SHA256 over timestamp + '.' + body", () => {
    const expected = createHmac("sha256", secret).update(`1732147200.${body}`).digest("hex");
    expect(signWebhook(secret, timestamp, body)).toBe(`v1=${expected}`);
  });

  it("verifies a fresh, untouched request", () => {
    const signature = signWebhook(secret, timestamp, body);
    expect(verifyWebhookSignature({ secret, body, timestamp: String(timestamp), signature, nowSeconds: timestamp + 299 })).toEqual({ ok: true });
    // several signatures (secret rotation): any one matching is enough
    expect(verifyWebhookSignature({ secret, body, timestamp: String(timestamp), signature: `v1=00, ${signature}`, nowSeconds: timestamp })).toEqual({ ok: true });
  });

  it.each([
    ["a changed body", { body: body.replace("d1", "d2") }, "signature mismatch"],
    ["another secret", { secret: "whsec_other" }, "signature mismatch"],
    ["a stale timestamp", { nowSeconds: timestamp + 301 }, "replay window"],
    ["a future timestamp", { nowSeconds: timestamp - 301 }, "replay window"],
    ["no timestamp", { timestamp: undefined }, "timestamp"],
    ["a junk timestamp", { timestamp: "12abc" }, "timestamp"],
    ["no signature", { signature: undefined }, "signature mismatch"],
  ])("rejects %s", (_label, change, reason) => {
    const base = { secret, body, timestamp: String(timestamp) as string | undefined, signature: signWebhook(secret, timestamp, body) as string | undefined, nowSeconds: timestamp };
    const result = verifyWebhookSignature({ ...base, ...change });
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("makes distinct 32-byte secrets", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(newWebhookSecret()).not.toBe(a);
  });
});
