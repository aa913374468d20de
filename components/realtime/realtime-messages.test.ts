import { describe, expect, it } from "vitest";
import {
  BELL_LIMIT,
  EMPTY_NOTIFICATIONS,
  EMPTY_SCREEN,
  EMPTY_TOPLISTS,
  TOAST_LIMIT,
  applyBellLoaded,
  applyNotification,
  applyScannerMessage,
  applyScreenMessage,
  dismissToast,
  markBellRead,
  parseTopicMessage,
  type BellItem,
  type ScannerMessage,
  type ScreenMessage,
} from "./realtime-messages.ts";

function item(id: string, createdAt: number): BellItem {
  return { deliveryId: id, notificationId: `n-${id}`, title: id, body: "", severity: "info", sourceRef: null, createdAt };
}

describe("notifications reducer", () => {
  it("merges the loaded bell and live notifications by deliveryId, newest first, toasting only new ones", () => {
    let state = applyBellLoaded(EMPTY_NOTIFICATIONS, [item("b", 2), item("a", 1)]);
    expect(state.bell.map((i) => i.deliveryId)).toEqual(["b", "a"]);
    expect(state.toasts).toEqual([]);
    expect(state.unread).toBe(2);
    state = applyNotification(state, { type: "notification", ...item("c", 3) });
    expect(state.bell.map((i) => i.deliveryId)).toEqual(["c", "b", "a"]);
    expect(state.toasts.map((i) => i.deliveryId)).toEqual(["c"]);
    // The same delivery again (a second socket, a reconnect) changes nothing.
    expect(applyNotification(state, { type: "notification", ...item("c", 3) })).toBe(state);
    // A bell load after a live one keeps both, once each.
    state = applyBellLoaded(state, [item("c", 3), item("b", 2)]);
    expect(state.bell.map((i) => i.deliveryId)).toEqual(["c", "b", "a"]);
  });

  it("counts unread since the bell was opened, dismisses toasts and caps both lists", () => {
    let state = applyBellLoaded(EMPTY_NOTIFICATIONS, [item("a", 1)]);
    state = markBellRead(state);
    expect(state.unread).toBe(0);
    state = applyNotification(state, { type: "notification", ...item("b", 5) });
    expect(state.unread).toBe(1);
    state = dismissToast(state, "b");
    expect(state.toasts).toEqual([]);
    for (let i = 0; i < BELL_LIMIT + 10; i++) state = applyNotification(state, { type: "notification", ...item(`x${i}`, 10 + i) });
    expect(state.bell).toHaveLength(BELL_LIMIT);
    expect(state.bell[0]?.deliveryId).toBe(`x${BELL_LIMIT + 9}`);
    expect(state.toasts).toHaveLength(TOAST_LIMIT);
    expect(state.toasts.at(-1)?.deliveryId).toBe(`x${BELL_LIMIT + 9}`);
  });
});

describe("scanner reducers", () => {
  const scanner = (seq: number | null, lists: ScannerMessage["lists"], snapshot = false, epoch = "e"): ScannerMessage => ({
    type: "scanner",
    stream: "scanner",
    snapshot,
    epoch,
    seq,
    at: seq,
    lists,
  });

  it("applies a snapshot, then in-order updates replacing the lists they carry; a gap or new epoch resyncs", () => {
    let result = applyScannerMessage(EMPTY_TOPLISTS, scanner(5, { volume: [["X:B", 2]] }));
    expect(result.state).toBe(EMPTY_TOPLISTS); // before the snapshot: ignored
    result = applyScannerMessage(result.state, scanner(5, { volume: [["X:B", 2]], "gainers-1m": [["X:A", 1]] }, true));
    result = applyScannerMessage(result.state, scanner(5, { volume: [] })); // already in the snapshot
    expect(result.state.lists.volume).toEqual([["X:B", 2]]);
    result = applyScannerMessage(result.state, scanner(6, { volume: [["X:C", 3]] }));
    expect(result.state.lists).toEqual({ volume: [["X:C", 3]], "gainers-1m": [["X:A", 1]] });
    expect(result.state.seq).toBe(6);
    const gap = applyScannerMessage(result.state, scanner(8, {}));
    expect(gap.resync).toBe(true);
    expect(gap.state.awaitingSnapshot).toBe(true);
    expect(applyScannerMessage(result.state, scanner(7, {}, false, "other")).resync).toBe(true);
    // A snapshot taken before any cycle (seq null) accepts the next update as the start.
    const fresh = applyScannerMessage(applyScannerMessage(EMPTY_TOPLISTS, scanner(null, {}, true)).state, scanner(40, { volume: [["X:D", 1]] }));
    expect(fresh).toMatchObject({ resync: false, state: { seq: 40, lists: { volume: [["X:D", 1]] } } });
  });

  const screen = (fields: Partial<ScreenMessage>): ScreenMessage => ({ type: "screen", stream: "screen:s", screenId: "s", snapshot: false, epoch: "e", seq: 1, count: 0, ...fields });

  it("applies screen snapshots and changes, resyncing when the count does not add up", () => {
    let result = applyScreenMessage(EMPTY_SCREEN, screen({ snapshot: true, seq: 3, symbols: ["X:B", "X:A"], count: 2 }));
    expect(result.state.symbols).toEqual(["X:A", "X:B"]);
    result = applyScreenMessage(result.state, screen({ seq: 7, added: ["X:C"], removed: ["X:A"], count: 2 }));
    expect(result).toEqual({ resync: false, state: { symbols: ["X:B", "X:C"], epoch: "e", seq: 7, awaitingSnapshot: false } });
    // A missed change shows as a wrong count.
    const missed = applyScreenMessage(result.state, screen({ seq: 9, added: ["X:D"], count: 4 }));
    expect(missed.resync).toBe(true);
    expect(applyScreenMessage(result.state, screen({ seq: 9, truncated: true, count: 500 })).resync).toBe(true);
    expect(applyScreenMessage(result.state, screen({ seq: 6, added: ["X:Z"], count: 3 })).state).toBe(result.state);
  });

  it("parses only topic frames", () => {
    expect(parseTopicMessage('{"type":"notification","title":"t"}')?.type).toBe("notification");
    expect(parseTopicMessage('{"type":"bar"}')).toBeUndefined();
    expect(parseTopicMessage("nope")).toBeUndefined();
  });
});
