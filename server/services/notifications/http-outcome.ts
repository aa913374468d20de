/**
 * Turns the answer of a webhook/Slack POST into a delivery result: 2xx delivered; 3xx a permanent failure
 * (redirects are not followed); 408, 425, 429 and 5xx retried; any other 4xx permanent (the receiver rejects
 * the request, a retry would not change that). Network errors and timeouts are retried; an SSRF refusal is
 * permanent and logged as "refused".
 */
import type { PostResult } from "./http-post.ts";
import { DeliveryError, type SendReceipt } from "../../domain/notifications/notification-types.ts";
import { SsrfRefusedError } from "./ssrf-guard.ts";

const RETRYABLE_4XX = new Set([408, 425, 429]);

export function receiptOf(result: PostResult): SendReceipt {
  const { status, body } = result;
  if (status >= 200 && status < 300) return { responseCode: status, response: body };
  if (status >= 300 && status < 400) {
    throw new DeliveryError(`HTTP ${status}: redirect${result.location ? ` to ${result.location}` : ""} not followed`, { permanent: true, responseCode: status, response: body });
  }
  const permanent = status < 500 && !RETRYABLE_4XX.has(status);
  throw new DeliveryError(`HTTP ${status}`, { permanent, responseCode: status, response: body });
}

/** Wraps errors thrown before an HTTP answer (refusal, DNS, connect, timeout). */
export function networkFailure(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof SsrfRefusedError) return new DeliveryError(error.message, { permanent: true, refused: true, cause: error });
  const message = error instanceof Error ? `${(error as NodeJS.ErrnoException).code ? `${(error as NodeJS.ErrnoException).code}: ` : ""}${error.message}` : String(error);
  return new DeliveryError(message, { cause: error });
}
