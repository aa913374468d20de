/**
 * The alert as the UI handles it (the `alerts.list` row with its rule typed as a rule document) and the
 * one-line text of its condition for lists and chart labels. Pure.
 */
import type { RuleDocument, RuleGroup, RuleNode } from "../../server/domain/rules/rule-types.ts";
import { isRuleCondition } from "../../server/domain/rules/rule-types.ts";

export interface AlertView {
  id: string;
  name: string;
  rule: RuleDocument;
  symbol: string | null;
  watchlistId: string | null;
  timeframe: string;
  evaluateOn: "close" | "tick";
  status: "active" | "paused" | "stopped";
  channelIds: string[];
}

/** A list row from the API (rule stored as given, validated on write) → AlertView. */
export function toAlertView(row: Omit<AlertView, "rule"> & { rule: unknown }): AlertView {
  return { ...row, rule: row.rule as RuleDocument };
}

const OPS: Record<string, string> = { crosses_above: "crosses above", crosses_below: "crosses below" };

function describeNode(node: RuleNode): string {
  if (isRuleCondition(node)) {
    const right = typeof node.value === "number" ? String(node.value) : node.value.metric;
    return `${node.metric} ${OPS[node.op] ?? node.op} ${right}`;
  }
  return describeGroup(node, true);
}

function describeGroup(group: RuleGroup, nested: boolean): string {
  const [joiner, children] = "all" in group ? [" and ", group.all] : [" or ", group.any];
  const text = children.map(describeNode).join(joiner);
  return nested && children.length > 1 ? `(${text})` : text;
}

/**
 * The rule's condition in words.
 * @example describeRule({ name: "x", timeframe: "1h", when: { all: [{ metric: "rsi14", op: "crosses_below", value: 30 }] } }) // "rsi14 crosses below 30"
 */
export function describeRule(rule: Pick<RuleDocument, "when">): string {
  try {
    return describeGroup(rule.when, false);
  } catch {
    return "(unreadable rule)";
  }
}
