import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

/** What `/readyz` answers: `ready` decides 200 or 503; the whole object is the JSON body, for operators. */
export interface ReadinessReport {
  readonly ready: boolean;
}

export interface OpsServerOptions {
  readonly registry: Registry;
  /** 0 picks a free port. */
  readonly port: number;
  /** Loopback unless told otherwise. */
  readonly host?: string;
  /** Read at each `/readyz`; without it `/readyz` answers like `/healthz`. */
  readonly readiness?: () => ReadinessReport;
}

export interface OpsServer {
  /** `http://host:port`, without a path. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The operations endpoints every service serves on one port: `GET /healthz` (liveness: 200
 * while the process runs), `GET /readyz` (readiness: 200 or 503 with the body of `readiness`,
 * the Kubernetes probe convention), and `GET /metrics` (Prometheus text format). Anything else
 * is 404; a method other than GET is 405.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const json = { "content-type": "application/json" };
  const server: Server = createServer((req, res) => {
    const path = req.url?.split("?")[0];
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    if (path === "/healthz") return void res.writeHead(200, json).end('{"status":"ok"}');
    if (path === "/readyz") {
      const readiness = options.readiness?.() ?? { ready: true };
      return void res.writeHead(readiness.ready ? 200 : 503, json).end(JSON.stringify(readiness));
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics collection failed\n"),
      );
      return;
    }
    res.writeHead(404, json).end('{"error":"not found"}');
  });
  const host = options.host ?? "127.0.0.1";
  server.listen(options.port, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
