/**
 * The alert form's presets (price above/below, RSI above/below, MACD crossover, volume spike, candlestick
 * pattern, data quality below) as pure
 * functions over the domain's rule presets: a form draft → rule document, a stored rule → the preset it
 * came from (to edit it in the simple form, else in the JSON editor), and the price level of a price
 * alert (the chart draws it as a line). Edit together with server/domain/rules/rule-presets.ts.
 */
import {
  macdBearishCrossover,
  macdBullishCrossover,
  patternDetected,
  priceAbove,
  priceBelow,
  qualityBelow,
  rsiAbove,
  rsiBelow,
  volumeSpike,
  type PatternDirection,
  type PresetOptions,
} from "../../server/domain/rules/rule-presets.ts";
import { PATTERNS, PATTERN_NAMES, type PatternName } from "../../server/domain/patterns/pattern-registry.ts";
import { isRuleCondition, type RuleCondition, type RuleDocument } from "../../server/domain/rules/rule-types.ts";

export const PRESET_KINDS = ["price_above", "price_below", "rsi_above", "rsi_below", "macd_cross_up", "macd_cross_down", "volume_spike", "pattern", "quality_below"] as const;
export type PresetKind = (typeof PRESET_KINDS)[number];

export interface PresetInfo {
  label: string;
  /** Label of the threshold input; undefined when the preset has none (MACD). */
  thresholdLabel?: string;
  defaultThreshold?: number;
}

export const PRESETS: Readonly<Record<PresetKind, PresetInfo>> = {
  price_above: { label: "Price above", thresholdLabel: "Price" },
  price_below: { label: "Price below", thresholdLabel: "Price" },
  rsi_above: { label: "RSI(14) above", thresholdLabel: "RSI level", defaultThreshold: 70 },
  rsi_below: { label: "RSI(14) below", thresholdLabel: "RSI level", defaultThreshold: 30 },
  macd_cross_up: { label: "MACD crosses above signal" },
  macd_cross_down: { label: "MACD crosses below signal" },
  volume_spike: { label: "Volume spike", thresholdLabel: "× 20-bar average", defaultThreshold: 3 },
  pattern: { label: "Candlestick pattern" },
  quality_below: { label: "Data quality below", thresholdLabel: "Quality score (0–100)", defaultThreshold: 80 },
};

export const PATTERN_DIRECTIONS: readonly PatternDirection[] = ["bullish", "bearish", "any"];
export { PATTERN_NAMES };

/** "engulfing", "three white soldiers", …: the pattern's plain name for the select. */
export const PATTERN_LABELS: Readonly<Record<PatternName, string>> = Object.fromEntries(
  PATTERNS.map((pattern) => [pattern.name, pattern.label(100).replace(/^bullish /, "")]),
) as Record<PatternName, string>;

export interface PresetDraft {
  kind: PresetKind;
  /** Required unless the preset has no threshold. */
  threshold?: number;
  /** The "pattern" preset: which pattern (default engulfing) and which way (default bullish). */
  pattern?: PatternName;
  direction?: PatternDirection;
}

/** The rule document of a preset; throws (with the domain's message) on a bad threshold. */
export function presetRule(draft: PresetDraft, options: PresetOptions): RuleDocument {
  const needsThreshold = PRESETS[draft.kind].thresholdLabel !== undefined;
  const value = draft.threshold;
  if (needsThreshold && (value === undefined || !Number.isFinite(value))) {
    throw new Error(`${PRESETS[draft.kind].thresholdLabel}: enter a number`);
  }
  const threshold = value ?? 0;
  switch (draft.kind) {
    case "price_above":
      return priceAbove(threshold, options);
    case "price_below":
      return priceBelow(threshold, options);
    case "rsi_above":
      return rsiAbove(threshold, options);
    case "rsi_below":
      return rsiBelow(threshold, options);
    case "macd_cross_up":
      return macdBullishCrossover(options);
    case "macd_cross_down":
      return macdBearishCrossover(options);
    case "volume_spike":
      return volumeSpike(threshold, options);
    case "pattern":
      return patternDetected(draft.pattern ?? "engulfing", draft.direction ?? "bullish", options);
    case "quality_below":
      return qualityBelow(threshold, options);
  }
}

function onlyCondition(rule: Pick<RuleDocument, "when">): RuleCondition | undefined {
  const children = "all" in rule.when ? rule.when.all : rule.when.any;
  const [first] = children;
  return children.length === 1 && first && isRuleCondition(first) ? first : undefined;
}

/** The preset a rule is (same single condition), or undefined for anything else (advanced rules). */
export function presetOf(rule: Pick<RuleDocument, "when">): PresetDraft | undefined {
  const condition = onlyCondition(rule);
  if (!condition) return undefined;
  const { metric, op, value } = condition;
  if (typeof value === "object") {
    if (metric === "macd" && value.metric === "macdSignal" && op === "crosses_above") return { kind: "macd_cross_up" };
    if (metric === "macd" && value.metric === "macdSignal" && op === "crosses_below") return { kind: "macd_cross_down" };
    return undefined;
  }
  if (metric === "close" && op === ">") return { kind: "price_above", threshold: value };
  if (metric === "close" && op === "<") return { kind: "price_below", threshold: value };
  if (metric === "rsi14" && op === ">") return { kind: "rsi_above", threshold: value };
  if (metric === "rsi14" && op === "<") return { kind: "rsi_below", threshold: value };
  if (metric === "relVolume20" && op === ">=") return { kind: "volume_spike", threshold: value };
  if (metric === "qualityScore" && op === "<") return { kind: "quality_below", threshold: value };
  const direction = ({ ">": "bullish", "<": "bearish", "!=": "any" } as const)[op as ">" | "<" | "!="];
  if (value === 0 && direction && (PATTERN_NAMES as readonly string[]).includes(metric)) return { kind: "pattern", pattern: metric as PatternName, direction };
  return undefined;
}

/**
 * The price level of a price alert (a single `close` condition against a constant: a comparison or a
 * cross, not `==`/`!=`): what the chart draws as the alert's line. Undefined for other rules.
 * @example priceLevelOf(priceAbove(65000, { timeframe: "1m" })) // 65000
 */
export function priceLevelOf(rule: Pick<RuleDocument, "when">): number | undefined {
  const condition = onlyCondition(rule);
  if (!condition || condition.metric !== "close" || typeof condition.value !== "number") return undefined;
  return LEVEL_OPERATORS.has(condition.op) ? condition.value : undefined;
}

/** Comparisons that make a price a level worth a line (not `==` / `!=`). */
const LEVEL_OPERATORS = new Set(["<", ">", "<=", ">=", "crosses_above", "crosses_below"]);

/** The rule moved to a new price, keeping its direction (dragging a line on the chart). */
export function withPriceLevel(rule: RuleDocument, price: number): RuleDocument {
  const condition = onlyCondition(rule);
  if (!condition || condition.metric !== "close" || typeof condition.value !== "number") return rule;
  const moved: RuleCondition = { ...condition, value: price };
  const renamed = rule.name === defaultPriceName(condition) ? defaultPriceName(moved) : rule.name;
  return { ...rule, name: renamed, when: "all" in rule.when ? { all: [moved] } : { any: [moved] } };
}

function defaultPriceName(condition: RuleCondition): string {
  return `close ${condition.op} ${String(condition.value)}`;
}

/** A chart line becomes "price above" when placed over the last price, else "price below". */
export function priceAlertFromLine(price: number, lastPrice: number, options: PresetOptions): RuleDocument {
  return price >= lastPrice ? priceAbove(price, options) : priceBelow(price, options);
}

/** A dragged price rounded to 6 significant digits (65432.123456 → 65432.1), so rules read cleanly. */
export function roundPrice(price: number): number {
  return Number(price.toPrecision(6));
}
