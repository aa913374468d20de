/**
 * Which metrics a rule reads, and suggestions for misspelled metric names. Pure.
 */
import type { RuleDocument, RuleGroup, RuleMetric, RuleNode } from "./rule-types.ts";
import { RULE_METRICS, isRuleCondition } from "./rule-types.ts";

/**
 * The metrics a rule reads, each once, in order of first appearance (left side before right side).
 * @example ruleMetrics({ name: "x", timeframe: "1h", when: { all: [{ metric: "macd", op: ">", value: { metric: "macdSignal" } }] } })
 * // ["macd", "macdSignal"]
 */
export function ruleMetrics(rule: Pick<RuleDocument, "when">): RuleMetric[] {
  const seen = new Set<RuleMetric>();
  const visit = (node: RuleNode): void => {
    if (isRuleCondition(node)) {
      seen.add(node.metric);
      if (typeof node.value !== "number") seen.add(node.value.metric);
      return;
    }
    for (const child of groupChildren(node)) visit(child);
  };
  visit(rule.when);
  return [...seen];
}

/** The children of a group, whichever its kind. */
export function groupChildren(group: RuleGroup): RuleNode[] {
  return "all" in group ? group.all : group.any;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest metric name to a misspelled one, or undefined when nothing is close: a case-insensitive
 * match, then a name that extends it (`rsi` → `rsi14`), then the smallest edit distance ≤ 2.
 * @example suggestMetric("rsi") // "rsi14"
 */
export function suggestMetric(name: string): RuleMetric | undefined {
  const lower = name.toLowerCase();
  if (lower === "") return undefined;
  const exact = RULE_METRICS.find((metric) => metric.toLowerCase() === lower);
  if (exact) return exact;
  const extended = RULE_METRICS.find((metric) => metric.toLowerCase().startsWith(lower));
  if (extended) return extended;
  let best: RuleMetric | undefined;
  let bestDistance = 3;
  for (const metric of RULE_METRICS) {
    const distance = editDistance(lower, metric.toLowerCase());
    if (distance < bestDistance) {
      best = metric;
      bestDistance = distance;
    }
  }
  return best;
}
