import { describe, expect, it } from "vitest";
import { createCollectorMetrics } from "../../server/observability/collector-metrics.ts";
import { SourceBreaker, type BreakerSnapshot } from "../../server/sources/circuit-breaker.ts";
import { breakerHealth, restCircuitReason, watchBreaker } from "./collector-breakers.ts";

const closed: BreakerSnapshot = { state: "closed", since: 0, failures: 0 };
const open = (failures: number, lastError?: string, extra: Partial<BreakerSnapshot> = {}): BreakerSnapshot => ({
  state: "open",
  since: Date.UTC(2026, 10, 22, 1, 0, 0),
  failures,
  ...(lastError ? { lastError } : {}),
  ...extra,
});

describe("breakerHealth", () => {
  it("nothing open: null", () => {
    expect(breakerHealth({ rest: closed, stream: closed })).toBeNull();
    expect(breakerHealth({ rest: closed, stream: { ...closed, state: "half-open" } })).toBeNull();
  });

  it("an open stream circuit is down, with the failures and the last error; with timing, since when and the next attempt", () => {
    expect(breakerHealth({ rest: closed, stream: open(5, "ECONNREFUSED") })).toEqual({ down: true, reason: "stream circuit open after 5 consecutive failed connects (ECONNREFUSED)" });
    expect(breakerHealth({ rest: open(3), stream: open(5) }, { nextAttemptInMs: () => 41_200 })).toEqual({
      down: true,
      reason: "stream circuit open since 2026-11-22T01:00:00.000Z after 5 consecutive failed connects; next attempt in 42s",
    });
  });

  it("an open REST circuit only gives the reason; a stream circuit held open on purpose does not count", () => {
    const restOpen = { down: false, reason: "REST circuit open after 4 consecutive failures (HTTP 500); gap repair waits for it" };
    expect(breakerHealth({ rest: open(4, "HTTP 500"), stream: closed })).toEqual(restOpen);
    expect(breakerHealth({ rest: open(4, "HTTP 500"), stream: open(0, undefined, { heldReason: "market closed" }) })).toEqual(restOpen);
    expect(breakerHealth({ rest: closed, stream: open(0, undefined, { heldReason: "market closed" }) })).toBeNull();
  });

  it("restCircuitReason alone (Yahoo) has no gap-repair note", () => {
    expect(restCircuitReason(open(2))).toBe("REST circuit open after 2 consecutive failures");
  });
});

describe("watchBreaker", () => {
  it("keeps the state gauge and the transitions counter, logs an opening as an error, and is silent while held", async () => {
    const metrics = createCollectorMetrics();
    const logged: [string, string][] = [];
    const breaker = new SourceBreaker("test", "rest", { failureThreshold: 2, halfOpenAfterMs: 60_000, closeAfterSuccesses: 1 });
    watchBreaker(breaker, "demo", metrics, (level, message) => logged.push([level, message]));
    const gauge = async () => (await metrics.circuitState.get()).values.find((value) => value.labels.source === "demo" && value.labels.kind === "rest")?.value;
    expect(await gauge()).toBe(0);
    for (let attempt = 0; attempt < 2; attempt++) await breaker.execute(() => Promise.reject(new Error("HTTP 500"))).catch(() => undefined);
    expect(await gauge()).toBe(2);
    expect(logged).toEqual([["error", "rest circuit closed → open"]]);
    expect((await metrics.circuitTransitions.get()).values.find((value) => value.labels.to === "open")?.value).toBe(1);
    const held = new SourceBreaker("test", "stream");
    watchBreaker(held, "demo", metrics, (level, message) => logged.push([level, message]));
    held.hold("market closed");
    expect(logged).toHaveLength(1); // a circuit held open on purpose is not worth a log line
    expect((await metrics.circuitState.get()).values.find((value) => value.labels.kind === "stream")?.value).toBe(2);
  });
});
