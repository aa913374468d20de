/**
 * Fan-out frames: a server→client text message serialized, UTF-8 encoded and WebSocket-framed ONCE, then
 * written as the very same bytes to the TCP socket of every subscriber. With 5,000 subscribers the gateway
 * otherwise runs ws's per-send path 5,000 times per event (options object, 2–10-byte header allocation,
 * cork + two writes + uncork → writev); here each subscriber costs one `socket.write(bytes)` of a shared
 * Buffer. The frame is built by ws's own `Sender.frame` (ws 8.x: final, unmasked, uncompressed text frame,
 * RFC 6455 §5.2), so the bytes are exactly what `websocket.send(text)` writes.
 *
 * Why writing past ws is safe (docs/decisions.md, "Gateway fan-out writes pre-framed bytes"): the gateway's
 * server runs with perMessageDeflate off, so ws's Sender writes every frame it sends (snapshots, errors,
 * pongs, pings, close) synchronously to the same socket and never queues one; a raw write between two of its
 * sends lands between two whole frames. Frames are written only while the WebSocket is OPEN (after a close
 * frame nothing else may follow). Guarded by shared-frame.integration-test.ts.
 */
import type { Duplex } from "node:stream";
import * as wsModule from "ws";
import { WebSocket } from "ws";

/** The part of ws's Sender used here (ws 8.x; @types/ws does not declare Sender). */
interface WsSender {
  frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[];
}

const sender = (wsModule as unknown as { Sender?: Partial<WsSender> }).Sender;
if (typeof sender?.frame !== "function") {
  throw new Error("ws no longer exports Sender.frame (server/realtime/shared-frame.ts relies on ws 8.x): pin ws or adapt the framing");
}
const frameOf = sender.frame.bind(sender) as WsSender["frame"];

const TEXT_OPCODE = 1;

/** One serialized message ready for many sockets; never modify its buffers (every subscriber shares them). */
export interface SharedFrame {
  /** The JSON text as UTF-8 (the message payload). */
  readonly payload: Buffer;
  /** The whole WebSocket frame on the wire: header + payload. */
  readonly bytes: Buffer;
}

/** Frames one JSON text (already serialized) as a final, unmasked, uncompressed text frame. */
export function sharedTextFrame(json: string): SharedFrame {
  const payload = Buffer.from(json);
  const parts = frameOf(payload, { fin: true, opcode: TEXT_OPCODE, mask: false, readOnly: true, rsv1: false });
  return { payload, bytes: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) };
}

export type WriteOutcome = "sent" | "dropped_slow" | "closed";

/**
 * Writes a shared frame to one subscriber. `socket` must be the socket `websocket` runs on (the upgrade
 * request's `request.socket`). A subscriber whose unsent data already exceeds `maxBufferedBytes` cannot keep
 * up: it is terminated (the browser reconnects and gets a fresh snapshot) instead of buffering without bound.
 */
export function writeSharedFrame(websocket: WebSocket, socket: Duplex, frame: SharedFrame, maxBufferedBytes: number): WriteOutcome {
  if (websocket.readyState !== WebSocket.OPEN || socket.destroyed) return "closed";
  if (websocket.bufferedAmount > maxBufferedBytes) {
    websocket.terminate();
    return "dropped_slow";
  }
  socket.write(frame.bytes);
  return "sent";
}
