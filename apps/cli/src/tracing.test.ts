import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tracer, tracingOn } from "@callbridge/observability";
import { afterEach, describe, expect, it } from "vitest";
import { runCallbridge } from "./test-support/run-cli.js";
import { withTracing } from "./tracing.js";

// withTracing starts the real SDK (startTracing) against a small OTLP/HTTP endpoint on port 0.

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** An OTLP endpoint answering `status` to every export, keeping the bodies it got. */
async function otlpEndpoint(status: number): Promise<{ url: string; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(status, { "content-type": "application/x-protobuf" });
      res.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, bodies };
}

function replaySpan(): void {
  tracer("cli").startSpan("dlq replay", { root: true }).end();
}

describe("withTracing", () => {
  it("stops before the command runs when an OTEL_* variable is wrong, naming it (exit 2)", async () => {
    const run = await runCallbridge(["dlq", "replay", "--dry-run"], { env: { OTEL_TRACES_EXPORTER: "zipkin" }, nowMs: Date.now });
    expect(run).toEqual({
      code: 2,
      out: "",
      err: 'callbridge: OTEL_TRACES_EXPORTER: "zipkin" is not supported here (otlp, console or none)\n',
    });
  });

  it("runs the command untraced when no OTEL_* variable asks for traces", async () => {
    const errors: string[] = [];
    expect(
      await withTracing(
        { KAFKA_BROKERS: "x:1" },
        (text) => errors.push(text),
        async () => tracingOn(),
      ),
    ).toBe(false);
    expect(errors).toEqual([]);
  });

  it("exports the command's spans, as callbridge-cli, before it returns", async () => {
    const endpoint = await otlpEndpoint(200);
    const errors: string[] = [];
    const result = await withTracing(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint.url },
      (text) => errors.push(text),
      async () => {
        expect(tracingOn()).toBe(true);
        replaySpan();
        return "done";
      },
    );
    expect(result).toBe("done");
    expect(tracingOn()).toBe(false);
    expect(errors).toEqual([]);
    const exported = Buffer.concat(endpoint.bodies).toString("latin1");
    expect(exported).toContain("callbridge-cli");
    expect(exported).toContain("dlq replay");
  });

  it("says so on stderr when the spans could not be exported; the command's outcome stands", async () => {
    const endpoint = await otlpEndpoint(400);
    const errors: string[] = [];
    const failing = withTracing(
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint.url },
      (text) => errors.push(text),
      async () => {
        replaySpan();
        throw new Error("replay stopped");
      },
    );
    await expect(failing).rejects.toThrow("replay stopped");
    expect(endpoint.bodies).toHaveLength(1);
    expect(errors).toEqual([expect.stringMatching(/^callbridge: spans not exported to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: .+\n$/)]);
  });
});
