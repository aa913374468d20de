/**
 * IndicatorEngine: every indicator's streaming state for one (symbol, timeframe). O(1) per bar, no
 * allocation on the hot path when the caller passes its own output record. Batch computation
 * (indicator-batch.ts) is this engine in a loop, so batch and streaming agree exactly. Pure.
 * Edit when an indicator is added (also indicator-types.ts and README.md).
 */
import { DirectionalMovementState } from "./adx.ts";
import { AtrState } from "./atr.ts";
import { BollingerState } from "./bollinger.ts";
import type { IndicatorValues, OhlcvBar, SessionKeyFn } from "./indicator-types.ts";
import { emptyIndicatorValues } from "./indicator-types.ts";
import { MacdState } from "./macd.ts";
import { EmaState, SmaState } from "./moving-average.ts";
import { RsiState } from "./rsi.ts";
import type { StateSnapshot } from "./state-snapshot.ts";
import { captureState, restoreState } from "./state-snapshot.ts";
import { PriceChangeState, RelativeVolumeState } from "./scanner-metrics.ts";
import { HighLowWindow } from "./high-low-window.ts";
import { StochasticState, fastStochasticK, williamsR } from "./stochastic.ts";
import { ObvState, VwapState } from "./volume.ts";

export interface IndicatorEngineOptions {
  /** VWAP sessions; default UTC date (crypto). Use `nyseSessionKey` for US stocks. */
  sessionKey?: SessionKeyFn;
}

/** Bump when a state field changes meaning: old snapshots are then refused (rehydrate from bars instead). */
const SNAPSHOT_VERSION = 1;

export interface IndicatorEngineSnapshot {
  version: number;
  state: StateSnapshot;
}

/** Throws a RangeError naming the bar when it cannot be an OHLCV bar. */
export function assertValidBar(bar: OhlcvBar): void {
  const { openTime, open, high, low, close, volume } = bar;
  // written out (no array, no callback): this runs once per bar on the hot path
  if (!(Number.isFinite(openTime) && Number.isFinite(open) && Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close) && Number.isFinite(volume))) {
    throw new RangeError(`indicators: bar ${openTime} has a non-finite value (o=${open} h=${high} l=${low} c=${close} v=${volume})`);
  }
  if (high < low) throw new RangeError(`indicators: bar ${openTime} has high ${high} < low ${low}`);
  if (volume < 0) throw new RangeError(`indicators: bar ${openTime} has negative volume ${volume}`);
}

/**
 * All indicators of INDICATOR_KEYS and SCANNER_KEYS for one symbol and timeframe.
 * - `push(bar)`: a new closed bar; commits it and returns its values.
 * - `preview(bar)`: the still-open bar (any number of times, any values); returns what its values would be
 *   if it closed like this, without changing the state, so the next `push` is unaffected.
 * Bars must come in increasing `openTime` (both methods throw a RangeError otherwise). Both accept an
 * output record to fill (reuse one to avoid an allocation per bar).
 * @example
 * const engine = new IndicatorEngine();
 * for (const bar of history) engine.push(bar);
 * engine.preview(liveBar).rsi14; // live RSI of the open bar
 * engine.push(closedBar);        // same values as a batch over history + closedBar
 */
export class IndicatorEngine {
  private readonly rsi = new RsiState(14);
  private readonly macd = new MacdState(12, 26, 9);
  private readonly bollinger = new BollingerState(20, 2);
  private readonly sma20 = new SmaState(20);
  private readonly sma50 = new SmaState(50);
  private readonly sma100 = new SmaState(100);
  private readonly sma200 = new SmaState(200);
  private readonly ema12 = new EmaState(12);
  private readonly ema26 = new EmaState(26);
  private readonly ema50 = new EmaState(50);
  private readonly vwap: VwapState;
  private readonly stochastic = new StochasticState(14, 3, 3);
  private readonly atr = new AtrState(14);
  private readonly directional = new DirectionalMovementState(14);
  private readonly volumeSma = new SmaState(20);
  private readonly obv = new ObvState();
  /** The 14-bar high/low window shared by Stochastic %K and Williams %R. */
  private readonly range14 = new HighLowWindow(14);
  private readonly relativeVolume = new RelativeVolumeState();
  private readonly priceChange = new PriceChangeState([1, 5, 15]);
  private lastOpenTime = Number.NEGATIVE_INFINITY;
  private bars = 0;

  constructor(options: IndicatorEngineOptions = {}) {
    this.vwap = new VwapState(options.sessionKey);
  }

  /** Number of committed (closed) bars. */
  get count(): number {
    return this.bars;
  }

  /** Open time of the last committed bar (−Infinity before the first). */
  get lastTime(): number {
    return this.lastOpenTime;
  }

  push(bar: OhlcvBar, out: IndicatorValues = emptyIndicatorValues()): IndicatorValues {
    this.check(bar, "push");
    this.compute(bar, true, out);
    this.lastOpenTime = bar.openTime;
    this.bars++;
    return out;
  }

  preview(bar: OhlcvBar, out: IndicatorValues = emptyIndicatorValues()): IndicatorValues {
    this.check(bar, "preview");
    return this.compute(bar, false, out);
  }

  /**
   * The committed state as JSON-safe data (~10 KB), to persist and `restore` later; the session-key function
   * is not included (pass the same options to `restore`).
   */
  serialize(): IndicatorEngineSnapshot {
    return { version: SNAPSHOT_VERSION, state: captureState(this) };
  }

  /** An engine continuing exactly where the serialized one stopped. Throws on a snapshot of another version. */
  static restore(snapshot: IndicatorEngineSnapshot, options: IndicatorEngineOptions = {}): IndicatorEngine {
    if (snapshot.version !== SNAPSHOT_VERSION) throw new TypeError(`indicators: snapshot version ${snapshot.version}, expected ${SNAPSHOT_VERSION}`);
    const engine = new IndicatorEngine(options);
    restoreState(engine, snapshot.state, "IndicatorEngine");
    return engine;
  }

  private check(bar: OhlcvBar, method: string): void {
    assertValidBar(bar);
    if (bar.openTime <= this.lastOpenTime) {
      throw new RangeError(`indicators: ${method}(bar ${bar.openTime}) is not after the last closed bar ${this.lastOpenTime}`);
    }
  }

  private compute(bar: OhlcvBar, commit: boolean, out: IndicatorValues): IndicatorValues {
    const { openTime, high, low, close, volume } = bar;
    out.rsi14 = this.rsi.update(close, commit);
    this.macd.update(close, commit);
    out.macd = this.macd.macd;
    out.macdSignal = this.macd.signal;
    out.macdHist = this.macd.hist;
    this.bollinger.update(close, commit);
    out.bbUpper = this.bollinger.upper;
    out.bbMiddle = this.bollinger.middle;
    out.bbLower = this.bollinger.lower;
    out.sma20 = this.sma20.update(close, commit);
    out.sma50 = this.sma50.update(close, commit);
    out.sma100 = this.sma100.update(close, commit);
    out.sma200 = this.sma200.update(close, commit);
    out.ema12 = this.ema12.update(close, commit);
    out.ema26 = this.ema26.update(close, commit);
    out.ema50 = this.ema50.update(close, commit);
    out.vwap = this.vwap.update(openTime, high, low, close, volume, commit);
    this.computeRanges(bar, commit, out);
    out.volumeSma20 = this.volumeSma.update(volume, commit);
    out.obv = this.obv.update(close, volume, commit);
    out.relVolume20 = this.relativeVolume.update(volume, out.volumeSma20, commit);
    this.priceChange.update(close, commit);
    out.change1 = this.priceChange.changes[0] ?? null;
    out.change5 = this.priceChange.changes[1] ?? null;
    out.change15 = this.priceChange.changes[2] ?? null;
    return out;
  }

  /** The high/low based indicators: Stochastic, ATR, ADX/±DI, Williams %R. */
  private computeRanges(bar: OhlcvBar, commit: boolean, out: IndicatorValues): void {
    const { high, low, close } = bar;
    const window = this.range14;
    if (window.update(high, low, commit)) {
      this.stochastic.smooth(fastStochasticK(close, window.highest, window.lowest), commit);
      out.stochK = this.stochastic.k;
      out.stochD = this.stochastic.d;
      out.willr14 = williamsR(close, window.highest, window.lowest);
    } else {
      out.stochK = out.stochD = out.willr14 = null;
    }
    out.atr14 = this.atr.update(high, low, close, commit);
    this.directional.update(high, low, close, commit);
    out.adx14 = this.directional.adx;
    out.plusDi14 = this.directional.plusDi;
    out.minusDi14 = this.directional.minusDi;
  }
}
