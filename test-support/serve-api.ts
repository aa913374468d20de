/**
 * Serves the REST route handlers on a plain node:http server (what Next runs them in, minus Next), piping
 * streamed bodies through without buffering. For API tests and benchmarks that need their own deps
 * (another namespace, a Redis that is down).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { ApiServices } from "../server/api/api-services.ts";
import { routeApiRequest } from "../server/api/rest/api-router.ts";

export async function serveApi(services: ApiServices): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    routeApiRequest(new Request(`http://127.0.0.1${request.url ?? "/"}`, { method: request.method }), services)
      .then((result) => {
        response.writeHead(result.status, Object.fromEntries(result.headers));
        if (!result.body) return response.end();
        Readable.fromWeb(result.body as NodeReadableStream).on("error", () => response.destroy()).pipe(response);
      })
      .catch(() => response.writeHead(500).end()); // the handlers map errors themselves; this is a last resort
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
