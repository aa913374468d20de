/**
 * A user screen compiled once into a column program: each condition of the rule tree becomes one tight loop
 * over the symbol slots writing a 0/1 mask, groups AND/OR their children's masks. Every condition runs every
 * cycle (no short-circuit), so `crosses_*` always has the previous cycle's values. Semantics are those of
 * RuleEvaluator (../rules/rule-evaluator.ts): no value (NaN) → false; a cross needs previous ≤ / ≥ and
 * current > / <; false on the first cycle. Pure; no allocation per cycle once sized.
 */
import { groupChildren } from "../rules/rule-metrics.ts";
import { isRuleCondition, type RuleDocument, type RuleNode, type RuleOperator } from "../rules/rule-types.ts";
import type { Timeframe } from "../time/timeframes.ts";
import { metricIndex, type ScannerState } from "./scanner-state.ts";

/** A saved screen: its id (the Redis key and message use it) and its rule document (`when` + `timeframe`). */
export interface ScreenDefinition {
  id: string;
  rule: RuleDocument;
}

interface ConditionStep {
  kind: "condition";
  op: RuleOperator;
  left: number;
  /** −1: compare with `constant`. */
  right: number;
  constant: number;
  mask: Uint8Array;
  previousLeft: Float64Array;
  previousRight: Float64Array;
}
interface GroupStep {
  kind: "all" | "any";
  children: Step[];
  mask: Uint8Array;
}
type Step = ConditionStep | GroupStep;

function build(node: RuleNode): Step {
  if (isRuleCondition(node)) {
    const constant = typeof node.value === "number" ? node.value : Number.NaN;
    const right = typeof node.value === "number" ? -1 : metricIndex(node.value.metric);
    const empty = new Float64Array(0);
    return { kind: "condition", op: node.op, left: metricIndex(node.metric), right, constant, mask: new Uint8Array(0), previousLeft: empty, previousRight: empty };
  }
  return { kind: "all" in node ? "all" : "any", children: groupChildren(node).map(build), mask: new Uint8Array(0) };
}

/** `mask[i] = left[i] op right[i]` (or `op constant`) for i < size; NaN on either side → 0 (also for `!=`). One loop per case: this is the hot path. */
function compareColumns(op: RuleOperator, left: Float64Array, right: Float64Array | null, constant: number, mask: Uint8Array, size: number): void {
  if (right === null) {
    const c = constant;
    switch (op) {
      case ">": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) > c ? 1 : 0; return;
      case "<": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) < c ? 1 : 0; return;
      case ">=": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) >= c ? 1 : 0; return;
      case "<=": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) <= c ? 1 : 0; return;
      case "==": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) === c ? 1 : 0; return;
      case "!=": for (let i = 0; i < size; i++) { const a = left[i] as number; mask[i] = a !== c && a === a && c === c ? 1 : 0; } return; // x === x is false only for NaN
      default: throw new Error("crosses are evaluated with their previous values");
    }
  }
  switch (op) {
    case ">": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) > (right[i] as number) ? 1 : 0; return;
    case "<": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) < (right[i] as number) ? 1 : 0; return;
    case ">=": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) >= (right[i] as number) ? 1 : 0; return;
    case "<=": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) <= (right[i] as number) ? 1 : 0; return;
    case "==": for (let i = 0; i < size; i++) mask[i] = (left[i] as number) === (right[i] as number) ? 1 : 0; return;
    case "!=": for (let i = 0; i < size; i++) { const a = left[i] as number; const b = right[i] as number; mask[i] = a !== b && a === a && b === b ? 1 : 0; } return;
    default: throw new Error("crosses are evaluated with their previous values");
  }
}

function crossColumns(step: ConditionStep, left: Float64Array, right: Float64Array | null, size: number): void {
  const { mask, previousLeft, previousRight, constant } = step;
  const above = step.op === "crosses_above";
  for (let i = 0; i < size; i++) {
    const a = left[i] as number;
    const b = right ? (right[i] as number) : constant;
    const pa = previousLeft[i] as number;
    const pb = previousRight[i] as number;
    mask[i] = above ? (pa <= pb && a > b ? 1 : 0) : (pa >= pb && a < b ? 1 : 0);
    previousLeft[i] = a;
    previousRight[i] = b;
  }
}

/**
 * A compiled screen. `evaluate(state)` computes this cycle's matches; read them with `matches`/`matchCount`
 * (slots in symbol-name order), and what changed since the previous cycle with `entered`/`left`.
 * @example
 * const screen = new CompiledScreen({ id: "s1", rule: { name: "oversold", timeframe: "1h", when: { all: [{ metric: "rsi14", op: "<", value: 30 }] } } });
 * screen.evaluate(state); // then state.symbols[screen.matches[0]] …
 */
export class CompiledScreen {
  readonly id: string;
  readonly rule: RuleDocument;
  readonly timeframe: Timeframe;
  private readonly root: Step;
  private readonly steps: Step[] = [];
  private capacity = 0;
  private previousMask = new Uint8Array(0);
  matches = new Int32Array(0);
  matchCount = 0;
  entered = new Int32Array(0);
  enteredCount = 0;
  left = new Int32Array(0);
  leftCount = 0;

  constructor(definition: ScreenDefinition) {
    this.id = definition.id;
    this.rule = definition.rule;
    this.timeframe = definition.rule.timeframe;
    this.root = build(definition.rule.when);
    const collect = (step: Step) => {
      this.steps.push(step);
      if (step.kind !== "condition") step.children.forEach(collect);
    };
    collect(this.root);
  }

  /** Evaluates the screen on the state's current values. Throws when the state does not keep the screen's timeframe. */
  evaluate(state: ScannerState): void {
    const columns = state.metricColumns(this.timeframe);
    if (!columns) throw new RangeError(`screen ${this.id}: the scanner does not keep timeframe ${this.timeframe}`);
    if (this.capacity !== state.capacity) this.resize(state.capacity);
    const size = state.size;
    this.run(this.root, columns, size);
    const mask = this.root.mask;
    const { active, bySymbol } = state;
    const previous = this.previousMask;
    let matches = 0;
    let entered = 0;
    let left = 0;
    for (let rank = 0; rank < size; rank++) {
      const slot = bySymbol[rank] as number;
      const now = mask[slot] === 1 && active[slot] === 1 ? 1 : 0;
      if (now === 1) this.matches[matches++] = slot;
      if (now === 1 && previous[slot] !== 1) this.entered[entered++] = slot;
      else if (now === 0 && previous[slot] === 1) this.left[left++] = slot;
      previous[slot] = now;
    }
    this.matchCount = matches;
    this.enteredCount = entered;
    this.leftCount = left;
  }

  private run(step: Step, columns: readonly Float64Array[], size: number): void {
    if (step.kind === "condition") {
      const left = columns[step.left] as Float64Array;
      const right = step.right < 0 ? null : (columns[step.right] as Float64Array);
      if (step.op === "crosses_above" || step.op === "crosses_below") crossColumns(step, left, right, size);
      else compareColumns(step.op, left, right, step.constant, step.mask, size);
      return;
    }
    const { mask, children } = step;
    const isAll = step.kind === "all";
    for (let index = 0; index < children.length; index++) {
      const child = children[index] as Step;
      this.run(child, columns, size);
      const childMask = child.mask;
      if (index === 0) for (let i = 0; i < size; i++) mask[i] = childMask[i] as number;
      else if (isAll) for (let i = 0; i < size; i++) mask[i] = (mask[i] as number) & (childMask[i] as number);
      else for (let i = 0; i < size; i++) mask[i] = (mask[i] as number) | (childMask[i] as number);
    }
  }

  private resize(capacity: number): void {
    const keep = <T extends Uint8Array | Float64Array>(old: T, next: T): T => {
      next.set(old.subarray(0, Math.min(old.length, next.length)));
      return next;
    };
    for (const step of this.steps) {
      step.mask = new Uint8Array(capacity);
      if (step.kind === "condition") {
        step.previousLeft = keep(step.previousLeft, new Float64Array(capacity).fill(Number.NaN));
        step.previousRight = keep(step.previousRight, new Float64Array(capacity).fill(Number.NaN));
      }
    }
    this.previousMask = keep(this.previousMask, new Uint8Array(capacity));
    this.matches = new Int32Array(capacity);
    this.entered = new Int32Array(capacity);
    this.left = new Int32Array(capacity);
    this.capacity = capacity;
  }
}
