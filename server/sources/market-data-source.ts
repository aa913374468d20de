/**
 * The contract every market-data collector implements (Binance now; Alpaca, Yahoo and replay later):
 * connect, historical fetch with paging and rate limits, and health. One file per exchange.
 */
import type { SymbolId } from "../domain/bars/bar.ts";
import type { BreakerSnapshot } from "./circuit-breaker.ts";

/** "closed": the symbol's market is outside its sessions (reason "market closed; opens …"); health accepts it. */
export type SymbolStatus = "healthy" | "repairing" | "unavailable" | "closed";
/**
 * "disabled": switched off by configuration (e.g. no API keys); health lists it but does not count it.
 * "closed": a stock collector outside its exchange's sessions (reason "market closed; opens …",
 * server/sources/session-gate.ts); not a failure, so health does not count it either.
 */
export type CollectorStatus = "connecting" | "repairing" | "healthy" | "reconnecting" | "down" | "disabled" | "closed";

export interface SymbolHealth {
  status: SymbolStatus;
  reason?: string;
  lastBarAt: number | null;
}

/** What a collector reports in `{ns}:health:collector:{name}` (docs/architecture.md). */
export interface CollectorHealth {
  name: string;
  mode: "live" | "replay";
  status: CollectorStatus;
  /** Why the collector is not healthy, when known (e.g. the stream circuit is open). */
  reason?: string;
  lastMessageAt: number | null;
  updatedAt: number;
  reconnects: number;
  symbols: Record<SymbolId, SymbolHealth>;
  /** Circuit breakers around REST calls and WebSocket connects (server/sources/circuit-breaker.ts). */
  breakers: { rest: BreakerSnapshot; stream: BreakerSnapshot };
  /** The exchange connections (shards) of a collector that has several (Binance: at most 1,024 streams each). */
  connections?: ConnectionHealth[];
}

/** One exchange WebSocket connection (shard) of a collector. */
export interface ConnectionHealth {
  shard: number;
  state: "idle" | "connecting" | "open" | "reconnecting" | "stopped";
  streams: number;
  /** Symbols on this connection. */
  groups: number;
  /** When the current socket opened (its age decides the next rollover before the exchange's 24-hour cut). */
  openedAt: number | null;
  /** A replacement socket is connecting (rollover under way). */
  rollingOver: boolean;
  rollovers: number;
  reconnects: number;
  /** Control messages (SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS) waiting for the per-second allowance. */
  controlQueued: number;
}

export interface MarketDataSource {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): CollectorHealth;
}
