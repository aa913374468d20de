/**
 * ControlQueue with fake timers: never more than `perSecond` messages (pongs included) in any sliding window,
 * pongs first, waiting SUBSCRIBEs merged into one message, replies matched by id, errors and close rejecting.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ControlQueue, ControlRequestError } from "./control-queue.ts";

interface Sent {
  at: number;
  text: string;
}

function queue(perSecond = 5) {
  const sent: Sent[] = [];
  const control = new ControlQueue({
    perSecond,
    now: () => Date.now(),
    send: (text) => sent.push({ at: Date.now(), text }),
    pong: (data) => sent.push({ at: Date.now(), text: `pong:${data.toString()}` }),
  });
  return { control, sent };
}

/** The most messages found in any window of `windowMs` (sliding over the send times). */
function busiestWindow(sent: readonly Sent[], windowMs: number): number {
  return Math.max(0, ...sent.map((first) => sent.filter((other) => other.at >= first.at && other.at < first.at + windowMs).length));
}

describe("ControlQueue", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("sends nothing before start, then at most 5 messages in any second, pongs included", async () => {
    const { control, sent } = queue();
    const replies = Array.from({ length: 12 }, () => control.request("LIST_SUBSCRIPTIONS"));
    control.pong(Buffer.from("p1"));
    expect(sent).toEqual([]);
    control.start();
    expect(sent.length).toBe(5);
    expect(sent[0]!.text).toBe("pong:p1"); // pongs go first
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sent.length).toBe(13);
    expect(busiestWindow(sent, 1_000)).toBe(5);
    // every request got its own id; answer them in reverse order
    const ids = sent.filter((item) => !item.text.startsWith("pong")).map((item) => (JSON.parse(item.text) as { id: number }).id);
    expect(new Set(ids).size).toBe(12);
    for (const id of [...ids].reverse()) expect(control.handleReply({ id, result: [`for ${id}`] })).toBe(true);
    expect(await Promise.all(replies)).toEqual(ids.map((id) => [`for ${id}`]));
    expect(control.handleReply({ id: 999, result: null })).toBe(false);
  });

  it("merges SUBSCRIBEs waiting to be sent into one message and resolves all of them with its reply", async () => {
    const { control, sent } = queue(1);
    control.start();
    const first = control.request("SUBSCRIBE", ["a@aggTrade"]); // sent at once: the second's allowance is used
    const rest = ["b@aggTrade", "c@aggTrade", "d@aggTrade"].map((stream) => control.request("SUBSCRIBE", [stream]));
    const unsubscribe = control.request("UNSUBSCRIBE", ["a@aggTrade"]); // a different method: its own message
    expect(control.queued).toBe(2);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(sent.map((item) => JSON.parse(item.text) as unknown)).toEqual([
      { method: "SUBSCRIBE", params: ["a@aggTrade"], id: 1 },
      { method: "SUBSCRIBE", params: ["b@aggTrade", "c@aggTrade", "d@aggTrade"], id: 2 },
      { method: "UNSUBSCRIBE", params: ["a@aggTrade"], id: 3 },
    ]);
    [1, 2, 3].forEach((id) => control.handleReply({ id, result: null }));
    expect(await Promise.all([first, ...rest, unsubscribe])).toEqual([null, null, null, null, null]);
  });

  it("rejects on Binance's error reply and on close", async () => {
    const { control } = queue();
    control.start();
    const refused = control.request("SUBSCRIBE", ["bad"]);
    control.handleReply({ id: 1, code: 2, msg: "Invalid request: unknown stream" });
    await expect(refused).rejects.toBeInstanceOf(ControlRequestError);
    const pending = control.request("LIST_SUBSCRIPTIONS");
    control.close(new Error("socket closed"));
    await expect(pending).rejects.toThrow("socket closed");
    await expect(control.request("LIST_SUBSCRIPTIONS")).rejects.toThrow("socket closed");
  });
});
