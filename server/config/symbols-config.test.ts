import { describe, expect, it } from "vitest";
import { ConfigError, parseSymbolsConfig } from "./symbols-config.ts";

const valid = `symbols:
  - id: BINANCE:BTCUSDT
    display_name: Bitcoin
  - id: BINANCE:ETHUSDT
    active: false
`;

describe("parseSymbolsConfig", () => {
  it("maps entries to symbols with defaults", () => {
    const symbols = parseSymbolsConfig(valid, "symbols.yaml");
    expect(symbols).toEqual([
      { id: "BINANCE:BTCUSDT", exchange: "BINANCE", ticker: "BTCUSDT", displayName: "Bitcoin", assetClass: "crypto", calendar: "CRYPTO", active: true },
      { id: "BINANCE:ETHUSDT", exchange: "BINANCE", ticker: "ETHUSDT", displayName: "ETHUSDT", assetClass: "crypto", calendar: "CRYPTO", active: false },
    ]);
  });

  it("refuses a YAML syntax error with the line at fault", () => {
    const broken = `symbols:\n  - id: BINANCE:BTCUSDT\n    display_name: [unclosed\n  - id: BINANCE:ETHUSDT\n`;
    expect(() => parseSymbolsConfig(broken, "config/symbols.yaml")).toThrow(ConfigError);
    try {
      parseSymbolsConfig(broken, "config/symbols.yaml");
    } catch (error) {
      expect((error as ConfigError).file).toBe("config/symbols.yaml");
      expect((error as ConfigError).line).toBeGreaterThanOrEqual(3);
      expect((error as Error).message).toMatch(/^config\/symbols\.yaml:\d+: invalid YAML/);
    }
  });

  it("refuses a bad id with the line of that entry", () => {
    const bad = `symbols:\n  - id: BINANCE:BTCUSDT\n  - id: btc-usdt\n`;
    expect(() => parseSymbolsConfig(bad, "s.yaml")).toThrow(/^s\.yaml:3: symbols\.1\.id: must be EXCHANGE:TICKER/);
  });

  it("refuses unknown keys and duplicates", () => {
    expect(() => parseSymbolsConfig(`symbols:\n  - id: BINANCE:BTCUSDT\n    colour: red\n`, "s.yaml")).toThrow(/s\.yaml:3: symbols\.0: Unrecognized key: "colour"/); // the unknown key's own line
    expect(() => parseSymbolsConfig(`symbols:\n  - id: BINANCE:BTCUSDT\n  - id: BINANCE:BTCUSDT\n`, "s.yaml")).toThrow(/s\.yaml:3: duplicate symbol BINANCE:BTCUSDT/);
  });

  it("refuses an empty file", () => {
    expect(() => parseSymbolsConfig("", "s.yaml")).toThrow(ConfigError);
  });
});
