import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "@callbridge/observability";
import { type Faults, sampleLatencyMs } from "./faults.js";
import * as admin from "./handlers/admin.js";
import { getCampaign, updateCampaignStatus } from "./handlers/campaigns.js";
import { createCall } from "./handlers/create-call.js";
import { readBody } from "./http/read-body.js";
import { errorReply, type Reply, SERVER_ERROR } from "./http/reply.js";
import { Router } from "./http/router.js";
import type { CallLifecycle } from "./state/call-store.js";
import type { CampaignSeed } from "./state/campaigns.js";
import { type SimulatorClock, SimulatorState } from "./state/simulator-state.js";

export interface SimulatorConfig {
  /** Bearer tokens the API accepts (`talq_...`). */
  readonly tokens: readonly string[];
  readonly campaigns: readonly CampaignSeed[];
  readonly lifecycle: CallLifecycle;
  readonly faults: Faults;
  /** Larger request bodies get 413. */
  readonly maxBodyBytes: number;
}

export interface SimulatorDeps {
  readonly logger: Logger;
  readonly clock?: SimulatorClock;
}

export interface Simulator {
  readonly server: Server;
  readonly state: SimulatorState;
  /** Starts listening; port 0 picks a free one. Resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting and closes every connection; safe to call twice. */
  close(): Promise<void>;
}

const SYSTEM_CLOCK: SimulatorClock = { nowMs: Date.now, random: Math.random, sleep: (ms) => delay(ms) };

/** A local Talkover API that answers as docs/talkover-api.md describes; apps/talkover-sim/README.md gives its surface. */
export function createSimulator(config: SimulatorConfig, deps: SimulatorDeps): Simulator {
  const log = deps.logger.child({ component: "talkover-sim" });
  const state = new SimulatorState(new Set(config.tokens), config.campaigns, config.lifecycle, config.faults, deps.clock ?? SYSTEM_CLOCK);
  const handle = createRequestHandler(state, simulatorRoutes(state), config.maxBodyBytes);
  const server = createSimulatorServer(handle, log);

  let closing: Promise<void> | undefined;
  return {
    server,
    state,
    async listen(port, host = "127.0.0.1") {
      server.listen(port, host);
      await once(server, "listening");
      const { port: bound } = server.address() as AddressInfo;
      log.info({ host, port: bound }, "talkover simulator listening");
      return `http://${host}:${bound}`;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The API surface (subject to the latency fault) and the `/_sim` admin surface. */
function simulatorRoutes(state: SimulatorState): Router {
  return new Router()
    .add("POST", "/api/v1/campaigns/:campaign_id/call", (req) => createCall(state, req), { api: true })
    .add("GET", "/api/v1/campaigns/:campaign_id", (req) => getCampaign(state, req), { api: true })
    .add("PATCH", "/api/v1/campaigns/:campaign_id/status", (req) => updateCampaignStatus(state, req), { api: true })
    .add("GET", "/_sim/calls", (req) => admin.listCalls(state, req), { api: false })
    .add("GET", "/_sim/stats", () => admin.stats(state), { api: false })
    .add("GET", "/_sim/timeline", () => admin.timeline(state), { api: false })
    .add("POST", "/_sim/reset", () => admin.reset(state), { api: false })
    .add("GET", "/_sim/faults", () => admin.getFaults(state), { api: false })
    .add("PUT", "/_sim/faults", (req) => admin.putFaults(state, req), { api: false })
    .add("PUT", "/_sim/tokens", (req) => admin.putTokens(state, req), { api: false })
    .add("GET", "/_sim/health", () => admin.health(), { api: false });
}

/** Routes one request, reads its body, applies the latency and drop faults, and counts what the API answered. */
function createRequestHandler(state: SimulatorState, router: Router, maxBodyBytes: number): RequestHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://sim.invalid");
    const method = req.method ?? "GET";
    const route = router.match(method, url.pathname);
    if (route.kind === "not_found") return send(res, admin.notFound(url.pathname.slice(0, 200)), false);
    if (route.kind === "method_not_allowed") {
      return send(res, errorReply(405, `Method ${method} is not allowed here.`, {}, { allow: route.allow.join(", ") }), false);
    }

    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      if (body.reason === "too_large") {
        send(res, errorReply(413, `The request body is larger than ${maxBodyBytes} bytes.`), true);
      }
      return;
    }
    if (route.api) {
      const latencyMs = sampleLatencyMs(state.faults, state.clock.random);
      if (latencyMs > 0) await state.clock.sleep(latencyMs);
    }
    const reply = await route.handler({ method, params: route.params, query: url.searchParams, headers: req.headers, body: body.body });
    const isCall = method === "POST" && route.params.campaign_id !== undefined;
    if (isCall && "drop" in reply && reply.drop === true) {
      state.dropped += 1;
      res.socket?.destroy();
      return;
    }
    if (isCall) state.countResponse(reply.status);
    else if (method === "GET" && route.params.campaign_id !== undefined) state.countCampaignRead(reply.status);
    send(res, reply, false);
  };
}

/** The HTTP server around the handler: a 500 for a handler that throws, a 400 for malformed HTTP. */
function createSimulatorServer(handle: RequestHandler, log: Logger): Server {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error, method: req.method, path: req.url?.split("?")[0] }, "request failed");
      if (!res.headersSent) send(res, SERVER_ERROR, true);
      else res.destroy();
    });
  });
  // Malformed HTTP (bad request line, oversized headers) gets a plain 400, never a crash.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy();
    const body = JSON.stringify({ success: false, message: "Malformed HTTP request." });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  // Longer than the client's pooled keep-alive, so the client closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

function send(res: ServerResponse, reply: Reply, closeAfter: boolean): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
    ...(closeAfter ? { connection: "close" } : {}),
    ...reply.headers,
  });
  res.end(payload);
}
