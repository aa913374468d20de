/**
 * Reads and validates config/exchanges.yaml: per exchange (BINANCE, ALPACA, YAHOO, …) whether its collector
 * streams (`enabled`) and the name shown to people (`display_name`). An invalid file is refused with the file and
 * line at fault (ConfigError); nothing is applied from a file that fails. Applied by `marketlens symbols sync`
 * and, live, by the control process (workers/control.ts).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { ConfigError, parseValidatedYaml } from "./yaml-document.ts";

const ExchangeEntry = z.strictObject({
  enabled: z.boolean({ error: "must be true or false" }),
  display_name: z.string().min(1).max(120),
});

const ExchangesFile = z.strictObject({
  exchanges: z
    .record(z.string(), ExchangeEntry)
    .refine((record) => Object.keys(record).length > 0, "lists no exchange"),
});

export interface ExchangeConfig {
  id: string;
  displayName: string;
  enabled: boolean;
}

/** Parses the text of an exchanges YAML file; `file` is used in error messages only. */
export function parseExchangesConfig(text: string, file: string): ExchangeConfig[] {
  const { data, keyLineAt } = parseValidatedYaml(text, file, ExchangesFile);
  for (const id of Object.keys(data.exchanges)) {
    if (!/^[A-Z0-9_]+$/.test(id)) throw new ConfigError(file, keyLineAt(["exchanges", id]), `exchanges.${id}: exchange names are upper case, e.g. BINANCE`);
  }
  return Object.entries(data.exchanges).map(([id, entry]) => ({ id, displayName: entry.display_name, enabled: entry.enabled }));
}

/** Reads and parses an exchanges YAML file. */
export async function loadExchangesConfig(file: string): Promise<ExchangeConfig[]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError(file, null, `cannot read: ${error.code ?? error.message}`);
  });
  return parseExchangesConfig(text, file);
}
