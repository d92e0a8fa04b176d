import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { TalkoverClient } from "./client.js";
import { TalkoverConnectionError, type TalkoverError } from "./errors.js";

// Behaviour the simulator cannot be made to show (malformed success bodies, cut connections)
// is checked here against a raw HTTP server on port 0. Everything the Talkover documentation
// shows (docs/talkover-api.md) is checked against the simulator in test/contract.

const TOKEN = "talq_unit_secret_token";
const servers: Server[] = [];
const clients: TalkoverClient[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string, timeoutMs = 2_000): TalkoverClient {
  const c = new TalkoverClient({ baseUrl, token: TOKEN, timeoutMs });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<TalkoverError> {
  try {
    await promise;
  } catch (error) {
    return error as TalkoverError;
  }
  throw new Error("expected the request to fail");
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

describe("TalkoverClient against a raw server", () => {
  it("sends the bearer token, JSON content type and the body, on the documented path", async () => {
    let seen: { method?: string; url?: string; auth?: string; type?: string; body?: string } = {};
    const base = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        seen = { method: req.method, url: req.url, auth: req.headers.authorization, type: req.headers["content-type"], body };
        res.writeHead(201, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            campaign_call: {
              id: "c1",
              campaign_id: "a b",
              to: "+1234567890",
              status: "queued",
              scheduled_at: null,
              created_at: "2024-01-15T10:30:00Z",
            },
            campaign: { id: "a b", name: "n", status: "active" },
          }),
        );
      });
    });
    const created = await client(`${base}/`).createCampaignCall("a b", { to: "+1234567890", is_testing: true });
    expect(created.campaign_call.id).toBe("c1");
    expect(seen).toEqual({
      method: "POST",
      url: "/api/v1/campaigns/a%20b/call",
      auth: `Bearer ${TOKEN}`,
      type: "application/json",
      body: '{"to":"+1234567890","is_testing":true}',
    });
  });

  it("reports a 201 whose body is not JSON as an ambiguous invalid response, not a success", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(201, { "content-type": "text/plain" });
      res.end("Created");
    });
    const error = await failure(client(base).createCampaignCall("c", { to: "+1234567890" }));
    expect(error).toMatchObject({ kind: "invalid_response", code: "INVALID_RESPONSE", status: 201, retryable: true, ambiguous: true });
  });

  it("names the missing field when a 201 body does not match the documented shape", async () => {
    const base = await serve((_req, res) => {
      res.writeHead(201, { "content-type": "application/json" });
      res.end(JSON.stringify({ campaign_call: { id: "c1" } }));
    });
    const error = await failure(client(base).createCampaignCall("c", { to: "+1234567890" }));
    expect(error.kind).toBe("invalid_response");
    expect(error.message).toContain("campaign_call.campaign_id");
    expect(error.message).toContain("campaign:");
  });

  it("tells a cut connection (the request may have landed) from a refused one", async () => {
    const base = await serve((req) => {
      req.socket.destroy();
    });
    const cut = await failure(client(base).createCampaignCall("c", { to: "+1234567890" }));
    expect(cut).toBeInstanceOf(TalkoverConnectionError);
    expect(cut).toMatchObject({ kind: "connection", retryable: true, requestSent: true, ambiguous: true });

    const closed = await serve(() => {});
    const port = new URL(closed).port;
    const server = servers.pop();
    server?.close();
    await once(server as Server, "close");
    const refused = await failure(client(`http://127.0.0.1:${port}`).createCampaignCall("c", { to: "+1234567890" }));
    expect(refused).toMatchObject({ kind: "connection", retryable: true, requestSent: false, ambiguous: false });
    expect(refused.message).toContain("ECONNREFUSED");
  });

  it("times out a server that never answers, and the pool stays usable", async () => {
    let calls = 0;
    const base = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) return; // never answer the first request
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ campaign: { id: "c", name: "n", status: "active", created_at: "x", updated_at: "y" } }));
    });
    const c = client(base, 200);
    const error = await failure(c.getCampaign("c"));
    expect(error).toMatchObject({ kind: "timeout", code: "TIMEOUT", retryable: true, ambiguous: true });
    expect(error.message).toBe("Talkover did not answer GET within 200 ms");
    await expect(c.getCampaign("c")).resolves.toMatchObject({ id: "c", status: "active" });
  });

  it("reports the caller's abort as aborted, not as a timeout", async () => {
    const base = await serve(() => {});
    const controller = new AbortController();
    const pending = failure(client(base, 5_000).getCampaign("c", { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ kind: "aborted", code: "ABORTED" });
  });

  it("never puts the token in a message, a field or a cause of any failure", async () => {
    const base = await serve((req, res) => {
      if (req.url?.endsWith("/cut")) return req.socket.destroy();
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ success: false, message: "Unauthorized" }));
    });
    const c = client(base, 300);
    const errors = await Promise.all([
      failure(c.getCampaign("x")),
      failure(c.getCampaign("cut")),
      failure(client("http://127.0.0.1:9", 300).getCampaign("x")),
    ]);
    for (const error of errors) {
      const printed = [
        inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
        JSON.stringify(error),
        String(error.stack),
      ].join("\n");
      expect(printed).not.toContain(TOKEN);
      expect(printed).not.toContain("unit_secret");
    }
    expect(inspect(c, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(TOKEN);
  });
});

describe("extra request headers", () => {
  it("adds the caller's extra headers (a traceparent) but never lets them replace its own", async () => {
    const seen: IncomingMessage["headers"][] = [];
    const base = await serve((req, res) => {
      seen.push(req.headers);
      req.resume();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ campaign: { id: "c", name: "n", status: "active", created_at: "x", updated_at: "y" } }));
    });
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const headers = {
      traceparent,
      tracestate: "vendor=1",
      Authorization: "Bearer talq_someone_else",
      "Content-Type": "text/plain",
      accept: "text/html",
      "user-agent": "other",
    };
    const c = client(base);
    await c.updateCampaignStatus("c", "active", { headers });
    await c.getCampaign("c", { headers });
    await c.getCampaign("c");
    expect(seen).toHaveLength(3);
    for (const sent of seen.slice(0, 2)) {
      expect(sent).toMatchObject({
        traceparent,
        tracestate: "vendor=1",
        authorization: `Bearer ${TOKEN}`,
        accept: "application/json",
        "user-agent": "callbridge-talkover-client/0.1",
      });
    }
    expect(seen[0]?.["content-type"]).toBe("application/json");
    expect(seen[1]?.["content-type"]).toBeUndefined();
    expect(seen[2]?.traceparent).toBeUndefined();
  });
});
