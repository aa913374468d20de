/**
 * One delivery attempt, the core of the notifier (workers/notifier/notify.processor.ts wraps it for BullMQ):
 *
 *   load delivery ─► delivered/dead? skip ─► channel disabled? dead ─► rate limit (wait? → caller delays the job)
 *     ─► mark `sending` + open attempt row (committed BEFORE the network call)
 *     ─► send ─► `delivered` (attempt delivered)        | DeliveryError ─► `failed` (retry) or `dead` (permanent/last)
 *
 * Exactly-once as seen by the database: a delivery becomes `delivered` once, and a run that finds it delivered
 * sends nothing. The one window left is a crash after the receiver got the request and before `delivered` was
 * committed: the retry sends again with the SAME delivery id (X-Marketlens-Delivery header, email Message-ID),
 * so the receiver can drop the duplicate (docs/webhooks.md "Delivery guarantee").
 */
import type pg from "pg";
import type { DeliveryContext, SendReceipt } from "../../domain/notifications/notification-types.ts";
import { DeliveryError } from "../../domain/notifications/notification-types.ts";
import { beginAttempt, countRateLimited, finishAttempt, loadDeliveryContext, markDead } from "../../db/notifications.repo.ts";

export type AttemptReport =
  | { kind: "delivered"; attempt: number; resumed: boolean; receipt: SendReceipt }
  | { kind: "skipped"; reason: "already-delivered" | "dead" | "missing" }
  | { kind: "dead-channel"; reason: string }
  | { kind: "rate-limited"; waitMs: number };

export interface DeliveryDeps {
  pool: pg.Pool;
  send(context: DeliveryContext): Promise<SendReceipt>;
  /** Token bucket of the channel: 0 = go, else ms to wait (rate-limit.ts). */
  takeToken(context: DeliveryContext): Promise<number>;
  now: () => number;
}

/** Thrown when a send failed; `dead` says whether the delivery was dead-lettered (no retry follows). */
export class AttemptFailedError extends Error {
  constructor(
    readonly cause: DeliveryError,
    readonly dead: boolean,
    readonly attempt: number,
  ) {
    super(cause.message, { cause });
    this.name = "AttemptFailedError";
  }
}

/**
 * Runs one attempt of a delivery. `finalAttempt`: no retry follows a failure (the delivery goes dead).
 * Resolves with what happened, or throws AttemptFailedError after recording the failed attempt.
 */
export async function attemptDelivery(deps: DeliveryDeps, deliveryId: string, options: { finalAttempt: boolean }): Promise<AttemptReport> {
  const context = await loadDeliveryContext(deps.pool, deliveryId);
  if (!context) return { kind: "skipped", reason: "missing" };
  if (context.status === "delivered") return { kind: "skipped", reason: "already-delivered" };
  if (context.status === "dead") return { kind: "skipped", reason: "dead" };
  if (!context.channel.enabled) {
    const reason = `channel ${context.channel.name} is disabled`;
    await markDead(deps.pool, deliveryId, reason);
    return { kind: "dead-channel", reason };
  }
  const waitMs = await deps.takeToken(context);
  if (waitMs > 0) {
    await countRateLimited(deps.pool, deliveryId);
    return { kind: "rate-limited", waitMs };
  }
  const started = await beginAttempt(deps.pool, deliveryId);
  if (!started) return { kind: "skipped", reason: "already-delivered" };
  const startedAt = deps.now();
  try {
    const receipt = await deps.send(context);
    await finishAttempt(deps.pool, deliveryId, started.attemptId, {
      outcome: "delivered",
      status: "delivered",
      ...receipt,
      durationMs: deps.now() - startedAt,
    });
    return { kind: "delivered", attempt: started.attempt, resumed: started.resumed, receipt };
  } catch (error) {
    const failure = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), { cause: error });
    const dead = failure.permanent || options.finalAttempt;
    await finishAttempt(deps.pool, deliveryId, started.attemptId, {
      outcome: failure.refused ? "refused" : "failed",
      status: dead ? "dead" : "failed",
      ...(failure.responseCode !== undefined ? { responseCode: failure.responseCode } : {}),
      ...(failure.response !== undefined ? { response: failure.response } : {}),
      error: failure.message,
      durationMs: deps.now() - startedAt,
    });
    throw new AttemptFailedError(failure, dead, started.attempt);
  }
}
