import { describe, expect, it } from "vitest";
import { parseClientRequest } from "./protocol.ts";
import { parseNotification, parseScannerUpdate } from "./topic-messages.ts";

describe("gateway topics protocol", () => {
  it("parses scanner and screen subscriptions", () => {
    expect(parseClientRequest('{"op":"subscribe","stream":"scanner"}')).toEqual({ ok: true, value: { op: "subscribe", topic: "scanner", stream: "scanner" } });
    expect(parseClientRequest('{"op":"unsubscribe","stream":"screen:abc-1"}')).toEqual({
      ok: true,
      value: { op: "unsubscribe", topic: "screen", screenId: "abc-1", stream: "screen:abc-1" },
    });
    const bad = parseClientRequest('{"op":"subscribe","stream":"trades"}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/unknown stream "trades"/);
    const badId = parseClientRequest('{"op":"subscribe","stream":"screen:"}');
    expect(badId.ok).toBe(false);
  });

  it("turns an InAppMessage into a notification frame and drops malformed ones", () => {
    const message = { deliveryId: "d", notificationId: "n", title: "t", body: "b", severity: "critical", sourceRef: null, createdAt: 5 };
    expect(parseNotification(JSON.stringify(message))).toEqual({ type: "notification", ...message });
    expect(parseNotification(JSON.stringify({ ...message, url: "/alerts" }))?.url).toBe("/alerts");
    expect(parseNotification(JSON.stringify({ ...message, severity: "loud" }))).toBeUndefined();
    expect(parseNotification("nope")).toBeUndefined();
  });

  it("splits a ScannerUpdate into the toplist frame and one frame per changed screen", () => {
    const update = {
      type: "scanner",
      epoch: "e",
      seq: 3,
      at: 10,
      symbols: 2,
      durationMs: 1,
      lists: { volume: [["X:A", 2]] },
      screens: [{ id: "s1", count: 1, added: ["X:A"], removed: [], truncated: false }],
    };
    const cycle = parseScannerUpdate(JSON.stringify(update));
    expect(cycle?.scanner).toEqual({ type: "scanner", stream: "scanner", snapshot: false, epoch: "e", seq: 3, at: 10, lists: { volume: [["X:A", 2]] } });
    expect(cycle?.screens.get("s1")).toMatchObject({ stream: "screen:s1", added: ["X:A"], count: 1, seq: 3 });
    expect(parseScannerUpdate(JSON.stringify({ ...update, seq: "3" }))).toBeUndefined();
    expect(parseScannerUpdate(JSON.stringify({ ...update, lists: { volume: [["X:A"]] } }))).toBeUndefined();
  });
});
