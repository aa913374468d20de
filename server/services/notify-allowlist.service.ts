/**
 * Admin management of the webhook/Slack host allowlist (issue 5, /admin): list, allow, disallow. Hosts are
 * normalised as the SSRF guard compares them (notify-allowlist-host.ts); every change is audited
 * (`admin.allow_host` / `admin.disallow_host`) and announced, so the API and the notifiers apply it without a
 * restart (notify-allowlist-cache.ts). NOTIFY_ALLOWED_HOSTS stays in force beside the table and is shown read-only.
 * Callers check that the actor is an admin (tRPC adminProcedure).
 */
import type { Redis } from "ioredis";
import type pg from "pg";
import { deleteAllowedHost, insertAllowedHost, selectAllowedHosts, type AllowedHostRow } from "../db/notify-allowlist.repo.ts";
import type { RedisKeys } from "../redis/keys.ts";
import { AppError } from "./app-error.ts";
import { recordAudit } from "./audit.service.ts";
import { announceAllowlistChange } from "./notify-allowlist-cache.ts";
import { normaliseAllowedHost } from "./notify-allowlist-host.ts";

export type { AllowedHostRow };

export interface AllowlistDeps {
  pool: pg.Pool;
  redis: Redis;
  keys: RedisKeys;
}

export interface AllowlistActor {
  userId: string;
  actorIp: string | null;
}

export interface AllowedHostsView {
  /** Rows admins added (removable). */
  hosts: AllowedHostRow[];
  /** Hosts from NOTIFY_ALLOWED_HOSTS (change the env var and restart to edit). */
  envHosts: string[];
}

export async function listAllowedHosts(pool: pg.Pool, envHosts: ReadonlySet<string>): Promise<AllowedHostsView> {
  return { hosts: await selectAllowedHosts(pool), envHosts: [...envHosts].sort() };
}

function hostOrThrow(input: string): string {
  const result = normaliseAllowedHost(input);
  if (!result.ok) throw new AppError("BAD_REQUEST", result.reason);
  return result.host;
}

/** Adds a host (normalised); BAD_REQUEST when it is not one host or already listed. Returns the stored host. */
export async function allowHost(deps: AllowlistDeps, actor: AllowlistActor, input: { host: string; note?: string }): Promise<string> {
  const host = hostOrThrow(input.host);
  const note = (input.note ?? "").trim();
  if (note.length > 200) throw new AppError("BAD_REQUEST", "the note has at most 200 characters");
  if (!(await insertAllowedHost(deps.pool, { host, note, createdBy: actor.userId }))) throw new AppError("BAD_REQUEST", `${host} is already allowed`);
  await recordAudit(deps.pool, { action: "admin.allow_host", userId: actor.userId, actorIp: actor.actorIp, target: `host:${host}`, details: { note } });
  await announceAllowlistChange(deps);
  return host;
}

/** Removes a host the table lists; NOT_FOUND otherwise (an env-only host says so). */
export async function disallowHost(deps: AllowlistDeps, actor: AllowlistActor, input: { host: string }, envHosts: ReadonlySet<string>): Promise<void> {
  const host = hostOrThrow(input.host);
  if (!(await deleteAllowedHost(deps.pool, host))) {
    const why = envHosts.has(host) ? `${host} comes from NOTIFY_ALLOWED_HOSTS: change the variable and restart` : `${host} is not on the allowlist`;
    throw new AppError("NOT_FOUND", why);
  }
  await recordAudit(deps.pool, { action: "admin.disallow_host", userId: actor.userId, actorIp: actor.actorIp, target: `host:${host}` });
  await announceAllowlistChange(deps);
}
