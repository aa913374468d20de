"use client";
/**
 * Live scanner data for React: the toplists (stream `scanner`) and the matches of the user's own screens
 * (`screen:{id}`), in a zustand store kept by the reducers of realtime-messages.ts over the shared gateway
 * connection (realtime-client.ts). A gap in the scanner's cycles or a screen count that does not add up
 * re-subscribes for a fresh snapshot. A screen that is not the user's comes back as an error ("not found")
 * in `errors`. Pages: `const { toplists, screens, errors, status } = useScanner({ url, screenIds })`.
 */
import { useEffect } from "react";
import { create } from "zustand";
import type { ConnectionStatus } from "./gateway-socket.ts";
import { acquireRealtimeClient } from "./realtime-client.ts";
import {
  EMPTY_SCREEN,
  EMPTY_TOPLISTS,
  applyScannerMessage,
  applyScreenMessage,
  type ScreenState,
  type ToplistsState,
  type TopicMessage,
} from "./realtime-messages.ts";

export interface ScannerStore {
  toplists: ToplistsState;
  /** Screen id → its matches. */
  screens: Record<string, ScreenState>;
  /** Stream → the gateway's error for it (e.g. "screen abc not found"). */
  errors: Record<string, string>;
  status: ConnectionStatus | null;
}

export const useScannerStore = create<ScannerStore>()(() => ({ toplists: EMPTY_TOPLISTS, screens: {}, errors: {}, status: null }));

/** Applies one frame to the store; returns the stream to re-subscribe to after a detected gap, if any. */
export function reduceScannerFrame(message: TopicMessage): string | null {
  const set = useScannerStore.setState;
  const state = useScannerStore.getState();
  if (message.type === "scanner") {
    const result = applyScannerMessage(state.toplists, message);
    set({ toplists: result.state });
    return result.resync ? "scanner" : null;
  }
  if (message.type === "screen") {
    const result = applyScreenMessage(state.screens[message.screenId] ?? EMPTY_SCREEN, message);
    const errors = { ...state.errors };
    delete errors[message.stream];
    set({ screens: { ...state.screens, [message.screenId]: result.state }, errors });
    return result.resync ? message.stream : null;
  }
  if (message.type === "error" && message.stream && (message.stream === "scanner" || message.stream.startsWith("screen:"))) {
    set({ errors: { ...state.errors, [message.stream]: message.message } });
  }
  return null;
}

export function useScanner({ url, toplists = true, screenIds = [] }: { url: string; toplists?: boolean; screenIds?: string[] }): ScannerStore {
  const store = useScannerStore();
  const screensKey = [...screenIds].sort().join(",");

  useEffect(() => {
    const { client, release } = acquireRealtimeClient(url);
    const streams = [...(toplists ? ["scanner"] : []), ...(screensKey ? screensKey.split(",").map((id) => `screen:${id}`) : [])];
    // Fresh state for what we (re)subscribe to: the snapshot fills it.
    useScannerStore.setState((state) => {
      const screens = { ...state.screens };
      for (const stream of streams) if (stream.startsWith("screen:")) screens[stream.slice(7)] = EMPTY_SCREEN;
      return { screens, ...(toplists ? { toplists: EMPTY_TOPLISTS } : {}) };
    });
    const offMessage = client.onMessage((message) => {
      const resync = reduceScannerFrame(message);
      if (resync && streams.includes(resync)) client.resubscribe(resync);
    });
    const offStatus = client.onStatus((status) => {
      useScannerStore.setState({ status });
      // A reconnect re-sends the subscriptions: wait for their snapshots again.
      if (status.state === "connected") {
        useScannerStore.setState((state) => ({
          toplists: toplists ? { ...state.toplists, awaitingSnapshot: true } : state.toplists,
          screens: Object.fromEntries(Object.entries(state.screens).map(([id, screen]) => [id, streams.includes(`screen:${id}`) ? { ...screen, awaitingSnapshot: true } : screen])),
        }));
      }
    });
    useScannerStore.setState({ status: client.status });
    const releases = streams.map((stream) => client.subscribe(stream));
    return () => {
      releases.forEach((releaseStream) => releaseStream());
      offMessage();
      offStatus();
      release();
    };
  }, [url, toplists, screensKey]);

  return store;
}
