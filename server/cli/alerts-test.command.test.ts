import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { computeIndicators } from "../domain/indicators/indicator-batch.ts";
import { detectPatterns } from "../domain/patterns/pattern-engine.ts";
import type { OhlcvBar } from "../domain/indicators/indicator-types.ts";
import { runAlertsTestCommand } from "./alerts-test.command.ts";

const FIXTURE = resolve(import.meta.dirname, "../../fixtures/ohlcv/binance_BTC_USDT-1h.json");
const rows = JSON.parse(readFileSync(FIXTURE, "utf8")) as number[][];
const bars = rows.map(([openTime, open, high, low, close, volume]) => ({ openTime, open, high, low, close, volume }) as OhlcvBar);
const dir = mkdtempSync(join(tmpdir(), "alerts-test-"));

function ruleFile(name: string, document: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof document === "string" ? document : JSON.stringify(document, null, 2));
  return file;
}

async function run(rule: string, candles = FIXTURE, warnings: string[] = []): Promise<Record<string, number | null>[]> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  await runAlertsTestCommand({ rule, candles }, output, (message) => warnings.push(message));
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? [] : text.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, number | null>);
}

describe("marketlens alerts test (runAlertsTestCommand)", () => {
  const rsi14 = computeIndicators(bars).rsi14;

  it("RSI crosses below 30 on BTC/USDT 1h: one NDJSON line per firing, matching an independent scan of computeIndicators", async () => {
    // the rule's timeframe (4h) differs from the file's: the bars are taken as given
    const file = ruleFile("rsi.json", { name: "oversold", timeframe: "4h", when: { all: [{ metric: "rsi14", op: "crosses_below", value: 30 }] } });
    const expected = bars.flatMap((bar, i) => {
      const [previous, current] = [rsi14[i - 1], rsi14[i]];
      // a cross is never true two bars running (the bar after one has RSI < 30), so every cross is a firing
      return i > 0 && previous != null && current != null && previous >= 30 && current < 30 ? [{ openTime: bar.openTime, close: bar.close, rsi14: current }] : [];
    });
    expect(expected.length).toBeGreaterThan(10);
    expect(await run(file)).toEqual(expected);
  });

  it("prints close and every metric the rule reads (metric-vs-metric, cooldown, CSV candles)", async () => {
    const csv = join(dir, "btc.csv");
    writeFileSync(csv, `open_time,open,high,low,close,volume\n${rows.slice(0, 600).map((row) => row.slice(0, 6).join(",")).join("\n")}\n`);
    const file = ruleFile("macd.json", { name: "bull", timeframe: "1h", cooldownBars: 10, when: { any: [{ metric: "macd", op: "crosses_above", value: { metric: "macdSignal" } }, { metric: "volume", op: ">", value: 1e9 }] } });
    const lines = await run(file, csv);
    expect(lines.length).toBeGreaterThan(0);
    const series = computeIndicators(bars.slice(0, 600));
    for (const line of lines) {
      expect(Object.keys(line)).toEqual(["openTime", "close", "macd", "macdSignal", "volume"]);
      const index = bars.findIndex((bar) => bar.openTime === line.openTime);
      expect(line).toEqual({ openTime: bars[index]?.openTime, close: bars[index]?.close, macd: series.macd[index], macdSignal: series.macdSignal[index], volume: bars[index]?.volume });
      expect(series.macd[index - 1]! <= series.macdSignal[index - 1]! && series.macd[index]! > series.macdSignal[index]!).toBe(true);
    }
    const times = lines.map((line) => line.openTime as number);
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThan(10 * 3_600_000); // cooldown 10 bars
  });

  it("a rule that never fires prints nothing", async () => {
    expect(await run(ruleFile("never.json", { name: "n", timeframe: "1h", when: { all: [{ metric: "close", op: "<", value: 0 }] } }))).toEqual([]);
  });

  it("refuses a bad rule with the file and the path at fault", async () => {
    const bad = ruleFile("bad.json", { name: "x", timeframe: "1h", when: { all: [{ metric: "close", op: ">", value: 1 }, { metric: "rsi", op: "<", value: 30 }] } });
    await expect(run(bad)).rejects.toThrow(`${bad}: when.all[1].metric: unknown metric "rsi" (did you mean rsi14?)`);
    const broken = ruleFile("broken.json", "{ name: ");
    await expect(run(broken)).rejects.toThrow(new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON`));
    await expect(run(join(dir, "missing.json"))).rejects.toThrow(/missing\.json: cannot read rule file \(no such file\)/);
  });

  it("pattern metrics: a bearish engulfing after RSI above 60 fires where an independent scan of detectPatterns and computeIndicators says", async () => {
    const engulfing = detectPatterns(bars).engulfing;
    const file = ruleFile("pattern.json", { name: "top", timeframe: "1h", when: { all: [{ metric: "engulfing", op: "<", value: 0 }, { metric: "rsi14", op: ">", value: 60 }] } });
    const truth = bars.map((_, i) => (engulfing[i] ?? 0) < 0 && (rsi14[i] ?? Number.NaN) > 60);
    const expected = bars.flatMap((bar, i) => (truth[i] && !(i > 0 && truth[i - 1]) ? [{ openTime: bar.openTime, close: bar.close, engulfing: engulfing[i]!, rsi14: rsi14[i]! }] : []));
    expect(expected.length).toBeGreaterThan(3);
    expect(await run(file)).toEqual(expected);
  });

  it("qualityScore has no value for a candles file: nothing fires and one warning says why", async () => {
    const warnings: string[] = [];
    const file = ruleFile("quality.json", { name: "bad data", timeframe: "1h", when: { any: [{ metric: "qualityScore", op: "<", value: 101 }] } });
    expect(await run(file, FIXTURE, warnings)).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining("qualityScore has no value for a candles file")]);
  });
});
