/**
 * The session gate with a fake clock (vitest fake timers) on the NYSE calendar: it holds the stream breaker open
 * ("market closed; opens …") outside sessions, releases it at the next open, across the 2024 DST switches, an
 * early close and a holiday, and calls onOpen/onClose once per transition.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExchangeCalendar } from "../domain/calendars/exchange-calendar.ts";
import { CircuitOpenError, SourceBreaker } from "./circuit-breaker.ts";
import { closedReason, SessionGate } from "./session-gate.ts";

const nyse = createExchangeCalendar("NYSE", {
  covers: { from: "2024-01-01", to: "2024-12-31" },
  holidays: [
    { date: "2024-07-03", name: "Day before Independence Day", closed: false, earlyClose: "13:00" },
    { date: "2024-07-04", name: "Independence Day", closed: true },
  ],
});
const utc = (iso: string) => Date.parse(iso);
const MINUTE = 60_000;

function gateAt(iso: string) {
  vi.setSystemTime(utc(iso));
  const breaker = new SourceBreaker("alpaca", "stream");
  const events: string[] = [];
  const gate = new SessionGate({
    calendar: nyse,
    breaker,
    onOpen: (session) => events.push(`open ${session.date}`),
    onClose: ({ reason }) => events.push(reason),
  });
  return { breaker, events, gate };
}

describe("SessionGate", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("Friday close (EST) → held with reason until Monday's open (EDT, after the DST switch), then released", async () => {
    const { breaker, events, gate } = gateAt("2024-03-08T20:58:00Z"); // 15:58 EST
    expect(gate.start()).toMatchObject({ open: true });
    expect(breaker.state).toBe("closed");
    await vi.advanceTimersByTimeAsync(2 * MINUTE); // 16:00 EST = 21:00Z
    expect(gate.isOpen).toBe(false);
    expect(gate.reason).toBe("market closed; opens 2024-03-11T13:30:00Z"); // 09:30 EDT
    expect(breaker.snapshot()).toMatchObject({ state: "open", heldReason: "market closed", heldUntil: utc("2024-03-11T13:30:00Z") });
    const error = await breaker.execute(() => "never").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as Error).message).toMatch(/^alpaca stream circuit is held open: market closed; released in \d+s$/);
    await vi.advanceTimersByTimeAsync(utc("2024-03-11T13:29:59Z") - Date.now());
    expect(gate.isOpen).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(gate.isOpen).toBe(true);
    expect(breaker.snapshot()).toEqual({ state: "closed", since: utc("2024-03-11T13:30:00Z"), failures: 0 });
    await expect(breaker.execute(() => "ok")).resolves.toBe("ok");
    expect(events).toEqual(["open 2024-03-08", "market closed; opens 2024-03-11T13:30:00Z", "open 2024-03-11"]);
    gate.stop();
  });

  it("November switch: Friday closes 20:00Z (EDT), Monday opens 14:30Z (EST)", async () => {
    const { events, gate } = gateAt("2024-11-01T19:59:00Z");
    gate.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(gate.reason).toBe("market closed; opens 2024-11-04T14:30:00Z");
    await vi.advanceTimersByTimeAsync(utc("2024-11-04T14:30:00Z") - Date.now());
    expect(events).toEqual(["open 2024-11-01", "market closed; opens 2024-11-04T14:30:00Z", "open 2024-11-04"]);
    gate.stop();
  });

  it("early close and holiday: closes at 13:00 New York on 07-03, stays closed on 07-04, opens 07-05", async () => {
    const { events, gate } = gateAt("2024-07-03T16:59:00Z");
    gate.start();
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(gate.reason).toBe("market closed; opens 2024-07-05T13:30:00Z");
    await vi.advanceTimersByTimeAsync(utc("2024-07-04T15:00:00Z") - Date.now()); // periodic re-checks change nothing
    expect(gate.isOpen).toBe(false);
    await vi.advanceTimersByTimeAsync(utc("2024-07-05T13:30:00Z") - Date.now());
    expect(events).toEqual(["open 2024-07-03", "market closed; opens 2024-07-05T13:30:00Z", "open 2024-07-05"]);
    gate.stop();
  });

  it("starting closed calls onClose once; past the holiday data it stays closed and says why", () => {
    const { breaker, events, gate } = gateAt("2024-12-31T22:00:00Z");
    const state = gate.start();
    expect(state).toMatchObject({ open: false, nextOpen: null });
    expect(gate.reason).toContain("market closed; next open unknown (NYSE: holiday data covers 2024-01-01..2024-12-31, not 2025-01-01");
    expect(breaker.state).toBe("open");
    expect(events).toHaveLength(1);
    gate.stop();
  });

  it("a hold keeps failures from counting; release closes with a clean count; closedReason formats", async () => {
    const breaker = new SourceBreaker("alpaca", "stream", { failureThreshold: 2 });
    await expect(breaker.execute(() => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    breaker.hold("market closed", null);
    breaker.hold("market closed", 123); // holding again only updates the reason / release time
    expect(breaker.snapshot()).toMatchObject({ state: "open", failures: 1, heldReason: "market closed", heldUntil: 123 });
    expect(breaker.snapshot().lastError).toBeUndefined();
    breaker.release();
    expect(breaker.snapshot()).toMatchObject({ state: "closed", failures: 0 });
    breaker.release(); // no-op
    await expect(breaker.execute(() => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(breaker.state).toBe("closed"); // one failure after release, threshold 2
    expect(closedReason(utc("2026-11-23T14:30:00Z"))).toBe("market closed; opens 2026-11-23T14:30:00Z");
  });
});
