/**
 * One outgoing webhook/Slack POST, hardened for user-supplied URLs:
 * - the URL goes through the SSRF guard first, and the socket connects only to the addresses the guard checked
 *   (a pinned `lookup` on node:http/https, so DNS rebinding between check and connect changes nothing; TLS still
 *   verifies the certificate against the URL's host name);
 * - one deadline for the whole exchange (connect + request + response body), default 5 s (AbortSignal);
 * - redirects are never followed: a 3xx is returned as a failure by the caller;
 * - at most 2 KB of the response body is kept (for the delivery log).
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkTarget, type GuardOptions, type ResolvedAddress } from "./ssrf-guard.ts";

export interface PostResult {
  status: number;
  /** Start of the response body (≤ 2 KB, UTF-8). */
  body: string;
  location?: string;
}

export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  guard: GuardOptions;
}

const MAX_BODY = 2_048;

/** A `lookup` that answers only with the pre-checked addresses (never asks DNS again). */
export function pinnedLookup(addresses: readonly ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
    const usable = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
    const list = usable.length > 0 ? usable : addresses;
    if (options.all) callback(null, list.map((entry) => ({ address: entry.address, family: entry.family })));
    else callback(null, list[0]!.address, list[0]!.family);
  }) as LookupFunction;
}

/** POSTs `body` to `url` (after the SSRF check). Resolves with the response, rejects on refusal/network/timeout. */
export async function postJson(options: PostOptions): Promise<PostResult> {
  const target = await checkTarget(options.url, options.guard);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const client = target.url.protocol === "https:" ? https : http;
  return new Promise<PostResult>((resolve, reject) => {
    const request = client.request(
      target.url,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(options.body), "user-agent": "Marketlens-Notifier/1", ...options.headers },
        lookup: pinnedLookup(target.addresses),
        agent: false, // a fresh connection per delivery: nothing pooled under another (unchecked) address
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        response.on("end", () => {
          const location = response.headers.location;
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8"), ...(location ? { location } : {}) });
        });
        response.on("error", reject);
      },
    );
    request.on("error", (error) => {
      reject(signal.aborted ? new Error(`no response within ${options.timeoutMs} ms`) : error);
    });
    request.end(options.body);
  });
}
