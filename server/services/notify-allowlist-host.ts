/**
 * What an admin may type as an allowed webhook host on /admin (`admin.allowHost`): one host name or IP
 * literal, no scheme, port, path, credentials or wildcard. It is normalised exactly as the SSRF guard
 * normalises a URL's host (the WHATWG URL parser, then ssrf-guard.ts `normaliseHost`), so "LOCALHOST.",
 * "[::1]", "0:0:0:0:0:0:0:1" or "0177.0.0.1" are stored as what a webhook URL's host will compare equal to.
 * Cloud metadata addresses are refused here too: the guard would refuse them whatever the allowlist says.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { isMetadataAddress, normaliseHost } from "./notifications/ssrf-guard.ts";

/** One DNS label (letters, digits, hyphen; underscore for service names), 1–63 characters. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Hosts are stored as at most this many characters (DNS limit). */
export const MAX_HOST_LENGTH = 253;

/**
 * The normalised host, or why the input is not one host.
 * @example normaliseAllowedHost(" Hooks.Example.COM. ") // { ok: true, host: "hooks.example.com" }
 * @example normaliseAllowedHost("[::1]") // { ok: true, host: "::1" }
 * @example normaliseAllowedHost("https://hooks.example.com/x") // { ok: false, reason: "a host name or IP address only, without scheme, port or path (got \"https://hooks.example.com/x\")" }
 */
export function normaliseAllowedHost(input: string): { ok: true; host: string } | { ok: false; reason: string } {
  const raw = input.trim();
  if (raw.length === 0) return { ok: false, reason: "enter a host name or IP address" };
  if (raw.includes("*")) return { ok: false, reason: "wildcards are not supported: list each host" };
  const bracketless = raw.replace(/^\[(.*)\]$/, "$1");
  const isIpv6 = bracketless.includes(":") && ipaddr.IPv6.isValid(bracketless);
  if (/[\s/\\?#@%]/.test(raw) || (!isIpv6 && raw.includes(":"))) {
    return { ok: false, reason: `a host name or IP address only, without scheme, port or path (got "${raw}")` };
  }
  let hostname: string;
  try {
    hostname = new URL(`http://${isIpv6 ? `[${bracketless}]` : raw}/`).hostname;
  } catch {
    return { ok: false, reason: `"${raw}" is not a valid host name or IP address` };
  }
  const host = normaliseHost(hostname);
  if (host.length === 0 || host.length > MAX_HOST_LENGTH) return { ok: false, reason: `a host has 1 to ${MAX_HOST_LENGTH} characters` };
  const isIp = ipaddr.isValid(host);
  if (!isIp && !host.split(".").every((label) => LABEL.test(label))) return { ok: false, reason: `"${raw}" is not a valid host name or IP address` };
  if (isIp && isMetadataAddress(host)) return { ok: false, reason: `${host} is a cloud metadata address: it stays refused whatever the allowlist says` };
  return { ok: true, host };
}

/** zod: the input string → the normalised host (a clear issue message when it is not one host). */
export const ZAllowedHost = z
  .string()
  .max(300)
  .transform((value, context) => {
    const result = normaliseAllowedHost(value);
    if (!result.ok) {
      context.addIssue({ code: "custom", message: result.reason });
      return z.NEVER;
    }
    return result.host;
  });
