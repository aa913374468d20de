/**
 * A collector's circuit breakers, handled the same way by every collector: `watchBreaker` keeps the
 * marketlens_circuit_* metrics and logs the transitions; `breakerHealth` says what an open circuit means for
 * the collector's health: an open stream circuit makes it "down" (unless held open on purpose, e.g. "market
 * closed": that is the session gate's "closed"), an open REST circuit keeps it streaming but gap repair waits.
 * The Binance and Alpaca collectors use both, the Yahoo collector (REST only) `watchBreaker` and `restCircuitReason`.
 */
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { BREAKER_STATE_VALUE, type BreakerSnapshot, type SourceBreaker } from "../../server/sources/circuit-breaker.ts";

export type BreakerLog = (level: "warn" | "error", message: string, details: object) => void;

/**
 * Sets the state gauge of `breaker` now and on every transition, counts the transitions, and logs each one
 * ("rest circuit closed → open", error when it opens) except while the circuit is held open on purpose.
 */
export function watchBreaker(breaker: SourceBreaker, source: string, metrics: Pick<CollectorMetrics, "circuitState" | "circuitTransitions">, log: BreakerLog): void {
  const labels = { source, kind: breaker.kind };
  metrics.circuitState.set(labels, BREAKER_STATE_VALUE[breaker.state]);
  breaker.onTransition(({ from, to, snapshot }) => {
    metrics.circuitState.set(labels, BREAKER_STATE_VALUE[to]);
    metrics.circuitTransitions.inc({ ...labels, to });
    if (!snapshot.heldReason) log(to === "open" ? "error" : "warn", `${breaker.kind} circuit ${from} → ${to}`, snapshot);
  });
}

const lastError = (breaker: BreakerSnapshot): string => (breaker.lastError ? ` (${breaker.lastError})` : "");

/** `REST circuit open after 5 consecutive failures (HTTP 500)` */
export function restCircuitReason(rest: BreakerSnapshot): string {
  return `REST circuit open after ${rest.failures} consecutive failures${lastError(rest)}`;
}

export interface StreamCircuitTiming {
  /** Milliseconds until the next connect attempt (SourceBreaker.msUntilHalfOpen); adds since when and the next attempt. */
  nextAttemptInMs: () => number;
}

/**
 * The status and reason a collector's breakers impose, or null when neither circuit is open (a held stream
 * circuit does not count). With `timing` the stream reason says since when it is open and when it retries.
 * @example
 * const tripped = breakerHealth({ rest, stream });
 * if (tripped) [status, reason] = [tripped.down ? "down" : status, tripped.reason];
 * // stream open after 5 failures → { down: true, reason: "stream circuit open after 5 consecutive failed connects (ECONNREFUSED)" }
 */
export function breakerHealth(breakers: { rest: BreakerSnapshot; stream: BreakerSnapshot }, timing?: StreamCircuitTiming): { down: boolean; reason: string } | null {
  const { rest, stream } = breakers;
  if (stream.state === "open" && !stream.heldReason) {
    const since = timing ? ` since ${new Date(stream.since).toISOString()}` : "";
    const next = timing ? `; next attempt in ${Math.ceil(timing.nextAttemptInMs() / 1000)}s` : "";
    return { down: true, reason: `stream circuit open${since} after ${stream.failures} consecutive failed connects${lastError(stream)}${next}` };
  }
  if (rest.state === "open") return { down: false, reason: `${restCircuitReason(rest)}; gap repair waits for it` };
  return null;
}
