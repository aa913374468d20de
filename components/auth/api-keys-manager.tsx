"use client";
/**
 * The API keys page's client side: create a key (shown once, with a copy button), list keys
 * (prefix, created, last used, status) and revoke them. Talks to /api/v1/keys with the session
 * cookie (server/api/rest/api-keys.handler.ts).
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { useHydrated } from "./use-hydrated.ts";

interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scope: "read";
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { credentials: "same-origin", cache: "no-store", ...init });
  const body = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "never";
}

export function ApiKeysManager() {
  const [keys, setKeys] = useState<ApiKeyView[] | null>(null);
  const [created, setCreated] = useState<(ApiKeyView & { key: string }) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const hydrated = useHydrated();
  const [copied, setCopied] = useState(false);

  const load = useCallback(async () => {
    try {
      setKeys((await call<{ keys: ApiKeyView[] }>("/api/v1/keys")).keys);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const name = String(new FormData(formElement).get("name") ?? "").trim();
    setPending(true);
    setError(null);
    setCopied(false);
    try {
      const body = await call<{ key: ApiKeyView & { key: string } }>("/api/v1/keys", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
      setCreated(body.key);
      formElement.reset();
      await load();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setPending(false);
    }
  }

  async function revoke(key: ApiKeyView) {
    setError(null);
    try {
      await call(`/api/v1/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
      if (created?.id === key.id) setCreated(null);
      await load();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard permission: the key stays selectable on screen
    }
  }

  return (
    <div className="api-keys">
      <form className="inline-form" method="post" onSubmit={(event) => void create(event)} aria-label="Create API key">
        <label>
          Name
          <input name="name" required maxLength={100} placeholder="e.g. research notebook" />
        </label>
        <button type="submit" className="primary-button" disabled={!hydrated || pending}>
          {pending ? "Creating…" : "Create key"}
        </button>
      </form>

      {created ? (
        <div className="new-key" role="status" data-testid="new-key-panel">
          <p>
            <b>Copy your new key now.</b> It is shown only this once; Marketlens keeps just a hash of it.
          </p>
          <div className="new-key-row">
            <code data-testid="new-api-key">{created.key}</code>
            <button type="button" className="secondary-button" onClick={() => void copy(created.key)}>
              {copied ? "Copied" : "Copy"}
            </button>
            <button type="button" className="link-button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
          <p className="muted">
            Use it as <code>Authorization: Bearer {created.prefix}…</code> on the REST API (read-only).
          </p>
        </div>
      ) : null}

      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}

      {keys === null ? (
        <p className="muted">Loading keys…</p>
      ) : keys.length === 0 ? (
        <p className="muted" data-testid="no-keys">
          No API keys yet.
        </p>
      ) : (
        <table className="data-table" data-testid="api-keys-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Key</th>
              <th>Scope</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} data-testid="api-key-row" data-key-id={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.scope}</td>
                <td>{when(key.createdAt)}</td>
                <td>{when(key.lastUsedAt)}</td>
                <td>{key.revokedAt ? <span className="muted">revoked</span> : "active"}</td>
                <td>
                  {key.revokedAt ? null : (
                    <button type="button" className="link-button danger" onClick={() => void revoke(key)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
