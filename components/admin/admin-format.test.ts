// The admin tables' pure formatting: UTC timestamps, audit details on one line, error messages.
import { describe, expect, it } from "vitest";
import { auditDetails, errorMessage, utcTime } from "./admin-format.ts";

describe("admin format", () => {
  it("shows times in UTC whatever the browser's zone", () => {
    expect(utcTime(new Date(Date.UTC(2026, 10, 22, 1, 48, 33, 900)))).toBe("2026-11-22 01:48:33 UTC");
    expect(utcTime("2026-11-22T03:04:05.000+02:00")).toBe("2026-11-22 01:04:05 UTC");
    expect(utcTime(null)).toBe("–");
  });

  it("puts audit details on one line: strings unquoted, other values as JSON", () => {
    expect(auditDetails({ setRole: "admin" })).toBe("setRole: admin");
    expect(auditDetails({ note: "build server", status: 401, flags: ["a"] })).toBe('note: build server, status: 401, flags: ["a"]');
    expect(auditDetails({})).toBe("");
  });

  it("takes an error's message, or the thrown value as text", () => {
    expect(errorMessage(new Error("host: wildcards are not supported: list each host"))).toBe("host: wildcards are not supported: list each host");
    expect(errorMessage("plain")).toBe("plain");
  });
});
