/**
 * Small pure helpers of the admin tables: timestamps as "2026-11-22 01:48:33 UTC", audit details as
 * "note: build server, kind: webhook", and a tRPC error's message.
 */

/** A Date (superjson) as UTC "YYYY-MM-DD HH:MM:SS UTC". */
export function utcTime(value: Date | string | null): string {
  if (value === null) return "–";
  const date = value instanceof Date ? value : new Date(value);
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/**
 * An audit entry's details on one line: top-level keys with their values (strings unquoted, others as JSON).
 * @example auditDetails({ setRole: "admin" }) // "setRole: admin"
 */
export function auditDetails(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(", ");
}

/** The message to show for a failed mutation (tRPC errors carry the server's readable message). */
export function errorMessage(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}
