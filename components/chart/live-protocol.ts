/**
 * The browser's copy of the realtime gateway protocol (docs/websocket.md; server side:
 * server/realtime/protocol.ts), the gap check on (epoch, seq) and the reconnect backoff. Pure.
 */
import type { Bar } from "../../server/domain/bars/bar.ts";
import { parseTypedFrame } from "../realtime/typed-frame.ts";

export interface SnapshotMessage {
  type: "snapshot";
  stream: string;
  epoch: string | null;
  seq: number | null;
  bars: Bar[];
  live: Bar | null;
}

export interface BarMessage {
  type: "bar";
  stream: string;
  epoch: string;
  seq: number;
  kind: "live" | "closed" | "revision";
  bar: Bar;
}

export type ServerMessage =
  | SnapshotMessage
  | BarMessage
  | { type: "error"; message: string; stream?: string }
  | { type: "pong" };

const SERVER_TYPES: ReadonlySet<string> = new Set(["snapshot", "bar", "error", "pong"]);

/** Parses one frame; undefined for anything that is not a known message. */
export function parseServerMessage(text: string): ServerMessage | undefined {
  return parseTypedFrame<ServerMessage>(text, SERVER_TYPES);
}

/** Where a client stands on one stream. */
export interface StreamCursor {
  epoch: string | null;
  seq: number | null;
  /** true between sending subscribe and receiving its snapshot: bar events are dropped meanwhile. */
  awaitingSnapshot: boolean;
}

export const FRESH_CURSOR: StreamCursor = { epoch: null, seq: null, awaitingSnapshot: true };

export function cursorFromSnapshot(snapshot: Pick<SnapshotMessage, "epoch" | "seq">): StreamCursor {
  return { epoch: snapshot.epoch, seq: snapshot.seq, awaitingSnapshot: false };
}

export type EventDecision = "apply" | "ignore" | "resync";

/**
 * What to do with a bar event: apply it (seq = last + 1), ignore it (already covered, or waiting
 * for a snapshot), or resync (seq skipped or new epoch → re-subscribe for a fresh snapshot).
 * @example checkEvent({ epoch: "a", seq: 4, awaitingSnapshot: false }, { epoch: "a", seq: 6 }) // { decision: "resync", ... }
 */
export function checkEvent(
  cursor: StreamCursor,
  event: Pick<BarMessage, "epoch" | "seq">,
): { decision: EventDecision; cursor: StreamCursor } {
  if (cursor.awaitingSnapshot) return { decision: "ignore", cursor };
  const next = { epoch: event.epoch, seq: event.seq, awaitingSnapshot: false };
  if (cursor.seq === null || cursor.epoch === null) return { decision: "apply", cursor: next };
  if (event.epoch !== cursor.epoch) return { decision: "resync", cursor: { ...cursor, awaitingSnapshot: true } };
  if (event.seq <= cursor.seq) return { decision: "ignore", cursor };
  if (event.seq === cursor.seq + 1) return { decision: "apply", cursor: next };
  return { decision: "resync", cursor: { ...cursor, awaitingSnapshot: true } };
}

/**
 * Reconnect delay: exponential from 1 s, capped at 30 s, with jitter in [50 %, 100 %].
 * @example reconnectDelayMs(3, 1) // 8000
 */
export function reconnectDelayMs(attempt: number, random: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.5 + 0.5 * Math.min(1, Math.max(0, random))));
}
