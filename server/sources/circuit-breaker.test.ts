/**
 * The source circuit breaker policy (cockatiel underneath) with small timings: 5 consecutive failures open it,
 * calls fail fast while open, a probe is let through after halfOpenAfter, 2 successes close it, and a failure
 * while half-open (or on probation after the first success) re-opens it.
 */
import { BrokenCircuitError } from "cockatiel";
import { describe, expect, it } from "vitest";
import { CircuitOpenError, SourceBreaker, type BreakerState } from "./circuit-breaker.ts";

const HALF_OPEN_MS = 80;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fail = () => Promise.reject(new Error("connection refused"));
const ok = () => Promise.resolve("ok");

function breakerWithLog() {
  const breaker = new SourceBreaker("test", "rest", { halfOpenAfterMs: HALF_OPEN_MS });
  const transitions: string[] = [];
  breaker.onTransition(({ from, to }) => transitions.push(`${from}->${to}`));
  return { breaker, transitions };
}

async function failTimes(breaker: SourceBreaker, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await expect(breaker.execute(fail)).rejects.toThrow("connection refused");
}

describe("SourceBreaker", () => {
  it("has the issue's defaults", () => {
    expect(new SourceBreaker("binance", "stream").options).toEqual({ failureThreshold: 5, halfOpenAfterMs: 60_000, closeAfterSuccesses: 2 });
  });

  it("opens after 5 consecutive failures and then fails fast without calling the function", async () => {
    const { breaker, transitions } = breakerWithLog();
    await failTimes(breaker, 4);
    expect(breaker.snapshot()).toMatchObject({ state: "closed", failures: 4 });
    await failTimes(breaker, 1);
    expect(breaker.snapshot()).toMatchObject({ state: "open", failures: 5, lastError: "connection refused" });
    let calls = 0;
    const error = await breaker.execute(() => ++calls).catch((caught: unknown) => caught);
    expect(calls).toBe(0);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(error).toBeInstanceOf(BrokenCircuitError);
    expect((error as CircuitOpenError).retryInMs).toBeGreaterThan(0);
    expect((error as Error).message).toContain("test rest circuit is open");
    expect(breaker.msUntilHalfOpen()).toBeGreaterThan(0);
    expect(transitions).toEqual(["closed->open"]);
  });

  it("a success resets the consecutive count; non-failures (e.g. HTTP 400) do not count", async () => {
    const { breaker } = breakerWithLog();
    await failTimes(breaker, 4);
    await breaker.execute(ok);
    await failTimes(breaker, 4);
    const badRequest = Object.assign(new Error("HTTP 400"), { status: 400 });
    for (let i = 0; i < 3; i += 1) {
      await expect(breaker.execute(() => Promise.reject(badRequest), (e) => (e as { status?: number }).status !== 400)).rejects.toBe(badRequest);
    }
    expect(breaker.state).toBe("closed");
  });

  it("half-opens after the delay and closes only after 2 successes", async () => {
    const { breaker, transitions } = breakerWithLog();
    await failTimes(breaker, 5);
    await sleep(HALF_OPEN_MS + 20);
    expect(breaker.msUntilHalfOpen()).toBe(0);
    expect(await breaker.execute(ok)).toBe("ok"); // the probe
    expect(breaker.state).toBe("half-open");
    expect(await breaker.execute(ok)).toBe("ok");
    expect(breaker.snapshot()).toEqual({ state: "closed", since: expect.any(Number), failures: 0 });
    expect(transitions).toEqual(["closed->open", "open->half-open", "half-open->closed"]);
  });

  it("re-opens when the half-open probe fails", async () => {
    const { breaker, transitions } = breakerWithLog();
    await failTimes(breaker, 5);
    await sleep(HALF_OPEN_MS + 20);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(transitions).toEqual(["closed->open", "open->half-open", "half-open->open"]);
  });

  it("re-opens on a failure after the first half-open success (before the second)", async () => {
    const { breaker, transitions } = breakerWithLog();
    await failTimes(breaker, 5);
    await sleep(HALF_OPEN_MS + 20);
    await breaker.execute(ok);
    expect(breaker.state).toBe("half-open");
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(CircuitOpenError);
    // and recovers again after another delay + 2 successes
    await sleep(HALF_OPEN_MS + 20);
    await breaker.execute(ok);
    await breaker.execute(ok);
    const states: BreakerState[] = transitions.map((t) => t.split("->")[1] as BreakerState);
    expect(states).toEqual(["open", "half-open", "open", "half-open", "closed"]);
  });
});
