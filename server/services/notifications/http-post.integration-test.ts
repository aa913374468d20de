/**
 * The hardened POST over real sockets: it connects to the address the SSRF guard checked (a name that only the
 * guard's resolver knows still reaches the local receiver: no second DNS lookup), gives up at the deadline on a
 * receiver that never answers, returns a 3xx without following it, and refuses a non-allowlisted loopback target
 * before opening any connection.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJson } from "./http-post.ts";
import { SsrfRefusedError, type HostResolver } from "./ssrf-guard.ts";

let server: http.Server;
let port = 0;
const seen: { path: string; host: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      seen.push({ path: request.url ?? "", host: request.headers.host, body });
      if (request.url === "/hang") return; // never answers
      if (request.url === "/moved") {
        response.writeHead(301, { location: "http://127.0.0.1:1/elsewhere" }).end();
        return;
      }
      response.writeHead(200, { "content-type": "text/plain" }).end("x".repeat(5_000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

// "hooks.marketlens.test" exists only in this resolver; the real DNS would fail (ENOTFOUND).
const resolve: HostResolver = async (hostname) => (hostname === "hooks.marketlens.test" ? [{ address: "127.0.0.1", family: 4 }] : Promise.reject(new Error("ENOTFOUND")));
const guard = { allowedHosts: new Set(["hooks.marketlens.test", "127.0.0.1"]), resolve };

describe("postJson", () => {
  it("connects to the checked address (pinned), keeps the Host header, caps the kept body", async () => {
    const result = await postJson({ url: `http://hooks.marketlens.test:${port}/ok`, body: '{"a":1}', headers: { "x-test": "1" }, timeoutMs: 2_000, guard });
    expect(result.status).toBe(200);
    expect(result.body).toHaveLength(2_048);
    expect(seen.at(-1)).toEqual({ path: "/ok", host: `hooks.marketlens.test:${port}`, body: '{"a":1}' });
  });

  it("gives up at the deadline when the receiver never answers", async () => {
    await expect(postJson({ url: `http://127.0.0.1:${port}/hang`, body: "{}", headers: {}, timeoutMs: 300, guard })).rejects.toThrow("no response within 300 ms");
    expect(seen.at(-1)?.path).toBe("/hang");
  });

  it("returns a redirect without following it", async () => {
    const result = await postJson({ url: `http://127.0.0.1:${port}/moved`, body: "{}", headers: {}, timeoutMs: 2_000, guard });
    expect(result).toMatchObject({ status: 301, location: "http://127.0.0.1:1/elsewhere" });
    expect(seen.filter((request) => request.path === "/elsewhere")).toHaveLength(0);
  });

  it("refuses a loopback target that is not allowlisted before connecting", async () => {
    const before = seen.length;
    await expect(postJson({ url: `http://localhost:${port}/ok`, body: "{}", headers: {}, timeoutMs: 2_000, guard: { allowedHosts: new Set() } })).rejects.toBeInstanceOf(SsrfRefusedError);
    expect(seen.length).toBe(before);
  });
});
