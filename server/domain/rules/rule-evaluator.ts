/**
 * Evaluates an alert rule bar by bar. `RuleEvaluator` is the streaming core (O(1) per bar: it keeps only
 * the previous values of the metrics the rule reads); `evaluateRule` is that evaluator in a loop, so batch
 * and streaming agree exactly. Pure. Semantics: README.md in this folder.
 */
import type { OhlcvBar } from "../indicators/indicator-types.ts";
import { groupChildren, ruleMetrics } from "./rule-metrics.ts";
import type { QualityMetric, RuleBarValues, RuleDocument, RuleMetric, RuleNode, RuleOperator, SeriesMetric } from "./rule-types.ts";
import { BAR_METRICS, isRuleCondition } from "./rule-types.ts";

/**
 * One value per bar for the metrics that are not bar fields: `computeIndicators(bars)` and
 * `patternRuleSeries(detectPatterns(bars))` fit; `qualityScore` (the collector's score at each bar's close) is
 * optional: without it a condition on the quality score has no value, so it is false.
 */
export type RuleSeries = Partial<Record<SeriesMetric | QualityMetric, readonly (number | null)[]>>;

/** A condition with its metrics replaced by slots in the value arrays (`right` −1: the constant). */
interface CompiledCondition {
  kind: "condition";
  op: RuleOperator;
  left: number;
  right: number;
  constant: number;
}
interface CompiledGroup {
  kind: "all" | "any";
  children: CompiledNode[];
}
type CompiledNode = CompiledCondition | CompiledGroup;

function compile(node: RuleNode, slotOf: (metric: RuleMetric) => number): CompiledNode {
  if (isRuleCondition(node)) {
    const constant = typeof node.value === "number" ? node.value : Number.NaN;
    const right = typeof node.value === "number" ? -1 : slotOf(node.value.metric);
    return { kind: "condition", op: node.op, left: slotOf(node.metric), right, constant };
  }
  return { kind: "all" in node ? "all" : "any", children: groupChildren(node).map((child) => compile(child, slotOf)) };
}

/** `left op right` on one bar; false when either side has no value (NaN). */
function compare(op: RuleOperator, left: number, right: number): boolean {
  switch (op) {
    case ">": return left > right;
    case "<": return left < right;
    case ">=": return left >= right;
    case "<=": return left <= right;
    case "==": return left === right;
    case "!=": return left !== right && !Number.isNaN(left) && !Number.isNaN(right);
    case "crosses_above":
    case "crosses_below": return false;
  }
}

/**
 * The streaming evaluator of one rule.
 * @example
 * const evaluator = new RuleEvaluator(rule);
 * for (const bar of closedBars) if (evaluator.push({ ...bar, ...engine.push(bar) })) notify(rule, bar);
 */
export class RuleEvaluator {
  /** The metrics the rule reads, in slot order. */
  readonly metrics: readonly RuleMetric[];
  private readonly root: CompiledNode;
  private readonly cooldownBars: number;
  private readonly oneTime: boolean;
  private current: Float64Array;
  private previous: Float64Array;
  private barIndex = -1;
  private wasTrue = false;
  private lastFired = -1;
  private done = false;

  constructor(rule: RuleDocument) {
    this.metrics = ruleMetrics(rule);
    const slots = new Map(this.metrics.map((metric, index) => [metric, index]));
    this.root = compile(rule.when, (metric) => slots.get(metric) ?? 0);
    this.cooldownBars = rule.cooldownBars ?? 0;
    if (!Number.isInteger(this.cooldownBars) || this.cooldownBars < 0) throw new RangeError(`rule ${rule.name}: cooldownBars must be a whole number ≥ 0`);
    this.oneTime = rule.oneTime ?? false;
    this.current = new Float64Array(this.metrics.length).fill(Number.NaN);
    this.previous = new Float64Array(this.metrics.length).fill(Number.NaN);
  }

  /** Bars pushed so far. */
  get barCount(): number {
    return this.barIndex + 1;
  }

  /** Index (0-based, in push order) of the last firing, or −1. */
  get lastFiredIndex(): number {
    return this.lastFired;
  }

  /**
   * Evaluates the next closed bar and tells whether the rule fires on it: its `when` became true (false on
   * the previous bar, or this is the first bar), outside the cooldown, and not after a one-time firing.
   */
  push(values: RuleBarValues): boolean {
    [this.previous, this.current] = [this.current, this.previous];
    for (const [slot, metric] of this.metrics.entries()) {
      const value = values[metric];
      this.current[slot] = value === null || value === undefined ? Number.NaN : value;
    }
    this.barIndex++;
    const isTrue = this.evaluate(this.root);
    const becameTrue = isTrue && !this.wasTrue;
    this.wasTrue = isTrue;
    if (!becameTrue || this.done) return false;
    if (this.lastFired >= 0 && this.barIndex < this.lastFired + this.cooldownBars + 1) return false; // dropped, not deferred
    this.lastFired = this.barIndex;
    if (this.oneTime) this.done = true;
    return true;
  }

  private evaluate(node: CompiledNode): boolean {
    if (node.kind !== "condition") {
      return node.kind === "all" ? node.children.every((child) => this.evaluate(child)) : node.children.some((child) => this.evaluate(child));
    }
    const left = this.current[node.left] as number;
    const right = node.right < 0 ? node.constant : (this.current[node.right] as number);
    if (node.op !== "crosses_above" && node.op !== "crosses_below") return compare(node.op, left, right);
    const previousLeft = this.previous[node.left] as number;
    const previousRight = node.right < 0 ? node.constant : (this.previous[node.right] as number);
    // NaN (no value, or no previous bar) makes every comparison false
    return node.op === "crosses_above"
      ? previousLeft <= previousRight && left > right
      : previousLeft >= previousRight && left < right;
  }
}

const BAR_METRIC_SET: ReadonlySet<RuleMetric> = new Set(BAR_METRICS);

/**
 * The indices of `bars` on which `rule` fires, given the series computed over the same bars
 * (`{ ...computeIndicators(bars), ...patternRuleSeries(detectPatterns(bars)) }`): the streaming evaluator in a
 * loop. Throws a RangeError when a series the rule reads is missing (the quality score excepted) or has a
 * different length than `bars`.
 * @example
 * const rule = { name: "oversold", timeframe: "1h", when: { all: [{ metric: "rsi14", op: "crosses_below", value: 30 }] } };
 * evaluateRule(rule, bars, computeIndicators(bars)); // e.g. [212, 871, …]
 */
export function evaluateRule(rule: RuleDocument, bars: readonly OhlcvBar[], series: RuleSeries): number[] {
  const evaluator = new RuleEvaluator(rule);
  const indicatorMetrics = evaluator.metrics.filter((metric) => !BAR_METRIC_SET.has(metric)) as (SeriesMetric | QualityMetric)[];
  for (const metric of indicatorMetrics) {
    const length = series[metric]?.length;
    if (metric === "qualityScore" && length === undefined) continue;
    if (length !== bars.length) throw new RangeError(`rule ${rule.name}: series ${metric} has ${length ?? "no"} values for ${bars.length} bars`);
  }
  const fired: number[] = [];
  const values: Partial<Record<RuleMetric, number | null>> = {};
  for (const [index, bar] of bars.entries()) {
    for (const metric of BAR_METRICS) values[metric] = bar[metric];
    for (const metric of indicatorMetrics) values[metric] = series[metric]?.[index] ?? null;
    if (evaluator.push(values)) fired.push(index);
  }
  return fired;
}
