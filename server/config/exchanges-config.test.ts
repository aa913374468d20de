import { describe, expect, it } from "vitest";
import { ConfigError } from "./yaml-document.ts";
import { parseExchangesConfig } from "./exchanges-config.ts";

function errorOf(text: string): ConfigError {
  try {
    parseExchangesConfig(text, "config/exchanges.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("parseExchangesConfig", () => {
  it("maps each exchange to id, display name and enabled", () => {
    const text = "exchanges:\n  BINANCE:\n    enabled: true\n    display_name: Binance\n  YAHOO:\n    enabled: false\n    display_name: Yahoo Finance\n";
    expect(parseExchangesConfig(text, "x.yaml")).toEqual([
      { id: "BINANCE", displayName: "Binance", enabled: true },
      { id: "YAHOO", displayName: "Yahoo Finance", enabled: false },
    ]);
  });

  it("refuses a non-boolean enabled at its line", () => {
    const error = errorOf("exchanges:\n  BINANCE:\n    enabled: true\n    display_name: Binance\n  ALPACA:\n    enabled: maybe\n    display_name: Alpaca\n");
    expect(error.line).toBe(6);
    expect(error.message).toBe("config/exchanges.yaml:6: exchanges.ALPACA.enabled: must be true or false");
  });

  it("refuses a missing display_name at the exchange that lacks it", () => {
    const error = errorOf("exchanges:\n  BINANCE:\n    enabled: true\n");
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/exchanges\.BINANCE\.display_name/);
  });

  it("refuses an unknown key and a YAML syntax error with their lines", () => {
    expect(errorOf("exchanges:\n  BINANCE:\n    enabled: true\n    display_name: Binance\n    colour: red\n").message).toMatch(/^config\/exchanges\.yaml:5: .*colour/);
    expect(errorOf("exchanges:\n  BINANCE:\n    enabled: true\n    display_name: [Binance\n").line).toBe(4);
  });

  it("refuses a lower-case exchange name and an empty list", () => {
    const lower = errorOf("exchanges:\n  BINANCE:\n    enabled: true\n    display_name: Binance\n  yahoo:\n    enabled: true\n    display_name: Yahoo\n");
    expect(lower.message).toBe("config/exchanges.yaml:5: exchanges.yahoo: exchange names are upper case, e.g. BINANCE");
    expect(errorOf("exchanges: {}\n").message).toMatch(/lists no exchange/);
  });
});
