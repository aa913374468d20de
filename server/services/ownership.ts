/**
 * Ownership rule for per-user things (API keys, alerts, screens, channels): a user never sees or
 * changes another user's rows, and cannot even learn they exist, so a row owned by someone else
 * is reported exactly like a missing one (404, not 403). Services load by id, then call this.
 */
import { AppError } from "./app-error.ts";

/**
 * Returns the row when `userId` owns it; otherwise throws NOT_FOUND with the same message a
 * missing row gets. `what` names it in the message: `api key 7f3c… not found`.
 * @example const key = requireOwner(await findKey(pool, id), session.userId, `api key ${id}`);
 */
export function requireOwner<Row extends { userId: string }>(row: Row | null | undefined, userId: string, what: string): Row {
  if (!row || row.userId !== userId) throw new AppError("NOT_FOUND", `${what} not found`);
  return row;
}
