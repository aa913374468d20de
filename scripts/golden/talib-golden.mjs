#!/usr/bin/env node
/**
 * Writes the TA-Lib golden files the indicator and pattern parity tests compare against:
 *   server/domain/indicators/golden/talib-btcusdt-1h.json  (every indicator series)
 *   server/domain/patterns/golden/talib-cdl-btcusdt-1h.json (every TA-Lib CDL* function)
 * from fixtures/ohlcv/binance_BTC_USDT-1h.json. Re-run only when the fixture or the reference changes.
 *
 * TA-Lib is NOT a dependency of the repo: install its Node binding elsewhere and pass its path:
 *   mkdir -p /tmp/talib-ref && cd /tmp/talib-ref && npm init -y && npm install talib@1.1.6   # node-gyp, ~50 s
 *   node scripts/golden/talib-golden.mjs --talib /tmp/talib-ref/node_modules/talib
 * talib@1.1.6 bundles the TA-Lib C sources 0.6.0-dev (src/lib/src/ta_common/ta_version.c); defaults
 * (TA_COMPATIBILITY_DEFAULT, unstable period 0, default candle settings).
 * Numbers are stored with 12 significant digits (the tests' tolerance is 1e-6 relative). Each series is
 * `{ begIndex, values }`: values[k] is the output for candle begIndex + k, candles before begIndex have none.
 * The patterns file also holds a synthetic, gapped series (seeded PRNG, stored in the file) with TA-Lib's
 * outputs on it: 24/7 crypto candles open at the previous close, so gap patterns (piercing line, dark cloud
 * cover, three black crows...) never occur on the real fixture.
 * VWAP is not a TA-Lib function: its golden series is the plain session formula below (UTC date sessions),
 * computed in this script independently of server/domain.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURE = "fixtures/ohlcv/binance_BTC_USDT-1h.json";
const INDICATORS_OUT = "server/domain/indicators/golden/talib-btcusdt-1h.json";
const PATTERNS_OUT = "server/domain/patterns/golden/talib-cdl-btcusdt-1h.json";

function argument(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

const talibPath = argument("--talib");
if (!talibPath) {
  console.error("usage: node scripts/golden/talib-golden.mjs --talib /path/to/node_modules/talib");
  process.exit(1);
}
const talib = createRequire(import.meta.url)(resolve(talibPath));
const talibPackage = JSON.parse(readFileSync(resolve(talibPath, "package.json"), "utf8"));
const cVersionSource = readFileSync(resolve(talibPath, "src/lib/src/ta_common/ta_version.c"), "utf8");
const cVersion = ["MAJOR", "MINOR", "BUILD", "EXTRA"]
  .map((name) => new RegExp(`#define ${name} "([^"]*)"`).exec(cVersionSource)?.[1] ?? "?")
  .reduce((text, part, index) => (index === 0 ? part : index === 3 ? (part ? `${text}-${part}` : text) : `${text}.${part}`), "");

const fixtureText = readFileSync(resolve(ROOT, FIXTURE));
const rows = JSON.parse(fixtureText.toString("utf8"));
const n = rows.length;
const column = (k) => rows.map((row) => row[k]);
const [time, open, high, low, close, volume] = [0, 1, 2, 3, 4, 5].map(column);
const round = (value) => Number(value.toPrecision(12));

function run(name, inputs, options = {}) {
  const endIdx = (inputs.open ?? inputs.inReal ?? inputs.high).length - 1;
  const result = talib.execute({ name, startIdx: 0, endIdx, ...inputs, ...options });
  if (result.error) throw new Error(`${name}: ${result.error}`);
  return result;
}

function series(result, output = "outReal") {
  const values = result.result[output];
  if (!values) throw new Error(`missing output ${output}`);
  return { begIndex: result.begIndex, values: Array.from(values, round) };
}

/** Session VWAP: sessions = UTC dates; Σ(typical·volume)/Σvolume; no value while the session's volume is 0. */
function vwapReference() {
  const values = [];
  let begIndex = -1;
  let session = Number.NaN;
  let priceVolume = 0;
  let totalVolume = 0;
  for (let i = 0; i < n; i++) {
    const day = Math.floor(time[i] / 86_400_000);
    if (day !== session) [session, priceVolume, totalVolume] = [day, 0, 0];
    priceVolume += ((high[i] + low[i] + close[i]) / 3) * volume[i];
    totalVolume += volume[i];
    if (begIndex === -1 && totalVolume > 0) begIndex = i;
    if (begIndex !== -1) values.push(totalVolume > 0 ? round(priceVolume / totalVolume) : null);
  }
  return { begIndex, values };
}

function indicatorGolden() {
  const macd = run("MACD", { inReal: close }, { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 });
  const bands = run("BBANDS", { inReal: close }, { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 });
  const stoch = run("STOCH", { high, low, close }, {
    optInFastK_Period: 14, optInSlowK_Period: 3, optInSlowK_MAType: 0, optInSlowD_Period: 3, optInSlowD_MAType: 0,
  });
  const period = (name, inputs, timePeriod) => series(run(name, inputs, { optInTimePeriod: timePeriod }));
  return {
    rsi14: period("RSI", { inReal: close }, 14),
    macd: series(macd, "outMACD"),
    macdSignal: series(macd, "outMACDSignal"),
    macdHist: series(macd, "outMACDHist"),
    bbUpper: series(bands, "outRealUpperBand"),
    bbMiddle: series(bands, "outRealMiddleBand"),
    bbLower: series(bands, "outRealLowerBand"),
    sma20: period("SMA", { inReal: close }, 20),
    sma50: period("SMA", { inReal: close }, 50),
    sma100: period("SMA", { inReal: close }, 100),
    sma200: period("SMA", { inReal: close }, 200),
    ema12: period("EMA", { inReal: close }, 12),
    ema26: period("EMA", { inReal: close }, 26),
    ema50: period("EMA", { inReal: close }, 50),
    vwap: vwapReference(),
    stochK: series(stoch, "outSlowK"),
    stochD: series(stoch, "outSlowD"),
    atr14: period("ATR", { high, low, close }, 14),
    adx14: period("ADX", { high, low, close }, 14),
    plusDi14: period("PLUS_DI", { high, low, close }, 14),
    minusDi14: period("MINUS_DI", { high, low, close }, 14),
    volumeSma20: period("SMA", { inReal: volume }, 20),
    obv: series(run("OBV", { inReal: close, volume })),
    willr14: period("WILLR", { high, low, close }, 14),
  };
}

/** mulberry32: the same sequence on every run. */
function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Three black candles (or white, `direction` 1) each opening inside the previous body, with bare or short
 * shadows on the closing side: candidates for three black crows / three white soldiers (some miss a rule).
 */
function staircase(random, start, direction, time) {
  const cents = (value) => Math.round(value * 100) / 100;
  const rows = [];
  let [open, close] = [start, cents(start * (1 + direction * (0.01 + random() * 0.01)))];
  for (let k = 0; k < 3; k++) {
    const bare = random() < 0.8 ? 0 : random() * 0.004;
    const high = direction === 1 ? cents(close * (1 + bare)) : cents(open * (1 + random() * 0.004));
    const low = direction === 1 ? cents(open * (1 - random() * 0.004)) : cents(close * (1 - bare));
    rows.push([time + k * 86_400_000, open, high, low, close, Math.round(1000 + random() * 9000)]);
    open = cents(close + (open - close) * (0.2 + random() * 0.6)); // inside the body just made
    close = cents(open * (1 + direction * (0.01 + random() * 0.01)));
  }
  return rows;
}

/** Stock-like candles with opening gaps, small and long bodies, sometimes bare shadows; 2 decimals. */
function syntheticCandles(count) {
  const random = prng(20240315);
  const cents = (value) => Math.round(value * 100) / 100;
  const rows = [];
  let close = 100;
  const time = () => Date.UTC(2024, 0, 1) + rows.length * 86_400_000;
  while (rows.length < count) {
    if (random() < 0.03) {
      rows.push(...staircase(random, close, random() < 0.6 ? -1 : 1, time()));
      close = rows.at(-1)[4];
      continue;
    }
    const gap = random() < 0.45 ? (random() - 0.5) * 0.05 : (random() - 0.5) * 0.002;
    const open = cents(close * (1 + gap));
    const bodyScale = random() < 0.3 ? 0.002 : 0.025;
    const next = cents(open * (1 + (random() - 0.5) * bodyScale));
    const shadow = () => (random() < 0.4 ? 0 : random() * 0.008);
    const high = cents(Math.max(open, next) * (1 + shadow()));
    const low = cents(Math.min(open, next) * (1 - shadow()));
    rows.push([time(), open, high, low, next, Math.round(1000 + random() * 9000)]);
    close = next;
  }
  return rows.slice(0, count);
}

/** Every CDL* function with its default options (passed explicitly: the binding aborts when one is missing): lookback (begIndex) and the non-zero outputs as [index, value]. */
function patternGolden(candles) {
  const [open, high, low, close] = [1, 2, 3, 4].map((k) => candles.map((row) => row[k]));
  const n = candles.length;
  const patterns = {};
  for (const { name } of talib.functions.filter((fn) => fn.name.startsWith("CDL"))) {
    const defaults = Object.fromEntries(talib.explain(name).optInputs.map((input) => [input.name, input.defaultValue]));
    const result = run(name, { open, high, low, close }, defaults);
    const out = result.result.outInteger;
    const nonZero = [];
    if (n !== out.length + result.begIndex) throw new Error(`${name}: unexpected output length`);
    for (let k = 0; k < out.length; k++) if (out[k] !== 0) nonZero.push([result.begIndex + k, out[k]]);
    patterns[name] = { begIndex: result.begIndex, nonZero };
  }
  return patterns;
}

const header = {
  generator: "scripts/golden/talib-golden.mjs",
  reference: `TA-Lib C ${cVersion} via node talib@${talibPackage.version} (TA_COMPATIBILITY_DEFAULT, unstable period 0)`,
  fixture: { file: FIXTURE, sha256: createHash("sha256").update(fixtureText).digest("hex"), candles: n },
  precision: "12 significant digits",
};

function write(path, body) {
  mkdirSync(dirname(resolve(ROOT, path)), { recursive: true });
  const text = `${JSON.stringify({ ...header, ...body })}\n`;
  writeFileSync(resolve(ROOT, path), text);
  console.log(`wrote ${path} (${text.length.toLocaleString("en-US")} bytes)`);
}

write(INDICATORS_OUT, {
  note: "vwap is not a TA-Lib function: plain session formula (UTC-date sessions) computed by the generator",
  series: indicatorGolden(),
});
write(PATTERNS_OUT, {
  note: "every TA-Lib CDL function with default options; begIndex = first output index; nonZero = [index, value] pairs, all other outputs from begIndex on are 0",
  patterns: patternGolden(rows),
  synthetic: (() => {
    const candles = syntheticCandles(3000);
    return {
      note: "synthetic gapped daily candles [openTimeMs, o, h, l, c, v] (mulberry32 seed 20240315, see syntheticCandles)",
      candles,
      patterns: patternGolden(candles),
    };
  })(),
});
