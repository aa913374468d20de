"use client";
/**
 * /admin → Webhook host allowlist: hosts exempt from the SSRF guard's private/loopback check (receivers on your
 * own network). Lists the hosts admins added (note, who, when; Remove) and, read-only, those of
 * NOTIFY_ALLOWED_HOSTS; the form adds one host name or IP literal (the server's validation message shows
 * inline and nothing changes). Changes apply to the API and the notifiers without a restart.
 * Test hooks: `allowed-hosts-table`, `allowed-host-row` (data-host, data-source db|env), `remove-host`, `allowed-host-error`.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "../trpc.ts";
import { errorMessage, utcTime } from "./admin-format.ts";

export function AllowedHosts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.admin.allowedHosts.queryOptions());
  const allow = useMutation(trpc.admin.allowHost.mutationOptions());
  const disallow = useMutation(trpc.admin.disallowHost.mutationOptions());
  const [error, setError] = useState<string | null>(null);

  async function refresh() {
    await queryClient.invalidateQueries({ queryKey: trpc.admin.allowedHosts.queryKey() });
    await queryClient.invalidateQueries({ queryKey: trpc.admin.auditLog.queryKey() });
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError(null);
    try {
      await allow.mutateAsync({ host: String(data.get("host") ?? ""), note: String(data.get("note") ?? "") });
      form.reset();
      await refresh();
    } catch (failure) {
      setError(errorMessage(failure));
    }
  }

  async function remove(host: string) {
    setError(null);
    try {
      await disallow.mutateAsync({ host });
    } catch (failure) {
      setError(errorMessage(failure));
    }
    await refresh();
  }

  return (
    <>
      <p className="muted">
        Webhook and Slack URLs whose host resolves to a loopback, private or link-local address are refused, unless the host is listed here. Cloud metadata addresses
        (169.254.169.254 …) stay refused whatever is listed. Changes apply at once to new channels and to every delivery.
      </p>
      <form className="inline-form" onSubmit={(event) => void add(event)} aria-label="Allow a webhook host">
        <label>
          Host
          <input name="host" className="host-input" required maxLength={253} placeholder="hooks.intranet.example or 10.0.5.7" aria-describedby="allowed-host-error" />
        </label>
        <label>
          Note
          <input name="note" maxLength={200} placeholder="what receives there" />
        </label>
        <button type="submit" className="primary-button" disabled={allow.isPending}>
          {allow.isPending ? "Adding…" : "Allow host"}
        </button>
      </form>
      {error ? (
        <p className="form-error" role="alert" id="allowed-host-error" data-testid="allowed-host-error">
          {error}
        </p>
      ) : null}
      {list.isPending ? (
        <p className="muted">Loading allowed hosts…</p>
      ) : list.isError ? (
        <p className="form-error" role="alert">
          {list.error.message}
        </p>
      ) : list.data.hosts.length + list.data.envHosts.length === 0 ? (
        <p className="muted" data-testid="no-allowed-hosts">
          No hosts allowed: every webhook must reach a public address.
        </p>
      ) : (
        <table className="data-table" data-testid="allowed-hosts-table">
          <thead>
            <tr>
              <th>Host</th>
              <th>Note</th>
              <th>Added by</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.data.hosts.map((row) => (
              <tr key={row.host} data-testid="allowed-host-row" data-host={row.host} data-source="db">
                <td>
                  <code>{row.host}</code>
                </td>
                <td>{row.note || <span className="muted">–</span>}</td>
                <td>{row.createdByEmail ?? <span className="muted">deleted account</span>}</td>
                <td className="nowrap">{utcTime(row.createdAt)}</td>
                <td>
                  <button type="button" className="link-button danger" data-testid="remove-host" disabled={disallow.isPending} onClick={() => void remove(row.host)}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
            {list.data.envHosts.map((host) => (
              <tr key={`env:${host}`} data-testid="allowed-host-row" data-host={host} data-source="env">
                <td>
                  <code>{host}</code>
                </td>
                <td>
                  <span className="source-env">NOTIFY_ALLOWED_HOSTS</span>
                </td>
                <td className="muted">configuration</td>
                <td className="muted">–</td>
                <td className="muted">edit the variable</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
