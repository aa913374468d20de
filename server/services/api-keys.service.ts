/**
 * Personal API keys for data scientists: `ml_` + 32 random base64url characters, shown once at
 * creation, stored as SHA-256 (hex), read-only scope, revocable. Ownership: a user only ever sees
 * and revokes their own keys (another user's key id answers 404, like a missing one). Every
 * create and revoke is audited.
 */
import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";
import { z } from "zod";
import {
  countActiveApiKeys,
  findActiveApiKeyByHash,
  insertApiKey,
  markApiKeyRevoked,
  selectApiKeyById,
  selectApiKeysOfUser,
  type ApiKeyRow,
} from "../db/api-keys.repo.ts";
import { AppError } from "./app-error.ts";
import { recordAudit } from "./audit.service.ts";
import { requireOwner } from "./ownership.ts";

export const API_KEY_PREFIX = "ml_";
const PREFIX_SHOWN = 10; // "ml_" + 7 characters, enough to tell keys apart in a list
const MAX_ACTIVE_KEYS = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const ZCreateApiKeyInput = z.object({
  name: z.string().trim().min(1, "name must not be empty").max(100, "name must be at most 100 characters"),
});
export type TCreateApiKeyInput = z.infer<typeof ZCreateApiKeyInput>;

/** What lists show (never the key or its hash). */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scope: "read";
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The full key: returned once, never stored. */
  key: string;
}

export interface ApiKeyPrincipal {
  userId: string;
  keyId: string;
  role: string;
}

interface Actor {
  userId: string;
  actorIp: string | null;
}

function view(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function isApiKeyShaped(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && /^ml_[A-Za-z0-9_-]{20,100}$/.test(value);
}

export async function createApiKey(pool: pg.Pool, actor: Actor, input: unknown): Promise<CreatedApiKey> {
  const parsed = ZCreateApiKeyInput.safeParse(input);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues.map((issue) => issue.message).join("; "));
  if ((await countActiveApiKeys(pool, actor.userId)) >= MAX_ACTIVE_KEYS) {
    throw new AppError("BAD_REQUEST", `at most ${MAX_ACTIVE_KEYS} active API keys per user: revoke one first`);
  }
  const key = API_KEY_PREFIX + randomBytes(24).toString("base64url");
  const row = await insertApiKey(pool, { userId: actor.userId, name: parsed.data.name, prefix: key.slice(0, PREFIX_SHOWN), hash: hashApiKey(key) });
  await recordAudit(pool, { action: "api_key.create", userId: actor.userId, actorIp: actor.actorIp, target: `api_key:${row.id}`, details: { name: row.name, prefix: row.prefix } });
  return { ...view(row), key };
}

export async function listApiKeys(pool: pg.Pool, userId: string): Promise<ApiKeyView[]> {
  return (await selectApiKeysOfUser(pool, userId)).map(view);
}

/** Revokes one of the actor's keys; 404 for a key that is missing or someone else's. */
export async function revokeApiKey(pool: pg.Pool, actor: Actor, id: string): Promise<ApiKeyView> {
  const what = `api key ${id}`;
  const found = UUID.test(id) ? await selectApiKeyById(pool, id) : null;
  requireOwner(found, actor.userId, what);
  const revoked = await markApiKeyRevoked(pool, id);
  if (!revoked) throw new AppError("NOT_FOUND", `${what} not found`);
  await recordAudit(pool, { action: "api_key.revoke", userId: actor.userId, actorIp: actor.actorIp, target: `api_key:${id}`, details: { name: revoked.name, prefix: revoked.prefix } });
  return view(revoked);
}

/** The owner of an active key, or null (unknown or revoked). */
export async function authenticateApiKey(pool: pg.Pool, key: string): Promise<ApiKeyPrincipal | null> {
  if (!isApiKeyShaped(key)) return null;
  const row = await findActiveApiKeyByHash(pool, hashApiKey(key));
  return row ? { userId: row.userId, keyId: row.id, role: row.role } : null;
}
