/**
 * What an admin may type as an allowed webhook host: normalised exactly as the SSRF guard compares a URL's
 * host (case, brackets, trailing dot, odd IPv4 spellings, IDN), and clear refusals for URLs, ports, paths,
 * wildcards, empty input and cloud metadata addresses.
 */
import { describe, expect, it } from "vitest";
import { normaliseAllowedHost, ZAllowedHost } from "./notify-allowlist-host.ts";
import { checkTarget } from "./notifications/ssrf-guard.ts";

describe("normaliseAllowedHost", () => {
  it.each([
    [" Hooks.Example.COM. ", "hooks.example.com"],
    ["127.0.0.1", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"], // octal first octet, as the URL parser reads it
    ["2130706433", "127.0.0.1"], // 127·2^24 + 1
    ["[::1]", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["10.0.5.7", "10.0.5.7"],
    ["münchen.example", "xn--mnchen-3ya.example"],
    ["_hooks.intranet", "_hooks.intranet"],
  ])("%j → %s", (input, expected) => {
    expect(normaliseAllowedHost(input)).toEqual({ ok: true, host: expected });
  });

  it.each([
    ["", "enter a host name or IP address"],
    ["   ", "enter a host name or IP address"],
    ["*.example.com", "wildcards are not supported"],
    ["https://hooks.example.com", "without scheme, port or path"],
    ["hooks.example.com/path", "without scheme, port or path"],
    ["hooks.example.com:8443", "without scheme, port or path"],
    ["user@hooks.example.com", "without scheme, port or path"],
    ["two words", "without scheme, port or path"],
    ["a..b", "not a valid host name"],
    ["-dash.example", "not a valid host name"],
    ["[not-v6]", "not a valid host name"],
    [`${"a".repeat(64)}.example`, "not a valid host name"],
    ["169.254.169.254", "cloud metadata address"],
    ["[::ffff:169.254.169.254]", "cloud metadata address"],
    ["100.100.100.200", "cloud metadata address"],
  ])("refuses %j (%s)", (input, reason) => {
    const result = normaliseAllowedHost(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("stores what the guard compares: an allowed IPv6 or odd IPv4 spelling matches the URL's host", async () => {
    for (const [input, url] of [["0:0:0:0:0:0:0:1", "http://[::1]:8080/hook"], ["0x7f.0.0.1", "http://127.0.0.1/"], ["LocalHost.", "http://localhost/"]] as const) {
      const result = normaliseAllowedHost(input);
      if (!result.ok) throw new Error(result.reason);
      const target = await checkTarget(url, { allowedHosts: new Set([result.host]), resolve: async () => [{ address: "127.0.0.1", family: 4 }] });
      expect(target.allowlisted).toBe(true);
    }
  });

  it("ZAllowedHost transforms to the normalised host or fails with the reason", () => {
    expect(ZAllowedHost.parse("[::1]")).toBe("::1");
    const failed = ZAllowedHost.safeParse("http://x/");
    expect(failed.success).toBe(false);
    expect(failed.error?.issues[0]?.message).toMatch(/without scheme, port or path/);
  });
});
