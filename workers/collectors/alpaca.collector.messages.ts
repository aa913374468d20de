/**
 * The Alpaca collector's live message path: `t` trades and `b`/`u` bars of known symbols in regular-session minutes
 * → quality stage → BarBuilder (a `u` re-applies its minute: the builder emits a revision). Messages of a symbol
 * whose history is still being fetched are held (AlpacaSymbols.holdMessage) and replayed after it.
 */
import type { AlpacaMessage } from "../../server/domain/alpaca/alpaca-messages.ts";
import type { Bar, SymbolId, Trade } from "../../server/domain/bars/bar.ts";
import type { BarBuilder } from "../../server/domain/bars/bar-builder.ts";
import type { CollectorMetrics } from "../../server/observability/collector-metrics.ts";
import type { SessionMinutes } from "./alpaca.collector.history.ts";
import type { AlpacaQualityStage } from "./alpaca.collector.quality.ts";
import type { AlpacaSymbols } from "./alpaca.collector.symbols.ts";

const MINUTE = 60_000;

export interface AlpacaMessageRouterOptions {
  builder: BarBuilder;
  quality: AlpacaQualityStage;
  symbols: AlpacaSymbols;
  sessions: SessionMinutes;
  metrics: CollectorMetrics;
  source: string;
  latenessMs: number;
}

export class AlpacaMessageRouter {
  private readonly tradeSeq = new Map<SymbolId, number>();

  constructor(private readonly options: AlpacaMessageRouterOptions) {}

  handle(messages: readonly AlpacaMessage[]): void {
    for (const message of messages) {
      if (message.kind === "trade") this.trade(message.trade);
      else if (message.kind === "bar") this.bar(message.bar, message.updated);
      else if (message.kind === "rejected") this.options.metrics.framesRejected.inc({ source: this.options.source, reason: message.reason.split(":")[0] ?? "malformed" });
    }
  }

  private trade(trade: Trade): void {
    const { symbols, quality, builder } = this.options;
    if (!this.accept(trade.symbol, trade.time)) return;
    if (symbols.holdMessage(trade.symbol, { kind: "trade", trade, exchangeTradeId: trade.id, timeText: "", nanos: 0 })) return;
    quality.noteExchangeTime(trade.time);
    if (!quality.passesTrade(trade)) return;
    // Alpaca trade ids are per trading venue, not increasing per symbol: number them in arrival order.
    const id = (this.tradeSeq.get(trade.symbol) ?? 0) + 1;
    this.tradeSeq.set(trade.symbol, id);
    builder.addTrade({ ...trade, id });
    this.options.metrics.trades.inc({ source: this.options.source });
  }

  private bar(bar: Bar, updated: boolean): void {
    const { symbols, quality, builder } = this.options;
    if (!this.accept(bar.symbol, bar.openTime)) return;
    if (symbols.holdMessage(bar.symbol, { kind: "bar", bar, updated })) return;
    quality.noteExchangeTime(bar.openTime + MINUTE);
    if (!quality.passesBar(bar, Math.max(quality.exchangeTime, bar.openTime + MINUTE))) return;
    // `u` carries the same minute with late trades included: applying it again makes the builder emit a revision.
    builder.applyFinalMinute(bar);
    builder.advance(bar.openTime + MINUTE + this.options.latenessMs);
  }

  /** A known symbol in a regular-session minute; others are counted and dropped. */
  private accept(symbol: SymbolId, time: number): boolean {
    if (!this.options.symbols.has(symbol)) {
      this.options.metrics.framesRejected.inc({ source: this.options.source, reason: "unknown_symbol" });
      return false;
    }
    if (this.options.sessions.contains(time)) return true;
    this.options.metrics.framesRejected.inc({ source: this.options.source, reason: "outside_session" });
    return false;
  }
}
