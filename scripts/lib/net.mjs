/**
 * Network probes with Node built-ins only: TCP connect, free-port check, Redis PING, HTTP GET.
 */
import { createServer, connect as tcpConnect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { interrupted } from "./lifecycle.mjs";
import { capture, sleep } from "./proc.mjs";

/** Resolves {ok:true} when a TCP connection opens within the timeout, else {ok:false, error}. */
export function tcpProbe(host, port, timeoutMs = 3_000) {
  return new Promise((resolveProbe) => {
    const socket = tcpConnect({ host, port });
    const done = (result) => {
      socket.destroy();
      resolveProbe(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs / 1000} s` }));
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (error) => done({ ok: false, error: error.code ?? error.message }));
    socket.once("close", () => done({ ok: false, error: "connection closed" }));
  });
}

/** True when nothing listens on the port (we could bind it ourselves). */
export function portFree(port) {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => resolveFree(false));
    server.listen({ port, exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/** "redis-server (pid 4157)" for the process listening on a port, when `ss` can tell. */
export async function portOwner(port) {
  const result = await capture("ss", ["-Hltnp", `sport = :${port}`]);
  const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout);
  return match ? `${match[1]} (pid ${match[2]})` : "";
}

/** First free port from `preferred` upwards. */
export async function findFreePort(preferred, attempts = 20) {
  for (let port = preferred; port < preferred + attempts; port += 1) {
    if (await portFree(port)) return port;
  }
  return null;
}

const resp = (...parts) => `*${parts.length}\r\n${parts.map((part) => `$${Buffer.byteLength(part)}\r\n${part}\r\n`).join("")}`;

/** PING a Redis URL (AUTH with the URL's credentials, TLS for rediss:). Resolves {ok, error}. */
export function redisPing(url, timeoutMs = 3_000) {
  return new Promise((resolvePing) => {
    const parsed = new URL(url);
    const options = { host: parsed.hostname || "127.0.0.1", port: Number(parsed.port || 6379) };
    const socket = parsed.protocol === "rediss:" ? tlsConnect({ ...options, servername: options.host }) : tcpConnect(options);
    let buffer = "";
    const done = (result) => {
      socket.destroy();
      resolvePing(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, error: `no answer within ${timeoutMs / 1000} s` }));
    socket.once("error", (error) => done({ ok: false, error: error.code ?? error.message }));
    socket.once(parsed.protocol === "rediss:" ? "secureConnect" : "connect", () => {
      const password = decodeURIComponent(parsed.password);
      const username = decodeURIComponent(parsed.username);
      let request = "";
      if (password) request += username ? resp("AUTH", username, password) : resp("AUTH", password);
      socket.write(request + resp("PING"));
    });
    socket.on("data", (chunk) => {
      buffer += chunk;
      if (buffer.startsWith("-")) done({ ok: false, error: buffer.split("\r\n")[0].slice(1) });
      else if (buffer.includes("+PONG")) done({ ok: true });
    });
    socket.once("close", () => done({ ok: false, error: buffer ? `unexpected answer ${JSON.stringify(buffer.slice(0, 60))}` : "connection closed without an answer (not Redis?)" }));
  });
}

/** GET with a timeout. Resolves {status, body} or {status: 0, error}. */
export async function httpGet(url, timeoutMs = 3_000) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 0, error: error.cause?.code ?? error.name ?? String(error) };
  }
}

/** Polls `check` until it returns a truthy value, the time is up or the run is interrupted (then returns the last value). */
export async function waitFor(check, { timeoutMs, intervalMs = 500 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value || Date.now() >= deadline || interrupted()) return value;
    await sleep(intervalMs);
  }
}
