/**
 * Reads and validates config/symbols.yaml. A YAML syntax error or an invalid entry is refused with the
 * file and line at fault (ConfigError); nothing is applied from a file that fails.
 */
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, type Node } from "yaml";
import { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? "" : `:${line}`}: ${detail}`);
    this.name = "ConfigError";
  }
}

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
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxError = document.errors[0];
  if (syntaxError) {
    const line = lastContentLine(text, lineCounter.linePos(syntaxError.pos[0]).line);
    throw new ConfigError(file, line, `invalid YAML: ${syntaxError.message.split("\n")[0]}`);
  }
  const result = SymbolsFile.safeParse(document.toJS());
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const node = document.getIn(issue.path as (string | number)[], true) as Node | undefined;
    const fallback = issue.path.length > 1 ? (document.getIn(issue.path.slice(0, -1) as (string | number)[], true) as Node | undefined) : undefined;
    const range = (node ?? fallback)?.range;
    const line = range ? lineCounter.linePos(range[0]).line : null;
    throw new ConfigError(file, line, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const seen = new Set<string>();
  return result.data.symbols.map((entry, index) => {
    if (seen.has(entry.id)) {
      const node = document.getIn(["symbols", index], true) as Node | undefined;
      throw new ConfigError(file, node?.range ? lineCounter.linePos(node.range[0]).line : null, `duplicate symbol ${entry.id}`);
    }
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

/** An error reported at the end of input (an unclosed `[` or quote) belongs to the last non-blank line. */
function lastContentLine(text: string, line: number): number {
  const lines = text.split("\n");
  let current = Math.min(line, lines.length);
  while (current > 1 && (lines[current - 1] ?? "").trim() === "") current -= 1;
  return current;
}
