/**
 * Zod schema of the alert-rule document (rule-types.ts) and `parseRuleDocument`, which turns the first
 * problem into one message naming the path at fault: `when.all[1].metric: unknown metric "rsi" (did you
 * mean rsi14?)`. Unknown keys and empty groups are refused. Pure. Edit with rule-types.ts.
 */
import { z } from "zod";
import { TIMEFRAMES } from "../time/timeframes.ts";
import { suggestMetric } from "./rule-metrics.ts";
import type { RuleCondition, RuleDocument, RuleGroup, RuleNode, RuleValue } from "./rule-types.ts";
import { RULE_METRICS, RULE_OPERATORS } from "./rule-types.ts";

/** What a JSON value is, for messages: `a string ("x")`, `an array`, `null`. */
function describe(input: unknown): string {
  if (input === undefined) return "nothing";
  if (input === null) return "null";
  if (Array.isArray(input)) return "an array";
  if (typeof input === "string") return `a string (${JSON.stringify(input)})`;
  if (typeof input === "number") return `the number ${input}`;
  if (typeof input === "boolean") return `${input}`;
  return "an object";
}

/** Message for a value of the wrong type: "is required" when absent. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required (${what})` : `must be ${what}, got ${describe(issue.input)}`;

const metricSchema = z.enum(RULE_METRICS, {
  error: (issue) => {
    if (issue.input === undefined) return "is required (a metric name such as close or rsi14)";
    if (typeof issue.input !== "string") return `must be a metric name (a string), got ${describe(issue.input)}`;
    const suggestion = suggestMetric(issue.input);
    return `unknown metric ${JSON.stringify(issue.input)}${suggestion ? ` (did you mean ${suggestion}?)` : ""}`;
  },
});

const operatorSchema = z.enum(RULE_OPERATORS, {
  error: (issue) => `${issue.input === undefined ? "is required" : `unknown operator ${JSON.stringify(issue.input)}`} (one of ${RULE_OPERATORS.join(" ")})`,
});

const metricReferenceSchema = z.strictObject({ metric: metricSchema });

const valueSchema: z.ZodType<RuleValue> = z.union([z.number({ error: expected("a finite number") }), metricReferenceSchema]);

const conditionSchema: z.ZodType<RuleCondition> = z.strictObject({ metric: metricSchema, op: operatorSchema, value: valueSchema });

const children = (): z.ZodType<RuleNode[]> =>
  z.array(nodeSchema, { error: expected("an array of conditions and groups") }).min(1, { error: "empty group: give at least one condition or group" });

const allSchema = z.strictObject({ all: z.lazy(children) });
const anySchema = z.strictObject({ any: z.lazy(children) });

/** Order matters: `branchFor` below picks among these by the keys the input has. */
const groupSchema: z.ZodType<RuleGroup> = z.union([allSchema, anySchema]);
const nodeSchema: z.ZodType<RuleNode> = z.lazy(() => z.union([conditionSchema, allSchema, anySchema]));

/** The alert-rule document. Prefer `parseRuleDocument`, whose errors name the path at fault. */
export const ruleDocumentSchema: z.ZodType<RuleDocument> = z.strictObject({
  name: z.string({ error: expected("a string") }).trim().min(1, { error: "must not be empty" }),
  timeframe: z.enum(TIMEFRAMES, { error: (issue) => `${issue.input === undefined ? "is required" : `unknown timeframe ${JSON.stringify(issue.input)}`} (one of ${TIMEFRAMES.join(", ")})` }),
  when: groupSchema,
  cooldownBars: z
    .number({ error: expected("a whole number of bars ≥ 0") })
    .int({ error: (issue) => `must be a whole number of bars ≥ 0, got ${describe(issue.input)}` })
    .min(0, { error: (issue) => `must be a whole number of bars ≥ 0, got ${describe(issue.input)}` })
    .optional(),
  oneTime: z.boolean({ error: expected("true or false") }).optional(),
}, { error: expected("an object") });

type Path = readonly PropertyKey[];

/** `["when", "all", 1, "metric"]` → `when.all[1].metric`; the root is `rule`. */
export function formatRulePath(path: Path): string {
  let text = "";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : `${text === "" ? "" : "."}${String(key)}`;
  return text === "" ? "rule" : text;
}

function valueAt(document: unknown, path: Path): unknown {
  let value = document;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

type UnionKind = "value" | "group" | "node";

/** Which union an issue at `path` comes from: a condition's value, the rule's `when`, or a group child. */
function unionKind(path: Path): UnionKind {
  const last = path.at(-1);
  if (last === "value") return "value";
  return last === "when" && path.length === 1 ? "group" : "node";
}

const GROUP_HINT = 'a group {"all": [...]} or {"any": [...]}';
const NODE_HINT = 'a condition {"metric", "op", "value"} or a group {"all": [...]} or {"any": [...]}';

/**
 * Which union branch the input meant, by its keys, or a message when it matches none.
 * Branches: value [number, {metric}], group [all, any], node [condition, all, any].
 */
function branchFor(input: unknown, kind: UnionKind): number | string {
  if (kind === "value") {
    if (isPlainObject(input)) return 1;
    if (input === undefined) return 'is required (a number or {"metric": NAME})';
    return typeof input === "number" ? 0 : `must be a number or {"metric": NAME}, got ${describe(input)}`;
  }
  const hint = kind === "group" ? GROUP_HINT : NODE_HINT;
  if (!isPlainObject(input)) return `must be ${hint}, got ${describe(input)}`;
  if ("all" in input && "any" in input) return 'a group has either "all" or "any", not both';
  const offset = kind === "node" ? 1 : 0;
  if ("all" in input) return offset;
  if ("any" in input) return offset + 1;
  const looksLikeCondition = "metric" in input || "op" in input || "value" in input;
  if (kind === "node" && looksLikeCondition) return 0;
  if (looksLikeCondition) return `must be ${hint}, got a condition (wrap it: {"all": [ ... ]})`;
  return `must be ${hint}, got an object with keys ${Object.keys(input).map((key) => JSON.stringify(key)).join(", ") || "(none)"}`;
}

/** One issue as `path: message`, descending into the union branch the input meant. */
function describeIssue(issue: z.core.$ZodIssue, document: unknown, prefix: Path): string {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const branch = branchFor(valueAt(document, path), unionKind(path));
    if (typeof branch === "string") return `${formatRulePath(path)}: ${branch}`;
    const first = issue.errors[branch]?.[0];
    if (first) return describeIssue(first, document, path);
  }
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(", ");
    return `${formatRulePath(path)}: unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}`;
  }
  return `${formatRulePath(path)}: ${issue.message}`;
}

/**
 * Validates a parsed JSON rule document. Throws an Error whose message is `path: problem` for the first
 * problem found (prefixed with `source: ` when given).
 * @example
 * parseRuleDocument({ name: "oversold", timeframe: "1h", when: { all: [{ metric: "rsi", op: "<", value: 30 }] } });
 * // throws: when.all[0].metric: unknown metric "rsi" (did you mean rsi14?)
 */
export function parseRuleDocument(document: unknown, source?: string): RuleDocument {
  const result = ruleDocumentSchema.safeParse(document);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const message = first ? describeIssue(first, document, []) : "rule: invalid";
  throw new Error(source === undefined ? message : `${source}: ${message}`);
}
