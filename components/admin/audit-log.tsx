"use client";
/**
 * /admin → Audit log: newest first, 25 a page ("Newer" / "Older" walk by entry id, so new entries arriving
 * meanwhile do not shift the pages), filtered by action. The actor is shown by email when the account exists.
 * Test hooks: `audit-log`, `audit-row` (data-action), `audit-filter`, `audit-older`, `audit-newer`.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { AUDIT_ACTIONS, type AuditAction } from "../../server/domain/audit/audit-actions.ts";
import { useTRPC } from "../trpc.ts";
import { auditDetails, utcTime } from "./admin-format.ts";

const PAGE_SIZE = 25;

export function AuditLog() {
  const trpc = useTRPC();
  const [action, setAction] = useState<AuditAction | "">("");
  /** `beforeId` of each page after the first (a stack: Older pushes, Newer pops). */
  const [cursors, setCursors] = useState<string[]>([]);
  const beforeId = cursors.at(-1);
  const log = useQuery(
    trpc.admin.auditLog.queryOptions({ limit: PAGE_SIZE + 1, ...(action ? { action } : {}), ...(beforeId ? { beforeId } : {}) }, { placeholderData: keepPreviousData }),
  );
  const users = useQuery(trpc.admin.users.queryOptions());
  const emails = new Map((users.data ?? []).map((user) => [user.id, user.email]));
  const rows = (log.data ?? []).slice(0, PAGE_SIZE);
  const hasOlder = (log.data?.length ?? 0) > PAGE_SIZE;

  return (
    <div className="audit-log" data-testid="audit-log">
      <div className="inline-form">
        <label className="inline-select">
          Action
          <select
            data-testid="audit-filter"
            value={action}
            onChange={(event) => {
              setAction(event.target.value as AuditAction | "");
              setCursors([]);
            }}
          >
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {log.isPending ? (
        <p className="muted">Loading the audit log…</p>
      ) : log.isError ? (
        <p className="form-error" role="alert">
          {log.error.message}
        </p>
      ) : rows.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          No entries{action ? ` for ${action}` : ""}.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Action</th>
                <th>Who</th>
                <th>From</th>
                <th>Target</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.id} data-testid="audit-row" data-action={row.action}>
                  <td className="nowrap">{utcTime(row.at)}</td>
                  <td>
                    <code>{row.action}</code>
                  </td>
                  <td>{row.userId ? (emails.get(row.userId) ?? row.userId) : <span className="muted">–</span>}</td>
                  <td>{row.actorIp ?? <span className="muted">–</span>}</td>
                  <td className="audit-target">{row.target ?? ""}</td>
                  <td className="audit-details">{auditDetails(row.details)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="pager">
        <button type="button" className="secondary-button" data-testid="audit-newer" disabled={cursors.length === 0} onClick={() => setCursors((stack) => stack.slice(0, -1))}>
          Newer
        </button>
        <span className="muted">Page {cursors.length + 1}</span>
        <button
          type="button"
          className="secondary-button"
          data-testid="audit-older"
          disabled={!hasOlder}
          onClick={() => {
            const last = rows.at(-1);
            if (last) setCursors((stack) => [...stack, last.id]);
          }}
        >
          Older
        </button>
      </div>
    </div>
  );
}
