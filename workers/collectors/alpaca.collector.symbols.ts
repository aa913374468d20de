/**
 * The Alpaca collector's symbol set: ticker ↔ symbol id, per-symbol health, and the live messages held for a
 * symbol whose history is still being fetched (added at runtime by `updateSymbols`). No I/O.
 */
import type { AlpacaMessage } from "../../server/domain/alpaca/alpaca-messages.ts";
import type { SymbolId } from "../../server/domain/bars/bar.ts";
import type { SymbolRow } from "../../server/db/symbols.repo.ts";
import type { SymbolHealth } from "../../server/sources/market-data-source.ts";

const MAX_HELD_PER_SYMBOL = 100_000;

export class AlpacaSymbols {
  private readonly tickerToId = new Map<string, SymbolId>();
  private readonly health = new Map<SymbolId, SymbolHealth>();
  private readonly held = new Map<SymbolId, AlpacaMessage[]>();
  /** Symbols Alpaca refused (405 symbol limit), with the operator message: they stay "unavailable". */
  private readonly refused = new Map<SymbolId, string>();

  constructor(rows: readonly SymbolRow[]) {
    for (const row of rows) this.add(row);
  }

  get size(): number {
    return this.tickerToId.size;
  }

  ids(): SymbolId[] {
    return [...this.tickerToId.values()];
  }

  tickers(): string[] {
    return [...this.tickerToId.keys()];
  }

  /** [ticker, symbol] pairs (a copy: safe while the set changes). */
  entries(): [string, SymbolId][] {
    return [...this.tickerToId];
  }

  has(symbol: SymbolId): boolean {
    return this.health.has(symbol);
  }

  byTicker(ticker: string): SymbolId | undefined {
    return this.tickerToId.get(ticker);
  }

  /** Applies the full wanted set; returns the rows added and removed. */
  update(rows: readonly SymbolRow[]): { added: SymbolRow[]; removed: { id: SymbolId; ticker: string }[] } {
    const wanted = new Map(rows.map((row) => [row.ticker, row]));
    const removed = [...this.tickerToId].filter(([ticker]) => !wanted.has(ticker)).map(([ticker, id]) => ({ id, ticker }));
    for (const { id, ticker } of removed) {
      this.tickerToId.delete(ticker);
      this.health.delete(id);
      this.held.delete(id);
      this.refused.delete(id);
    }
    const added = rows.filter((row) => !this.tickerToId.has(row.ticker));
    for (const row of added) this.add(row);
    return { added, removed };
  }

  noteBar(symbol: SymbolId, openTime: number): void {
    const health = this.health.get(symbol);
    if (health && (health.lastBarAt ?? -Infinity) < openTime) health.lastBarAt = openTime;
  }

  lastBarAt(symbol: SymbolId): number | null {
    return this.health.get(symbol)?.lastBarAt ?? null;
  }

  /** Marks a symbol refused by Alpaca (405): unavailable with `reason` until `accepted()`. */
  refuse(symbol: SymbolId, reason: string): void {
    this.refused.set(symbol, reason);
    this.setHealth(symbol, { status: "unavailable", reason });
  }

  /** The server's subscription list now holds these tickers: refusals of them end. */
  accepted(tickers: readonly string[]): void {
    for (const ticker of tickers) {
      const symbol = this.tickerToId.get(ticker);
      if (symbol && this.refused.delete(symbol)) this.setHealth(symbol, { status: "repairing" });
    }
  }

  /** Sets a symbol's status; the reason is replaced (dropped when not given). A refused symbol stays unavailable. */
  setHealth(symbol: SymbolId, change: { status: SymbolHealth["status"]; reason?: string }): void {
    const health = this.health.get(symbol);
    if (!health) return;
    const refusal = this.refused.get(symbol);
    if (refusal && change.status !== "unavailable") change = { status: "unavailable", reason: refusal };
    health.status = change.status;
    if (change.reason) health.reason = change.reason;
    else delete health.reason;
  }

  setAll(change: { status: SymbolHealth["status"]; reason?: string }): void {
    for (const symbol of this.health.keys()) this.setHealth(symbol, change);
  }

  /** Per-symbol health; `healthyAs` replaces "healthy" (e.g. "closed" while the market is closed). */
  healthRecord(healthyAs?: SymbolHealth["status"]): Record<SymbolId, SymbolHealth> {
    return Object.fromEntries([...this.health].map(([symbol, health]) => [symbol, health.status === "healthy" && healthyAs ? { ...health, status: healthyAs } : { ...health }]));
  }

  /** From now on, live messages of `symbol` are held (its history is being fetched). */
  hold(symbol: SymbolId): void {
    this.held.set(symbol, []);
  }

  /** Holds the message when its symbol is held; true when held. */
  holdMessage(symbol: SymbolId, message: AlpacaMessage): boolean {
    const list = this.held.get(symbol);
    if (!list) return false;
    if (list.length < MAX_HELD_PER_SYMBOL) list.push(message);
    return true;
  }

  /** Stops holding `symbol` and returns what was held, in arrival order. */
  release(symbol: SymbolId): AlpacaMessage[] {
    const list = this.held.get(symbol) ?? [];
    this.held.delete(symbol);
    return list;
  }

  /** Drops every held message (the socket closed: the next repair covers them). */
  releaseAll(): void {
    this.held.clear();
  }

  private add(row: SymbolRow): void {
    this.tickerToId.set(row.ticker, row.id);
    this.health.set(row.id, { status: "repairing", lastBarAt: null });
  }
}
