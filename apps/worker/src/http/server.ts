import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "@callbridge/observability";

export interface OpsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz` and `/metrics` on one port. */
export async function startOpsServer(options: {
  port: number;
  host: string;
  registry: Registry;
  readiness: () => { readonly ready: boolean };
}): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = req.url?.split("?")[0];
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    if (path === "/healthz") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    if (path === "/readyz") {
      const readiness = options.readiness();
      return void res.writeHead(readiness.ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(readiness));
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
      return;
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host}:${port}`,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
