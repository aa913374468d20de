/**
 * Parses one gateway frame (JSON text) and keeps it only when its `type` is one the caller handles; anything else
 * (another topic's frame, a pong, garbage) is undefined. Shared by the chart's and the realtime client's parsers.
 */
export function parseTypedFrame<T>(text: string, types: ReadonlySet<string>): T | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  return typeof type === "string" && types.has(type) ? (data as T) : undefined;
}
