import { describe, expect, it } from "vitest";
import { FRESH_CURSOR, checkEvent, cursorFromSnapshot, parseServerMessage, reconnectDelayMs } from "./live-protocol.ts";

describe("live protocol", () => {
  it("parses known messages and rejects others", () => {
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: "pong" });
    expect(parseServerMessage('{"type":"nope"}')).toBeUndefined();
    expect(parseServerMessage("not json")).toBeUndefined();
  });

  it("drops events while waiting for the snapshot", () => {
    expect(checkEvent(FRESH_CURSOR, { epoch: "a", seq: 1 }).decision).toBe("ignore");
  });

  it("takes the first event as the baseline when the snapshot had no seq", () => {
    const cursor = cursorFromSnapshot({ epoch: null, seq: null });
    const result = checkEvent(cursor, { epoch: "a", seq: 41 });
    expect(result.decision).toBe("apply");
    expect(result.cursor).toEqual({ epoch: "a", seq: 41, awaitingSnapshot: false });
  });

  it("applies seq = last + 1, ignores duplicates, resyncs on a skipped seq", () => {
    const cursor = cursorFromSnapshot({ epoch: "a", seq: 5 });
    expect(checkEvent(cursor, { epoch: "a", seq: 6 }).decision).toBe("apply");
    expect(checkEvent(cursor, { epoch: "a", seq: 5 }).decision).toBe("ignore");
    const gap = checkEvent(cursor, { epoch: "a", seq: 8 });
    expect(gap.decision).toBe("resync");
    expect(gap.cursor.awaitingSnapshot).toBe(true);
  });

  it("resyncs when the epoch changes (collector restarted)", () => {
    expect(checkEvent(cursorFromSnapshot({ epoch: "a", seq: 5 }), { epoch: "b", seq: 1 }).decision).toBe("resync");
  });

  it("backs off exponentially with jitter, capped at 30 s", () => {
    expect(reconnectDelayMs(0, 1)).toBe(1_000);
    expect(reconnectDelayMs(0, 0)).toBe(500); // jitter floor is half the base
    expect(reconnectDelayMs(3, 1)).toBe(8_000); // 1 s × 2³
    expect(reconnectDelayMs(10, 1)).toBe(30_000);
  });
});
