/**
 * Serves any fetch-style handler `(Request) => Response` on a plain node:http server on 127.0.0.1
 * (port 0), passing method, headers and body through, and filling X-Forwarded-For with the socket
 * address when absent, as Next's server does. For auth and rate-limit tests over real HTTP.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export async function serveFetch(handler: (request: Request) => Promise<Response>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === "string") headers.set(name, value);
        else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      }
      if (!headers.has("x-forwarded-for")) headers.set("x-forwarded-for", incoming.socket.remoteAddress ?? "");
      const method = incoming.method ?? "GET";
      const body = method === "GET" || method === "HEAD" || chunks.length === 0 ? undefined : Buffer.concat(chunks);
      handler(new Request(`http://${incoming.headers.host ?? "127.0.0.1"}${incoming.url ?? "/"}`, { method, headers, body }))
        .then(async (result) => {
          const responseHeaders: Record<string, string | string[]> = {};
          result.headers.forEach((value, name) => {
            if (name !== "set-cookie") responseHeaders[name] = value;
          });
          const cookies = result.headers.getSetCookie();
          if (cookies.length > 0) responseHeaders["set-cookie"] = cookies;
          response.writeHead(result.status, responseHeaders);
          response.end(Buffer.from(await result.arrayBuffer()));
        })
        .catch(() => response.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
