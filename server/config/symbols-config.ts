/**
 * Reads and validates config/symbols.yaml. A YAML syntax error or an invalid entry is refused with the
 * file and line at fault (ConfigError); nothing is applied from a file that fails.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigError, parseValidatedYaml } from "./yaml-document.ts";

export { ConfigError };

const SymbolEntry = z.strictObject({
  id: z.string().regex(/^[A-Z0-9_]+:[A-Z0-9._\-=^]+$/, "must be EXCHANGE:TICKER in upper case, e.g. BINANCE:BTCUSDT"),
  display_name: z.string().min(1).max(120).optional(),
  asset_class: z.enum(["crypto", "stock", "etf", "fx", "index"]).default("crypto"),
  calendar: z.enum(["CRYPTO", "NYSE", "NASDAQ", "BIST"]).default("CRYPTO"),
  active: z.boolean().default(true),
});

const SymbolsFile = z.strictObject({ symbols: z.array(SymbolEntry).min(1) });

export interface SymbolConfig {
  id: string;
  exchange: string;
  ticker: string;
  displayName: string;
  assetClass: "crypto" | "stock" | "etf" | "fx" | "index";
  calendar: string;
  active: boolean;
}

/** Parses the text of a symbols YAML file; `file` is used in error messages only. */
export function parseSymbolsConfig(text: string, file: string): SymbolConfig[] {
  const { data, lineAt } = parseValidatedYaml(text, file, SymbolsFile);
  const seen = new Set<string>();
  return data.symbols.map((entry, index) => {
    if (seen.has(entry.id)) throw new ConfigError(file, lineAt(["symbols", index]), `duplicate symbol ${entry.id}`);
    seen.add(entry.id);
    const [exchange, ticker] = entry.id.split(":") as [string, string];
    return {
      id: entry.id,
      exchange,
      ticker,
      displayName: entry.display_name ?? ticker,
      assetClass: entry.asset_class,
      calendar: entry.calendar,
      active: entry.active,
    };
  });
}

/** Reads and parses a symbols YAML file. */
export async function loadSymbolsConfig(file: string): Promise<SymbolConfig[]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(file, null, `cannot read: ${error.code ?? error.message}`);
  });
  return parseSymbolsConfig(text, file);
}
