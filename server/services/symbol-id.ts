/**
 * Syntax of a symbol id (`EXCHANGE:TICKER`, upper case, as TradingView writes it). Pure.
 * Used by the REST/tRPC input schemas and the realtime gateway; edit when a venue needs more characters.
 */
import type { SymbolId } from "../domain/bars/bar.ts";

/** `BINANCE:BTCUSDT`, `ALPACA:AAPL`, `YAHOO:THYAO.IS`, `YAHOO:BRK-B`. */
export const SYMBOL_ID_PATTERN = /^[A-Z][A-Z0-9_]{1,19}:[A-Z0-9][A-Z0-9._\-=^/]{0,31}$/;

/** Upper-cases and checks a symbol id; returns undefined when it is malformed. */
export function normalizeSymbolId(input: string): SymbolId | undefined {
  const candidate = input.trim().toUpperCase();
  return SYMBOL_ID_PATTERN.test(candidate) ? candidate : undefined;
}

/** Human hint used in error messages. */
export const SYMBOL_ID_HINT = 'EXCHANGE:TICKER in upper case letters and digits, e.g. "BINANCE:BTCUSDT"';
