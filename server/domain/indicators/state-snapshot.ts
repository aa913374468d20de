/**
 * JSON snapshots of streaming state objects (IndicatorEngine and the states it holds): numbers, strings,
 * null, Float64Array rings and nested states are captured; functions (session keys) are not, they come back
 * from the constructor options. Restoring writes into a freshly constructed object of the same shape.
 * Pure. Edit only if a state class gains a field of another kind (Map, Set...).
 */

export type SnapshotValue = number | string | boolean | null | { $number: string } | SnapshotValue[] | StateSnapshot;
export interface StateSnapshot {
  [field: string]: SnapshotValue;
}

function capture(value: unknown): SnapshotValue | undefined {
  if (value === undefined || typeof value === "function") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? value : { $number: String(value) };
  if (typeof value === "string" || typeof value === "boolean" || value === null) return value;
  if (value instanceof Float64Array) return Array.from(value, (item) => capture(item) as SnapshotValue);
  if (Array.isArray(value)) return value.map((item) => capture(item) ?? null);
  if (typeof value === "object") return captureState(value);
  throw new TypeError(`state snapshot: cannot capture a ${typeof value}`);
}

/** The object's own fields as JSON-safe data (non-finite numbers as `{ $number: "-Infinity" }`). */
export function captureState(state: object): StateSnapshot {
  const snapshot: StateSnapshot = {};
  for (const [field, value] of Object.entries(state)) {
    const captured = capture(value);
    if (captured !== undefined) snapshot[field] = captured;
  }
  return snapshot;
}

function decode(value: SnapshotValue): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.$number === "string") return Number(value.$number);
  return value;
}

function isState(value: SnapshotValue): value is StateSnapshot {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !("$number" in value);
}

function restoreValue(current: unknown, value: SnapshotValue, path: string): unknown {
  if (current instanceof Float64Array) {
    if (!Array.isArray(value) || value.length !== current.length) throw new TypeError(`state snapshot: ${path} has the wrong length`);
    current.set(value.map((item) => decode(item) as number));
    return current;
  }
  if (Array.isArray(current) && Array.isArray(value)) {
    value.forEach((item, index) => (current[index] = restoreValue(current[index], item, `${path}[${index}]`)));
    return current;
  }
  if (current !== null && typeof current === "object" && isState(value)) {
    restoreState(current, value, path);
    return current;
  }
  return decode(value);
}

/** Writes a snapshot back into `state` (constructed with the same options); throws on an unknown field. */
export function restoreState(state: object, snapshot: StateSnapshot, path = "state"): void {
  const target = state as Record<string, unknown>;
  for (const [field, value] of Object.entries(snapshot)) {
    if (!(field in target)) throw new TypeError(`state snapshot: ${path}.${field} does not exist in this version`);
    target[field] = restoreValue(target[field], value, `${path}.${field}`);
  }
}
