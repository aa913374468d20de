"use client";
/**
 * React hook around LiveConnection: keeps one gateway WebSocket per URL, follows the selected
 * stream, and exposes the connection status with a reconnect countdown (in whole seconds).
 */
import { useEffect, useRef, useState } from "react";
import type { Bar } from "../../server/domain/bars/bar.ts";
import { LiveConnection, type ConnectionStatus } from "./live-connection.ts";
import type { BarMessage } from "./live-protocol.ts";

export interface UseLiveBarsOptions {
  url: string;
  symbol: string;
  timeframe: string;
  onSnapshot: (stream: string, bars: Bar[]) => void;
  onBar: (stream: string, bar: Bar, kind: BarMessage["kind"]) => void;
}

export interface LiveBarsState {
  status: ConnectionStatus;
  /** Seconds until the next reconnect attempt (while reconnecting). */
  secondsLeft: number | null;
  reconnectNow: () => void;
}

export function useLiveBars(options: UseLiveBarsOptions): LiveBarsState {
  const { url, symbol, timeframe } = options;
  const [status, setStatus] = useState<ConnectionStatus>({ state: "connecting", retryAt: null, attempt: 0 });
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null);
  const connection = useRef<LiveConnection | null>(null);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options; // handlers see the newest callbacks without reconnecting
  });

  useEffect(() => {
    const live = new LiveConnection(url, {
      onSnapshot: (stream, bars) => latest.current.onSnapshot(stream, bars),
      onBar: (stream, bar, kind) => latest.current.onBar(stream, bar, kind),
      onStatus: setStatus,
    });
    connection.current = live;
    live.setStream({ symbol: latest.current.symbol, timeframe: latest.current.timeframe });
    live.start();
    const online = () => live.reconnectNow();
    window.addEventListener("online", online);
    return () => {
      window.removeEventListener("online", online);
      live.stop();
      connection.current = null;
    };
  }, [url]);

  useEffect(() => {
    connection.current?.setStream({ symbol, timeframe });
  }, [symbol, timeframe]);

  useEffect(() => {
    const retryAt = status.retryAt;
    if (status.state !== "reconnecting" || retryAt === null) {
      setSecondsLeft(null);
      return;
    }
    const tick = () => setSecondsLeft(Math.max(0, Math.ceil((retryAt - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 250);
    return () => clearInterval(timer);
  }, [status]);

  return { status, secondsLeft, reconnectNow: () => connection.current?.reconnectNow() };
}
